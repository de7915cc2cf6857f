/**
 * Stories about who is in charge (RFC 8445 §6.1.1, §7.3.1.1, §8): role
 * conflicts resolved by the tie-breaker in both directions, regular
 * nomination by the controlling side, a peer that nominates aggressively,
 * and an ICE-lite peer.
 */
import test from 'ava';
import { StunClass } from '../../lib/stun/index.js';
import { checkData, dataPacket } from './vnet/data.js';
import { bothCompleted, endpoint, finishGathering, twoAgents } from './vnet/scenario.js';
import { Wire } from './vnet/wire.js';

const BIG = 0xf000000000000000n;
const SMALL = 0x0000000000000042n;

for (const both of ['controlling', 'controlled'] as const) {
  for (const winner of ['alice', 'bob'] as const) {
    test(`role conflict: both start ${both}; ${winner} has the larger tie-breaker and ends up controlling`, (t) => {
      const controlling = both === 'controlling';
      const s = twoAgents({
        seed: 21,
        a: { name: 'alice', controlling, core: { tieBreaker: winner === 'alice' ? BIG : SMALL } },
        b: { name: 'bob', controlling, core: { tieBreaker: winner === 'bob' ? BIG : SMALL } },
      });
      const wire = new Wire(s.world.net);
      finishGathering(s);
      t.true(
        s.world.runUntil(() => bothCompleted(s), 10000),
        `states: ${s.a.core.state} / ${s.b.core.state}`,
      );
      const [win, lose] = winner === 'alice' ? [s.a, s.b] : [s.b, s.a];
      t.true(win.core.controlling);
      t.false(lose.core.controlling);
      // RFC 8445 §7.3.1.1: the side that keeps its role answers the other's conflicting request with 487.
      const answering = controlling ? win : lose;
      t.true(
        wire.errorsFrom(answering.name).some((e) => e.code === 487),
        'a 487 (Role Conflict) went over the wire',
      );
      // Exactly one side changed its role, and says why.
      const changed = controlling ? lose : win;
      t.true(
        changed.eventsOf('role').some((r) => r.controlling === !controlling),
        'the loser reports its new role',
      );
      t.false((controlling ? win : lose).eventsOf('role').some((r) => r.controlling !== controlling));
      // Only the final controlling side nominates.
      t.true(
        wire
          .requestsFrom(lose.name)
          .filter((r) => r.at > 200)
          .every((r) => !r.msg.attributes.useCandidate),
      );
      t.is(endpoint(s.a.selectedPair()!.local), endpoint(s.b.selectedPair()!.remote));
      t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
    });
  }
}

test("regular nomination: the controlling side checks first, then repeats one valid pair's check with USE-CANDIDATE", (t) => {
  const s = twoAgents({
    seed: 22,
    a: { name: 'alice', controlling: true, addresses: ['10.0.0.1', '10.0.1.1'] },
    b: { name: 'bob', controlling: false, addresses: ['10.0.0.2', '10.0.1.2'] },
  });
  const wire = new Wire(s.world.net);
  finishGathering(s);
  t.true(s.world.runUntil(() => bothCompleted(s), 10000));
  const nominations = wire.requestsFrom('alice').filter((r) => r.msg.attributes.useCandidate);
  t.true(nominations.length >= 1);
  const selected = s.a.selectedPair()!;
  for (const n of nominations) {
    t.is(endpoint(n.to), endpoint(selected.remote), 'every USE-CANDIDATE goes to the selected pair');
    t.is(endpoint(n.from), endpoint(selected.local));
    // The nominated pair had succeeded before: a success from Bob for a plain check on that path came first.
    const earlier = wire
      .successesFrom('bob')
      .filter((x) => x.at < n.at && endpoint(x.to) === endpoint(n.from) && endpoint(x.from) === endpoint(n.to));
    t.true(earlier.length >= 1, 'nominated only after a plain check succeeded');
  }
  t.false(wire.requestsFrom('alice')[0].msg.attributes.useCandidate === true, 'the first check is not a nomination');
  t.true(
    wire.requestsFrom('bob').every((r) => !r.msg.attributes.useCandidate),
    'the controlled side never nominates',
  );
  // The nominated pair is the best valid one.
  const succeeded = s.a.core.pairs().filter((p) => p.state === 'succeeded');
  t.true(
    succeeded.every((p) => p.priority <= selected.priority),
    'no valid pair outranks the selected one',
  );
  t.is(s.a.eventsOf('selected-pair').length, 1);
  t.is(s.b.eventsOf('selected-pair').length, 1);
  t.is(endpoint(s.b.selectedPair()!.local), endpoint(selected.remote));
  t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
});

