import { once } from 'node:events';
import { Writable } from 'node:stream';
import test from 'ava';
import { BatchingFrameWriter, FrameDecoder, FramingError } from './helpers.js';
import { freeSlabCount } from '../../lib/framing/slab-pool.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A Writable that records every `_write` and `_writev` call; `hold` keeps callbacks pending. */
function recordingSink(options: { writev?: boolean; highWaterMark?: number } = {}) {
  const writevCalls: Buffer[][] = [];
  const writeCalls: Buffer[] = [];
  const held: Array<() => void> = [];
  const state = { hold: false };
  const stream = new Writable({
    highWaterMark: options.highWaterMark ?? 16384,
    write(chunk: Buffer, _enc, cb) {
      writeCalls.push(Buffer.from(chunk));
      if (state.hold) held.push(() => cb());
      else cb();
    },
    ...(options.writev === false
      ? {}
      : {
          writev(chunks: Array<{ chunk: Buffer }>, cb: (error?: Error | null) => void) {
            writevCalls.push(chunks.map((c) => Buffer.from(c.chunk)));
            if (state.hold) held.push(() => cb());
            else cb();
          },
        }),
  });
  const bytes = (): Buffer => Buffer.concat([...writeCalls, ...writevCalls.flat()]);
  return { stream, writevCalls, writeCalls, held, state, bytes };
}

function decode(wire: Buffer): Buffer[] {
  const out: Buffer[] = [];
  new FrameDecoder().push(wire, (f) => out.push(Buffer.from(f)));
  return out;
}

function payloadOf(i: number, length: number): Buffer {
  return Buffer.alloc(length, i & 0xff);
}

test('many small writes in one tick reach the stream as one chunk, in one write call', async (t) => {
  const sink = recordingSink({ highWaterMark: 1 << 20 });
  const writer = new BatchingFrameWriter(sink.stream);
  const payloads = Array.from({ length: 40 }, (_, i) => payloadOf(i, (i * 37) % 1500));
  for (const p of payloads) t.true(writer.write(p));
  t.true(writer.pending);
  t.is(sink.writevCalls.length, 0, 'nothing leaves before the end of the tick');
  t.is(sink.writeCalls.length, 0);
  await tick();
  t.false(writer.pending);
  // One chunk (two when the shared slab filled up on the way: earlier tests used part of it).
  t.is(sink.writevCalls.length + sink.writeCalls.length, 1);
  t.true(sink.writeCalls.length === 1 || sink.writevCalls[0].length === 2, 'the frames were copied next to each other');
  t.deepEqual(decode(sink.bytes()), payloads);
});

test('small frames filling more than one slab in a tick leave in one writev call (one chunk per slab)', async (t) => {
  const sink = recordingSink({ highWaterMark: 1 << 20 });
  const writer = new BatchingFrameWriter(sink.stream);
  const payloads = Array.from({ length: 100 }, (_, i) => payloadOf(i, 1200));
  for (const p of payloads) t.true(writer.write(p));
  await tick();
  t.is(sink.writeCalls.length, 0);
  t.is(sink.writevCalls.length, 1);
  // 100 × 1202 bytes span two or three 64 KiB slabs (the slab is shared: earlier tests used part of it).
  t.true(sink.writevCalls[0].length >= 2 && sink.writevCalls[0].length <= 3, `${sink.writevCalls[0].length} chunks`);
  t.deepEqual(decode(sink.bytes()), payloads);
});

test('writes in two ticks make two write calls (one per tick)', async (t) => {
  const sink = recordingSink();
  const writer = new BatchingFrameWriter(sink.stream);
  writer.write(Buffer.from('a'));
  writer.write(Buffer.from('b'));
  await tick();
  writer.write(Buffer.from('c'));
  writer.write(Buffer.from('d'));
  await tick();
  t.is(sink.writevCalls.length + sink.writeCalls.length, 2);
  t.deepEqual(decode(sink.bytes()).map(String), ['a', 'b', 'c', 'd']);
});

test('payloads over the copy limit go as header + payload chunks and arrive intact', async (t) => {
  const sink = recordingSink();
  const writer = new BatchingFrameWriter(sink.stream);
  const payloads = [payloadOf(1, 2048), payloadOf(2, 2049), payloadOf(3, 65535), payloadOf(4, 0)];
  for (const p of payloads) writer.write(new Uint8Array(p.buffer, p.byteOffset, p.length));
  await tick();
  t.is(sink.writevCalls.length, 1);
  t.is(sink.writevCalls[0].length, 1 + 2 + 2 + 1); // copied, split, split, copied
  t.deepEqual(decode(sink.bytes()), payloads);
});

