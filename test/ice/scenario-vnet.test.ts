/**
 * Stories about the virtual network itself: the scenario tests rely on its
 * NATs, loss, TCP handshakes and simultaneous open behaving as specified,
 * so they are checked here on their own, without any ICE core; the last
 * story checks that a whole two-agent session is reproducible.
 */
import test from 'ava';
import type { Address } from '../../lib/ice/types.js';
import { decodeStun, encodeStun, StunClass, StunMethod } from '../../lib/stun/index.js';
import type { TcpNetEvent, TcpOwner } from './vnet/endpoints.js';
import { VirtualNetwork } from './vnet/network.js';
import { bothCompleted, finishGathering, twoAgents } from './vnet/scenario.js';
import { Prng } from './vnet/prng.js';
import { VirtualStunServer } from './vnet/stun-server.js';

/** Collects TCP events. */
class Recorder implements TcpOwner {
  readonly events: Array<TcpNetEvent & { at: number }> = [];
  onTcp(now: number, event: TcpNetEvent): void {
    this.events.push({ ...event, at: now });
  }
  of<K extends TcpNetEvent['type']>(type: K): Array<Extract<TcpNetEvent, { type: K }>> {
    return this.events.filter((e) => e.type === type) as unknown as Array<Extract<TcpNetEvent, { type: K }>>;
  }
}

function run(net: VirtualNetwork, until = Infinity): void {
  for (let at = net.clock.peekTime(); at !== undefined && at <= until; at = net.clock.peekTime()) net.clock.runNext();
}

const binding = (seed: number): Buffer =>
  encodeStun({ class: StunClass.Request, method: StunMethod.Binding, transactionId: new Prng(seed).bytes(12) }, { fingerprint: true });

test('a host behind a NAT learns its mapping from the STUN server; strangers are filtered, the server is not', (t) => {
  const net = new VirtualNetwork({ seed: 7 });
  const { realm, nat } = net.addNat('home', { publicAddress: '198.51.100.1' });
  const alice = net.addHost('alice', ['192.168.1.10'], { realm });
  const stunHost = net.addHost('stun', ['203.0.113.1']);
  const stranger = net.addHost('stranger', ['203.0.113.66']);
  new VirtualStunServer(net, stunHost, { address: '203.0.113.1', port: 3478 });
  const got: Array<{ from: Address; data: Buffer }> = [];
  const local = net.bindUdp(alice, { address: '192.168.1.10', port: 5000 }, { onUdp: (_n, p) => got.push(p) });
  net.sendUdp(alice, local, { address: '203.0.113.1', port: 3478 }, binding(1));
  run(net);
  t.is(got.length, 1);
  const mapped = decodeStun(got[0].data).attributes.xorMappedAddress!;
  t.deepEqual({ address: mapped.address, port: mapped.port }, nat.mappedAddress('udp', local));
  t.is(mapped.address, '198.51.100.1');
  t.not(mapped.port, 5000, 'the NAT does not preserve ports');
  // A stranger sending to the mapping is filtered (address- and port-dependent filtering).
  const strangerSock = net.bindUdp(stranger, { address: '203.0.113.66', port: 9 }, { onUdp: () => undefined });
  net.sendUdp(stranger, strangerSock, { address: mapped.address, port: mapped.port }, Buffer.from('hello'));
  run(net);
  t.is(got.length, 1);
  t.is(net.stats.udpDropped, 1);
});

test('30% loss loses about 30% of the packets, and the same seed loses the same ones', (t) => {
  const fates = (seed: number): string => {
    const net = new VirtualNetwork({ seed, udpLoss: 0.3 });
    const a = net.addHost('a', ['10.0.0.1']);
    const b = net.addHost('b', ['10.0.0.2']);
    let received = '';
    const bs = net.bindUdp(
      b,
      { address: '10.0.0.2', port: 1 },
      { onUdp: (_n, p) => (received += String.fromCharCode(65 + (p.data[0] % 26))) },
    );
    const as = net.bindUdp(a, { address: '10.0.0.1', port: 1 }, { onUdp: () => undefined });
    for (let i = 0; i < 5000; i++) net.sendUdp(a, as, bs, Buffer.from([i & 0xff]));
    run(net);
    t.true(Math.abs(net.stats.udpLost / 5000 - 0.3) < 0.03, `lost ${net.stats.udpLost}`);
    return received;
  };
  t.is(fates(3), fates(3));
  t.not(fates(3), fates(4));
});