test('a peer that nominates aggressively: every check of the controlling side carries USE-CANDIDATE and the regular side accepts it', (t) => {
  const s = twoAgents({
    seed: 23,
    a: { name: 'alice', controlling: true, core: { nomination: 'aggressive' } },
    b: { name: 'bob', controlling: false },
  });
  const wire = new Wire(s.world.net);
  finishGathering(s);
  t.true(
    s.world.runUntil(() => bothCompleted(s), 10000),
    `states: ${s.a.core.state} / ${s.b.core.state}`,
  );
  const selectedAt = s.b.eventsOf('selected-pair')[0].at;
  const checks = wire.requestsFrom('alice').filter((r) => r.at < selectedAt);
  t.true(checks.length >= 1);
  t.true(
    checks.every((r) => r.msg.attributes.useCandidate === true),
    'RFC 8445 §8.1.1 (5245 aggressive): every check nominates',
  );
  t.is(endpoint(s.b.selectedPair()!.local), endpoint(s.a.selectedPair()!.remote));
  t.true(s.b.selectedPair()!.nominated);
  t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
});

test('an ICE-lite peer never sends checks; the full agent nominates and both carry data', (t) => {
  const s = twoAgents({
    seed: 24,
    a: { name: 'alice', controlling: true },
    b: { name: 'lite', controlling: false, lite: true },
  });
  const wire = new Wire(s.world.net);
  finishGathering(s);
  t.true(
    s.world.runUntil(() => bothCompleted(s), 10000),
    `states: ${s.a.core.state} / ${s.b.core.state}`,
  );
  t.deepEqual(wire.requestsFrom('lite'), [], 'RFC 8445 §2.5: a lite agent sends no checks');
  t.true(wire.successesFrom('lite').length >= 1);
  t.is(endpoint(s.b.selectedPair()!.local), endpoint(s.a.selectedPair()!.remote));
  for (let i = 0; i < 10; i++) {
    t.true(s.a.send(dataPacket(i)));
    t.true(s.b.send(dataPacket(i)));
  }
  s.world.runFor(500);
  t.deepEqual(checkData(s.b.received, 10).missing, []);
  t.deepEqual(checkData(s.a.received, 10).missing, []);
  t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
});

test('a full agent told to be controlled takes control when the peer is ICE-lite', (t) => {
  const s = twoAgents({
    seed: 25,
    a: { name: 'alice', controlling: false },
    b: { name: 'lite', controlling: false, lite: true },
  });
  finishGathering(s);
  t.true(
    s.world.runUntil(() => bothCompleted(s), 10000),
    `states: ${s.a.core.state} / ${s.b.core.state}`,
  );
  t.true(s.a.core.controlling, 'RFC 8445 §6.1.1: the full agent facing a lite one is controlling');
  t.true(s.a.eventsOf('role').some((r) => r.controlling));
  t.false(s.b.core.controlling);
  t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
});

test('an idle ICE-lite agent sends a Binding Indication keepalive every 15 s on its route (RFC 8445 §11), and nothing else', (t) => {
  const s = twoAgents({
    seed: 26,
    a: { name: 'alice', controlling: true },
    b: { name: 'lite', controlling: false, lite: true },
  });
  const wire = new Wire(s.world.net);
  finishGathering(s);
  t.true(s.world.runUntil(() => bothCompleted(s), 10000));
  const selectedAt = s.b.eventsOf('selected-pair')[0].at;
  s.world.runFor(61000);
  const keepalives = wire.stun.filter((w) => w.fromHost === 'lite' && w.msg.class === StunClass.Indication);
  t.deepEqual(
    keepalives.map((k) => k.at - selectedAt),
    [15000, 30000, 45000, 60000],
    'Tr = 15 s after selection, then every 15 s',
  );
  for (const k of keepalives) {
    t.is(endpoint(k.to), endpoint(s.b.selectedPair()!.remote), 'on the selected pair');
    t.true(k.msg.hasFingerprint);
    t.false(k.msg.hasIntegrity, 'RFC 8445 §11: no authentication');
    t.deepEqual(Object.keys(k.msg.attributes), [], 'and no other attribute');
  }
  t.deepEqual(wire.requestsFrom('lite'), [], 'still no checks from the lite agent');
  t.is(s.a.core.state, 'completed', 'the full agent takes the indications in its stride');
  t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
});
