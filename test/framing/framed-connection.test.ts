// FramedConnection over an in-memory Duplex pair (see duplex-pair.ts).
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import test from 'ava';
import { duplexPair } from './duplex-pair.js';
import { FramedConnection, FramingError, encodeFrame, prng } from './helpers.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function pair(options?: ConstructorParameters<typeof FramedConnection>[1]) {
  const [x, y] = duplexPair();
  return { a: new FramedConnection(x, options), b: new FramedConnection(y, options), x, y };
}

/** Records every event of a connection, in order. */
function record(conn: FramedConnection) {
  const events: string[] = [];
  const packets: Buffer[] = [];
  conn.on('packet', (p: Buffer) => {
    packets.push(Buffer.from(p));
    events.push('packet');
  });
  conn.on('end', () => events.push('end'));
  conn.on('error', (e: Error & { code?: string }) => events.push(`error:${e.code ?? e.message}`));
  const closed = new Promise<Error | undefined>((resolve) =>
    conn.on('close', (e?: Error) => {
      events.push('close');
      resolve(e);
    }),
  );
  return { events, packets, closed };
}

function randomPayloads(count: number, seed: number, maxLength = 65535): Buffer[] {
  const rnd = prng(seed);
  return Array.from({ length: count }, (_, i) => {
    const r = rnd();
    const length = r < 0.05 ? 0 : r < 0.1 ? maxLength : Math.floor(rnd() * maxLength);
    return Buffer.alloc(length, i & 0xff);
  });
}

/** Sends all payloads honouring backpressure (waits for 'drain' after false). */
async function sendAll(conn: FramedConnection, payloads: Buffer[]): Promise<void> {
  for (const p of payloads) {
    if (!conn.send(p)) await once(conn, 'drain');
  }
}

test('exposes transport and stream', (t) => {
  const { a, x } = pair();
  t.is(a.transport, 'tcp');
  t.is(a.stream, x);
  t.false(a.isPaused);
  t.is(a.bufferedPackets, 0);
  t.is(a.bufferedBytes, 0);
  t.false(a.closed);
});

test('packets both ways, zero-length included, in order', async (t) => {
  const { a, b } = pair();
  const ra = record(a);
  const rb = record(b);
  const toB = [Buffer.from('hello'), Buffer.alloc(0), Buffer.from('world')];
  const toA = [Buffer.alloc(0), Buffer.from([1, 2, 3])];
  for (const p of toB) a.send(p);
  for (const p of toA) b.send(p);
  await tick();
  await tick();
  t.deepEqual(rb.packets, toB);
  t.deepEqual(ra.packets, toA);
});

test('a large transfer (random sizes 0..65535) arrives intact in both directions', async (t) => {
  const { a, b } = pair();
  const ra = record(a);
  const rb = record(b);
  const toB = randomPayloads(300, 11);
  const toA = randomPayloads(300, 12);
  await Promise.all([sendAll(a, toB), sendAll(b, toA)]);
  a.close();
  await Promise.all([ra.closed, rb.closed]);
  t.is(rb.packets.length, toB.length);
  t.is(ra.packets.length, toA.length);
  t.true(rb.packets.every((p, i) => p.equals(toB[i])));
  t.true(ra.packets.every((p, i) => p.equals(toA[i])));
});

test('close(): flushes, the peer gets end after every packet, then both close without error', async (t) => {
  const { a, b } = pair();
  const ra = record(a);
  const rb = record(b);
  a.send(Buffer.from('last words'));
  a.close();
  a.close(); // idempotent
  const [ea, eb] = await Promise.all([ra.closed, rb.closed]);
  t.is(ea, undefined);
  t.is(eb, undefined);
  t.deepEqual(rb.events, ['packet', 'end', 'close']);
  t.deepEqual(ra.events, ['end', 'close']); // b closed its side in turn (allowHalfOpen false)
  t.true(a.closed);
  t.false(a.send(Buffer.from('too late')));
});

test('allowHalfOpen: the peer that got end may still send until it closes', async (t) => {
  const { a, b } = pair({ allowHalfOpen: true });
  const ra = record(a);
  const rb = record(b);
  a.close();
  await once(b, 'end');
  t.true(b.send(Buffer.from('reply after end')));
  await tick();
  await tick();
  t.deepEqual(ra.packets.map(String), ['reply after end']);
  t.false(b.closed);
  b.close();
  await Promise.all([ra.closed, rb.closed]);
  t.deepEqual(ra.events, ['packet', 'end', 'close']);
});

test('stream end in the middle of a frame: error ERR_FRAME_TRUNCATED, then close with it', async (t) => {
  const [x, y] = duplexPair();
  const b = new FramedConnection(y);
  const rb = record(b);
  x.write(encodeFrame(Buffer.from('whole')));
  x.write(encodeFrame(Buffer.from('cut short')).subarray(0, 5));
  x.end();
  const error = await rb.closed;
  t.true(error instanceof FramingError);
  t.is((error as FramingError).code, 'ERR_FRAME_TRUNCATED');
  t.deepEqual(rb.events, ['packet', 'error:ERR_FRAME_TRUNCATED', 'close']);
  t.deepEqual(rb.packets.map(String), ['whole']);
});

