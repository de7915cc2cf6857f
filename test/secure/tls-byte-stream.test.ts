import test from 'ava';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { StunClass, encodeStun, isStun } from '../../lib/stun/index.js';
import { DEFAULT_TLS_FRAME_SIZE, PacketByteStream, SecureError } from '../../lib/secure/index.js';
import { memoryPacketPair } from './memory-pair.js';

const stun = (fingerprint = true): Buffer =>
  encodeStun({ class: StunClass.Indication, method: 1, transactionId: randomBytes(12) }, { fingerprint });

const tlsStart = Buffer.from([22, 3, 1, 0, 4, 1, 2, 3, 4]);

/** Reads everything the stream yields until `bytes` bytes have come. */
async function readBytes(stream: PacketByteStream, bytes: number): Promise<Buffer> {
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
  const stream = new PacketByteStream(b);
  a.send(stun());
  a.send(tlsStart.subarray(0, 3));
  a.send(stun());
  a.send(Buffer.alloc(0));
  a.send(tlsStart.subarray(3));
  a.send(stun());
  const got = await readBytes(stream, tlsStart.length);
  t.deepEqual(got, tlsStart);
  await new Promise((r) => setImmediate(r));
  t.is(stream.stunPacketsSkipped, 3);
  stream.destroy();
});

test('a STUN-looking packet without FINGERPRINT is data unless requireStunFingerprint is false', async (t) => {
  const bare = stun(false);
  {
    const [a, b] = memoryPacketPair();
    const stream = new PacketByteStream(b, { gate: false });
    a.send(bare);
    t.deepEqual(await readBytes(stream, bare.length), bare);
    t.is(stream.stunPacketsSkipped, 0);
    stream.destroy();
  }
  {
    const [a, b] = memoryPacketPair();
    const stream = new PacketByteStream(b, { gate: false, requireStunFingerprint: false });
    a.send(bare);
    a.send(Buffer.from('x'));
    t.deepEqual(await readBytes(stream, 1), Buffer.from('x'));
    t.is(stream.stunPacketsSkipped, 1);
    stream.destroy();
  }
});

test('cleartext sent before the first TLS record is dropped, not read', async (t) => {
  const [a, b] = memoryPacketPair();
  const stream = new PacketByteStream(b);
  a.send(Buffer.from('plain hello'));
  a.send(tlsStart);
  t.deepEqual(await readBytes(stream, tlsStart.length), tlsStart);
  t.is(stream.preTlsPacketsDropped, 1);
  stream.destroy();
});

test('RFC 6544 §10.1: written bytes that would look like STUN are sent as non-STUN frames', async (t) => {
  const [a, b] = memoryPacketPair();
  const stream = new PacketByteStream(a);
  const msg = stun(true);
  t.true(isStun(msg, { requireFingerprint: true }));
  stream.write(msg);
  stream.write(Buffer.concat([msg, msg]).subarray(0, msg.length)); // again, as a separate write
  await new Promise((r) => setImmediate(r));
  t.true(a.sent.length >= 4);
  for (const frame of a.sent) t.false(isStun(frame), 'no frame on the wire looks like STUN');
  t.deepEqual(Buffer.concat(a.sent), Buffer.concat([msg, msg]));
  // And the receiving side, demultiplexing by STUN rules, reads the bytes back intact.
  const reader = new PacketByteStream(b, { gate: false });
  for (const frame of a.sent) b.emit('packet', frame);
  t.deepEqual(await readBytes(reader, msg.length * 2), Buffer.concat([msg, msg]));
  t.is(reader.stunPacketsSkipped, 0);
  stream.destroy();
  reader.destroy();
});

test('writes are cut at maxFrameSize', async (t) => {
  const [a] = memoryPacketPair();
  const stream = new PacketByteStream(a, { maxFrameSize: 1000 });
  const data = randomBytes(2500);
  data[0] = 0xff;
  await new Promise<void>((resolve, reject) => stream.write(data, (e) => (e ? reject(e) : resolve())));
  t.deepEqual(
    a.sent.map((f) => f.length),
    [1000, 1000, 500],
  );
  stream.destroy();
});

