/**
 * ICE-TCP stories (RFC 6544) on the virtual network: each kind of TCP
 * candidate connects on its own (active → passive, passive ← active,
 * S-O ↔ S-O); UDP wins by default and TCP when preferred; two NATs that drop
 * unsolicited SYNs, with UDP blocked, are crossed by simultaneous open of
 * the server-reflexive S-O candidates; connects are capped per remote IP.
 */
import test from 'ava';
import type { TcpType } from '../../lib/candidate/index.js';
import type { VirtualAgent } from './vnet/agent.js';
import { checkData, dataPacket } from './vnet/data.js';
import { bothCompleted, finishGathering, newWorld, twoAgents, type TwoAgents } from './vnet/scenario.js';
import { VirtualStunServer } from './vnet/stun-server.js';

/** Sends `n` packets each way and checks they all arrived once, intact. */
function exchange(t: import('ava').ExecutionContext, s: TwoAgents, n = 20, size = 1200): void {
  for (let i = 0; i < n; i++) {
    t.true(s.a.send(dataPacket(i, size)), `alice sends #${i}`);
    t.true(s.b.send(dataPacket(i, size)), `bob sends #${i}`);
  }
  s.world.runFor(1000);
  for (const side of [s.a, s.b]) {
    const r = checkData(side.received, n);
    t.deepEqual(r.missing, [], `${side.name} got everything`);
    t.deepEqual(r.duplicates, []);
    t.true(r.inOrder);
  }
}

/** The one open connection of each side is the two ends of the same TCP connection. */
function oneSharedConnection(t: import('ava').ExecutionContext, s: TwoAgents): void {
  t.is(s.a.connections.size, 1, `alice keeps one connection (RFC 6544 §8): ${[...s.a.connections.keys()]}`);
  t.is(s.b.connections.size, 1, `bob keeps one connection: ${[...s.b.connections.keys()]}`);
  const [idA] = s.a.connections.keys();
  const [idB] = s.b.connections.keys();
  t.is(s.world.net.tcp.end(idA)?.peer?.id, idB, 'both keep the ends of the same connection');
  t.is(s.a.routes.get(1)?.connectionId, idA);
  t.is(s.b.routes.get(1)?.connectionId, idB);
}

const kinds: Array<[string, TcpType, TcpType]> = [
  ['our active → their passive', 'active', 'passive'],
  ['our passive ← their active', 'passive', 'active'],
  ['S-O ↔ S-O alone', 'so', 'so'],
];

for (const [title, mine, theirs] of kinds) {
  test(`UDP off, TCP only: ${title}`, (t) => {
    const s = twoAgents({
      seed: 71,
      a: { name: 'alice', controlling: true, udp: false, tcp: [mine] },
      b: { name: 'bob', controlling: false, udp: false, tcp: [theirs] },
    });
    finishGathering(s);
    t.true(
      s.world.runUntil(() => bothCompleted(s), 20000),
      `states: ${s.a.core.state} / ${s.b.core.state}`,
    );
    const pa = s.a.selectedPair()!;
    t.is(pa.local.transport, 'tcp');
    t.is(pa.local.tcpType, mine);
    t.is(s.b.selectedPair()!.local.tcpType, theirs);
    if (mine === 'so') t.true(s.world.net.tcp.stats.crossed >= 1, 'the SYNs crossed');
    // The passive side never connects (RFC 6544 §6.2: pairs with a local passive candidate are pruned).
    for (const side of [s.a, s.b]) {
      const kind = side === s.a ? mine : theirs;
      if (kind === 'passive')
        t.deepEqual(
          side.tcpLog.filter((e) => e.what === 'connect'),
          [],
        );
    }
    oneSharedConnection(t, s);
    exchange(t, s);
    t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
  });
}

for (const preferTcp of [false, true]) {
  test(`UDP and TCP both work: ${preferTcp ? 'TCP is selected when both prefer it' : 'UDP is selected by default'}`, (t) => {
    const priority = { preferTcp };
    const s = twoAgents({
      seed: 72,
      a: { name: 'alice', controlling: true, tcp: ['active', 'passive', 'so'], priority },
      b: { name: 'bob', controlling: false, tcp: ['active', 'passive', 'so'], priority },
    });
    finishGathering(s);
    t.true(
      s.world.runUntil(() => bothCompleted(s), 20000),
      `states: ${s.a.core.state} / ${s.b.core.state}`,
    );
    t.is(s.a.selectedPair()!.local.transport, preferTcp ? 'tcp' : 'udp');
    t.is(s.b.selectedPair()!.local.transport, preferTcp ? 'tcp' : 'udp');
    if (preferTcp) {
      oneSharedConnection(t, s);
    } else {
      // RFC 6544 §8: once ICE completes, no TCP connection is left open.
      s.world.runFor(500);
      t.is(s.a.connections.size + s.b.connections.size, 0, 'every TCP connection was closed');
    }
    exchange(t, s);
    t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
  });
}

