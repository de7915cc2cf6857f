import test from 'ava';
import { once } from 'node:events';
import { createSocket } from 'node:dgram';
import { createServer, connect, type Socket } from 'node:net';
import { FramedConnection } from '../../lib/framing/index.js';
import type { Route } from '../../lib/ice/types.js';
import { IceConnection } from '../../lib/net/agent/ice-connection.js';
import { IceAgentError } from '../../lib/net/net-errors.js';
import { UdpRoute } from '../../lib/net/udp/udp-route.js';
import { MemoryConnection as MemoryRoute } from '../memory-connection.js';

function route(transport: 'udp' | 'tcp', pairId = 'p1'): Route {
  return { component: 1, transport, transportId: `${transport}:t`, remote: { address: '127.0.0.1', port: 9 }, pairId };
}

const tick = () => new Promise((r) => setImmediate(r));

test('send goes straight to the route; false and drain follow the route’s backpressure', async (t) => {
  const conn = new IceConnection(1);
  const r = new MemoryRoute();
  conn.setRoute(route('udp'), r);
  t.is(conn.transport, 'udp');
  t.true(conn.send(Buffer.from('a')));
  r.accept = false;
  t.false(conn.send(Buffer.from('b')));
  let drains = 0;
  conn.on('drain', () => drains++);
  r.emit('drain');
  t.is(drains, 1);
  r.emit('drain');
  t.is(drains, 1, 'drain only after a false');
  t.deepEqual(r.sent.map(String), ['a', 'b']);
});

test('without a route packets are queued in order (bounded), sent on the next route, then drain', async (t) => {
  const conn = new IceConnection(1, { maxQueuedPackets: 3 });
  let drains = 0;
  conn.on('drain', () => drains++);
  const drops: Array<[IceAgentError, string]> = [];
  conn.on('drop', (error: IceAgentError, packet: Uint8Array) => drops.push([error, String(packet)]));
  for (const p of ['1', '2', '3', '4']) t.false(conn.send(Buffer.from(p)));
  t.is(conn.queuedPackets, 3);
  t.is(conn.droppedPackets, 1);
  t.is(drops.length, 1, 'the dropped packet is announced');
  t.true(drops[0][0] instanceof IceAgentError);
  t.is(drops[0][0].code, 'ERR_CONNECTION_QUEUE_FULL');
  t.is(drops[0][1], '4');
  const r = new MemoryRoute('tcp');
  conn.setRoute(route('tcp'), r);
  t.is(conn.transport, 'tcp');
  t.deepEqual(r.sent.map(String), ['1', '2', '3']);
  t.is(conn.queuedPackets, 0);
  await tick();
  t.is(drains, 1);
});

test('a flush that meets backpressure waits for the route’s drain', async (t) => {
  const conn = new IceConnection(1);
  let drains = 0;
  conn.on('drain', () => drains++);
  conn.send(Buffer.from('x'));
  const r = new MemoryRoute();
  r.accept = false;
  conn.setRoute(route('udp'), r);
  await tick();
  t.is(drains, 0);
  r.emit('drain');
  t.is(drains, 1);
});

test('route changes: null queues, a new route takes over, the old connection is detached', async (t) => {
  const conn = new IceConnection(1);
  const routes: Array<Route | null> = [];
  conn.on('route', (r) => routes.push(r));
  const first = new MemoryRoute();
  conn.setRoute(route('udp', 'p1'), first);
  conn.send(Buffer.from('one'));
  conn.setRoute(null, undefined);
  t.is(conn.route, null);
  t.false(conn.send(Buffer.from('two')));
  const second = new MemoryRoute();
  conn.setRoute(route('udp', 'p2'), second);
  t.deepEqual(first.sent.map(String), ['one']);
  t.deepEqual(second.sent.map(String), ['two']);
  t.is(first.listenerCount('drain'), 0);
  t.deepEqual(
    routes.map((r) => r?.pairId ?? null),
    ['p1', null, 'p2'],
  );
  // The route's connection closing (TCP drop) means: queue until the next route.
  second.close();
  t.false(conn.send(Buffer.from('three')));
  t.is(conn.queuedPackets, 1);
});

test('reading pause follows route changes; deliver emits packet; terminate closes for good', async (t) => {
  const conn = new IceConnection(1);
  const a = new MemoryRoute('tcp');
  conn.setRoute(route('tcp'), a);
  conn.pause();
  conn.pause();
  t.is(a.paused, 1);
  t.true(conn.isPaused);
  const b = new MemoryRoute('tcp');
  conn.setRoute(route('tcp', 'p2'), b);
  t.is(a.resumed, 1, 'the old connection reads again');
  t.is(b.paused, 1, 'the new one starts paused');
  conn.resume();
  t.is(b.resumed, 1);
  const packets: string[] = [];
  conn.on('packet', (p: Buffer) => packets.push(String(p)));
  conn.deliver(Buffer.from('in'));
  t.deepEqual(packets, ['in']);
  conn.send(Buffer.from('q'));
  const closed = once(conn, 'close');
  conn.terminate();
  await closed;
  t.true(conn.closed);
  t.false(conn.send(Buffer.from('late')));
  conn.deliver(Buffer.from('late'));
  t.deepEqual(packets, ['in']);
  conn.setRoute(route('udp'), new MemoryRoute());
  t.is(conn.route, null);
});

