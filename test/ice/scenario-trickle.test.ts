/**
 * Trickle stories (RFC 8445 with RFC 8838 semantics): candidates that come
 * late still connect; a checklist whose pairs all failed is not declared
 * failed until the peer said end-of-candidates.
 */
import test from 'ava';
import { bothCompleted, endpoint, isUp, twoAgents } from './vnet/scenario.js';

test('trickle: the only working candidate arrives 3 s late and the agents connect through it', (t) => {
  const s = twoAgents({
    seed: 31,
    a: { name: 'alice', controlling: true },
    b: { name: 'bob', controlling: false, addresses: ['10.0.0.2', '10.0.0.5'], udp: false },
  });
  const { world, a, b, signalling } = s;
  // Bob's first interface is dead: nothing gets to or from it.
  world.net.udpFilter = (from, to) => (from.address === '10.0.0.2' || to.address === '10.0.0.2' ? 'interface down' : undefined);
  b.addUdp('10.0.0.2');
  signalling.endOfCandidates(a);
  world.runFor(3000);
  t.false(isUp(a) || isUp(b), 'nothing works yet');
  t.not(a.core.state, 'failed');
  t.not(b.core.state, 'failed');
  // The second interface comes up; its candidate trickles over.
  b.addUdp('10.0.0.5');
  signalling.endOfCandidates(b);
  t.true(
    world.runUntil(() => bothCompleted(s), 10000),
    `states: ${a.core.state} / ${b.core.state}`,
  );
  t.true(world.now > 3000);
  t.is(a.selectedPair()!.remote.address, '10.0.0.5');
  t.is(endpoint(b.selectedPair()!.local), endpoint(a.selectedPair()!.remote));
  t.false(a.stateHistory().includes('failed'));
  t.deepEqual([...a.anomalies, ...b.anomalies], []);
});

test('trickle: every pair failed, but without end-of-candidates the agent waits; a candidate at 45 s connects', (t) => {
  const s = twoAgents({
    seed: 32,
    a: { name: 'alice', controlling: true },
    b: { name: 'bob', controlling: false, addresses: ['10.0.0.2', '10.0.0.5'], udp: false },
  });
  const { world, a, b, signalling } = s;
  world.net.udpFilter = (from, to) => (from.address === '10.0.0.2' || to.address === '10.0.0.2' ? 'interface down' : undefined);
  b.addUdp('10.0.0.2');
  signalling.endOfCandidates(a);
  world.runFor(45000);
  t.true(a.core.pairs().length > 0);
  t.true(
    a.core.pairs().every((p) => p.state === 'failed'),
    'the checks timed out (RFC 8489: 39.5 s)',
  );
  t.not(a.core.state, 'failed', 'no end-of-candidates yet: not failed (RFC 8838 §8)');
  b.addUdp('10.0.0.5');
  t.true(
    world.runUntil(() => bothCompleted(s), 10000),
    `states: ${a.core.state} / ${b.core.state}`,
  );
  t.deepEqual([...a.anomalies, ...b.anomalies], []);
});

test('trickle: after end-of-candidates, the failure of every pair fails the agent', (t) => {
  const s = twoAgents({
    seed: 33,
    a: { name: 'alice', controlling: true },
    b: { name: 'bob', controlling: false },
  });
  const { world, a, b, signalling } = s;
  world.net.udpFilter = () => 'everything is down';
  signalling.endOfCandidates(a);
  signalling.endOfCandidates(b);
  t.true(
    world.runUntil(() => a.core.state === 'failed' && b.core.state === 'failed', 60000),
    `states: ${a.core.state} / ${b.core.state}`,
  );
  const failedAt = a.eventsOf('state').find((e) => e.state === 'failed')!.at;
  // RFC 8489 §6.2.1: the last retransmission gives up 39.5 s after the first send.
  t.true(failedAt >= 39500 && failedAt < 45000, `failed at ${failedAt}`);
  const failures = a.eventsOf('pair-state').filter((e) => e.pair.state === 'failed');
  t.true(failures.length >= 1);
  t.true(
    failures.every((f) => typeof f.reason === 'string' && f.reason.length > 0),
    'each failure says why',
  );
  t.deepEqual([...a.anomalies, ...b.anomalies], []);
});
