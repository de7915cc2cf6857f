/**
 * The controlling agent's nomination wait (lib/ice/nomination-wait.ts,
 * RFC 8445 §8.1.1): it nominates as soon as waiting cannot plausibly give
 * a better pair, derived from what it saw (round trips, whether anything
 * arrived on the pending pair's path), with `nominationTimeoutMs` (2 s) as
 * the upper bound; and UDP still wins wherever UDP works, also with loss.
 * Deterministic: virtual clock, seeded loss.
 */
import test from 'ava';
import type { TcpType } from '../../lib/candidate/index.js';
import type { TwoAgents } from './vnet/scenario.js';
import { addressKey } from './vnet/topology.js';
import { bothCompleted, bothSelected, finishGathering, twoAgents } from './vnet/scenario.js';

const TIMEOUT = 2000;

/** Virtual ms from the controlling side's first `checking` state to its selected pair. */
function checksToSelected(s: TwoAgents): number {
  const start = s.a.eventsOf('state').find((e) => e.state === 'checking')!.at;
  return s.a.eventsOf('selected-pair')[0].at - start;
}

function setup(seed: number, tcp: [TcpType, TcpType], latencyMs = 5, udpLoss = 0): TwoAgents {
  return twoAgents({
    seed,
    latencyMs,
    udpLoss,
    a: { name: 'alice', controlling: true, tcp: [tcp[0]] },
    b: { name: 'bob', controlling: false, tcp: [tcp[1]] },
  });
}

test('UDP blocked both ways: the TCP pair is nominated a few round trips after it is valid, not after 2 s', (t) => {
  const s = setup(1, ['active', 'passive']);
  s.world.net.udpFilter = () => 'udp blocked';
  finishGathering(s);
  t.true(s.world.runUntil(() => bothCompleted(s), 10000));
  t.is(s.a.selectedPair()!.local.transport, 'tcp');
  t.is(s.b.selectedPair()!.local.transport, 'tcp');
  const ms = checksToSelected(s);
  // 10 ms round trips: connect + check + nomination ≈ 40 ms, then max(20 ms, 3 RTT) = 30 ms at most.
  t.true(ms < 200, `selected ${ms} ms after checks started`);
});

test('UDP blocked with longer round trips: the wait scales with the measured RTT, still far below the bound', (t) => {
  const s = setup(2, ['active', 'passive'], 60);
  s.world.net.udpFilter = () => 'udp blocked';
  finishGathering(s);
  t.true(s.world.runUntil(() => bothCompleted(s), 10000));
  t.is(s.a.selectedPair()!.local.transport, 'tcp');
  const ms = checksToSelected(s);
  const firstValid = s.a.eventsOf('pair-state').find((e) => e.pair.state === 'succeeded')!.at;
  const nominatedAfterValid = s.a.eventsOf('selected-pair')[0].at - firstValid;
  // RTT 240 ms: the dead UDP pair gets 3 × 240 ms from its first check.
  t.true(nominatedAfterValid >= 120, `waited ${nominatedAfterValid} ms for the UDP pair`);
  // 3 RTT for the dead UDP pair (from its first check at the start) + one RTT for the nomination
  t.true(ms <= 4 * 240, `selected ${ms} ms after checks started`);
});

test('S-O pairs that cannot cross do not hold the active → passive pair back', (t) => {
  const s = twoAgents({
    seed: 3,
    a: { name: 'alice', controlling: true, udp: false, tcp: ['active', 'passive', 'so'] },
    b: { name: 'bob', controlling: false, udp: false, tcp: ['active', 'passive', 'so'] },
  });
  // every SYN toward an S-O port is refused: the S-O pairs (ranked above active → passive) never
  // cross, as with two agents in one thread whose connects always meet a closed port
  for (const agent of [s.a, s.b]) {
    for (const c of agent.localCandidates) if (c.tcpType === 'so') s.world.net.tcp.refused.add(addressKey(c));
  }
  finishGathering(s);
  t.true(s.world.runUntil(() => bothCompleted(s), 10000));
  const mine = s.a.selectedPair()!.local.tcpType;
  t.not(mine, 'so');
  t.is(s.b.selectedPair()!.local.tcpType, mine === 'active' ? 'passive' : 'active');
  t.true(checksToSelected(s) < 300, `selected ${checksToSelected(s)} ms after checks started`);
});

