// The PacketConnection contract (lib/connection.ts), checked with the same
// assertions over every implementation: FramedConnection, IceConnection over
// a UDP and a TCP pair, TLS (SecureConnection), DTLS (DtlsConnection),
// UdpRoute, RelayRoute (through a real coturn) and the memory connections
// the tests use. What the contract promises:
// - transport, closed and isPaused are there and start as 'udp'|'tcp', false, false;
// - send() returns a boolean and the packet reaches the peer;
// - packets that arrive while nobody listens are held and go to the next listener, in order;
// - while pause()d, isPaused is true and no 'packet' is emitted; resume() delivers what was held, in order;
// - close(): closed at once, send() false from then on, one 'close';
// - no 'error' is ever thrown unhandled (the process would crash).
// Route views (UdpRoute, RelayRoute) only send: what the peer sends reaches
// the application through the ICE core and the IceConnection, so their
// receiving half is the IceConnection's (checked above it).
import test, { type ExecutionContext } from 'ava';
import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { once } from 'node:events';
import type { PacketConnection } from '../lib/connection.js';
import { FramedConnection } from '../lib/framing/index.js';
import type { IceAgentOptions } from '../lib/net/agent/agent-options.js';
import { TurnAllocation } from '../lib/net/turn/allocation.js';
import { RelayRoute } from '../lib/net/turn/relay-route.js';
import { UdpRoute } from '../lib/net/udp/udp-route.js';
import { generateCertificate, secureDtls } from '../lib/secure/index.js';
import { UdpPacketConnection } from './dtls/udp-packet-connection.js';
import { duplexPair } from './framing/duplex-pair.js';
import { MemoryConnection } from './memory-connection.js';
import { agentPair, wire } from './net/helpers.js';
import { memoryPacketPair } from './secure/memory-pair.js';
import { connected, fp } from './secure/tls-helpers.js';
import { coturnUnavailable, startCoturn } from './turn/coturn.js';

