import test from 'ava';
import fc from 'fast-check';
import { FrameDecoder, encodeFrame } from './helpers.js';

// The issue asks for at least 10,000 cases per property; FC_RUNS overrides.
const runs = Number(process.env.FC_RUNS ?? 10_000);

/** Payload lengths biased to the edges: 0, 1, small, around 255/256, up to 65535. */
const payload = fc
  .oneof(
    { weight: 2, arbitrary: fc.constantFrom(0, 1, 2, 255, 256, 257) },
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 300 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 65535 }) },
  )
  .chain((length) => fc.integer({ min: 0, max: 255 }).map((seed) => filled(length, seed)));

function filled(length: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) b[i] = (seed + i * 7) & 0xff;
  return b;
}

/** Cuts `wire` at the given points (any values; they are folded into range, duplicates make empty chunks). */
function cut(wire: Buffer, points: number[]): Buffer[] {
  const at = points.map((p) => p % (wire.length + 1)).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const p of at) {
    chunks.push(wire.subarray(from, p));
    from = p;
  }
  chunks.push(wire.subarray(from));
  return chunks;
}

test('any sequence of frames cut at any points decodes to the same frames', (t) => {
  fc.assert(
    fc.property(fc.array(payload, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 40 }), (payloads, points) => {
      const wire = Buffer.concat(payloads.map((p) => encodeFrame(p)));
      const decoder = new FrameDecoder();
      const out: Buffer[] = [];
      for (const chunk of cut(wire, points)) decoder.push(chunk, (f) => out.push(Buffer.from(f)));
      return decoder.bufferedBytes === 0 && out.length === payloads.length && out.every((f, i) => f.equals(payloads[i]));
    }),
    { numRuns: runs },
  );
  t.pass(`${runs} runs`);
});

test('any prefix of a frame stream holds exactly its incomplete tail in bufferedBytes', (t) => {
  fc.assert(
    fc.property(fc.array(payload, { minLength: 1, maxLength: 6 }), fc.nat(), fc.nat(), (payloads, p, q) => {
      const wire = Buffer.concat(payloads.map((x) => encodeFrame(x)));
      const end = p % (wire.length + 1);
      const mid = q % (end + 1);
      const decoder = new FrameDecoder();
      let delivered = 0;
      let deliveredBytes = 0;
      const onFrame = (f: Buffer): void => {
        delivered++;
        deliveredBytes += 2 + f.length;
      };
      decoder.push(wire.subarray(0, mid), onFrame);
      decoder.push(wire.subarray(mid, end), onFrame);
      // Every byte of the prefix is either in a delivered frame or held.
      return deliveredBytes + decoder.bufferedBytes === end && delivered <= payloads.length;
    }),
    { numRuns: runs },
  );
  t.pass(`${runs} runs`);
});

test('with maxFrameSize, a stream decodes until the first oversized header, then throws ERR_FRAME_TOO_LARGE', (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 400 }),
      fc.array(payload, { maxLength: 10 }),
      fc.array(fc.nat(), { maxLength: 20 }),
      (max, payloads, points) => {
        const wire = Buffer.concat(payloads.map((x) => encodeFrame(x)));
        const firstBad = payloads.findIndex((x) => x.length > max);
        const decoder = new FrameDecoder({ maxFrameSize: max });
        const out: Buffer[] = [];
        let code: string | undefined;
        try {
          for (const chunk of cut(wire, points)) decoder.push(chunk, (f) => out.push(Buffer.from(f)));
        } catch (error) {
          code = (error as { code?: string }).code;
        }
        const expected = firstBad < 0 ? payloads : payloads.slice(0, firstBad);
        return (
          (firstBad < 0 ? code === undefined : code === 'ERR_FRAME_TOO_LARGE') &&
          out.length === expected.length &&
          out.every((f, i) => f.equals(expected[i]))
        );
      },
    ),
    { numRuns: runs },
  );
  t.pass(`${runs} runs`);
});
