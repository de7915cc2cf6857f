/**
 * RFC 6544 §11.1 reconnection when the controlled passive side has not
 * noticed that the selected connection died: the active (controlling) side
 * got the RST, reconnects and nominates the pair on the new connection
 * while the passive side still counts the old connection as open (its
 * reader paused, the RST unread). The passive side's rule against a second
 * TCP nomination (tcp-nomination.ts, rule 0) must not leave that
 * nomination unanswered: TCP checks are not retransmitted (RFC 6544 §7.1),
 * so the active side would stay without a route. The withheld nomination is
 * answered once the old connection is found closed, within the rule's 1 s
 * window; past it, it stays unanswered (the rule for peers that nominate
 * several live connections).
 */
import test from 'ava';
import { checkData, dataPacket } from './vnet/data.js';
import { bothCompleted, finishGathering, twoAgents, type TwoAgents } from './vnet/scenario.js';

interface Run {
  s: TwoAgents;
  oldA: string;
  oldB: string;
  resetAt: number;
  /** Alice's packets sent so far. */
  sent: () => number;
  /** Runs `ms` more, alice sending a packet every 10 ms when she has a route. */
  send: (ms: number) => void;
}

/** Alice (active, controlling) and bob (passive, controlled) on TCP; alice's selected connection is reset, bob is told late. */
function resetUnnoticed(late: { noticeAfterMs: number; writesFail: boolean }): Run {
  const s = twoAgents({
    seed: 93,
    a: { name: 'alice', controlling: true, udp: false, tcp: ['active'] },
    b: { name: 'bob', controlling: false, udp: false, tcp: ['passive'] },
  });
  finishGathering(s);
  if (!s.world.runUntil(() => bothCompleted(s), 20000)) throw new Error(`setup: ${s.a.core.state} / ${s.b.core.state}`);
  // Only alice sends: bob writes nothing of its own on the old connection that would reveal the reset to it.
  let next = 0;
  const send = (ms: number): void => {
    for (let i = 0; i < ms; i += 10) {
      if (s.a.send(dataPacket(next, 600))) next++;
      s.world.runFor(10);
    }
  };
  send(500);
  const oldA = s.a.routes.get(1)!.connectionId!;
  const oldB = s.b.routes.get(1)!.connectionId!;
  const resetAt = s.world.now;
  s.world.net.tcp.reset(oldA, 'ECONNRESET (injected)', { end: oldB, ...late });
  return { s, oldA, oldB, resetAt, sent: () => next, send };
}

function newRoutes(r: Run): { a: string | undefined; b: string | undefined } {
  const a = r.s.a.routes.get(1)?.connectionId;
  const b = r.s.b.routes.get(1)?.connectionId;
  return { a: a !== r.oldA ? a : undefined, b: b !== r.oldB ? b : undefined };
}

test('the passive side notices the reset late: the reconnect nomination is answered once its probe finds the old connection dead', (t) => {
  // Bob would read the RST only 20 s later (past the 4–6 s consent interval, too); a write fails at once.
  const r = resetUnnoticed({ noticeAfterMs: 20000, writesFail: true });
  const { s } = r;
  r.send(1500);
  const routes = newRoutes(r);
  t.truthy(routes.a, `alice has a route on a new connection 1.5 s after the reset (${JSON.stringify(s.a.routes.get(1))})`);
  t.truthy(routes.b, 'bob moved to the new connection');
  t.is(s.world.net.tcp.end(routes.a!)?.peer?.id, routes.b, 'the same connection');
  t.true(
    s.b.tcpLog.some((e) => e.what === 'closed' && e.id === r.oldB && e.at < r.resetAt + 1000),
    'bob learned of the reset from its probe, not from the late read',
  );
  t.deepEqual(
    s.b.tcpLog.filter((e) => e.what === 'connect' && e.at >= r.resetAt),
    [],
    'the passive side waits (RFC 6544 §11.1)',
  );
  const arrivedAfter = s.b.received.filter((p) => p.at > r.resetAt + 50).length;
  t.true(arrivedAfter > 50, `${arrivedAfter} packets arrived after the reset`);
  const report = checkData(s.b.received, r.sent());
  t.deepEqual(report.duplicates, [], 'nothing delivered twice');
  t.true(report.inOrder);
  for (const side of [s.a, s.b]) t.false(side.stateHistory().includes('failed'), `${side.name} never failed`);
  t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
});

test('the probe cannot reveal the reset, bob notices it 500 ms later: inside the window, the withheld nomination is answered then', (t) => {
  const r = resetUnnoticed({ noticeAfterMs: 500, writesFail: false });
  r.send(1500);
  const routes = newRoutes(r);
  t.truthy(routes.a, 'alice has a route on a new connection');
  t.is(r.s.world.net.tcp.end(routes.a!)?.peer?.id, routes.b, 'bob is on the same one');
  t.deepEqual([...r.s.a.anomalies, ...r.s.b.anomalies], []);
});

test('the probe cannot reveal the reset, bob notices it 3 s later: past the window, the withheld nomination stays unanswered', (t) => {
  const r = resetUnnoticed({ noticeAfterMs: 3000, writesFail: false });
  r.send(4000);
  t.true(
    r.s.b.tcpLog.some((e) => e.what === 'closed' && e.id === r.oldB),
    'bob did notice the reset meanwhile',
  );
  // Alice's nominating check on the new connection got no answer (TCP checks are not retransmitted; its
  // transaction times out after Ti, 39.5 s): she has no route yet.
  t.is(newRoutes(r).a, undefined, `alice's route: ${JSON.stringify(r.s.a.routes.get(1))}`);
  t.deepEqual([...r.s.a.anomalies, ...r.s.b.anomalies], []);
});