test('UDP works but its first checks are lost: the peer’s UDP checks show the path alive, so UDP still wins', (t) => {
  const s = setup(4, ['active', 'passive'], 20);
  let droppedFromAlice = 0;
  s.world.net.udpFilter = (from) => {
    // alice's first three UDP datagrams (her checks) are lost; everything else gets through
    if (from.address === '10.0.0.1' && droppedFromAlice < 3) {
      droppedFromAlice++;
      return 'lost (test)';
    }
    return undefined;
  };
  finishGathering(s);
  t.true(s.world.runUntil(() => bothCompleted(s), 10000));
  t.is(droppedFromAlice, 3);
  t.is(s.a.selectedPair()!.local.transport, 'udp', `alice selected ${s.a.selectedPair()!.id}`);
  t.is(s.b.selectedPair()!.local.transport, 'udp');
});

test('a live path is waited for at most nominationTimeoutMs: then the best valid pair is nominated', (t) => {
  const s = setup(5, ['active', 'passive'], 5);
  // bob's UDP checks reach alice (the path shows life) but nothing alice sends over UDP arrives
  s.world.net.udpFilter = (from) => (from.address === '10.0.0.1' ? 'alice→bob UDP dropped' : undefined);
  finishGathering(s);
  t.true(s.world.runUntil(() => bothSelected(s), 10000));
  t.is(s.a.selectedPair()!.local.transport, 'tcp');
  const firstValid = s.a.eventsOf('pair-state').find((e) => e.pair.state === 'succeeded')!.at;
  const waited = s.a.eventsOf('selected-pair')[0].at - firstValid;
  t.true(waited >= TIMEOUT - 50 && waited <= TIMEOUT + 200, `nominated ${waited} ms after the first valid pair`);
});

for (let seed = 10; seed < 30; seed++) {
  test(`5% loss each way, 100 ms one way (seed ${seed}): UDP is selected`, (t) => {
    const s = setup(seed, ['active', 'passive'], 50, 0.05);
    finishGathering(s);
    t.true(s.world.runUntil(() => bothCompleted(s), 20000));
    t.is(s.a.selectedPair()!.local.transport, 'udp', `alice selected ${s.a.selectedPair()!.id}`);
    t.is(s.b.selectedPair()!.local.transport, 'udp');
  });
}

test('the active side’s prflx valid pair is compared by its own check: S-O pairs between the two do not hold it back', (t) => {
  const s = twoAgents({
    seed: 6,
    a: { name: 'alice', controlling: true, tcp: ['active', 'passive', 'so'] },
    b: { name: 'bob', controlling: false, tcp: ['active', 'passive', 'so'] },
  });
  s.world.net.udpFilter = () => 'udp blocked';
  for (const agent of [s.a, s.b]) {
    for (const c of agent.localCandidates) if (c.tcpType === 'so') s.world.net.tcp.refused.add(addressKey(c));
  }
  finishGathering(s);
  t.true(s.world.runUntil(() => bothCompleted(s), 10000));
  t.is(s.a.selectedPair()!.local.type, 'prflx');
  t.is(s.a.selectedPair()!.local.tcpType, 'active');
  const firstValid = s.a.eventsOf('pair-state').find((e) => e.pair.state === 'succeeded')!.at;
  const nominatedAt = s.a.eventsOf('pair-state').find((e) => e.reason?.startsWith('nominating'))!.at;
  // the dead UDP pair's short wait (from its check at the start) is over by then: nominate at once
  t.is(nominatedAt, firstValid, `valid at ${firstValid}, nomination decided at ${nominatedAt}`);
});
