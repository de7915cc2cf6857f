// PacketStream: the one packet ↔ Duplex adapter (lib/packet-stream), against
// a scripted packet connection: back-pressure both ways, pause/resume,
// close/destroy/error, the STUN-safe cutting rule on known bytes, large
// writes, end-of-stream.
import test from 'ava';
import fc from 'fast-check';
import { EventEmitter, once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { PacketConnectionEvents } from '../../lib/connection-events.js';
import type { PacketConnection } from '../../lib/connection.js';
import { createPacketStream, PacketStream, type PacketBoundaries } from '../../lib/packet-stream/packet-stream.js';
import { couldBeStun } from '../../lib/packet-stream/stun-safe-cut.js';
import { isStun } from '../../lib/stun/index.js';

/** A packet connection whose every call is recorded and whose answers the test sets. */
class ScriptedConnection extends EventEmitter<PacketConnectionEvents> implements PacketConnection {
  /** The very buffers given to send() (no copy, to catch reuse). */
  readonly sent: Buffer[] = [];
  /** What send() answers. */
  accept = true;
  /** Whether pause() stops deliveries (a UDP-like connection's cannot push back). */
  pauses = 0;
  resumes = 0;
  closes = 0;
  closed = false;
  isPaused = false;
  constructor(public transport: 'udp' | 'tcp' = 'tcp') {
    super();
  }
  send(packet: Uint8Array): boolean {
    if (this.closed) return false;
    this.sent.push(packet as Buffer);
    return this.accept;
  }
  pause(): void {
    this.pauses++;
    this.isPaused = true;
  }
  resume(): void {
    this.resumes++;
    this.isPaused = false;
  }
  close(): void {
    this.closes++;
  }
  /** The connection goes away, as a real one reports it. */
  gone(error?: Error): void {
    this.closed = true;
    this.emit('close', error);
  }
}

const write = (stream: PacketStream, chunk: Buffer): Promise<void> =>
  new Promise<void>((resolve, reject) => stream.write(chunk, (error) => (error ? reject(error) : resolve())));
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const noStun = (bytes: Buffer): Buffer => {
  bytes[0] = 0xff; // top bits 11: nothing starting here passes a STUN check
  return bytes;
};

// RFC 5769 §2.1–2.4 sample messages, byte for byte.
const vectors = (
  JSON.parse(readFileSync(new URL('../../../fixtures/rfc5769.json', import.meta.url), 'utf8')) as { vectors: Array<{ hex: string }> }
).vectors.map((v) => Buffer.from(v.hex.replace(/\s+/g, ''), 'hex'));

test('writes are cut at maxFrameSize on TCP and maxPacketSize on UDP, in order, losslessly', async (t) => {
  const tcp = new ScriptedConnection('tcp');
  const data = noStun(randomBytes(40_000));
  await write(createPacketStream(tcp), data);
  t.deepEqual(
    tcp.sent.map((p) => p.length),
    [16384, 16384, 7232],
  );
  t.deepEqual(Buffer.concat(tcp.sent), data);

  const udp = new ScriptedConnection('udp');
  const stream = createPacketStream(udp, { maxPacketSize: 1000 });
  const small = noStun(randomBytes(2500));
  await write(stream, small);
  t.true(udp.sent.every((p) => p.length <= 1000));
  t.deepEqual(Buffer.concat(udp.sent), small);
  // The size follows the connection's transport at each packet (a route may move).
  udp.transport = 'tcp';
  udp.sent.length = 0;
  await write(stream, small);
  t.deepEqual(
    udp.sent.map((p) => p.length),
    [2500],
  );
});

test('a large write (4 MiB) arrives whole, in 16 KiB frames', async (t) => {
  const conn = new ScriptedConnection('tcp');
  const data = randomBytes(4 * 1024 * 1024);
  await write(createPacketStream(conn), data);
  t.deepEqual(Buffer.concat(conn.sent), data);
  t.true(conn.sent.length >= 256);
  t.true(conn.sent.every((p) => p.length <= 16384 && !couldBeStun(p, 0, p.length)));
});

test('RFC 5769 messages written whole are never sent as STUN-looking packets (RFC 6544 §10.1)', async (t) => {
  t.is(vectors.length, 4);
  for (const message of vectors) {
    t.true(isStun(message), 'the vector is STUN');
    const conn = new ScriptedConnection('udp');
    await write(createPacketStream(conn), message);
    t.deepEqual(
      conn.sent.map((p) => p.length),
      [message.length - 1, 1],
      'cut one byte short: the Message Length no longer matches',
    );
    for (const p of conn.sent) t.false(isStun(p) || couldBeStun(p, 0, p.length));
    t.deepEqual(Buffer.concat(conn.sent), message);
  }
});

test('the rule on known byte patterns: what is cut and what is not', async (t) => {
  const cut = async (bytes: Buffer, max = 65535): Promise<number[]> => {
    const conn = new ScriptedConnection('tcp');
    await write(createPacketStream(conn, { maxFrameSize: max }), bytes);
    t.deepEqual(Buffer.concat(conn.sent), bytes);
    return conn.sent.map((p) => p.length);
  };
  // 20-byte header, Message Length 4, no magic cookie (RFC 3489 style): still cut.
  const cookieless = Buffer.from('0001000400000000' + '00'.repeat(12) + 'deadbeef', 'hex');
  t.false(isStun(cookieless), 'not RFC 8489 STUN (no cookie)');
  t.deepEqual(await cut(cookieless), [23, 1]);
  // Top bits 01: not STUN (RFC 8489 §6), not cut.
  const topBits = Buffer.from(cookieless);
  topBits[0] = 0x40;
  t.deepEqual(await cut(topBits), [24]);
  // Message Length not a multiple of 4: not cut.
  const odd = Buffer.concat([Buffer.from('0001000300000000' + '00'.repeat(12), 'hex'), Buffer.alloc(3)]);
  t.deepEqual(await cut(odd), [23]);
  // Message Length that does not match the piece: not cut.
  t.deepEqual(await cut(Buffer.concat([cookieless, Buffer.alloc(4)])), [28]);
  // A STUN message landing exactly on the size limit is cut; the leftover byte starts the next piece.
  const msg = vectors[0];
  // (The second piece starts with the first's FINGERPRINT byte 0xcf: top bits 11, not STUN.)
  t.deepEqual(await cut(Buffer.concat([msg, msg]), msg.length), [msg.length - 1, msg.length, 1]);
  // A 20-byte header alone (Message Length 0) is the smallest lookalike.
  t.deepEqual(await cut(Buffer.from('0001000021' + '12a442' + '00'.repeat(12), 'hex')), [19, 1]);
});

test('cutting is lossless and never yields a STUN lookalike, for any bytes and size (property)', async (t) => {
  const piece = fc.oneof(
    fc.uint8Array({ minLength: 0, maxLength: 300 }).map((a) => Buffer.from(a)),
    fc.constantFrom(...vectors),
    fc.integer({ min: 0, max: 20 }).map((words) => {
      const b = Buffer.alloc(20 + 4 * words);
      b.writeUInt16BE(4 * words, 2); // a cookie-less header whose length matches
      return b;
    }),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(piece, { maxLength: 8 }), fc.integer({ min: 1, max: 400 }), async (pieces, max) => {
      const bytes = Buffer.concat(pieces);
      if (bytes.length === 0) return true;
      const conn = new ScriptedConnection('udp');
      await write(createPacketStream(conn, { maxPacketSize: max }), bytes);
      return (
        Buffer.concat(conn.sent).equals(bytes) &&
        conn.sent.every((p) => p.length >= 1 && p.length <= max && !couldBeStun(p, 0, p.length) && !isStun(p))
      );
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('preferred boundaries: packets end at the last boundary that fits, else at the size limit', async (t) => {
  const conn = new ScriptedConnection('tcp');
  const seen: number[] = [];
  const boundaries: PacketBoundaries = {
    scan: (chunk) => {
      seen.push(chunk.length);
      return [300, 700, 800, 2500];
    },
  };
  const data = Buffer.alloc(3000, 0xff); // no piece can look like STUN
  await write(createPacketStream(conn, { maxFrameSize: 1000, boundaries }), data);
  t.deepEqual(
    conn.sent.map((p) => p.length),
    [800, 1000, 700, 500],
  );
  t.deepEqual(seen, [3000], 'each chunk is scanned once');
});

test('back-pressure on writes: one packet at a time after send() says false; the callback waits for drain', async (t) => {
  const conn = new ScriptedConnection('tcp');
  const stream = createPacketStream(conn, { maxFrameSize: 1000 });
  conn.accept = false;
  const chunk = noStun(randomBytes(2500));
  const expected = Buffer.from(chunk);
  let done = false;
  stream.write(chunk, () => (done = true));
  await tick();
  t.is(conn.sent.length, 1, 'the rest waits for drain');
  t.false(done);
  conn.emit('drain');
  t.is(conn.sent.length, 2);
  conn.accept = true;
  conn.emit('drain');
  await tick();
  t.is(conn.sent.length, 3);
  t.true(done);
  chunk.fill(0);
  t.deepEqual(Buffer.concat(conn.sent), expected, 'the stream copied the chunk: the writer may reuse it');
});

test('writeAheadBytes: that many bytes still go after send() says false, then the rest waits for drain', async (t) => {
  const conn = new ScriptedConnection('tcp');
  const stream = createPacketStream(conn, { maxFrameSize: 1000, writeAheadBytes: 2000 });
  conn.accept = false;
  let done = false;
  stream.write(Buffer.alloc(3500, 0xff), () => (done = true));
  await tick();
  t.deepEqual(
    conn.sent.map((p) => p.length),
    [1000, 1000, 1000],
    'the first refused packet, then 2000 bytes ahead',
  );
  conn.emit('drain');
  t.is(conn.sent.length, 4);
  await tick();
  t.false(done, 'the last packet was refused too: the callback waits for drain');
  conn.emit('drain');
  await tick();
  t.true(done);
  t.throws(() => createPacketStream(conn, { writeAheadBytes: -1 }), { code: 'ERR_PACKET_STREAM_BAD_OPTION' });
});

test('the last packet pushed back still holds the write until drain', async (t) => {
  const conn = new ScriptedConnection('tcp');
  const stream = createPacketStream(conn);
  conn.accept = false;
  let done = false;
  stream.write(Buffer.from('hello'), () => (done = true));
  await tick();
  t.false(done);
  conn.emit('drain');
  await tick();
  t.true(done);
});

test('corked writes arrive as one writev: each chunk cut on its own, in order, one callback each', async (t) => {
  const conn = new ScriptedConnection('tcp');
  const stream = createPacketStream(conn, { maxFrameSize: 4 });
  const calls: string[] = [];
  stream.write(Buffer.from('running'), () => calls.push('a')); // goes at once
  stream.cork();
  stream.write(Buffer.from('abcdef'), () => calls.push('b'));
  stream.write(Buffer.from('gh'), () => calls.push('c'));
  stream.uncork();
  await tick();
  t.deepEqual(conn.sent.map(String), ['runn', 'ing', 'abcd', 'ef', 'gh']);
  t.deepEqual(calls, ['a', 'b', 'c']);
});

test('copyWrites: false sends views of the written chunk', async (t) => {
  const conn = new ScriptedConnection('tcp');
  const chunk = Buffer.from('abcdefgh');
  await write(createPacketStream(conn, { copyWrites: false, maxFrameSize: 4 }), chunk);
  t.is(conn.sent[0].buffer, chunk.buffer);
});

test('back-pressure on reads: a full buffer pauses the connection, reading resumes it; stream.pause() does too', async (t) => {
  const conn = new ScriptedConnection('tcp');
  const stream = createPacketStream(conn, { highWaterMark: 1024 });
  conn.emit('packet', Buffer.alloc(600, 1));
  t.is(conn.pauses, 0);
  conn.emit('packet', Buffer.alloc(600, 2));
  t.is(conn.pauses, 1);
  t.true(conn.isPaused);
  t.is((stream.read() as Buffer).length, 1200);
  await tick();
  t.is(conn.resumes, 1);
  t.false(conn.isPaused);

  // Flowing, then paused by the reader: the connection is paused once the buffer fills.
  const got: Buffer[] = [];
  stream.on('data', (d: Buffer) => got.push(d));
  conn.emit('packet', Buffer.from('flowing'));
  stream.pause();
  conn.emit('packet', Buffer.alloc(2000, 3));
  t.is(conn.pauses, 2);
  stream.resume();
  await tick();
  t.is(conn.resumes, 2);
  t.deepEqual(Buffer.concat(got), Buffer.concat([Buffer.from('flowing'), Buffer.alloc(2000, 3)]));
});

test('a connection that keeps delivering while paused fails the stream past maxBufferedBytes', async (t) => {
  const conn = new ScriptedConnection('udp');
  const stream = createPacketStream(conn, { highWaterMark: 1024, maxBufferedBytes: 65536 });
  const failed = once(stream, 'error');
  for (let i = 0; i < 80; i++) conn.emit('packet', Buffer.alloc(1000, 7));
  const [error] = (await failed) as [{ code: string }];
  t.is(error.code, 'ERR_PACKET_STREAM_OVERFLOW');
  t.is(conn.pauses, 1);
});

test('empty packets are skipped; the connection’s end ends the readable side after the data', async (t) => {
  const conn = new ScriptedConnection('tcp');
  const stream = createPacketStream(conn);
  conn.emit('packet', Buffer.alloc(0));
  conn.emit('packet', Buffer.from('last words'));
  conn.emit('end');
  t.true(stream.connectionClosed);
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  t.is(Buffer.concat(chunks).toString(), 'last words');
  t.notThrows(() => conn.emit('packet', Buffer.from('late')), 'after the end: dropped');
});

test('a clean close ends the stream after the data read, completes the write waiting for drain; later writes fail', async (t) => {
  const conn = new ScriptedConnection('tcp');
  const stream = createPacketStream(conn);
  conn.accept = false;
  const pending = write(stream, Buffer.from('stuck'));
  conn.emit('packet', Buffer.from('before the close'));
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  const ended = once(stream, 'end');
  conn.gone();
  await ended;
  await pending;
  t.is(Buffer.concat(chunks).toString(), 'before the close');
  t.true(stream.connectionClosed);
  const errored = once(stream, 'error');
  await t.throwsAsync(write(stream, Buffer.from('after')), { code: 'ERR_PACKET_STREAM_CLOSED' });
  t.is(((await errored) as [{ code: string }])[0].code, 'ERR_PACKET_STREAM_CLOSED');
  const late = new ScriptedConnection('tcp');
  late.gone();
  const s2 = createPacketStream(late);
  s2.on('error', () => undefined);
  await t.throwsAsync(write(s2, Buffer.from('x')), { code: 'ERR_PACKET_STREAM_CLOSED' });
  t.is(late.sent.length, 0);
});

test('a close with an error destroys the stream with that error and fails the waiting write with it', async (t) => {
  const conn = new ScriptedConnection('tcp');
  const stream = createPacketStream(conn);
  conn.accept = false;
  const pending = write(stream, Buffer.from('stuck'));
  const errored = once(stream, 'error');
  const boom = new Error('reset');
  conn.gone(boom);
  t.is(((await errored) as [Error])[0], boom);
  await t.throwsAsync(pending, { is: boom });
});

test('a stream made on a closed connection ends at once', async (t) => {
  const conn = new ScriptedConnection('tcp');
  conn.gone();
  const stream = createPacketStream(conn);
  stream.resume();
  await once(stream, 'end');
  t.pass();
});

test('destroy lets go of the connection: listeners off, connection resumed, pending write failed, no close by default', async (t) => {
  const conn = new ScriptedConnection('tcp');
  const stream = createPacketStream(conn);
  stream.on('error', () => undefined);
  conn.pause(); // whoever paused it: a gone view must not leave it paused
  conn.accept = false;
  const pending = write(stream, Buffer.from('x'));
  stream.destroy();
  await t.throwsAsync(pending, { code: 'ERR_PACKET_STREAM_CLOSED' });
  t.false(conn.isPaused);
  for (const event of ['packet', 'drain', 'end', 'close'] as const) t.is(conn.listenerCount(event), 0, event);
  t.is(conn.closes, 0);
});

test('destroyClosesConnection: destroy before the end closes the connection; after both sides finished it does not', async (t) => {
  const conn = new ScriptedConnection('tcp');
  createPacketStream(conn, { destroyClosesConnection: true }).destroy();
  await tick();
  t.is(conn.closes, 1);

  const done = new ScriptedConnection('tcp');
  const stream = createPacketStream(done, { destroyClosesConnection: true });
  stream.resume();
  stream.end();
  done.emit('end');
  await once(stream, 'close'); // auto-destroyed after 'end' and 'finish'
  t.is(done.closes, 0);

  const failing = new ScriptedConnection('tcp');
  const s3 = createPacketStream(failing, { destroyClosesConnection: true });
  s3.on('error', () => undefined);
  s3.destroy(new Error('app failure'));
  await tick();
  t.is(failing.closes, 1);
});

test('end: sends nothing and keeps the connection by default; endClosesConnection closes it', async (t) => {
  const conn = new ScriptedConnection('tcp');
  const stream = createPacketStream(conn);
  stream.end();
  await once(stream, 'finish');
  t.is(conn.sent.length, 0);
  t.is(conn.closes, 0);

  const closing = new ScriptedConnection('tcp');
  const s2 = createPacketStream(closing, { endClosesConnection: true });
  s2.write(Buffer.from('bye'));
  s2.end();
  await once(s2, 'finish');
  t.is(String(closing.sent[0]), 'bye');
  t.is(closing.closes, 1);
});

test('the inbound filter decides what reaches the reader', async (t) => {
  const conn = new ScriptedConnection('tcp');
  let held: Buffer | undefined;
  const stream = createPacketStream(conn, {
    inbound: (packet, deliver) => {
      if (packet[0] === 0) return; // dropped
      if (packet[0] === 1) {
        held = packet; // held until the next one
        return;
      }
      if (held) deliver(held);
      held = undefined;
      deliver(packet);
    },
  });
  conn.emit('packet', Buffer.from([0, 9]));
  conn.emit('packet', Buffer.from([1, 8]));
  conn.emit('packet', Buffer.from([2, 7]));
  conn.emit('end');
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  t.deepEqual(Buffer.concat(chunks), Buffer.from([1, 8, 2, 7]));
});

test('bad options throw the layer’s error (ERR_PACKET_STREAM_BAD_OPTION by default)', (t) => {
  const conn = new ScriptedConnection('tcp');
  for (const options of [{ maxPacketSize: 0 }, { maxFrameSize: 65536 }, { highWaterMark: 1.5 }, { maxBufferedBytes: 100 }]) {
    t.throws(() => createPacketStream(conn, options), { code: 'ERR_PACKET_STREAM_BAD_OPTION' });
  }
  const mine = new Error('mine');
  t.throws(
    () =>
      createPacketStream(conn, {
        maxFrameSize: 0,
        errors: { badOption: () => mine, closed: () => mine, overflow: () => mine },
      }),
    { is: mine },
  );
  t.is(conn.listenerCount('packet'), 0, 'a refused view attaches nothing');
  t.true(createPacketStream(conn) instanceof PacketStream);
});
