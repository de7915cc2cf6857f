import test from 'ava';
import { FrameDecoder, FramingError, IceTcpErrorLike, encodeFrame } from './helpers.js';

/** Feeds `chunks` and returns the frames as copies, so later chunks cannot change them. */
function decodeAll(decoder: FrameDecoder, chunks: Buffer[]): Buffer[] {
  const frames: Buffer[] = [];
  for (const chunk of chunks) decoder.push(chunk, (f) => frames.push(Buffer.from(f)));
  return frames;
}

function stream(...payloads: Buffer[]): Buffer {
  return Buffer.concat(payloads.map((p) => encodeFrame(p)));
}

/** True when `view` lies inside `chunk`'s memory (same ArrayBuffer, within its range). */
function isViewOf(view: Buffer, chunk: Buffer): boolean {
  return (
    view.buffer === chunk.buffer && view.byteOffset >= chunk.byteOffset && view.byteOffset + view.length <= chunk.byteOffset + chunk.length
  );
}

function bytes(n: number, seed = 1): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

test('decodes several frames from one chunk, in order', (t) => {
  const payloads = [bytes(5, 1), bytes(0), bytes(300, 2), bytes(1, 3)];
  const frames = decodeAll(new FrameDecoder(), [stream(...payloads)]);
  t.deepEqual(frames, payloads);
});

test('frames inside one chunk are views into it (same ArrayBuffer, no copy)', (t) => {
  const chunk = stream(bytes(10, 1), bytes(20, 2));
  const seen: Buffer[] = [];
  new FrameDecoder().push(chunk, (f) => seen.push(f));
  t.is(seen.length, 2);
  t.is(seen[0].buffer, chunk.buffer);
  t.is(seen[0].byteOffset, chunk.byteOffset + 2);
  t.is(seen[1].buffer, chunk.buffer);
  t.is(seen[1].byteOffset, chunk.byteOffset + 2 + 10 + 2);
  // Writing through the view writes the chunk: it is really shared memory.
  seen[1][0] = 0xee;
  t.is(chunk[14], 0xee);
});

test('a frame straddling chunks is reassembled into a buffer of exactly its length', (t) => {
  const payload = bytes(1000, 7);
  const wire = stream(payload);
  const decoder = new FrameDecoder();
  const seen: Buffer[] = [];
  decoder.push(wire.subarray(0, 400), (f) => seen.push(f));
  t.is(seen.length, 0);
  t.is(decoder.bufferedBytes, 400);
  decoder.push(wire.subarray(400, 900), (f) => seen.push(f));
  t.is(decoder.bufferedBytes, 900);
  decoder.push(wire.subarray(900), (f) => seen.push(f));
  t.is(seen.length, 1);
  t.deepEqual(seen[0], payload);
  t.is(seen[0].length, 1000);
  t.false(isViewOf(seen[0], wire));
  t.is(decoder.bufferedBytes, 0);
});

test('header split across chunks, at every position of a two-frame stream', (t) => {
  const payloads = [bytes(3, 1), bytes(258, 2)]; // 258 = 0x0102: both header bytes matter
  const wire = stream(...payloads);
  for (let cut = 0; cut <= wire.length; cut++) {
    const frames = decodeAll(new FrameDecoder(), [wire.subarray(0, cut), wire.subarray(cut)]);
    t.deepEqual(frames, payloads, `cut at ${cut}`);
  }
});

test('1-byte chunks decode every frame, including zero-length and 65535-byte ones', (t) => {
  const payloads = [bytes(0), bytes(1, 1), bytes(0), bytes(65535, 9), bytes(2, 4), bytes(0)];
  const wire = stream(...payloads);
  const chunks: Buffer[] = [];
  for (let i = 0; i < wire.length; i++) chunks.push(wire.subarray(i, i + 1));
  const decoder = new FrameDecoder();
  const frames = decodeAll(decoder, chunks);
  t.deepEqual(frames, payloads);
  t.is(decoder.bufferedBytes, 0);
});

