import test from 'ava';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { StunClass, encodeStun, isStun } from '../../lib/stun/index.js';
import type { PacketStream } from '../../lib/packet-stream/packet-stream.js';
import {
  createTlsByteStream,
  DEFAULT_TLS_FRAME_SIZE,
  SecureError,
  TLS_RECORD_FRAME_SIZE,
  TlsRecordBoundaries,
} from '../../lib/secure/index.js';
import { memoryPacketPair } from './memory-pair.js';

const stun = (fingerprint = true): Buffer =>
  encodeStun({ class: StunClass.Indication, method: 1, transactionId: randomBytes(12) }, { fingerprint });

const tlsStart = Buffer.from([22, 3, 1, 0, 4, 1, 2, 3, 4]);

/** Reads everything the stream yields until `bytes` bytes have come. */
async function readBytes(stream: PacketStream, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
    n += (chunk as Buffer).length;
    if (n >= bytes) break;
  }
  return Buffer.concat(chunks);
}

test('non-STUN payloads are appended in order; STUN packets are kept out (RFC 6544 §10.2)', async (t) => {
  const [a, b] = memoryPacketPair();
  const { stream, inbound: streamIn } = createTlsByteStream(b);
  a.send(stun());
  a.send(tlsStart.subarray(0, 3));
  a.send(stun());
  a.send(Buffer.alloc(0));
  a.send(tlsStart.subarray(3));
  a.send(stun());
  const got = await readBytes(stream, tlsStart.length);
  t.deepEqual(got, tlsStart);
  await new Promise((r) => setImmediate(r));
  t.is(streamIn.stunPacketsSkipped, 3);
  stream.destroy();
});

test('a STUN-looking packet without FINGERPRINT is data unless requireStunFingerprint is false', async (t) => {
  const bare = stun(false);
  {
    const [a, b] = memoryPacketPair();
    const { stream, inbound: streamIn } = createTlsByteStream(b, { gate: false });
    a.send(bare);
    t.deepEqual(await readBytes(stream, bare.length), bare);
    t.is(streamIn.stunPacketsSkipped, 0);
    stream.destroy();
  }
  {
    const [a, b] = memoryPacketPair();
    const { stream, inbound: streamIn } = createTlsByteStream(b, { gate: false, requireStunFingerprint: false });
    a.send(bare);
    a.send(Buffer.from('x'));
    t.deepEqual(await readBytes(stream, 1), Buffer.from('x'));
    t.is(streamIn.stunPacketsSkipped, 1);
    stream.destroy();
  }
});

test('cleartext sent before the first TLS record is dropped, not read', async (t) => {
  const [a, b] = memoryPacketPair();
  const { stream, inbound: streamIn } = createTlsByteStream(b);
  a.send(Buffer.from('plain hello'));
  a.send(tlsStart);
  t.deepEqual(await readBytes(stream, tlsStart.length), tlsStart);
  t.is(streamIn.preTlsPacketsDropped, 1);
  stream.destroy();
});

test('RFC 6544 §10.1: written bytes that would look like STUN are sent as non-STUN frames', async (t) => {
  const [a, b] = memoryPacketPair();
  const { stream } = createTlsByteStream(a);
  const msg = stun(true);
  t.true(isStun(msg, { requireFingerprint: true }));
  stream.write(msg);
  stream.write(Buffer.concat([msg, msg]).subarray(0, msg.length)); // again, as a separate write
  await new Promise((r) => setImmediate(r));
  t.true(a.sent.length >= 4);
  for (const frame of a.sent) t.false(isStun(frame), 'no frame on the wire looks like STUN');
  t.deepEqual(Buffer.concat(a.sent), Buffer.concat([msg, msg]));
  // And the receiving side, demultiplexing by STUN rules, reads the bytes back intact.
  const { stream: reader, inbound: readerIn } = createTlsByteStream(b, { gate: false });
  for (const frame of a.sent) b.emit('packet', frame);
  t.deepEqual(await readBytes(reader, msg.length * 2), Buffer.concat([msg, msg]));
  t.is(readerIn.stunPacketsSkipped, 0);
  stream.destroy();
  reader.destroy();
});

test('writes are cut at maxFrameSize', async (t) => {
  const [a] = memoryPacketPair();
  const { stream } = createTlsByteStream(a, { maxFrameSize: 1000 });
  const data = randomBytes(2500);
  data[0] = 0xff;
  await new Promise<void>((resolve, reject) => stream.write(data, (e) => (e ? reject(e) : resolve())));
  t.deepEqual(
    a.sent.map((f) => f.length),
    [1000, 1000, 500],
  );
  stream.destroy();
});

