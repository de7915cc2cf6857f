/**
 * When ICE gives up (RFC 8445 §6.1.2.1, §7.2.5.4, §8.1.2 with RFC 8838 §8):
 * once both sides' candidates are complete, a checklist with no pair that
 * can still succeed fails, also one that never had a pair; but not while
 * the peer may still reach us on a path only it can open (its active
 * candidate to our passive one, or a candidate we could not resolve).
 */
import test from 'ava';
import type { VirtualAgent } from './vnet/agent.js';
import { bothCompleted, finishGathering, twoAgents } from './vnet/scenario.js';

const failedAt = (agent: VirtualAgent): number | undefined => agent.eventsOf('state').find((e) => e.state === 'failed')?.at;
const checklistErrors = (agent: VirtualAgent) => agent.eventsOf('error').filter((e) => e.code === 'ERR_ICE_CHECKLIST_FAILED');

test('a TCP-only agent facing a UDP-only peer: no pair can be formed, both fail as soon as candidates are complete', (t) => {
  const s = twoAgents({
    seed: 501,
    a: { name: 'alice', controlling: true, udp: false, tcp: ['active', 'passive', 'so'] },
    b: { name: 'bob', controlling: false, udp: true },
  });
  finishGathering(s);
  t.true(
    s.world.runUntil(() => s.a.core.state === 'failed' && s.b.core.state === 'failed', 5000),
    `states: ${s.a.core.state} / ${s.b.core.state}`,
  );
  // Signalling takes 20 ms each way: both fail when the peer's end-of-candidates arrives, not after some timeout.
  t.true(failedAt(s.a)! <= 50, `alice failed at ${failedAt(s.a)}`);
  t.true(failedAt(s.b)! <= 50, `bob failed at ${failedAt(s.b)}`);
  t.deepEqual(s.a.stateHistory(), ['checking', 'failed']);
  for (const side of [s.a, s.b]) {
    t.is(side.core.pairs().length, 0);
    const errors = checklistErrors(side);
    t.is(errors.length, 1);
    t.regex(errors[0].message, /no candidate pair/);
  }
  t.is(s.a.tcpLog.filter((e) => e.what === 'connect').length, 0, 'nothing to connect to');
  t.is(s.world.net.stats.udpSent, 0, 'no check was ever sent');
  t.is(s.a.core.pollTimeout(), undefined, 'nothing left to wait for');
  t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
});

test('without endOfLocalCandidates, an agent with no pair at all keeps waiting: its own gathering may not be done', (t) => {
  const s = twoAgents({
    seed: 502,
    a: { name: 'alice', controlling: true, udp: false, tcp: ['active'] },
    b: { name: 'bob', controlling: false, udp: true },
  });
  // Only Bob's end-of-candidates is signalled; Alice's runtime never says her gathering is done.
  s.signalling.endOfCandidates(s.b);
  s.world.runFor(60000);
  t.is(s.a.core.state, 'checking');
  // Then it does: she fails at once.
  s.a.call((core, now) => core.endOfLocalCandidates?.(now));
  t.is(s.a.core.state, 'failed');
  t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
});

test('a passive-only agent whose active peer is still to connect does not fail at end-of-candidates; it connects', (t) => {
  const s = twoAgents({
    seed: 503,
    a: { name: 'alice', controlling: true, udp: false, tcp: ['passive'] },
    // Bob's link is slow (1 s each way): his connection reaches Alice long after both sides' end-of-candidates.
    b: { name: 'bob', controlling: false, udp: false, tcp: ['active'], latencyMs: 1000 },
  });
  finishGathering(s);
  s.world.runFor(500);
  t.is(s.a.core.pairs().length, 0, 'RFC 6544 §6.2: Alice has no pair of her own to check');
  t.not(s.a.core.state, 'failed', 'Bob may still connect to her passive candidate');
  t.true(
    s.world.runUntil(() => bothCompleted(s), 10000),
    `states: ${s.a.core.state} / ${s.b.core.state}`,
  );
  t.is(s.a.selectedPair()!.local.tcpType, 'passive');
  t.deepEqual(checklistErrors(s.a), []);
  t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
});

test('a passive-only agent whose peer never gets through fails after a connect timeout plus Ti, not never', (t) => {
  const s = twoAgents({
    seed: 504,
    a: { name: 'alice', controlling: true, udp: false, tcp: ['passive'] },
    b: { name: 'bob', controlling: false, udp: false, tcp: ['active'] },
  });
  const passive = s.a.localCandidates.find((c) => c.tcpType === 'passive')!;
  s.world.net.tcp.blackholed.add(`${passive.address}|${passive.port}`);
  finishGathering(s);
  t.true(
    s.world.runUntil(() => s.a.core.state === 'failed' && s.b.core.state === 'failed', 120000),
    `states: ${s.a.core.state} / ${s.b.core.state}`,
  );
  // Bob's pair fails with his connect timeout (10 s); Alice waits 10 s + 39.5 s after both ends-of-candidates (~40 ms).
  t.true(failedAt(s.b)! >= 10000 && failedAt(s.b)! < 11000, `bob failed at ${failedAt(s.b)}`);
  t.true(failedAt(s.a)! >= 49500 && failedAt(s.a)! < 49600, `alice failed at ${failedAt(s.a)}`);
  t.regex(checklistErrors(s.a)[0].message, /no candidate pair/);
  t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
});

test("the peer's candidates arrive only as mDNS names: no pair, no failure; its checks make prflx candidates and the agents connect", (t) => {
  const s = twoAgents({
    seed: 505,
    a: { name: 'alice', controlling: true },
    b: { name: 'bob', controlling: false },
    configure: (x) => {
      // Bob's candidates reach Alice with an mDNS name instead of the address (RFC 8839 §5.1: she cannot pair them).
      x.signalling.filter = (from, c) => {
        if (from !== x.b || c.address.endsWith('.local')) return true;
        x.signalling.sendCandidate(x.b, { ...c, address: `bob-${c.port}.local` });
        return false;
      };
    },
  });
  finishGathering(s);
  t.true(
    s.world.runUntil(() => bothCompleted(s), 10000),
    `states: ${s.a.core.state} / ${s.b.core.state}`,
  );
  t.false(s.a.stateHistory().includes('failed'));
  t.is(s.a.selectedPair()!.remote.type, 'prflx');
  t.deepEqual(checklistErrors(s.a), []);
  t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
});