test('zero-length frames come out as empty Buffers', (t) => {
  const seen: Buffer[] = [];
  const decoder = new FrameDecoder();
  decoder.push(Buffer.from([0, 0, 0, 0]), (f) => seen.push(f));
  decoder.push(Buffer.from([0]), (f) => seen.push(f));
  t.is(decoder.bufferedBytes, 1);
  decoder.push(Buffer.from([0]), (f) => seen.push(f));
  t.is(seen.length, 3);
  for (const f of seen) {
    t.true(Buffer.isBuffer(f));
    t.is(f.length, 0);
  }
  t.is(decoder.bufferedBytes, 0);
});

test('a 65535-byte frame in one chunk and split in the header', (t) => {
  const payload = bytes(65535, 3);
  const wire = stream(payload);
  t.deepEqual(decodeAll(new FrameDecoder(), [wire]), [payload]);
  t.deepEqual(decodeAll(new FrameDecoder(), [wire.subarray(0, 1), wire.subarray(1)]), [payload]);
  t.deepEqual(decodeAll(new FrameDecoder({ maxFrameSize: 65535 }), [wire]), [payload]);
});

test('empty chunks change nothing, in every state', (t) => {
  const payload = bytes(10, 5);
  const wire = stream(payload);
  const empty = Buffer.alloc(0);
  const chunks = [empty, wire.subarray(0, 1), empty, wire.subarray(1, 5), empty, wire.subarray(5), empty];
  const decoder = new FrameDecoder();
  t.deepEqual(decodeAll(decoder, chunks), [payload]);
  t.is(decoder.bufferedBytes, 0);
});

test('bufferedBytes counts the held header and payload bytes', (t) => {
  const decoder = new FrameDecoder();
  const wire = stream(bytes(4, 1), bytes(6, 2));
  const none = (): void => t.fail('no frame expected');
  t.is(decoder.bufferedBytes, 0);
  decoder.push(wire.subarray(0, 1), none);
  t.is(decoder.bufferedBytes, 1);
  decoder.push(wire.subarray(1, 2), none);
  t.is(decoder.bufferedBytes, 2); // header complete, no payload yet
  decoder.push(wire.subarray(2, 5), none);
  t.is(decoder.bufferedBytes, 5);
  let n = 0;
  decoder.push(wire.subarray(5, 9), () => n++);
  t.is(n, 1);
  t.is(decoder.bufferedBytes, 3); // next frame: 2 header bytes + 1 payload byte
  decoder.reset();
  t.is(decoder.bufferedBytes, 0);
});

test('maxFrameSize: equal is accepted, one more throws ERR_FRAME_TOO_LARGE after the earlier frames', (t) => {
  const decoder = new FrameDecoder({ maxFrameSize: 100 });
  t.is(decoder.maxFrameSize, 100);
  const ok = bytes(100, 1);
  const seen: Buffer[] = [];
  const wire = Buffer.concat([stream(ok), stream(bytes(101, 2))]);
  const error = t.throws(() => decoder.push(wire, (f) => seen.push(f)), { instanceOf: FramingError });
  t.is(error?.code, 'ERR_FRAME_TOO_LARGE');
  t.true(IceTcpErrorLike(error));
  t.deepEqual(seen, [ok]);
  // Sticky until reset.
  const again = t.throws(() => decoder.push(stream(bytes(1)), () => t.fail()), { instanceOf: FramingError });
  t.is(again?.code, 'ERR_FRAME_TOO_LARGE');
  decoder.reset();
  t.deepEqual(decodeAll(decoder, [stream(bytes(1, 4))]), [bytes(1, 4)]);
});

test('maxFrameSize violation announced by a header split across chunks', (t) => {
  const decoder = new FrameDecoder({ maxFrameSize: 255 });
  decoder.push(Buffer.from([0x01]), () => t.fail());
  const error = t.throws(() => decoder.push(Buffer.from([0x00, 1, 2]), () => t.fail()), {
    instanceOf: FramingError,
  });
  t.is(error?.code, 'ERR_FRAME_TOO_LARGE');
  t.is(decoder.bufferedBytes, 0);
});

