/**
 * ICE restart stories (RFC 8445 §9, RFC 8839 §4.4): the agents move to a
 * better pair without dropping a packet of the running session; a restart
 * by the controlled side renews credentials in place; a restart rescues a
 * session whose path died.
 */
import test from 'ava';
import type { VirtualAgent } from './vnet/agent.js';
import { checkData, dataPacket } from './vnet/data.js';
import { bothCompleted, finishGathering, twoAgents, type TwoAgents } from './vnet/scenario.js';
import { Wire } from './vnet/wire.js';

/** Bob has a preferred interface (10.0.0.2) that is down at first, and a second one (10.0.0.5). */
function setup(seed: number): TwoAgents {
  const s = twoAgents({
    seed,
    a: { name: 'alice', controlling: true },
    b: { name: 'bob', controlling: false, addresses: ['10.0.0.2', '10.0.0.5'] },
  });
  s.world.net.udpFilter = (from, to) => (from.address === '10.0.0.2' || to.address === '10.0.0.2' ? 'interface down' : undefined);
  finishGathering(s);
  if (!s.world.runUntil(() => bothCompleted(s), 10000)) throw new Error('setup did not connect');
  return s;
}

/** Both sides send a numbered packet every 20 ms for `ms`; returns how many each sent. */
function stream(s: TwoAgents, ms: number, from: number, during?: (elapsed: number) => void): number {
  let seq = from;
  for (let elapsed = 0; elapsed < ms; elapsed += 20) {
    during?.(elapsed);
    for (const side of [s.a, s.b])
      if (!side.send(dataPacket(seq))) throw new Error(`${side.name} could not send #${seq} at ${s.world.now}`);
    seq++;
    s.world.runFor(20);
  }
  return seq;
}

const ufragOf = (agent: VirtualAgent): string => agent.core.localCredentials.ufrag;

test('restart moves the session to a better pair without losing or repeating a packet', (t) => {
  const s = setup(51);
  t.is(s.a.selectedPair()!.remote.address, '10.0.0.5');
  const before = { a: ufragOf(s.a), b: ufragOf(s.b) };
  let sent = stream(s, 1000, 0);
  // Bob's preferred interface comes up; Alice restarts ICE to move there.
  sent = stream(s, 3000, sent, (elapsed) => {
    if (elapsed === 0) {
      s.world.net.udpFilter = undefined;
      s.signalling.restart(s.a);
    }
  });
  sent = stream(s, 1000, sent);
  s.world.runFor(200);
  t.is(s.a.selectedPair()!.remote.address, '10.0.0.2', 'the new, better pair is selected');
  t.is(s.b.selectedPair()!.local.address, '10.0.0.2');
  t.is(s.a.eventsOf('selected-pair').length, 2);
  t.not(ufragOf(s.a), before.a, 'the restarting side has new credentials (RFC 8445 §9)');
  t.not(ufragOf(s.b), before.b, 'so does the answerer (RFC 8839 §4.4.2.1)');
  for (const side of [s.a, s.b]) {
    const report = checkData(side.received, sent);
    t.deepEqual(report.missing, [], `${side.name} lost nothing`);
    t.deepEqual(report.duplicates, []);
    t.is(report.corrupt, 0);
    t.false(side.stateHistory().some((x) => x === 'failed' || x === 'disconnected'));
    t.is(side.sent.dataBlocked, 0, 'the route never went away');
  }
  // After the switch, data really goes over the new pair.
  const last = s.b.received.at(-1)!;
  t.is(last.to?.address, '10.0.0.2');
  t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
});

test('a restart by the controlled side renews the credentials; consent then runs on the new ones', (t) => {
  const s = setup(52);
  const wire = new Wire(s.world.net);
  let sent = stream(s, 500, 0);
  sent = stream(s, 2000, sent, (elapsed) => elapsed === 0 && s.signalling.restart(s.b));
  t.true(s.world.runUntil(() => bothCompleted(s), 5000));
  s.world.runFor(12000);
  const ufragA = ufragOf(s.a);
  const ufragB = ufragOf(s.b);
  // Alice's latest checks use the new username: "bob's ufrag:alice's ufrag" (RFC 8445 §7.2.2).
  const latest = wire.requestsFrom('alice').at(-1)!;
  t.is(latest.msg.attributes.username, `${ufragB}:${ufragA}`);
  t.true(s.a.core.state === 'completed' && s.b.core.state === 'completed');
  for (const side of [s.a, s.b]) {
    const report = checkData(side.received, sent);
    t.deepEqual(report.missing, []);
    t.deepEqual(report.duplicates, []);
  }
  t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
});

test('when the selected path dies, a restart finds the other one before consent expires', (t) => {
  const s = setup(53);
  // Bob's second interface goes down and the first comes up (a network change).
  s.world.net.udpFilter = (from, to) => (from.address === '10.0.0.5' || to.address === '10.0.0.5' ? 'interface down' : undefined);
  s.world.runFor(2000);
  s.signalling.restart(s.a);
  t.true(
    s.world.runUntil(() => bothCompleted(s) && s.a.selectedPair()!.remote.address === '10.0.0.2', 20000),
    `state ${s.a.core.state}`,
  );
  t.false(s.a.stateHistory().includes('failed'));
  t.true(s.a.send(dataPacket(1)));
  t.true(s.b.send(dataPacket(2)));
  s.world.runFor(100);
  t.is(s.b.received.length, 1);
  t.is(s.a.received.length, 1);
  t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
});
