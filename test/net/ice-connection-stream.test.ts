import test from 'ava';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { Route } from '../../lib/ice/types.js';
import { StunClass, StunMethod, encodeStun, isStun } from '../../lib/stun/index.js';
import { IceConnection } from '../../lib/net/agent/ice-connection.js';
import { IceConnectionStream } from '../../lib/net/agent/ice-connection-stream.js';
import { MemoryConnection as MemoryRoute } from '../memory-connection.js';

function connected(transport: 'udp' | 'tcp') {
  const conn = new IceConnection(1);
  const r = new MemoryRoute(transport);
  const rt: Route = { component: 1, transport, transportId: 't', remote: { address: '127.0.0.1', port: 1 }, pairId: 'p' };
  conn.setRoute(rt, r);
  return { conn, r };
}

const write = (stream: IceConnectionStream, chunk: Buffer) =>
  new Promise<void>((resolve, reject) => stream.write(chunk, (error) => (error ? reject(error) : resolve())));

test('UDP: writes are cut into datagrams of at most maxPacketSize, in order', async (t) => {
  const { conn, r } = connected('udp');
  const stream = conn.stream({ maxPacketSize: 1000 });
  t.is(conn.stream(), stream, 'one stream per connection');
  const data = randomBytes(4500);
  for (let i = 0; i < 4500; i += 1000) data[i] = 0xff; // no piece can pass for STUN
  await write(stream, data);
  t.deepEqual(
    r.sent.map((p) => p.length),
    [1000, 1000, 1000, 1000, 500],
  );
  t.deepEqual(Buffer.concat(r.sent), data);
});

test('TCP: writes are cut into frames of at most maxFrameSize (default 16 KiB)', async (t) => {
  const { conn, r } = connected('tcp');
  const data = randomBytes(40000);
  await write(conn.stream(), data);
  t.deepEqual(
    r.sent.map((p) => p.length),
    [16384, 16384, 7232],
  );
  t.deepEqual(Buffer.concat(r.sent), data);
});

test('a piece that would pass for STUN is cut again (RFC 6544 §10.1); no sent packet is STUN', async (t) => {
  const { conn, r } = connected('udp');
  const stun = encodeStun({ class: StunClass.Request, method: StunMethod.Binding, transactionId: randomBytes(12) }, { fingerprint: true });
  const stream = conn.stream({ maxPacketSize: stun.length });
  const data = Buffer.concat([stun, stun, Buffer.from('tail')]);
  await write(stream, data);
  t.true(r.sent.every((p) => !isStun(p)));
  t.is(r.sent[0].length, stun.length - 1, 'cut one byte short: its Message Length no longer matches');
  t.deepEqual(Buffer.concat(r.sent), data);
});

test('the write callback waits for drain under backpressure; the caller may reuse its buffer afterwards', async (t) => {
  const { conn, r } = connected('tcp');
  const stream = conn.stream();
  r.accept = false;
  const chunk = Buffer.from('hello');
  let called = false;
  stream.write(chunk, () => (called = true));
  await new Promise((res) => setImmediate(res));
  t.false(called);
  r.emit('drain');
  await new Promise((res) => setImmediate(res));
  t.true(called);
  chunk.fill(0);
  t.is(String(r.sent[0]), 'hello', 'the stream copied the chunk');
});

test('reading: a full readable buffer pauses the route; reading resumes it; empty packets are not end-of-stream', async (t) => {
  const { conn, r } = connected('tcp');
  const stream = conn.stream({ highWaterMark: 1024 });
  conn.deliver(Buffer.alloc(0));
  conn.deliver(Buffer.alloc(600, 1));
  t.is(r.paused, 0);
  conn.deliver(Buffer.alloc(600, 2));
  t.is(r.paused, 1);
  t.true(conn.isPaused);
  const first = stream.read() as Buffer;
  t.is(first.length, 1200);
  await new Promise((res) => setImmediate(res));
  t.is(r.resumed, 1);
  t.false(conn.isPaused);
});

test('the stream ends when the connection closes; a write waiting for drain completes; later writes fail with ERR_CONNECTION_CLOSED', async (t) => {
  const { conn, r } = connected('udp');
  const stream = conn.stream();
  r.accept = false;
  const pending = write(stream, Buffer.from('stuck'));
  const ended = once(stream, 'end');
  stream.resume();
  conn.terminate();
  await ended;
  await pending;
  const errored = once(stream, 'error');
  const error = await new Promise<Error | null | undefined>((res) => stream.write(Buffer.from('late'), res));
  t.is((error as { code?: string } | undefined)?.code, 'ERR_CONNECTION_CLOSED');
  t.is(((await errored)[0] as { code: string }).code, 'ERR_CONNECTION_CLOSED');
});

test('a connection closed with an error fails the waiting write', async (t) => {
  const { conn, r } = connected('udp');
  const stream = conn.stream();
  stream.on('error', () => undefined);
  r.accept = false;
  const pending = write(stream, Buffer.from('stuck'));
  conn.terminate(new Error('boom'));
  await t.throwsAsync(pending, { message: 'boom' });
});

test('a stream on an already closed connection ends at once; destroy releases the connection and a pending write', async (t) => {
  const closed = new IceConnection(1);
  closed.terminate();
  const late = closed.stream();
  late.resume();
  await once(late, 'end');
  t.pass();

  const { conn, r } = connected('udp');
  const stream = conn.stream();
  conn.pause();
  r.accept = false;
  const pending = write(stream, Buffer.from('x'));
  stream.on('error', () => undefined);
  stream.destroy();
  await t.throwsAsync(pending, { code: 'ERR_CONNECTION_CLOSED' });
  t.false(conn.isPaused, 'a destroyed view does not leave the route paused');
  t.is(conn.listenerCount('packet'), 0);
  t.not(conn.stream(), stream, 'a new view replaces a destroyed one');
  // ending the writable side sends nothing (ICE has no half-close)
  const s2 = conn.stream();
  const before = r.sent.length;
  s2.end();
  await once(s2, 'finish');
  t.is(r.sent.length, before);
});

test('stream options are validated', (t) => {
  const conn = new IceConnection(1);
  t.throws(() => conn.stream({ maxPacketSize: 0 }), { code: 'ERR_AGENT_BAD_OPTION' });
  t.throws(() => conn.stream({ maxFrameSize: 65536 }), { code: 'ERR_AGENT_BAD_OPTION' });
  t.throws(() => new IceConnectionStream(conn, { highWaterMark: 1.5 }), { code: 'ERR_AGENT_BAD_OPTION' });
});

test('a write larger than the connection’s queue goes packet by packet with the drains, never overflowing it', async (t) => {
  const conn = new IceConnection(1, { maxQueuedPackets: 4 });
  const stream = conn.stream({ maxPacketSize: 1000 });
  const data = randomBytes(10_000);
  let finished = false;
  const writing = write(stream, data).then(() => void (finished = true));
  await new Promise((r) => setImmediate(r));
  t.is(conn.queuedPackets, 1, 'one packet waits for a route, the rest in the stream');
  const r = new MemoryRoute('udp');
  r.accept = false; // and the route pushes back after each packet
  conn.setRoute({ component: 1, transport: 'udp', transportId: 't', remote: { address: '127.0.0.1', port: 1 }, pairId: 'p' }, r);
  while (!finished) {
    await new Promise((resolve) => setImmediate(resolve));
    r.emit('drain');
  }
  await writing;
  t.deepEqual(Buffer.concat(r.sent), data);
  t.is(conn.droppedPackets, 0);
  t.true(r.sent.length >= 10);
});