test('by default, bytes that are not TLS records are cut into frames of one maximal TLS 1.3 record (16645 bytes)', async (t) => {
  const [a] = memoryPacketPair();
  const { stream } = createTlsByteStream(a);
  const data = randomBytes(40_000);
  data[0] = 0xff; // not a content type: no record boundaries to follow
  await new Promise<void>((resolve, reject) => stream.write(data, (e) => (e ? reject(e) : resolve())));
  t.is(DEFAULT_TLS_FRAME_SIZE, TLS_RECORD_FRAME_SIZE);
  t.is(DEFAULT_TLS_FRAME_SIZE, 5 + 2 ** 14 + 256, 'RFC 8446 §5.2: 2^14 + 256 bytes of ciphertext, and the header');
  t.deepEqual(
    a.sent.map((f) => f.length),
    [16645, 16645, 40_000 - 2 * 16645],
  );
  t.deepEqual(Buffer.concat(a.sent), data);
  stream.destroy();
});

/** One TLS record: content type 23, legacy version 3,3, `body` bytes of (fake) ciphertext. */
const record = (body: number, type = 23): Buffer => {
  const r = Buffer.alloc(5 + body, 0xaa);
  r[0] = type;
  r[1] = 3;
  r[2] = 3;
  r.writeUInt16BE(body, 3);
  return r;
};

test('TLS output is framed as whole records: each frame starts a record (RFC 7983 §7: 20–63 is TLS, never STUN)', async (t) => {
  const [a] = memoryPacketPair();
  const { stream } = createTlsByteStream(a);
  // What node:tls hands over for a 64000-byte write: three full records and a shorter one, in one chunk.
  const full = 2 ** 14 + 17; // 16384 bytes of data, the content type byte and a 16-byte tag (RFC 8446 §5.2)
  const big = Buffer.concat([record(full), record(full), record(full), record(14_865)]);
  // Then small records packed together, and a record whose header straddles two writes.
  const small = Buffer.concat([record(100, 22), record(200, 20), record(300)]);
  const straddling = record(1000);
  const written = [big, small, Buffer.concat([record(50), straddling.subarray(0, 3)]), straddling.subarray(3)];
  for (const chunk of written) {
    await new Promise<void>((resolve, reject) => stream.write(chunk, (e) => (e ? reject(e) : resolve())));
  }
  t.deepEqual(
    a.sent.map((f) => f.length),
    [full + 5, full + 5, full + 5, 14_870, small.length, 55 + 3, 1002],
  );
  t.deepEqual(Buffer.concat(a.sent), Buffer.concat(written));
  for (const frame of a.sent.slice(0, 5)) t.true(frame[0] >= 20 && frame[0] <= 23, 'starts with a content type');
  stream.destroy();
});

test('a record larger than maxFrameSize is cut by size; framing goes back to record boundaries after it', async (t) => {
  const [a] = memoryPacketPair();
  const { stream } = createTlsByteStream(a, { maxFrameSize: 1000 });
  const data = Buffer.concat([record(2500), record(400), record(400)]);
  await new Promise<void>((resolve, reject) => stream.write(data, (e) => (e ? reject(e) : resolve())));
  t.deepEqual(
    a.sent.map((f) => f.length),
    [1000, 1000, 505 + 405, 405],
  );
  stream.destroy();
});

test('send() returning false holds the write until drain', async (t) => {
  const [a, b] = memoryPacketPair({ highWaterMark: 10 });
  const { stream } = createTlsByteStream(a);
  let done = false;
  stream.write(Buffer.alloc(100, 0xff), () => (done = true));
  await Promise.resolve();
  t.false(done, 'held while the connection is over its high-water mark');
  const { stream: reader } = createTlsByteStream(b, { gate: false });
  await readBytes(reader, 100);
  await new Promise((r) => setImmediate(r));
  t.true(done);
  stream.destroy();
  reader.destroy();
});

test('a slow reader pauses a pausable connection and resumes it', async (t) => {
  const [a, b] = memoryPacketPair();
  let pauses = 0;
  let resumes = 0;
  const pause = b.pause.bind(b);
  const resume = b.resume.bind(b);
  b.pause = () => (pauses++, pause());
  b.resume = () => (resumes++, resume());
  const { stream } = createTlsByteStream(b, { gate: false });
  const chunk = Buffer.alloc(16 * 1024, 0xff);
  for (let i = 0; i < 8; i++) a.send(chunk);
  await new Promise((r) => setTimeout(r, 20));
  t.true(pauses >= 1);
  t.deepEqual((await readBytes(stream, 8 * chunk.length)).length, 8 * chunk.length);
  t.true(resumes >= 1);
  stream.destroy();
});

