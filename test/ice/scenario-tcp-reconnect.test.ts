/**
 * The selected TCP connection drops (RFC 6544 §11.1): the active or S-O side
 * reconnects and checks again while the passive side waits; data resumes
 * without a packet delivered twice; when reconnecting is impossible the
 * controlling side restarts ICE.
 */
import test, { type ExecutionContext } from 'ava';
import type { TcpType } from '../../lib/candidate/index.js';
import type { VirtualAgent } from './vnet/agent.js';
import { checkData, dataPacket } from './vnet/data.js';
import { bothCompleted, finishGathering, twoAgents, type PeerSpec, type TwoAgents } from './vnet/scenario.js';

/** An application that sends a numbered packet every 10 ms when it can, queueing while there is no route. */
class Sender {
  next = 0;
  readonly sentAt: number[] = [];
  constructor(private readonly agent: VirtualAgent) {}
  tick(now: number): void {
    if (this.agent.send(dataPacket(this.next, 600))) this.sentAt[this.next++] = now;
  }
}

function run(s: TwoAgents, senders: Sender[], ms: number): void {
  for (let i = 0; i < ms; i += 10) {
    for (const sender of senders) sender.tick(s.world.now);
    s.world.runFor(10);
  }
}

function setup(seed: number, a: Partial<PeerSpec>, b: Partial<PeerSpec>): TwoAgents {
  const s = twoAgents({
    seed,
    a: { name: 'alice', controlling: true, udp: false, ...a },
    b: { name: 'bob', controlling: false, udp: false, ...b },
  });
  finishGathering(s);
  if (!s.world.runUntil(() => bothCompleted(s), 20000)) throw new Error(`setup: ${s.a.core.state} / ${s.b.core.state}`);
  return s;
}

/** Checks one direction: nothing twice, in order, and only packets in flight at the reset may be missing. */
function checkStream(t: ExecutionContext, receiver: VirtualAgent, sender: Sender, resetAt: number, label: string): void {
  const report = checkData(receiver.received, sender.next);
  t.deepEqual(report.duplicates, [], `${label}: no packet delivered twice`);
  t.true(report.inOrder, `${label}: in order`);
  t.is(report.corrupt, 0);
  for (const seq of report.missing) {
    const at = sender.sentAt[seq];
    t.true(
      at <= resetAt && at >= resetAt - 50,
      `${label}: #${seq} sent at ${at} was lost, but it was not in flight at the reset (${resetAt})`,
    );
  }
  t.true(sender.next - report.missing.length > 250, `${label}: ${sender.next - report.missing.length} packets arrived`);
}

const kinds: Array<[string, TcpType, TcpType]> = [
  ['active → passive', 'active', 'passive'],
  ['S-O ↔ S-O', 'so', 'so'],
];

for (const [title, mine, theirs] of kinds) {
  test(`${title}: the selected connection is reset mid-transfer; it reconnects, data resumes, nothing arrives twice`, (t) => {
    const s = setup(91, { tcp: [mine] }, { tcp: [theirs] });
    const senders = [new Sender(s.a), new Sender(s.b)];
    run(s, senders, 1000);
    const oldA = s.a.routes.get(1)!.connectionId!;
    const oldB = s.b.routes.get(1)!.connectionId!;
    const resetAt = s.world.now;
    s.world.net.tcp.reset(oldA);
    run(s, senders, 3000);
    s.world.runFor(500);
    const routeA = s.a.routes.get(1);
    const routeB = s.b.routes.get(1);
    t.truthy(routeA?.connectionId && routeA.connectionId !== oldA, 'alice has a new connection');
    t.truthy(routeB?.connectionId && routeB.connectionId !== oldB, 'bob has a new connection');
    t.is(s.world.net.tcp.end(routeA!.connectionId!)?.peer?.id, routeB!.connectionId, 'the same one');
    const reconnects = (agent: VirtualAgent) => agent.tcpLog.filter((e) => e.what === 'connect' && e.at >= resetAt);
    t.true(reconnects(s.a).length >= 1, 'alice reconnected');
    if (theirs === 'passive') t.deepEqual(reconnects(s.b), [], 'the passive side waits (RFC 6544 §11.1)');
    // Data resumed quickly.
    const firstAfter = s.b.received.find((r) => r.at > resetAt + 50);
    t.truthy(firstAfter);
    t.true(firstAfter!.at - resetAt < 1000, `data resumed ${firstAfter!.at - resetAt} ms after the reset`);
    checkStream(t, s.b, senders[0], resetAt, 'alice → bob');
    checkStream(t, s.a, senders[1], resetAt, 'bob → alice');
    for (const side of [s.a, s.b]) {
      t.false(side.stateHistory().includes('failed'));
      t.is(side.connections.size, 1, `${side.name} keeps one connection`);
    }
    t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
  });
}

test('when the selected connection cannot be re-established, the controlling side restarts ICE and the session moves on', (t) => {
  const priority = { preferTcp: true };
  // Give up on S-O reconnects quickly (by default an S-O connector retries RSTs for ~40 s).
  const core = { tcp: { soRetry: { maxAttempts: 3 }, reconnectAttempts: 2 } };
  const s = setup(92, { udp: true, tcp: ['so'], priority, core }, { udp: true, tcp: ['so'], priority, core });
  t.is(s.a.selectedPair()!.local.transport, 'tcp');
  const senders = [new Sender(s.a), new Sender(s.b)];
  run(s, senders, 500);
  // From now on every SYN to either S-O port is refused, and the selected connection is reset.
  for (const side of [s.a, s.b]) {
    const so = side.localCandidates.find((c) => c.tcpType === 'so')!;
    s.world.net.tcp.refused.add(`${so.address}|${so.port}`);
  }
  const resetAt = s.world.now;
  s.world.net.tcp.reset(s.a.routes.get(1)!.connectionId!);
  run(s, senders, 15000);
  s.world.runFor(500);
  const restart = s.a.eventsOf('restart')[0];
  t.truthy(restart, 'RFC 6544 §11.1: the controlling agent restarted ICE');
  t.true(restart !== undefined && restart.reason.length > 0);
  t.deepEqual(s.b.eventsOf('restart'), [], 'the controlled side does not');
  t.true(s.a.tcpLog.filter((e) => e.what === 'connect-failed' && e.at > resetAt).length >= 1, 'it did try to reconnect first');
  t.true(bothCompleted(s), `states: ${s.a.core.state} / ${s.b.core.state}`);
  t.is(s.a.selectedPair()?.local.transport, 'udp', 'the new session runs over UDP');
  checkStream(t, s.b, senders[0], resetAt, 'alice → bob');
  checkStream(t, s.a, senders[1], resetAt, 'bob → alice');
  t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
});