test('TCP: a SYN to a passive listener connects; frames arrive in order, whole, up to 65535 bytes', (t) => {
  const net = new VirtualNetwork({ seed: 2 });
  const a = net.addHost('a', ['10.0.0.1']);
  const b = net.addHost('b', ['10.0.0.2']);
  const client = new Recorder();
  const server = new Recorder();
  const listen = net.tcp.bind(b, { address: '10.0.0.2', port: 4000 }, 'passive', server, 'listener');
  net.tcp.connect(a, { tag: 'x', local: { address: '10.0.0.1', port: 0 }, remote: listen, timeoutMs: 1000 }, client);
  run(net);
  const connected = client.of('connected')[0];
  const accepted = server.of('accepted')[0];
  t.is(connected.tag, 'x');
  t.is(accepted.portId, 'listener');
  t.deepEqual(accepted.remote, connected.local);
  t.true(connected.local.port >= 49152);
  const sizes = [0, 1, 1200, 65535, 3];
  for (const size of sizes) net.tcp.send(connected.connectionId, Buffer.alloc(size, size & 0xff));
  const err = t.throws(() => net.tcp.send(connected.connectionId, Buffer.alloc(65536)));
  t.is((err as { code?: string }).code, 'ERR_FRAME_TOO_LARGE');
  run(net);
  const frames = server.of('frame');
  t.deepEqual(
    frames.map((f) => f.data.length),
    sizes,
  );
  t.true(frames.every((f) => f.data.every((x) => x === (f.data.length & 0xff))));
  net.tcp.close(connected.connectionId);
  run(net);
  t.deepEqual(
    server.of('closed').map((c) => c.reason),
    ['end'],
  );
});

test('TCP: a SYN to a closed port is refused, a blackholed one times out, a reset reaches both ends', (t) => {
  const net = new VirtualNetwork({ seed: 2 });
  const a = net.addHost('a', ['10.0.0.1']);
  const b = net.addHost('b', ['10.0.0.2']);
  const client = new Recorder();
  const server = new Recorder();
  net.tcp.connect(
    a,
    { tag: 'closed', local: { address: '10.0.0.1', port: 0 }, remote: { address: '10.0.0.2', port: 1 }, timeoutMs: 1000 },
    client,
  );
  net.tcp.blackholed.add('10.0.0.2|2');
  net.tcp.connect(
    a,
    { tag: 'hole', local: { address: '10.0.0.1', port: 0 }, remote: { address: '10.0.0.2', port: 2 }, timeoutMs: 1000 },
    client,
  );
  run(net);
  t.deepEqual(
    client.of('connect-failed').map((e) => [e.tag, e.reason]),
    [
      ['closed', 'refused'],
      ['hole', 'timeout'],
    ],
  );
  t.is(client.events.find((e) => e.type === 'connect-failed' && e.tag === 'hole')!.at, 1000);
  const listen = net.tcp.bind(b, { address: '10.0.0.2', port: 3 }, 'passive', server, 'l');
  net.tcp.connect(a, { tag: 'ok', local: { address: '10.0.0.1', port: 0 }, remote: listen, timeoutMs: 1000 }, client);
  run(net);
  const id = client.of('connected')[0].connectionId;
  net.tcp.send(id, Buffer.from('lost in the reset'));
  net.tcp.reset(id);
  run(net);
  t.deepEqual(
    client.of('closed').map((e) => e.reason),
    ['reset'],
  );
  t.deepEqual(
    server.of('closed').map((e) => e.reason),
    ['reset'],
  );
  t.is(server.of('frame').length, 0);
});