test('close() asks the agent to close; bad options are typed errors', (t) => {
  let asked = 0;
  const conn = new IceConnection(1, {}, () => asked++);
  conn.close();
  t.is(asked, 1);
  t.throws(() => new IceConnection(1, { maxQueuedPackets: -1 }), { instanceOf: IceAgentError, code: 'ERR_AGENT_BAD_OPTION' });
});

test('over a real framed TCP connection: pause stops the socket so TCP flow control pushes back', async (t) => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const accepted = once(server, 'connection');
  const client = connect({ port: (server.address() as { port: number }).port, host: '127.0.0.1' });
  await once(client, 'connect');
  const [serverSocket] = (await accepted) as [Socket];
  const framed = new FramedConnection(serverSocket);
  const conn = new IceConnection(1);
  conn.setRoute(route('tcp'), framed);
  framed.on('packet', (p: Buffer) => conn.deliver(p)); // the TCP plugin's role
  let received = 0;
  conn.on('packet', () => received++);
  conn.pause();
  const sender = new FramedConnection(client);
  const payload = Buffer.alloc(1000, 7);
  const total = 8000; // 8 MB: more than the kernel buffers of both ends hold
  for (let i = 0; i < total; i++) sender.send(payload);
  await new Promise((r) => setTimeout(r, 100));
  t.true(received < total / 2, `received ${received} of ${total} while paused`);
  t.true(client.writableLength > 0, 'bytes are stuck at the sender: TCP flow control');
  conn.resume();
  while (received < total) await new Promise((r) => setTimeout(r, 5));
  t.is(received, total);
  // Sending through the IceConnection reaches the peer as frames.
  const back = once(sender, 'packet');
  t.true(conn.send(Buffer.from('reply')));
  t.is(String((await back)[0]), 'reply');
  sender.destroy();
  framed.destroy();
  server.close();
});

test('send() refuses what no route can carry with a typed error, before queuing it', (t) => {
  const conn = new IceConnection(1);
  for (const bad of [Buffer.alloc(0), Buffer.alloc(65536), 'text' as unknown as Uint8Array, null as unknown as Uint8Array]) {
    t.throws(() => conn.send(bad), { instanceOf: IceAgentError, code: 'ERR_CONNECTION_BAD_PACKET' });
  }
  t.is(conn.queuedPackets, 0);
  t.false(conn.send(new Uint8Array(65535)), 'the largest frame is queued');
  t.is(conn.queuedPackets, 1);
});

test('a connection seen ending is left at once: packets queue for the next route instead of vanishing', async (t) => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const accepted = once(server, 'connection');
  const client = connect({ port: (server.address() as { port: number }).port, host: '127.0.0.1' });
  await once(client, 'connect');
  const [serverSocket] = (await accepted) as [Socket];
  server.close();
  const ours = new FramedConnection(client);
  const peer = new FramedConnection(serverSocket);
  t.teardown(() => (ours.destroy(), peer.destroy()));
  const conn = new IceConnection(1);
  conn.setRoute(route('tcp', 'p1'), ours);
  // The peer ends its side: ours ends too (no half-open), before 'close' is emitted.
  const ended = once(ours, 'end');
  peer.close();
  await ended;
  t.false(conn.send(Buffer.from('after end')), 'queued, not written into the ending connection');
  t.is(conn.queuedPackets, 1);
  const next = new MemoryRoute('tcp');
  conn.setRoute(route('tcp', 'p2'), next);
  t.deepEqual(next.sent.map(String), ['after end']);
  // A closed UDP route view is left the same way.
  const socket = createSocket('udp4');
  t.teardown(() => socket.close());
  const udp = new UdpRoute(socket, { address: '127.0.0.1', port: 9 });
  udp.close();
  conn.setRoute(route('udp', 'p3'), udp);
  t.false(conn.send(Buffer.from('x')));
  t.is(conn.queuedPackets, 1);
});

test('a route connection that is closed (closed() by the core, reset, ended) is left at once: one way, its `closed`', async (t) => {
  const conn = new IceConnection(1);
  const r = new MemoryRoute('tcp');
  conn.setRoute({ ...route('tcp'), connectionId: 'c1' }, r);
  t.true(conn.send(Buffer.from('a')));
  r.close(); // the core closed it: 'close' comes later, `closed` is true now
  t.false(conn.send(Buffer.from('b')), 'queued, not written into the closing connection');
  t.is(conn.queuedPackets, 1);
  t.deepEqual(r.sent.map(String), ['a']);
  t.is(r.listenerCount('drain'), 0, 'detached');
  t.is(r.listenerCount('close'), 0, 'its close event is not how the death is learnt');
  t.is(conn.route?.connectionId, 'c1', 'the core’s route is still reported');
  await once(r, 'close');
  const next = new MemoryRoute('tcp');
  conn.setRoute({ ...route('tcp', 'p2'), connectionId: 'c2' }, next);
  t.deepEqual(next.sent.map(String), ['b']);
});

