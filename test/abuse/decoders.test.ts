/**
 * Abuse: bad inputs to every parser that reads from the network or the
 * peer's signalling (STUN, RFC 4571 framing, candidate lines and the other
 * targets of fuzz-targets.ts): each returns or throws a typed `IceTcpError`,
 * never anything else. A few thousand seeded inputs per target here;
 * `npm run fuzz` runs 1M each. Plus a framing decoder fed a hostile stream
 * byte by byte: its buffer stays bounded. (The decode cost of the largest
 * hostile STUN message is test/stun/decode-cost.test.ts.)
 */
import test from 'ava';
import { FrameDecoder, FramingError } from '../../lib/framing/index.js';
import { FUZZ_TARGETS, fuzz } from './fuzz-targets.js';

const PER_TARGET = 3000;

for (const target of FUZZ_TARGETS) {
  test(`${target.name}: ${PER_TARGET} hostile inputs, only typed errors`, (t) => {
    const seed = 0xabc + target.name.length;
    const r = fuzz(target, PER_TARGET, seed);
    t.true(r.accepted + r.typed <= PER_TARGET);
    t.deepEqual(
      r.untyped.map(
        ({ error, input }) =>
          `${error instanceof Error ? error.stack : String(error)} for ${JSON.stringify(Buffer.isBuffer(input) ? input.toString('hex') : input)?.slice(0, 300)}`,
      ),
      [],
    );
    t.log(`${target.name}: ${r.accepted} accepted, ${r.typed} typed rejections, 0 untyped (seed ${seed})`);
  });
}

test('framing decoder fed a hostile stream one byte at a time: bounded buffer, typed error for an oversized frame', (t) => {
  const decoder = new FrameDecoder({ maxFrameSize: 1500 });
  let frames = 0;
  let maxBuffered = 0;
  // 5,000 frames of 0..1499 bytes, then a header announcing 65535.
  const parts: Buffer[] = [];
  for (let i = 0; i < 5000; i++) {
    const payload = Buffer.alloc(i % 1500, i & 0xff);
    const header = Buffer.alloc(2);
    header.writeUInt16BE(payload.length);
    parts.push(header, payload);
  }
  const stream = Buffer.concat([...parts, Buffer.from([0xff, 0xff, 0, 0])]);
  let error: unknown;
  for (let i = 0; i < stream.length; i++) {
    try {
      decoder.push(stream.subarray(i, i + 1), () => frames++);
    } catch (e) {
      error = e;
      break;
    }
    maxBuffered = Math.max(maxBuffered, decoder.bufferedBytes);
  }
  t.is(frames, 5000);
  t.true(maxBuffered <= 1501, `buffered at most ${maxBuffered} bytes`);
  t.true(error instanceof FramingError);
  t.is((error as FramingError).code, 'ERR_FRAME_TOO_LARGE');
});
