/**
 * Stories of two ICE agents over UDP on the virtual network (RFC 8445):
 * they connect, agree on one pair, carry data; a side that never heard of
 * the other's candidates still connects through triggered checks; 30%
 * packet loss still connects.
 */
import test from 'ava';
import { checkData, dataPacket } from './vnet/data.js';
import { bothCompleted, endpoint, finishGathering, twoAgents } from './vnet/scenario.js';
import { Wire } from './vnet/wire.js';

test('two full agents connect over UDP, agree on the pair and carry data both ways', (t) => {
  const s = twoAgents({ seed: 1, a: { name: 'alice', controlling: true }, b: { name: 'bob', controlling: false } });
  finishGathering(s);
  t.true(
    s.world.runUntil(() => bothCompleted(s), 10000),
    `states: ${s.a.core.state} / ${s.b.core.state}`,
  );
  t.deepEqual(s.a.stateHistory().slice(0, 3), ['checking', 'connected', 'completed']);
  t.deepEqual(s.b.stateHistory().slice(0, 3), ['checking', 'connected', 'completed']);
  const pa = s.a.selectedPair()!;
  const pb = s.b.selectedPair()!;
  t.is(endpoint(pa.local), endpoint(pb.remote));
  t.is(endpoint(pa.remote), endpoint(pb.local));
  t.true(pa.nominated && pb.nominated);
  t.is(s.a.eventsOf('selected-pair').length, 1, 'one selection per component');
  t.true(s.world.now < 1000, `completed at ${s.world.now} ms`);
  for (let i = 0; i < 20; i++) {
    t.true(s.a.send(dataPacket(i)));
    t.true(s.b.send(dataPacket(i)));
  }
  s.world.runFor(1000);
  for (const side of [s.a, s.b]) {
    const report = checkData(side.received, 20);
    t.deepEqual(report.missing, []);
    t.deepEqual(report.duplicates, []);
    t.is(report.corrupt, 0);
  }
  t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
});

test('dual-stack agents connect and never pair IPv4 with IPv6', (t) => {
  const s = twoAgents({
    seed: 2,
    a: { name: 'alice', controlling: true, addresses: ['10.0.0.1', '2001:db8::1'] },
    b: { name: 'bob', controlling: false, addresses: ['10.0.0.2', '2001:db8::2'] },
  });
  finishGathering(s);
  t.true(s.world.runUntil(() => bothCompleted(s), 10000));
  for (const p of s.a.core.pairs()) t.is(p.local.address.includes(':'), p.remote.address.includes(':'), p.id);
  const pa = s.a.selectedPair()!;
  t.is(endpoint(pa.remote), endpoint(s.b.selectedPair()!.local));
  t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
});

test("a side that never got the peer's candidates learns it from its checks (prflx) and answers with a triggered check", (t) => {
  const s = twoAgents({
    seed: 3,
    a: { name: 'alice', controlling: true },
    b: { name: 'bob', controlling: false },
    // Bob's candidates never reach Alice, nor his end-of-candidates; she knows only his credentials.
    configure: (x) => (x.signalling.filter = (from) => from !== x.b),
  });
  const wire = new Wire(s.world.net);
  s.signalling.endOfCandidates(s.a);
  s.b.call((core, now) => core.endOfLocalCandidates?.(now));
  t.true(
    s.world.runUntil(() => bothCompleted(s), 10000),
    `states: ${s.a.core.state} / ${s.b.core.state}`,
  );
  const learned = s.a.eventsOf('remote-candidate');
  t.is(learned.length, 1);
  t.is(learned[0].candidate.type, 'prflx');
  t.is(endpoint(learned[0].candidate), endpoint(s.b.localCandidates[0]));
  // RFC 8445 §7.3.1.4: Alice's first check goes to Bob's source address, soon after his request arrived.
  const bobFirst = wire.requestsFrom('bob')[0];
  const aliceFirst = wire.requestsFrom('alice')[0];
  t.is(endpoint(aliceFirst.to), endpoint(bobFirst.from));
  const arrival = bobFirst.at + 10;
  t.true(aliceFirst.at >= arrival && aliceFirst.at <= arrival + 50, `triggered check at ${aliceFirst.at}, request arrived at ${arrival}`);
  t.is(s.a.selectedPair()!.remote.type, 'prflx');
  t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
});

for (const seed of [11, 12, 13, 14, 15]) {
  test(`30% packet loss on every datagram still connects (seed ${seed})`, (t) => {
    const s = twoAgents({ seed, udpLoss: 0.3, a: { name: 'alice', controlling: true }, b: { name: 'bob', controlling: false } });
    finishGathering(s);
    t.true(
      s.world.runUntil(() => bothCompleted(s), 30000),
      `states after 30 s: ${s.a.core.state} / ${s.b.core.state}`,
    );
    t.is(endpoint(s.a.selectedPair()!.local), endpoint(s.b.selectedPair()!.remote));
    // The loss is real: 300 data packets later, about 30% of all datagrams were lost, and the session holds.
    for (let i = 0; i < 300; i++) {
      s.world.runFor(50);
      s.a.send(dataPacket(i));
    }
    s.world.runFor(100);
    const { udpLost, udpSent } = s.world.net.stats;
    t.true(udpLost / udpSent > 0.2 && udpLost / udpSent < 0.4, `lost ${udpLost} of ${udpSent}`);
    const report = checkData(s.b.received, 300);
    t.true(report.distinct > 150 && report.distinct < 270, `${report.distinct} of 300 arrived`);
    t.deepEqual(report.duplicates, []);
    t.true(s.a.stateHistory().every((x) => x !== 'failed'));
    t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
  });
}