test('by default, writes are cut into 16 KiB frames (about one TLS record each)', async (t) => {
  const [a] = memoryPacketPair();
  const stream = new PacketByteStream(a);
  const data = randomBytes(40_000);
  data[0] = 0xff;
  await new Promise<void>((resolve, reject) => stream.write(data, (e) => (e ? reject(e) : resolve())));
  t.is(DEFAULT_TLS_FRAME_SIZE, 16384);
  t.deepEqual(
    a.sent.map((f) => f.length),
    [16384, 16384, 40_000 - 2 * 16384],
  );
  t.deepEqual(Buffer.concat(a.sent), data);
  stream.destroy();
});

test('send() returning false holds the write until drain', async (t) => {
  const [a, b] = memoryPacketPair({ highWaterMark: 10 });
  const stream = new PacketByteStream(a);
  let done = false;
  stream.write(Buffer.alloc(100, 0xff), () => (done = true));
  await Promise.resolve();
  t.false(done, 'held while the connection is over its high-water mark');
  const reader = new PacketByteStream(b, { gate: false });
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
  const stream = new PacketByteStream(b, { gate: false });
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
  const stream = new PacketByteStream(b, { gate: false, maxBufferedBytes: 65536 });
  const chunk = Buffer.alloc(16 * 1024, 0xff);
  for (let i = 0; i < 8; i++) a.send(chunk);
  const [error] = (await once(stream, 'error')) as [SecureError];
  t.is(error.code, 'ERR_TLS_RECEIVE_OVERFLOW');
});

test('the connection ending ends the readable side; ending ours closes the connection', async (t) => {
  const [a, b] = memoryPacketPair();
  const stream = new PacketByteStream(b, { gate: false });
  a.send(Buffer.from('last'));
  stream.end();
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  t.deepEqual(Buffer.concat(chunks), Buffer.from('last'));
  t.true(a.closed && b.closed);
});

test('closeTransportOnEnd: false leaves the connection open', async (t) => {
  const [a, b] = memoryPacketPair();
  const stream = new PacketByteStream(b, { closeTransportOnEnd: false });
  stream.end();
  await once(stream, 'finish');
  await new Promise((r) => setImmediate(r));
  t.false(a.closed || b.closed);
  stream.destroy();
  t.true(a.send(Buffer.from('still up')));
});

test('an error close of the connection destroys the stream; later writes fail typed', async (t) => {
  const [, b] = memoryPacketPair();
  const stream = new PacketByteStream(b);
  const boom = new Error('reset');
  b.destroy(boom);
  const [error] = (await once(stream, 'error')) as [Error];
  t.is(error, boom);
  const [, d] = memoryPacketPair();
  const s2 = new PacketByteStream(d);
  s2.on('error', () => undefined);
  d.destroy();
  const [e2] = await new Promise<[Error | null | undefined]>((resolve) => s2.write(Buffer.from('x'), (e) => resolve([e])));
  t.is((e2 as SecureError).code, 'ERR_TLS_TRANSPORT_CLOSED');
  s2.destroy();
});

test('a held write is released with ERR_TLS_TRANSPORT_CLOSED when the connection closes', async (t) => {
  const [a] = memoryPacketPair({ highWaterMark: 10 });
  const stream = new PacketByteStream(a);
  stream.on('error', () => undefined);
  const result = new Promise<Error | null | undefined>((resolve) => stream.write(Buffer.alloc(100, 0xff), resolve));
  await Promise.resolve();
  a.destroy();
  t.is(((await result) as SecureError).code, 'ERR_TLS_TRANSPORT_CLOSED');
});

test('bad options throw ERR_SECURE_BAD_OPTION', (t) => {
  const [a] = memoryPacketPair();
  for (const options of [{ maxFrameSize: 0 }, { maxFrameSize: 65536 }, { maxFrameSize: 1.5 }, { maxBufferedBytes: 100 }]) {
    t.is(t.throws(() => new PacketByteStream(a, options), { instanceOf: SecureError })?.code, 'ERR_SECURE_BAD_OPTION');
  }
});
