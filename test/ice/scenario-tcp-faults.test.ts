/**
 * ICE-TCP when things go wrong (RFC 6544 §7, §8, §11.1): a SYN to a closed
 * port, a RST in the middle of a check, duplicate connections from crossing
 * S-O attempts, a peer that never speaks STUN, full-size 65535-byte frames,
 * and the selected connection reset mid-transfer.
 */
import test from 'ava';
import { parseCandidate } from '../../lib/candidate/index.js';
import { decodeStun } from '../../lib/stun/index.js';
import type { TcpNetEvent } from './vnet/endpoints.js';
import { checkData, dataPacket } from './vnet/data.js';
import { bothCompleted, createPeer, finishGathering, newWorld, twoAgents, type TwoAgents } from './vnet/scenario.js';

const pairFailures = (s: TwoAgents['a']) => s.eventsOf('pair-state').filter((e) => e.pair.state === 'failed');

test('a SYN to a closed port: the RST fails the TCP pair at once, and UDP carries the session', (t) => {
  const s = twoAgents({
    seed: 81,
    a: { name: 'alice', controlling: true, tcp: ['active'], priority: { preferTcp: true } },
    b: { name: 'bob', controlling: false, tcp: ['passive'], priority: { preferTcp: true } },
  });
  // Bob's listener is gone by the time Alice connects.
  const passive = s.b.localCandidates.find((c) => c.tcpType === 'passive')!;
  s.world.net.tcp.unbind(s.b.host, { address: passive.address, port: passive.port });
  finishGathering(s);
  t.true(s.world.runUntil(() => bothCompleted(s), 10000));
  const connect = s.a.tcpLog.find((e) => e.what === 'connect')!;
  const refused = s.a.tcpLog.find((e) => e.what === 'connect-failed')!;
  t.is(refused.detail, 'refused');
  const failed = pairFailures(s.a).find((e) => e.pair.local.transport === 'tcp')!;
  t.truthy(failed, 'the TCP pair failed');
  t.is(failed.at, refused.at, 'RFC 6544 §7.1: connect failed → check failed → pair Failed, right away');
  t.true(refused.at - connect.at <= 30, `RST after ${refused.at - connect.at} ms`);
  t.is(s.a.selectedPair()!.local.transport, 'udp');
  t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
});

test('a RST while the check is in flight fails the pair at once (no 39.5 s wait) and leaves nothing behind', (t) => {
  const s = twoAgents({
    seed: 82,
    a: { name: 'alice', controlling: true, tcp: ['active'], priority: { preferTcp: true } },
    b: { name: 'bob', controlling: false, tcp: ['passive'], priority: { preferTcp: true } },
  });
  let resetAt = -1;
  // The first frame reaching Bob (Alice's check) is lost with its connection.
  s.world.net.tcp.frameTaps.push((end) => {
    if (resetAt < 0 && end.host === s.b.host) {
      resetAt = s.world.now;
      s.world.net.tcp.reset(end.id);
    }
  });
  finishGathering(s);
  t.true(
    s.world.runUntil(() => bothCompleted(s), 20000),
    `states: ${s.a.core.state} / ${s.b.core.state}`,
  );
  t.true(resetAt > 0);
  const failed = pairFailures(s.a).find((e) => e.pair.local.transport === 'tcp' && e.at >= resetAt);
  t.truthy(failed, 'the checked pair failed');
  t.true(failed!.at - resetAt < 100, `failed ${failed!.at - resetAt} ms after the RST`);
  t.true(typeof failed!.reason === 'string' && failed!.reason.length > 0);
  t.is(s.a.connections.size + s.b.connections.size, 0, 'no TCP connection left open');
  t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
});

for (const race of ['connect-vs-accept', 'two-connections'] as const) {
  const story =
    race === 'connect-vs-accept'
      ? 'an S-O connect racing the accept of the same 5-tuple (EADDRINUSE)'
      : 'crossing S-O SYNs that each get accepted (two connections, one 5-tuple)';
  test(`${story} leaves exactly one connection, the same on both sides`, (t) => {
    const s = twoAgents({
      seed: 83,
      a: { name: 'alice', controlling: true, udp: false, tcp: ['so'], soListening: true },
      b: { name: 'bob', controlling: false, udp: false, tcp: ['so'], soListening: true },
      configure: (x) => {
        if (race === 'two-connections') {
          // Both SYNs are in flight at once and each listener accepts the other's.
          x.world.net.tcp.crossing = 'two';
          return;
        }
        // Alice's candidate reaches Bob 15 ms late: his SYN leaves while hers is being accepted by his port.
        x.signalling.filter = (from, c) => {
          if (from !== x.a) return true;
          x.world.net.clock.after(15, 'late', () => x.signalling.sendCandidate(x.a, c));
          return false;
        };
      },
    });
    finishGathering(s);
    t.true(
      s.world.runUntil(() => bothCompleted(s), 20000),
      `states: ${s.a.core.state} / ${s.b.core.state}`,
    );
    s.world.runFor(1000);
    if (race === 'two-connections') {
      t.true(s.world.net.tcp.stats.accepted >= 2, `${s.world.net.tcp.stats.accepted} connections were accepted`);
    } else {
      t.truthy(
        s.b.tcpLog.find((e) => e.what === 'connect-failed' && e.detail === 'error'),
        "the race happened: Bob's connect hit EADDRINUSE",
      );
    }
    t.is(s.a.connections.size, 1, `alice: ${[...s.a.connections.keys()]}`);
    t.is(s.b.connections.size, 1, `bob: ${[...s.b.connections.keys()]}`);
    const [idA] = s.a.connections.keys();
    t.is(s.world.net.tcp.end(idA)?.peer?.id, [...s.b.connections.keys()][0], 'both kept the same connection');
    for (let i = 0; i < 50; i++) {
      t.true(s.a.send(dataPacket(i)));
      t.true(s.b.send(dataPacket(i)));
    }
    s.world.runFor(500);
    for (const side of [s.a, s.b]) {
      const r = checkData(side.received, 50);
      t.deepEqual(r.missing, []);
      t.deepEqual(r.duplicates, [], 'no packet delivered twice');
    }
    t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
  });
}

