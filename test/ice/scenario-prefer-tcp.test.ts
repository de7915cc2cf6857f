/**
 * `priority.preferTcp` with UDP and one kind of TCP candidate on both sides
 * (issue 5 acceptance): which transport the agents end up on, for every
 * TCP kind, with the preference on neither, both, only the controlling or
 * only the controlled side.
 *
 * The rule under test (see PriorityOptions in lib/ice/types.ts): the
 * controlling agent chooses which valid pair to nominate (RFC 8445 §8.1.1);
 * with `preferTcp` it nominates the best TCP valid pair whenever TCP works,
 * also when that pair's local candidate is peer-reflexive (the active side:
 * a prflx, type preference 110, ranks below a UDP host pair by priority,
 * RFC 8445 §5.1.2.2). The controlled side cannot choose under regular
 * nomination: its `preferTcp` only shapes its own candidates' priorities,
 * which do not outweigh a controlling agent that prefers UDP.
 */
import test from 'ava';
import type { TcpType } from '../../lib/candidate/index.js';
import type { TwoAgents } from './vnet/scenario.js';
import { checkData, dataPacket } from './vnet/data.js';
import { bothCompleted, finishGathering, twoAgents } from './vnet/scenario.js';

type Who = 'neither' | 'both' | 'controlling' | 'controlled';

const kinds: Array<[string, TcpType, TcpType]> = [
  ['our active → their passive', 'active', 'passive'],
  ['our passive ← their active', 'passive', 'active'],
  ['S-O ↔ S-O', 'so', 'so'],
];

const expected: Record<Who, 'udp' | 'tcp'> = { neither: 'udp', both: 'tcp', controlling: 'tcp', controlled: 'udp' };

/** Sends a few packets each way over the selected route and checks they all arrive once. */
function exchange(t: import('ava').ExecutionContext, s: TwoAgents, n = 10): void {
  for (let i = 0; i < n; i++) {
    t.true(s.a.send(dataPacket(i, 300)), `alice sends #${i}`);
    t.true(s.b.send(dataPacket(i, 300)), `bob sends #${i}`);
  }
  s.world.runFor(500);
  for (const side of [s.a, s.b]) {
    const r = checkData(side.received, n);
    t.deepEqual(r.missing, [], `${side.name} got everything`);
    t.deepEqual(r.duplicates, []);
  }
}

let seed = 400;
for (const [title, mine, theirs] of kinds) {
  for (const who of ['neither', 'both', 'controlling', 'controlled'] as const) {
    const want = expected[who];
    const runSeed = seed++;
    test(`UDP + ${title}, preferTcp on ${who}: ${want.toUpperCase()} is selected`, (t) => {
      const on = (side: 'controlling' | 'controlled') => ({ preferTcp: who === 'both' || who === side });
      const s = twoAgents({
        seed: runSeed,
        a: { name: 'alice', controlling: true, tcp: [mine], priority: on('controlling') },
        b: { name: 'bob', controlling: false, tcp: [theirs], priority: on('controlled') },
      });
      finishGathering(s);
      t.true(
        s.world.runUntil(() => bothCompleted(s), 20000),
        `states: ${s.a.core.state} / ${s.b.core.state}`,
      );
      const pa = s.a.selectedPair()!;
      const pb = s.b.selectedPair()!;
      t.is(pa.local.transport, want, `alice selected ${pa.id}`);
      t.is(pb.local.transport, want, `bob selected ${pb.id}`);
      if (want === 'tcp') {
        t.is(pa.local.tcpType, mine);
        t.is(pb.local.tcpType, theirs);
        t.is(s.a.routes.get(1)?.transport, 'tcp');
        t.is(s.b.routes.get(1)?.transport, 'tcp');
        // RFC 6544 §8: one connection is left, the same on both sides.
        t.is(s.a.connections.size, 1);
        t.is(s.b.connections.size, 1);
        const [idA] = s.a.connections.keys();
        t.is(s.world.net.tcp.end(idA)?.peer?.id, [...s.b.connections.keys()][0]);
      } else {
        s.world.runFor(500);
        t.is(s.a.connections.size + s.b.connections.size, 0, 'RFC 6544 §8: no TCP connection is left open');
      }
      // Both sides nominated/selected exactly once: no switch after selection.
      t.is(s.a.eventsOf('selected-pair').length, 1);
      t.is(s.b.eventsOf('selected-pair').length, 1);
      exchange(t, s);
      t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
    });
  }
}

test('preferTcp on a controlling passive side whose peer never manages to connect: UDP after the nomination timeout', (t) => {
  const priority = { preferTcp: true };
  const s = twoAgents({
    seed: 420,
    a: { name: 'alice', controlling: true, tcp: ['passive'], priority },
    b: { name: 'bob', controlling: false, tcp: ['active'], priority },
  });
  // Bob's SYNs to Alice's passive port vanish: only Bob could open that TCP path.
  const passive = s.a.localCandidates.find((c) => c.tcpType === 'passive')!;
  s.world.net.tcp.blackholed.add(`${passive.address}|${passive.port}`);
  finishGathering(s);
  t.true(
    s.world.runUntil(() => bothCompleted(s), 20000),
    `states: ${s.a.core.state} / ${s.b.core.state}`,
  );
  t.is(s.a.selectedPair()!.local.transport, 'udp');
  t.is(s.b.selectedPair()!.local.transport, 'udp');
  const firstValid = s.a.eventsOf('pair-state').find((e) => e.pair.state === 'succeeded')!.at;
  const selected = s.a.eventsOf('selected-pair')[0].at;
  // Alice waited for Bob's connection, but no longer than nominationTimeoutMs (2 s) after her first valid pair.
  t.true(selected - firstValid >= 2000 && selected - firstValid < 2500, `first valid at ${firstValid}, selected at ${selected}`);
  exchange(t, s);
  t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
});