test('TCP simultaneous open through two NATs that drop unsolicited SYNs: the first SYN dies, the crossing makes one connection', (t) => {
  const net = new VirtualNetwork({ seed: 5 });
  const left = net.addNat('left', { publicAddress: '198.51.100.1' });
  const right = net.addNat('right', { publicAddress: '198.51.100.2' });
  const a = net.addHost('a', ['10.1.0.1'], { realm: left.realm });
  const b = net.addHost('b', ['10.2.0.1'], { realm: right.realm });
  const stunHost = net.addHost('stun', ['203.0.113.1']);
  const stun = new VirtualStunServer(net, stunHost, { address: '203.0.113.1', port: 3478 });
  const ra = new Recorder();
  const rb = new Recorder();
  const soA = net.tcp.bind(a, { address: '10.1.0.1', port: 7000 }, 'so', ra, 'soA');
  const soB = net.tcp.bind(b, { address: '10.2.0.1', port: 7000 }, 'so', rb, 'soB');
  // Learn the TCP mappings (as srflx gathering would).
  for (const [host, so, rec] of [
    [a, soA, ra],
    [b, soB, rb],
  ] as const) {
    net.tcp.connect(host, { tag: 'stun', local: so, remote: stun.tcpAddress, timeoutMs: 1000 }, rec);
  }
  run(net);
  for (const rec of [ra, rb]) net.tcp.send(rec.of('connected')[0].connectionId, binding(9));
  run(net);
  const mapA = decodeStun(ra.of('frame')[0].data).attributes.xorMappedAddress!;
  const mapB = decodeStun(rb.of('frame')[0].data).attributes.xorMappedAddress!;
  t.is(mapA.address, '198.51.100.1');
  t.is(mapB.address, '198.51.100.2');
  // A connects first: its SYN reaches B's NAT before B has sent anything, and is dropped.
  net.tcp.connect(a, { tag: 'so-a', local: soA, remote: { address: mapB.address, port: mapB.port }, timeoutMs: 5000 }, ra);
  run(net, net.now + 50);
  t.is(net.tcp.stats.synsDropped, 1);
  // Then B connects: its SYN finds A's NAT open (A sent a SYN to B's mapping) and A in SYN-SENT.
  net.tcp.connect(b, { tag: 'so-b', local: soB, remote: { address: mapA.address, port: mapA.port }, timeoutMs: 5000 }, rb);
  run(net);
  t.is(net.tcp.stats.crossed, 1);
  const ca = ra.of('connected').find((e) => e.tag === 'so-a')!;
  const cb = rb.of('connected').find((e) => e.tag === 'so-b')!;
  t.truthy(ca);
  t.truthy(cb);
  t.is(ra.of('connect-failed').length + rb.of('connect-failed').length, 0);
  net.tcp.send(ca.connectionId, Buffer.from('through both NATs'));
  run(net);
  t.deepEqual(rb.of('frame').at(-1)!.data.toString(), 'through both NATs');
});

test('TCP simultaneous open on an open network: an early SYN meets a RST, a retry while the peer connects crosses', (t) => {
  const net = new VirtualNetwork({ seed: 5 });
  const a = net.addHost('a', ['10.0.0.1']);
  const b = net.addHost('b', ['10.0.0.2']);
  const ra = new Recorder();
  const rb = new Recorder();
  const soA = net.tcp.bind(a, { address: '10.0.0.1', port: 7000 }, 'so', ra, 'soA');
  const soB = net.tcp.bind(b, { address: '10.0.0.2', port: 7000 }, 'so', rb, 'soB');
  net.tcp.connect(a, { tag: 'a1', local: soA, remote: soB, timeoutMs: 5000 }, ra);
  run(net);
  t.deepEqual(
    ra.of('connect-failed').map((e) => e.reason),
    ['refused'],
  );
  net.tcp.connect(a, { tag: 'a2', local: soA, remote: soB, timeoutMs: 5000 }, ra);
  net.tcp.connect(b, { tag: 'b1', local: soB, remote: soA, timeoutMs: 5000 }, rb);
  run(net);
  t.is(ra.of('connected').length, 1);
  t.is(rb.of('connected').length, 1);
  t.is(net.tcp.stats.crossed, 1);
  t.is(net.tcp.openEnds().length, 2);
});

test('a whole two-agent session is deterministic: the same seed gives the same events at the same times', (t) => {
  const run = (seed: number): string => {
    const s = twoAgents({
      seed,
      udpLoss: 0.2,
      a: { name: 'alice', controlling: true, tcp: ['active', 'passive', 'so'] },
      b: { name: 'bob', controlling: false, tcp: ['active', 'passive', 'so'] },
    });
    finishGathering(s);
    s.world.runUntil(() => bothCompleted(s), 30000);
    s.world.runFor(20000);
    const log = [s.a, s.b].map((x) => ({ events: x.events, tcp: x.tcpLog, received: x.received.length }));
    return JSON.stringify(log, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  };
  const first = run(99);
  t.true(first.length > 1000);
  t.is(run(99), first);
  t.not(run(98), first);
});