test('a connection that keeps delivering after pause(): too much unread ciphertext fails with ERR_TLS_RECEIVE_OVERFLOW', async (t) => {
  const [a, b] = memoryPacketPair({ pausable: false });
  const { stream } = createTlsByteStream(b, { gate: false, maxBufferedBytes: 65536 });
  const chunk = Buffer.alloc(16 * 1024, 0xff);
  for (let i = 0; i < 8; i++) a.send(chunk);
  const [error] = (await once(stream, 'error')) as [SecureError];
  t.is(error.code, 'ERR_TLS_RECEIVE_OVERFLOW');
});

test('the connection ending ends the readable side; ending ours closes the connection', async (t) => {
  const [a, b] = memoryPacketPair();
  const { stream } = createTlsByteStream(b, { gate: false });
  a.send(Buffer.from('last'));
  stream.end();
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  t.deepEqual(Buffer.concat(chunks), Buffer.from('last'));
  t.true(a.closed && b.closed);
});

test('closeTransportOnEnd: false leaves the connection open', async (t) => {
  const [a, b] = memoryPacketPair();
  const { stream } = createTlsByteStream(b, { closeTransportOnEnd: false });
  stream.end();
  await once(stream, 'finish');
  await new Promise((r) => setImmediate(r));
  t.false(a.closed || b.closed);
  stream.destroy();
  t.true(a.send(Buffer.from('still up')));
});

test('an error close of the connection destroys the stream; later writes fail typed', async (t) => {
  const [, b] = memoryPacketPair();
  const { stream } = createTlsByteStream(b);
  const boom = new Error('reset');
  b.destroy(boom);
  const [error] = (await once(stream, 'error')) as [Error];
  t.is(error, boom);
  const [, d] = memoryPacketPair();
  const { stream: s2 } = createTlsByteStream(d);
  s2.on('error', () => undefined);
  d.destroy();
  const [e2] = await new Promise<[Error | null | undefined]>((resolve) => s2.write(Buffer.from('x'), (e) => resolve([e])));
  t.is((e2 as SecureError).code, 'ERR_TLS_TRANSPORT_CLOSED');
  s2.destroy();
});

test('a held write completes when the connection closes cleanly (its bytes go with it), fails with the error of a failed close', async (t) => {
  const [a] = memoryPacketPair({ highWaterMark: 10 });
  const { stream } = createTlsByteStream(a);
  stream.on('error', () => undefined);
  const result = new Promise<Error | null | undefined>((resolve) => stream.write(Buffer.alloc(100, 0xff), resolve));
  await Promise.resolve();
  a.destroy();
  t.falsy(await result);
  t.true(stream.connectionClosed);

  const [c] = memoryPacketPair({ highWaterMark: 10 });
  const { stream: s2 } = createTlsByteStream(c);
  s2.on('error', () => undefined);
  const failed = new Promise<Error | null | undefined>((resolve) => s2.write(Buffer.alloc(100, 0xff), resolve));
  await Promise.resolve();
  const reset = new Error('reset');
  c.destroy(reset);
  t.is(await failed, reset);
});

test('bad options throw ERR_SECURE_BAD_OPTION', (t) => {
  const [a] = memoryPacketPair();
  for (const options of [{ maxFrameSize: 0 }, { maxFrameSize: 65536 }, { maxFrameSize: 1.5 }, { maxBufferedBytes: 100 }]) {
    t.is(t.throws(() => createTlsByteStream(a, options), { instanceOf: SecureError })?.code, 'ERR_SECURE_BAD_OPTION');
  }
});

test('TlsRecordBoundaries: boundaries across chunks; a byte that cannot start a record stops them for good', (t) => {
  const b = new TlsRecordBoundaries();
  t.deepEqual([...b.scan(Buffer.concat([record(10), record(20), record(5).subarray(0, 2)]))], [15, 40]);
  t.deepEqual([...b.scan(Buffer.concat([record(5).subarray(2), record(1)]))], [8], 'the header that straddled is followed');
  t.true(b.tracking);
  // A record, then a version major that is not 3: the boundary before it stands, none after.
  const bad = record(4);
  bad[1] = 4;
  t.deepEqual([...b.scan(Buffer.concat([record(3), bad, record(3)]))], [8]);
  t.false(b.tracking);
  t.deepEqual([...b.scan(Buffer.concat([record(3), record(3)]))], []);
  const c = new TlsRecordBoundaries();
  t.deepEqual([...c.scan(Buffer.from([19, 3, 3, 0, 0, 23, 3, 3, 0, 0]))], [], 'content type 19 is not TLS');
  t.false(c.tracking);
});