test('incoming packets wait for a listener and for resume, in order and bounded', async (t) => {
  const conn = new IceConnection(1, { maxQueuedPackets: 3 });
  for (const p of ['1', '2', '3', 'x']) conn.deliver(Buffer.from(p));
  t.is(conn.heldPackets, 3);
  t.is(conn.droppedIncomingPackets, 1);
  const got: string[] = [];
  conn.on('packet', (p: Buffer) => got.push(String(p)));
  t.deepEqual(got, [], 'held packets go to the first listener on the next tick');
  await tick();
  t.deepEqual(got, ['1', '2', '3']);
  const late = new IceConnection(1);
  late.deliver(Buffer.from('a'));
  const lateGot: string[] = [];
  late.on('packet', (p: Buffer) => lateGot.push(String(p)));
  late.deliver(Buffer.from('b'));
  await tick();
  t.deepEqual(lateGot, ['a', 'b'], 'a packet arriving before the replay waits behind the held ones');
  got.length = 0;
  conn.pause();
  conn.deliver(Buffer.from('6'));
  conn.deliver(Buffer.from('7'));
  t.deepEqual(got, [], 'held while reading is paused');
  t.is(conn.heldPackets, 2);
  // A listener that pauses again stops the replay where it is.
  conn.once('packet', () => conn.pause());
  conn.resume();
  t.deepEqual(got, ['6']);
  conn.resume();
  t.deepEqual(got, ['6', '7']);
  conn.pause();
  conn.deliver(Buffer.from('lost with the session'));
  conn.terminate();
  t.is(conn.heldPackets, 0);
});

test('maxHeldBytes bounds the incoming queue in bytes: beyond it a packet is dropped and counted', async (t) => {
  const conn = new IceConnection(1, { maxQueuedPackets: 100, maxHeldBytes: 65535 });
  conn.deliver(Buffer.alloc(40_000, 1));
  conn.deliver(Buffer.alloc(30_000, 2)); // 70,000 bytes would pass 65,535
  conn.deliver(Buffer.alloc(25_000, 3));
  t.is(conn.heldPackets, 2);
  t.is(conn.droppedIncomingPackets, 1);
  const got: number[] = [];
  conn.on('packet', (p: Buffer) => got.push(p[0]));
  await new Promise((r) => setImmediate(r));
  t.deepEqual(got, [1, 3]);
  t.throws(() => new IceConnection(1, { maxHeldBytes: 65534 }), { instanceOf: IceAgentError, code: 'ERR_AGENT_BAD_OPTION' });
});

test('terminate(error) emits error (only when listened to) and then close with it', async (t) => {
  const quiet = new IceConnection(1);
  let closeError: Error | undefined;
  quiet.on('close', (e) => (closeError = e));
  quiet.terminate(new Error('boom')); // no 'error' listener: nothing thrown
  t.is(closeError?.message, 'boom');
  const loud = new IceConnection(1);
  const events: string[] = [];
  loud.on('error', (e) => events.push(`error:${e.message}`));
  loud.on('close', (e) => events.push(`close:${e?.message ?? ''}`));
  loud.terminate(new Error('bang'));
  t.deepEqual(events, ['error:bang', 'close:bang']);
});

/** A route connection with a packet tap, as a framed TCP connection or a UDP route has. */
class TappableRoute extends MemoryRoute {
  tap: { takePacket(packet: Buffer): boolean } | undefined;
  setPacketTap(tap: { takePacket(packet: Buffer): boolean } | undefined): void {
    this.tap = tap;
  }
}

test('the route connection is tapped only while it carries a route: data straight in, STUN refused, tap gone with the route', (t) => {
  const conn = new IceConnection(1);
  const got: string[] = [];
  conn.on('packet', (p: Buffer) => got.push(p.toString('hex')));
  const a = new TappableRoute('tcp');
  const b = new TappableRoute('tcp');
  conn.setRoute(route('tcp'), a);
  t.is(a.tap, conn);
  t.true(a.tap!.takePacket(Buffer.from([0x80, 1])), 'data is taken');
  t.true(a.tap!.takePacket(Buffer.from([0, 1, 2, 3])), 'a first byte of 0-3 that is not STUN is data (RFC 6544 §10.1)');
  const stun = Buffer.alloc(20);
  stun.writeUInt32BE(0x2112a442, 4);
  t.false(a.tap!.takePacket(stun), 'what may be STUN is left to the core');
  t.false(a.tap!.takePacket(Buffer.alloc(0)), 'an empty packet is left to the core (which drops it)');
  t.deepEqual(got, ['8001', '00010203']);
  conn.setRoute(route('tcp', 'p2'), b);
  t.is(a.tap, undefined, 'the previous connection is untapped when the route moves');
  t.is(b.tap, conn);
  conn.setRoute(null, undefined);
  t.is(b.tap, undefined, 'no route, no tap');
  conn.setRoute(route('tcp', 'p3'), b);
  t.is(b.tap, conn);
  conn.terminate();
  t.is(b.tap, undefined, 'closed, no tap');
});