test('stream end inside a header is truncated too', async (t) => {
  const [x, y] = duplexPair();
  const rb = record(new FramedConnection(y));
  x.end(Buffer.from([0]));
  t.is(((await rb.closed) as FramingError).code, 'ERR_FRAME_TRUNCATED');
});

test('a frame over maxFrameSize destroys the stream: error ERR_FRAME_TOO_LARGE, then close', async (t) => {
  const { a, b, y } = pair({ maxFrameSize: 10 });
  const rb = record(b);
  a.send(Buffer.alloc(10));
  a.send(Buffer.alloc(11));
  a.send(Buffer.alloc(1));
  const error = await rb.closed;
  t.is((error as FramingError).code, 'ERR_FRAME_TOO_LARGE');
  t.deepEqual(rb.events, ['packet', 'error:ERR_FRAME_TOO_LARGE', 'close']);
  t.true(y.destroyed);
});

test('without an error listener a decode error cannot crash: it comes with close', async (t) => {
  const [x, y] = duplexPair();
  const b = new FramedConnection(y, { maxFrameSize: 0 });
  // Not events.once: it would listen to 'error' itself.
  const closed = new Promise<FramingError>((resolve) => b.on('close', (error) => resolve(error as FramingError)));
  x.write(encodeFrame(Buffer.from('x')));
  t.is(b.listenerCount('error'), 0);
  t.is((await closed).code, 'ERR_FRAME_TOO_LARGE');
});

test('destroy(error): error, then close with it; the peer sees its stream end', async (t) => {
  const { a, b } = pair();
  const ra = record(a);
  const boom = new Error('boom');
  a.destroy(boom);
  a.destroy(new Error('second')); // ignored
  t.is(await ra.closed, boom);
  t.deepEqual(ra.events, ['error:boom', 'close']);
  t.false(a.send(Buffer.from('x')));
  t.false(b.closed);
});

test('destroy() without error closes without error and drops held packets', async (t) => {
  const [x, y] = duplexPair();
  const b = new FramedConnection(y);
  const rb = record(b);
  b.on('packet', () => b.pause());
  // Both frames in one chunk: the second is decoded and held once paused.
  x.write(Buffer.concat([encodeFrame(Buffer.from('first')), encodeFrame(Buffer.from('never delivered'))]));
  await tick();
  t.is(b.bufferedPackets, 1);
  b.destroy();
  t.is(await rb.closed, undefined);
  t.is(b.bufferedPackets, 0);
  t.deepEqual(rb.events, ['packet', 'close']);
  b.destroy(); // after close: no-op
  b.close(); // after close: no-op
});

test('an error of the underlying stream is emitted, then close with it', async (t) => {
  const { a, x } = pair();
  const ra = record(a);
  const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
  x.destroy(reset);
  t.is(await ra.closed, reset);
  t.deepEqual(ra.events, ['error:ECONNRESET', 'close']);
});

test('the stream closing without end or error closes the connection without error', async (t) => {
  const { b, x, y } = pair();
  const rb = record(b);
  x.write(Buffer.from([0, 5, 1])); // a partial frame, dropped with a debug line
  await tick();
  t.is(b.bufferedBytes, 3);
  y.destroy();
  t.is(await rb.closed, undefined);
  t.deepEqual(rb.events, ['close']);
});

test('a connection made over an already destroyed stream closes', async (t) => {
  const [x] = duplexPair();
  x.destroy();
  await tick();
  const rx = record(new FramedConnection(x));
  t.is(await rx.closed, undefined);
});

test('pause() stops reading so the sender sees backpressure; resume() delivers everything', async (t) => {
  const { a, b, y } = pair();
  const rb = record(b);
  b.pause();
  b.pause(); // idempotent
  t.true(b.isPaused);
  const payloads = randomPayloads(400, 21, 4000);
  let refused = 0;
  let i = 0;
  // Send until the sender is refused and no drain comes for a while.
  for (; i < payloads.length; i++) {
    if (!a.send(payloads[i])) {
      refused++;
      const drained = await Promise.race([once(a, 'drain').then(() => true), sleep(50).then(() => false)]);
      if (!drained) break;
    }
  }
  t.true(refused > 0, 'the sender was told to wait');
  t.true(i < payloads.length - 1, 'the sender stalled before the end');
  t.is(rb.packets.length, 0, 'nothing delivered while paused');
  t.true(y.isPaused());
  t.true(b.bufferedPackets <= 1024 + 400);
  const drained = once(a, 'drain');
  b.resume();
  b.resume(); // idempotent
  t.false(b.isPaused);
  await drained;
  await sendAll(a, payloads.slice(i + 1));
  a.close();
  await rb.closed;
  t.is(rb.packets.length, payloads.length);
  t.true(rb.packets.every((p, k) => p.equals(payloads[k])));
  t.deepEqual(rb.events.slice(-2), ['end', 'close']);
});