test('two NATs that drop unsolicited SYNs, UDP blocked, a STUN server outside: the srflx S-O candidates connect', (t) => {
  const world = newWorld({ seed: 73 });
  const left = world.net.addNat('left', { publicAddress: '198.51.100.1', udpBlocked: true });
  const right = world.net.addNat('right', { publicAddress: '198.51.100.2', udpBlocked: true });
  const stun = new VirtualStunServer(world.net, world.net.addHost('stun', ['203.0.113.1']), { address: '203.0.113.1', port: 3478 });
  const all: TcpType[] = ['active', 'passive', 'so'];
  const s = twoAgents({
    world,
    a: { name: 'alice', controlling: true, addresses: ['10.1.0.1'], realm: left.realm, tcp: all },
    b: { name: 'bob', controlling: false, addresses: ['10.2.0.1'], realm: right.realm, tcp: all },
  });
  s.a.gatherSrflx(stun.udpAddress);
  s.b.gatherSrflx(stun.udpAddress);
  t.true(world.runUntil(() => !s.a.gathering && !s.b.gathering, 20000));
  const srflx = (agent: VirtualAgent) => agent.localCandidates.filter((c) => c.type === 'srflx');
  t.deepEqual(
    srflx(s.a)
      .map((c) => `${c.transport}/${c.tcpType}`)
      .sort(),
    ['tcp/passive', 'tcp/so'],
    'UDP srflx impossible, TCP learned',
  );
  t.is(stun.answered.udp, 0);
  finishGathering(s);
  t.true(
    world.runUntil(() => bothCompleted(s), 60000),
    `states: ${s.a.core.state} / ${s.b.core.state}`,
  );
  const pa = s.a.selectedPair()!;
  const pb = s.b.selectedPair()!;
  t.is(pa.local.tcpType, 'so');
  t.is(pa.remote.type, 'srflx');
  t.is(pa.remote.tcpType, 'so');
  t.is(pa.remote.address, '198.51.100.2');
  t.is(pb.remote.address, '198.51.100.1');
  t.true(world.net.tcp.stats.crossed >= 1, 'simultaneous open through both NATs');
  t.true(world.net.tcp.stats.synsDropped >= 1, 'the NATs did drop unsolicited SYNs');
  oneSharedConnection(t, s);
  exchange(t, s);
  t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
});

test('at most 5 outstanding connection attempts to one remote IP (RFC 6544 §12)', (t) => {
  const s = twoAgents({
    seed: 74,
    a: { name: 'alice', controlling: true, udp: false, tcp: ['active'] },
    b: { name: 'bob', controlling: false, udp: false },
    // Bob's candidates are signalled by hand below, each with its own foundation so none waits frozen behind another.
    configure: (x) => (x.signalling.filter = (from) => from !== x.b),
  });
  // Bob advertises eight passive ports on one IP whose SYNs vanish.
  for (let i = 0; i < 8; i++) {
    const c = s.b.addTcp('10.0.0.2', 'passive');
    s.world.net.tcp.blackholed.add(`${c.address}|${c.port}`);
    s.signalling.sendCandidate(s.b, { ...c, foundation: `port${i}` });
  }
  finishGathering(s);
  let most = 0;
  s.world.runUntil(() => {
    most = Math.max(most, s.world.net.tcp.pendingAttempts(s.a.host));
    return s.a.tcpLog.filter((e) => e.what === 'connect').length >= 8;
  }, 60000);
  t.is(s.a.tcpLog.filter((e) => e.what === 'connect').length, 8, 'every pair was tried in the end');
  t.is(most, 5, `${most} attempts were outstanding at once: the cap, neither exceeded nor undershot`);
  // The sixth connect waited for a slot: it went out only when the first attempt gave up (10 s connect timeout).
  const sixth = s.a.tcpLog.filter((e) => e.what === 'connect')[5];
  const firstFailure = s.a.tcpLog.find((e) => e.what === 'connect-failed')!;
  t.true(sixth.at >= firstFailure.at, `sixth connect at ${sixth.at}, first failure at ${firstFailure.at}`);
  t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
});