test('flush() sends the frames queued so far at once', (t) => {
  const sink = recordingSink();
  const writer = new BatchingFrameWriter(sink.stream);
  writer.write(Buffer.from('x'));
  writer.write(Buffer.from('y'));
  writer.flush();
  t.is(sink.writevCalls.length + sink.writeCalls.length, 1);
  t.false(writer.pending);
  writer.flush(); // nothing queued: no-op
  t.is(sink.writevCalls.length + sink.writeCalls.length, 1);
  t.deepEqual(decode(sink.bytes()).map(String), ['x', 'y']);
});

test('a stream without writev still gets every frame, in order', async (t) => {
  const sink = recordingSink({ writev: false });
  const writer = new BatchingFrameWriter(sink.stream);
  const payloads = [payloadOf(1, 10), payloadOf(2, 3000), payloadOf(3, 0)];
  for (const p of payloads) writer.write(p);
  await tick();
  t.is(sink.writevCalls.length, 0);
  t.deepEqual(decode(sink.bytes()), payloads);
});

test('backpressure: false once the stream buffer reaches its high-water mark, then drain', async (t) => {
  const sink = recordingSink({ highWaterMark: 1000 });
  sink.state.hold = true;
  const writer = new BatchingFrameWriter(sink.stream);
  let drains = 0;
  writer.on('drain', () => drains++);
  const results: boolean[] = [];
  for (let i = 0; i < 5; i++) results.push(writer.write(payloadOf(i, 298))); // 300 bytes per frame
  // 300, 600, 900 are under 1000; 1200 reaches it.
  t.deepEqual(results, [true, true, true, false, false]);
  await tick();
  t.is(sink.writevCalls.length + sink.writeCalls.length, 1);
  t.is(drains, 0, 'no drain while the stream is still busy');
  const drained = once(writer, 'drain');
  for (const release of sink.held.splice(0)) release();
  await drained;
  t.is(drains, 1);
  t.true(writer.write(payloadOf(9, 10)));
  await tick();
  t.deepEqual(decode(sink.bytes()).length, 6);
});

test('two writers in one tick share the slab; each stream gets only its own frames, in order', async (t) => {
  const one = recordingSink({ highWaterMark: 1 << 20 });
  const two = recordingSink({ highWaterMark: 1 << 20 });
  const first = new BatchingFrameWriter(one.stream);
  const second = new BatchingFrameWriter(two.stream);
  const ones = Array.from({ length: 30 }, (_, i) => payloadOf(i, 100 + i));
  const twos = Array.from({ length: 30 }, (_, i) => payloadOf(100 + i, 200 + i));
  for (let i = 0; i < 30; i++) {
    first.write(ones[i]);
    second.write(twos[i]);
  }
  await tick();
  t.deepEqual(decode(one.bytes()), ones);
  t.deepEqual(decode(two.bytes()), twos);
});

test('drain still comes when the stream emptied between a write() that returned false and the end of the tick', async (t) => {
  const sink = recordingSink({ highWaterMark: 1000 });
  sink.state.hold = true;
  const writer = new BatchingFrameWriter(sink.stream);
  for (let i = 0; i < 3; i++) t.true(writer.write(payloadOf(i, 298)));
  await tick(); // 900 bytes in the stream, not written yet
  t.false(writer.write(payloadOf(3, 298)), '900 + 300 reaches the high-water mark');
  // The earlier write completes before this tick's frames reach the stream,
  // which then takes them without asking for a drain.
  for (const release of sink.held.splice(0)) release();
  sink.state.hold = false;
  const drained = once(writer, 'drain');
  await tick();
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('no drain within 2 s')), 2000).unref());
  await Promise.race([drained, timeout]);
  t.is(decode(sink.bytes()).length, 4);
});

test('no drain event when write never returned false', async (t) => {
  const sink = recordingSink({ highWaterMark: 100 });
  const writer = new BatchingFrameWriter(sink.stream);
  let drains = 0;
  writer.on('drain', () => drains++);
  writer.write(payloadOf(1, 10));
  await tick();
  // The stream itself may emit 'drain' only after a false write: nothing here.
  sink.stream.emit('drain');
  t.is(drains, 0);
});

test('too-large payloads throw synchronously and queue nothing', async (t) => {
  const sink = recordingSink();
  const writer = new BatchingFrameWriter(sink.stream);
  t.is(t.throws(() => writer.write(Buffer.alloc(65536)), { instanceOf: FramingError })?.code, 'ERR_FRAME_TOO_LARGE');
  t.is(t.throws(() => writer.write('text' as unknown as Uint8Array), { instanceOf: FramingError })?.code, 'ERR_FRAMING_BAD_PAYLOAD');
  t.false(writer.pending);
  await tick();
  t.is(sink.bytes().length, 0);
});

