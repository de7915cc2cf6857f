/**
 * TCP reassembly and RFC 4571 framing of captured streams: in-order,
 * out-of-order, retransmitted (whole and partial), missing segments (in the
 * middle and at the end, seen from the peer's ACK), sequence wrap-around,
 * retried SYNs; frames cut anywhere; resynchronization after a hole;
 * unframed STUN and TLS told apart.
 */
import test from 'ava';
import { TcpDirection, TcpFramer, type FramedPacket } from '../../lib/capture/index.js';
import { encodeStun, StunClass, StunMethod } from '../../lib/stun/index.js';

function collector() {
  const chunks: Buffer[] = [];
  const gaps: Array<[number, number]> = [];
  const dir = new TcpDirection({ bytes: (c) => chunks.push(c.data), gap: (o, l) => gaps.push([o, l]) }, 1000);
  return { dir, chunks, gaps, text: () => Buffer.concat(chunks).toString() };
}

const seg = (seq: number, syn = false) => ({ seq: seq >>> 0, syn, fin: false, rst: false });

test('in order, out of order, retransmitted whole and in part', (t) => {
  const c = collector();
  c.dir.segment(seg(100, true), Buffer.alloc(0), 0, 0);
  c.dir.segment(seg(101), Buffer.from('hello '), 1, 1);
  c.dir.segment(seg(114), Buffer.from('!'), 2, 2); // ahead of a hole
  c.dir.segment(seg(107), Buffer.from('world'), 3, 3); // fills part of it
  c.dir.segment(seg(101), Buffer.from('hello '), 4, 4); // retransmission
  c.dir.segment(seg(110), Buffer.from('ldxy'), 5, 5); // partly old, fills the rest
  t.is(c.text(), 'hello worldxy!');
  t.is(c.dir.stats.outOfOrderSegments, 1);
  t.is(c.dir.stats.retransmittedBytes, 6 + 2);
  c.dir.finish(6, 6);
  t.deepEqual(c.gaps, []);
});

test('a hole that never fills is skipped at the end; bytes acked but never captured are missing too', (t) => {
  const c = collector();
  c.dir.segment(seg(0xfffffff0, true), Buffer.alloc(0), 0, 0); // wraps around 2^32
  c.dir.segment(seg(0xfffffff1), Buffer.from('abcd'), 1, 1);
  c.dir.segment(seg(0xfffffff9), Buffer.from('ijkl'), 2, 2); // 4 bytes lost before it
  c.dir.acknowledged((0xfffffff1 + 20) >>> 0); // the peer acked 20 bytes
  c.dir.finish(3, 3);
  t.is(c.text(), 'abcdijkl');
  t.deepEqual(c.gaps, [
    [4, 4],
    [12, 8],
  ]);
  t.deepEqual(c.dir.stats.missing, [
    [4, 4],
    [12, 8],
  ]);
});

test('held bytes are bounded: past the bound the oldest hole is given up on', (t) => {
  const c = collector();
  c.dir.segment(seg(0, true), Buffer.alloc(0), 0, 0);
  for (let i = 0; i < 20; i++) c.dir.segment(seg(1 + 10 + i * 100), Buffer.alloc(100, 65 + i), i, i);
  t.true(c.gaps.length >= 1);
  t.deepEqual(c.gaps[0], [0, 10]);
  c.dir.finish(99, 99);
  t.is(Buffer.concat(c.chunks).length, 2000);
});

test('a retried SYN with a new ISN before data restarts the stream (S-O retries)', (t) => {
  const c = collector();
  c.dir.segment(seg(5000, true), Buffer.alloc(0), 0, 0);
  c.dir.segment(seg(9000, true), Buffer.alloc(0), 1, 1);
  c.dir.acknowledged(9001);
  c.dir.segment(seg(9001), Buffer.from('ok'), 2, 2);
  c.dir.finish(3, 3);
  t.is(c.text(), 'ok');
  t.deepEqual(c.gaps, []);
});

const stun = (): Buffer =>
  encodeStun({ class: StunClass.Request, method: StunMethod.Binding, transactionId: Buffer.alloc(12, 9) }, { fingerprint: true });