/** One implementation under test, with a peer that can send to it and read from it. */
interface Subject {
  conn: PacketConnection;
  /** The peer sends one packet to `conn`; absent for the send-only route views. */
  fromPeer?: (packet: Buffer) => void;
  /** Every packet the peer received from `conn`, in order (filled as they come). */
  atPeer: Buffer[];
  /** Releases what the subject opened. */
  dispose(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Collects what a peer connection receives. */
function collect(peer: PacketConnection): Buffer[] {
  const got: Buffer[] = [];
  peer.on('packet', (packet) => got.push(Buffer.from(packet)));
  return got;
}

/** The same assertions over any implementation. */
async function checkContract(t: ExecutionContext, subject: Subject): Promise<void> {
  const { conn, fromPeer, atPeer } = subject;
  t.true(conn.transport === 'udp' || conn.transport === 'tcp', 'transport');
  t.false(conn.closed, 'not closed at first');
  t.false(conn.isPaused, 'not paused at first');

  // send(): a boolean, and the packet reaches the peer.
  const accepted = conn.send(Buffer.from('to the peer'));
  t.is(typeof accepted, 'boolean');
  if (!accepted) await once(conn as never, 'drain');
  await until('the packet at the peer', () => atPeer.length >= 1);
  t.is(String(atPeer[0]), 'to the peer');

  if (fromPeer !== undefined) {
    // Nobody listens yet: held, then handed to the first listener, in order.
    fromPeer(Buffer.from('early 1'));
    fromPeer(Buffer.from('early 2'));
    await sleep(100);
    const got: string[] = [];
    conn.on('packet', (packet) => got.push(String(packet)));
    await until('the held packets', () => got.length >= 2);
    t.deepEqual(got, ['early 1', 'early 2'], 'held until a listener, in order');

    // pause(): nothing is emitted; resume() delivers what came, in order.
    conn.pause();
    t.true(conn.isPaused);
    fromPeer(Buffer.from('while paused 1'));
    fromPeer(Buffer.from('while paused 2'));
    await sleep(150);
    t.deepEqual(got, ['early 1', 'early 2'], 'no packet while paused');
    conn.resume();
    t.false(conn.isPaused);
    await until('the packets held while paused', () => got.length >= 4);
    t.deepEqual(got.slice(2), ['while paused 1', 'while paused 2'], 'delivered after resume(), in order');
  } else {
    // A send-only view: pause() and resume() are its reader's state, nothing to hold.
    conn.pause();
    t.true(conn.isPaused);
    conn.resume();
    t.false(conn.isPaused);
  }

  // close(): closed at once, send() refused from then on, one 'close'.
  let closes = 0;
  conn.on('close', () => closes++);
  conn.close();
  t.true(conn.closed, 'closed as soon as close() returns');
  t.false(conn.send(Buffer.from('too late')), 'send() after close() is refused');
  await until('close', () => closes > 0);
  conn.close();
  await sleep(50);
  t.is(closes, 1, 'one close');
}

function subjectTest(name: string, make: (t: ExecutionContext) => Promise<Subject>): void {
  test.serial(`contract: ${name}`, async (t) => {
    const subject = await make(t);
    try {
      await checkContract(t, subject);
    } finally {
      await subject.dispose();
    }
  });
}

subjectTest('FramedConnection', async () => {
  const [x, y] = duplexPair();
  const conn = new FramedConnection(x);
  const peer = new FramedConnection(y);
  return { conn, fromPeer: (p) => peer.send(p), atPeer: collect(peer), dispose: async () => peer.destroy() };
});

subjectTest('SecureConnection (TLS over RFC 4571)', async () => {
  const [x, y] = duplexPair();
  const [conn, peer] = await connected(
    new FramedConnection(x),
    new FramedConnection(y),
    { closeTimeoutMs: 1000 },
    { closeTimeoutMs: 1000 },
  );
  return { conn, fromPeer: (p) => peer.send(p), atPeer: collect(peer), dispose: async () => peer.destroy() };
});

subjectTest('DtlsConnection (over UDP)', async () => {
  const alice = generateCertificate({ commonName: 'alice' });
  const bob = generateCertificate({ commonName: 'bob' });
  const a = await UdpPacketConnection.open();
  const b = await UdpPacketConnection.open({ address: '127.0.0.1', port: a.port });
  a.remote = { address: '127.0.0.1', port: b.port };
  const [conn, peer] = await Promise.all([
    secureDtls(a, { role: 'server', certificate: alice, remoteFingerprints: [fp(bob)], closeTransport: true }),
    secureDtls(b, { role: 'client', certificate: bob, remoteFingerprints: [fp(alice)], closeTransport: true }),
  ]);
  return {
    conn,
    fromPeer: (p) => peer.send(p),
    atPeer: collect(peer),
    dispose: async () => {
      peer.close();
      await sleep(10);
    },
  };
});

async function iceSubject(t: ExecutionContext, options: Omit<IceAgentOptions, 'controlling'>): Promise<Subject> {
  const { left, right } = agentPair({ addresses: ['127.0.0.1'], ...options });
  t.teardown(() => Promise.all([left.close(), right.close()]));
  await wire(left, right);
  const [conn, peer] = await Promise.all([left.connect({ timeoutMs: 10_000 }), right.connect({ timeoutMs: 10_000 })]);
  return {
    conn,
    fromPeer: (p) => peer.send(p),
    atPeer: collect(peer),
    dispose: async () => {
      await Promise.all([left.close(), right.close()]);
    },
  };
}

subjectTest('IceConnection over a UDP pair', (t) => iceSubject(t, { tcp: false }));
subjectTest('IceConnection over a TCP pair', (t) => iceSubject(t, { udp: false }));

/** A UDP socket on loopback that records what it receives. */
async function udpPeer(): Promise<{ socket: DgramSocket; got: Buffer[]; port: number }> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const got: Buffer[] = [];
  socket.on('message', (m) => got.push(m));
  return { socket, got, port: socket.address().port };
}

subjectTest('UdpRoute', async () => {
  const peer = await udpPeer();
  const own = createSocket('udp4');
  await new Promise<void>((resolve) => own.bind(0, '127.0.0.1', () => resolve()));
  const conn = new UdpRoute(own, { address: '127.0.0.1', port: peer.port });
  return {
    conn,
    atPeer: peer.got,
    dispose: async () => {
      own.close();
      peer.socket.close();
    },
  };
});

const noCoturn = coturnUnavailable();
if (noCoturn !== undefined && process.env.CI === undefined) console.log(`contract: RelayRoute skipped: ${noCoturn}`);
if (noCoturn === undefined || process.env.CI !== undefined) {
  subjectTest('RelayRoute (through coturn)', async () => {
    const c = await startCoturn({ extra: [] });
    const allocation = new TurnAllocation(
      { host: '127.0.0.1', port: c.port, transport: 'udp', username: c.user, password: c.password, url: `turn:127.0.0.1:${c.port}` },
      '127.0.0.1',
      {},
      () => undefined,
    );
    await allocation.open();
    const peer = await udpPeer();
    const conn = new RelayRoute(allocation, { address: '127.0.0.1', port: peer.port });
    return {
      conn,
      atPeer: peer.got,
      dispose: async () => {
        await allocation.close();
        peer.socket.close();
        await c.stop();
      },
    };
  });
}

subjectTest('test memory connection (test/memory-connection.ts)', async () => {
  const conn = new MemoryConnection('tcp');
  const atPeer = conn.sent;
  return { conn, fromPeer: (p) => conn.deliver(p), atPeer, dispose: async () => undefined };
});

subjectTest('test memory pair (test/secure/memory-pair.ts)', async () => {
  const [conn, peer] = memoryPacketPair();
  return { conn, fromPeer: (p) => peer.send(p), atPeer: collect(peer), dispose: async () => peer.destroy() };
});