test('with no packet listener, maxBufferedPackets bounds the queue and pauses the stream', async (t) => {
  const { a, b, y } = pair({ maxBufferedPackets: 8 });
  const payloads = Array.from({ length: 200 }, (_, i) => Buffer.from(`packet ${i}`));
  for (const p of payloads) a.send(p);
  await tick();
  await tick();
  await tick();
  t.true(y.isPaused());
  // The chunk being decoded is finished: at least the limit, at most what was sent.
  t.true(b.bufferedPackets >= 8);
  const got: string[] = [];
  b.on('packet', (p: Buffer) => got.push(String(p)));
  a.close();
  await once(b, 'close');
  t.deepEqual(got, payloads.map(String));
  t.false(y.isPaused());
});

test('with no packet listener, maxBufferedBytes bounds the queue in bytes too (whichever bound comes first)', async (t) => {
  const { a, b, y } = pair({ maxBufferedPackets: 1000, maxBufferedBytes: 4096 });
  const payloads = Array.from({ length: 40 }, (_, i) => Buffer.alloc(1000, i));
  for (const p of payloads) {
    a.send(p);
    await tick(); // one frame per chunk: the bound is met between chunks
  }
  await tick();
  t.true(y.isPaused(), 'paused by bytes long before 1000 packets');
  t.true(b.bufferedPackets >= 5 && b.bufferedPackets < 40, `${b.bufferedPackets} held`);
  const got: Buffer[] = [];
  b.on('packet', (p: Buffer) => got.push(Buffer.from(p)));
  a.close();
  await once(b, 'close');
  t.deepEqual(got, payloads, 'nothing dropped: all delivered once read');
});

test('the peer ends while we are paused: held packets, then end, then close', async (t) => {
  const { a, b } = pair();
  b.pause();
  const rb = record(b);
  for (let i = 0; i < 10; i++) a.send(Buffer.from([i]));
  a.close();
  await sleep(30);
  t.deepEqual(rb.events, [], 'nothing while paused, not even end');
  b.resume();
  await rb.closed;
  t.deepEqual(rb.events, [...Array(10).fill('packet'), 'end', 'close']);
  t.deepEqual(
    rb.packets.map((p) => p[0]),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
});

test('pause() from inside a packet listener holds the rest of the chunk in order', async (t) => {
  const [x, y] = duplexPair();
  const b = new FramedConnection(y);
  const got: number[] = [];
  b.on('packet', (p: Buffer) => {
    got.push(p[0]);
    if (p[0] === 2) b.pause();
  });
  x.write(Buffer.concat(Array.from({ length: 6 }, (_, i) => encodeFrame(Buffer.from([i])))));
  await sleep(20);
  t.deepEqual(got, [0, 1, 2]);
  t.is(b.bufferedPackets, 3);
  b.resume();
  await sleep(20);
  t.deepEqual(got, [0, 1, 2, 3, 4, 5]);
});

test('destroy() after the peer ended while paused still closes', async (t) => {
  const { a, b } = pair();
  b.pause();
  const rb = record(b);
  a.send(Buffer.from('held'));
  a.close();
  await sleep(20);
  b.destroy();
  t.is(await rb.closed, undefined);
  t.deepEqual(rb.events, ['close']);
});

test('a stream with an encoding set is refused with ERR_FRAMING_BAD_OPTION', async (t) => {
  const stream = new PassThrough();
  stream.setEncoding('utf8');
  const conn = new FramedConnection(stream);
  const r = record(conn);
  stream.write(Buffer.from([0, 1, 65]));
  t.is(((await r.closed) as FramingError).code, 'ERR_FRAMING_BAD_OPTION');
});

test('bad options throw ERR_FRAMING_BAD_OPTION', (t) => {
  const [x] = duplexPair();
  for (const options of [{ maxBufferedPackets: 0 }, { maxBufferedPackets: 1.5 }, { maxFrameSize: 65536 }, { maxBufferedBytes: 0 }]) {
    const error = t.throws(() => new FramedConnection(x, options), { instanceOf: FramingError });
    t.is(error?.code, 'ERR_FRAMING_BAD_OPTION');
  }
});

test('send() of a too-large packet throws synchronously and the connection stays usable', async (t) => {
  const { a, b } = pair();
  const rb = record(b);
  t.is(t.throws(() => a.send(Buffer.alloc(65536)), { instanceOf: FramingError })?.code, 'ERR_FRAME_TOO_LARGE');
  a.send(Buffer.from('fine'));
  await sleep(10);
  t.deepEqual(rb.packets.map(String), ['fine']);
});