/** Alice alone, facing a hand-made TCP peer at 10.0.0.2:5000 that behaves as `onFrame` says. */
function aliceFacing(seed: number, onFrame: (send: (data: Buffer) => void, frame: Buffer) => void) {
  const world = newWorld({ seed });
  const a = createPeer(world, { name: 'alice', controlling: true, udp: false }, '10.0.0.1');
  a.addTcp('10.0.0.1', 'active');
  const peer = world.net.addHost('peer', ['10.0.0.2']);
  const seen: TcpNetEvent[] = [];
  world.net.tcp.bind(
    peer,
    { address: '10.0.0.2', port: 5000 },
    'passive',
    {
      onTcp: (_now, e) => {
        seen.push(e);
        if (e.type === 'frame') onFrame((data) => world.net.tcp.send(e.connectionId, data), e.data);
      },
    },
    'peer',
  );
  a.call((core, now) => {
    core.setRemoteCredentials(now, { ufrag: 'peerUfrag', pwd: 'peerPasswordPeerPassword' });
    core.addRemoteCandidate(now, parseCandidate('candidate:p1 1 TCP 2105458943 10.0.0.2 5000 typ host tcptype passive'));
    core.endOfRemoteCandidates(now);
  });
  return { world, a, seen };
}

test('a peer that accepts but never answers: one request, no retransmission over TCP, failure after Ti = 39.5 s', (t) => {
  const { world, a, seen } = aliceFacing(84, () => undefined);
  t.true(
    world.runUntil(() => a.core.state === 'failed', 60000),
    `state ${a.core.state}`,
  );
  const frames = seen.filter((e) => e.type === 'frame');
  t.is(frames.length, 1, 'RFC 8489 §6.2.2: never retransmitted over TCP');
  t.is(decodeStun((frames[0] as { data: Buffer }).data).method, 1);
  const sentAt = a.tcpLog.find((e) => e.what === 'connected')!.at;
  const failedAt = pairFailures(a)[0].at;
  t.true(failedAt - sentAt >= 39500 && failedAt - sentAt <= 39600, `failed ${failedAt - sentAt} ms after the request`);
  t.deepEqual(a.anomalies, []);
});

test('a peer whose first reply is not STUN: the connection is closed and its pairs fail at once (RFC 6544 §7.1)', (t) => {
  const { world, a, seen } = aliceFacing(85, (send) => send(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n')));
  t.true(
    world.runUntil(() => a.core.state === 'failed', 60000),
    `state ${a.core.state}`,
  );
  world.runFor(100);
  t.truthy(
    seen.find((e) => e.type === 'frame'),
    'the peer got the check and answered junk',
  );
  const connectedAt = a.tcpLog.find((e) => e.what === 'connected')!.at;
  t.true(pairFailures(a)[0].at - connectedAt < 100, 'failed as soon as the junk arrived, not after Ti');
  t.truthy(
    a.tcpLog.find((e) => e.what === 'close'),
    'Alice closed the connection',
  );
  t.truthy(seen.find((e) => e.type === 'closed'));
  t.deepEqual(a.anomalies, []);
});

test('65535-byte frames (the RFC 4571 maximum) carry application data whole, both ways', (t) => {
  const s = twoAgents({
    seed: 86,
    a: { name: 'alice', controlling: true, udp: false, tcp: ['active'] },
    b: { name: 'bob', controlling: false, udp: false, tcp: ['passive'] },
  });
  finishGathering(s);
  t.true(s.world.runUntil(() => bothCompleted(s), 20000));
  const sizes = [65535, 9, 65535, 1200, 65534, 65535];
  sizes.forEach((size, i) => {
    t.true(s.a.send(dataPacket(i, size)));
    t.true(s.b.send(dataPacket(i, size)));
  });
  s.world.runFor(1000);
  for (const side of [s.a, s.b]) {
    const r = checkData(side.received, sizes.length);
    t.deepEqual(r.missing, []);
    t.is(r.corrupt, 0);
    t.deepEqual(
      side.received.map((x) => x.data.length),
      sizes,
    );
  }
  t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
});