test('maxFrameSize 0 accepts only null packets', (t) => {
  const decoder = new FrameDecoder({ maxFrameSize: 0 });
  let n = 0;
  decoder.push(Buffer.from([0, 0, 0, 0]), () => n++);
  t.is(n, 2);
  t.throws(() => decoder.push(Buffer.from([0, 1, 9]), () => n++), { code: 'ERR_FRAME_TOO_LARGE' });
});

test('bad maxFrameSize options throw ERR_FRAMING_BAD_OPTION', (t) => {
  for (const bad of [-1, 65536, 1.5, Number.NaN, Infinity, '100', null]) {
    const error = t.throws(() => new FrameDecoder({ maxFrameSize: bad as number }), { instanceOf: FramingError });
    t.is(error?.code, 'ERR_FRAMING_BAD_OPTION', String(bad));
  }
  t.is(new FrameDecoder({}).maxFrameSize, 65535);
  t.is(new FrameDecoder({ maxFrameSize: 0 }).maxFrameSize, 0);
});

test('reset drops a partial frame and restarts at a frame boundary', (t) => {
  const decoder = new FrameDecoder();
  decoder.push(stream(bytes(50)).subarray(0, 20), () => t.fail());
  t.is(decoder.bufferedBytes, 20);
  decoder.reset();
  t.deepEqual(decodeAll(decoder, [stream(bytes(3, 8))]), [bytes(3, 8)]);
});

test('a chunk that completes a partial frame and holds whole frames: views after the copy', (t) => {
  const a = bytes(30, 1);
  const b = bytes(12, 2);
  const c = bytes(7, 3);
  const wire = stream(a, b, c);
  const second = wire.subarray(10);
  const seen: Buffer[] = [];
  const decoder = new FrameDecoder();
  decoder.push(wire.subarray(0, 10), (f) => seen.push(f));
  decoder.push(second, (f) => seen.push(f));
  t.deepEqual(seen, [a, b, c]);
  t.false(isViewOf(seen[0], wire)); // reassembled copy
  t.true(isViewOf(seen[1], second)); // views of the second chunk
  t.is(seen[1].byteOffset, second.byteOffset + 22 + 2);
  t.true(isViewOf(seen[2], second));
});

test('an exception from onFrame propagates; reset makes the decoder usable again', (t) => {
  const decoder = new FrameDecoder();
  const boom = new Error('consumer failed');
  t.is(
    t.throws(() =>
      decoder.push(stream(bytes(1)), () => {
        throw boom;
      }),
    ),
    boom,
  );
  decoder.reset();
  t.deepEqual(decodeAll(decoder, [stream(bytes(2, 2))]), [bytes(2, 2)]);
});

test('neededBytes: 2 at a boundary, 1 with half a header, the rest of a partial payload, 0 after a failure', (t) => {
  const d = new FrameDecoder({ maxFrameSize: 100 });
  t.is(d.neededBytes, 2);
  d.push(Buffer.from([0]), () => t.fail());
  t.is(d.neededBytes, 1);
  d.push(Buffer.from([10, 1, 2, 3]), () => t.fail());
  t.is(d.neededBytes, 7);
  const frames: Buffer[] = [];
  d.push(Buffer.from([4, 5, 6, 7, 8, 9, 10]), (f) => frames.push(Buffer.from(f)));
  t.is(frames.length, 1);
  t.is(d.neededBytes, 2);
  t.throws(() => d.push(Buffer.from([0, 101]), () => undefined), { instanceOf: FramingError });
  t.is(d.neededBytes, 0);
});

test('feeding at most neededBytes at a time yields one frame per push and stops at each boundary', (t) => {
  const payloads = [bytes(5), Buffer.alloc(0), bytes(300, 2), bytes(1, 3)];
  const all = stream(...payloads);
  const d = new FrameDecoder();
  let offset = 0;
  const got: Buffer[] = [];
  while (offset < all.length) {
    const take = Math.min(d.neededBytes, all.length - offset, 7); // never more than needed, sometimes less
    let count = 0;
    d.push(all.subarray(offset, offset + take), (f) => {
      got.push(Buffer.from(f));
      count++;
    });
    t.true(count <= 1);
    offset += take;
    if (count === 1) t.is(d.bufferedBytes, 0, 'at a frame boundary right after each frame');
  }
  t.deepEqual(got, payloads);
});