test('writes after end or destroy return false and send nothing', async (t) => {
  const sink = recordingSink();
  const writer = new BatchingFrameWriter(sink.stream);
  writer.write(Buffer.from('before'));
  writer.flush();
  sink.stream.end();
  t.false(writer.write(Buffer.from('after end')));
  await tick();
  t.deepEqual(decode(sink.bytes()).map(String), ['before']);

  const other = recordingSink();
  const w2 = new BatchingFrameWriter(other.stream);
  other.stream.destroy();
  t.false(w2.write(Buffer.from('after destroy')));
});

test('detach flushes and stops forwarding drain', async (t) => {
  const sink = recordingSink({ highWaterMark: 10 });
  sink.state.hold = true;
  const writer = new BatchingFrameWriter(sink.stream);
  let drains = 0;
  writer.on('drain', () => drains++);
  t.false(writer.write(payloadOf(1, 20)));
  writer.detach();
  t.is(sink.writevCalls.length + sink.writeCalls.length, 1);
  for (const release of sink.held.splice(0)) release();
  await tick();
  t.is(drains, 0);
});

test('frames still queued are never overwritten by later ones (several slabs, several ticks)', async (t) => {
  const sink = recordingSink({ highWaterMark: 1 << 24 });
  sink.state.hold = true; // nothing is written out until released
  const writer = new BatchingFrameWriter(sink.stream);
  const sent: Buffer[] = [];
  for (let tickNo = 0; tickNo < 4; tickNo++) {
    for (let i = 0; i < 60; i++) {
      const p = payloadOf(tickNo * 60 + i, 1000 + i); // 60 frames > one 64 KiB slab per tick
      sent.push(Buffer.from(p));
      writer.write(p);
      p.fill(0xee); // small payloads are copied: changing them afterwards is harmless
    }
    await tick();
  }
  while (sink.held.length > 0) {
    for (const release of sink.held.splice(0)) release();
    await tick();
  }
  t.deepEqual(decode(sink.bytes()), sent);
});

/** Frames `count` payloads of `size` bytes, each filled with its own index, as `tick` ticks of writes. */
async function writeTicks(writer: BatchingFrameWriter, ticks: number, perTick: number, size: number): Promise<Buffer[]> {
  const sent: Buffer[] = [];
  for (let tickNo = 0; tickNo < ticks; tickNo++) {
    for (let i = 0; i < perTick; i++) {
      const p = Buffer.alloc(size);
      p.writeUInt32BE(sent.length, 0);
      p.fill((sent.length * 7) & 0xff, 4);
      sent.push(p);
      writer.write(p);
    }
    await tick();
  }
  return sent;
}

test.serial('on a plain net.Socket slabs are reused once written; frames queued behind a full socket stay intact', async (t) => {
  const { createServer, connect } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = once(server, 'connection') as Promise<[import('node:net').Socket]>;
  const client = connect({ host: '127.0.0.1', port: (server.address() as { port: number }).port });
  const [[peer]] = await Promise.all([accepted, once(client, 'connect')]);
  server.close();
  t.teardown(() => {
    client.destroy();
    peer.destroy();
  });
  peer.pause(); // the kernel buffers fill, then libuv queues the writes: their slabs must wait
  const writer = new BatchingFrameWriter(client, { freesWrittenChunks: true });
  const sent = await writeTicks(writer, 150, 54, 1200); // ~9.7 MB, far more than the socket buffers
  t.true(client.writableLength > 0, 'writes are queued behind the full socket');
  const chunks: Buffer[] = [];
  let received = 0;
  const total = sent.reduce((sum, p) => sum + 2 + p.length, 0);
  const done = new Promise<void>((resolve) =>
    peer.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= total) resolve();
    }),
  );
  peer.resume();
  await done;
  const frames = decode(Buffer.concat(chunks));
  t.is(frames.length, sent.length);
  t.true(
    frames.every((f, i) => f.equals(sent[i])),
    'every frame arrived as written',
  );
  // A later tick carves from the pool again: once the socket called back, slabs come back.
  await writeTicks(writer, 3, 54, 1200);
  t.true(freeSlabCount() > 0, 'written slabs went back to the pool');
});

test.serial('a slab handed to a stream that may keep its chunks (not a plain socket) is never reused', async (t) => {
  const kept: Buffer[] = [];
  const stream = new Writable({
    highWaterMark: 1 << 24,
    write(chunk: Buffer, _enc, cb) {
      kept.push(chunk); // by reference, as a Duplex pair's other side reads it
      cb();
    },
  });
  const writer = new BatchingFrameWriter(stream);
  const sent = await writeTicks(writer, 40, 54, 1200);
  t.deepEqual(decode(Buffer.concat(kept)), sent);
});