const frame = (b: Buffer): Buffer => Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);

function framer() {
  const out: FramedPacket[] = [];
  const f = new TcpFramer((p) => out.push(p));
  return { f, out, push: (b: Buffer) => f.push({ data: b, timeUs: 0, packetIndex: 0 }) };
}

test('RFC 4571 frames cut at every byte boundary come out whole', (t) => {
  const stream = Buffer.concat([frame(stun()), frame(Buffer.alloc(300, 0x80)), frame(stun())]);
  for (let cut = 1; cut < stream.length; cut++) {
    const x = framer();
    x.push(stream.subarray(0, cut));
    x.push(stream.subarray(cut));
    x.f.finish();
    t.is(x.f.framing, 'rfc4571');
    t.deepEqual(
      x.out.map((p) => p.data.length),
      [stun().length, 300, stun().length],
    );
    t.deepEqual(x.f.problems, []);
  }
});

test('after a hole the framer resynchronizes on a STUN frame or on chained data frames, and reports it', (t) => {
  const x = framer();
  x.push(frame(stun()));
  x.f.gap(100, 50, 0, 0);
  x.push(Buffer.concat([Buffer.alloc(7, 0xee), frame(stun()), frame(Buffer.alloc(20, 0x90))]));
  t.deepEqual(
    x.out.map((p) => p.data.length),
    [stun().length, stun().length, 20],
  );
  t.regex(
    x.f.problems.map((p) => p.message).join('\n'),
    /50 bytes missing[^]*7 bytes after the hole skipped to resynchronize on a STUN frame/,
  );
  const y = framer();
  y.push(frame(stun()));
  y.f.gap(100, 50, 0, 0);
  y.push(Buffer.concat([Buffer.alloc(3, 0xff), ...Array.from({ length: 5 }, () => frame(Buffer.alloc(30, 0x90)))]));
  t.is(y.out.length, 1 + 5);
  t.regex(y.f.problems.at(-1)!.message, /3 bytes after the hole skipped to resynchronize on 4 chained frames/);
});

test('the end of a stream inside a frame is a framing problem', (t) => {
  const x = framer();
  x.push(Buffer.concat([frame(stun()), frame(Buffer.alloc(100, 0x80)).subarray(0, 40)]));
  x.f.finish();
  t.is(x.out.length, 1);
  t.regex(x.f.problems[0].message, /ends inside a frame: 38 of its 100 bytes/);
});

test('plain STUN over TCP and TLS records without RFC 4571 framing are told apart', (t) => {
  const x = framer();
  x.push(Buffer.concat([stun(), stun()]));
  t.is(x.f.framing, 'stun-unframed');
  t.is(x.out.length, 2);
  const y = framer();
  y.push(Buffer.from('160301020001000000000000', 'hex'));
  y.f.finish();
  t.is(y.f.framing, 'tls-unframed');
  t.is(y.out.length, 0);
  t.is(y.f.opaqueBytes, 12);
});

test('a 65535-byte frame arriving one byte per segment is cut once (bytes copied once per frame)', (t) => {
  const x = framer();
  const stream = Buffer.concat([frame(Buffer.alloc(65535, 0x80)), frame(stun())]);
  for (let i = 0; i < stream.length; i++) x.push(stream.subarray(i, i + 1));
  x.f.finish();
  t.deepEqual(
    x.out.map((p) => p.data.length),
    [65535, stun().length],
  );
  t.deepEqual(x.f.problems, []);
});

test('a short stream after a hole resynchronizes at the end of the capture', (t) => {
  const x = framer();
  x.push(frame(stun()));
  x.f.gap(100, 50, 0, 0);
  x.push(Buffer.concat([Buffer.alloc(5, 0xee), frame(stun())]).subarray(0, 4)); // not enough to resynchronize yet
  x.push(Buffer.concat([Buffer.alloc(5, 0xee), frame(stun())]).subarray(4));
  x.f.finish();
  t.is(x.out.length, 2);
});
