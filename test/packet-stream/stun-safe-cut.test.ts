import test from 'ava';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { StunClass, encodeStun, isStun } from '../../lib/stun/index.js';
import { couldBeStun, stunSafeLength } from '../../lib/packet-stream/stun-safe-cut.js';
import { FC_RUNS } from '../secure/helpers.js';

const stunMessage = (fingerprint: boolean): Buffer =>
  encodeStun(
    { class: StunClass.Request, method: 1, transactionId: randomBytes(12), attributes: { priority: 12345, software: 'x' } },
    { fingerprint },
  );

/** Cuts `bytes` as PacketStream does without preferred boundaries: `max` bytes, or fewer by the rule. */
const cut = (bytes: Buffer, max: number): Buffer[] => {
  const frames: Buffer[] = [];
  for (let offset = 0; offset < bytes.length;) {
    const length = stunSafeLength(bytes, offset, Math.min(max, bytes.length - offset));
    frames.push(Buffer.from(bytes.subarray(offset, offset + length)));
    offset += length;
  }
  return frames;
};

test('ordinary bytes are cut at maxFrameSize and nothing else', (t) => {
  const bytes = randomBytes(200_000);
  bytes[0] = 0xff; // cannot be STUN
  const frames = cut(bytes, 65535);
  t.deepEqual(
    frames.map((f) => f.length),
    [65535, 65535, 65535, 3395],
  );
  t.deepEqual(Buffer.concat(frames), bytes);
  t.deepEqual(cut(Buffer.alloc(0), 65535), []);
});

test('RFC 6544 §10.1: a chunk that is exactly a STUN message is cut differently', (t) => {
  for (const withFingerprint of [true, false]) {
    const msg = stunMessage(withFingerprint);
    t.true(isStun(msg), 'the chunk would pass the STUN checks');
    const frames = cut(msg, 65535);
    t.true(frames.length > 1);
    for (const f of frames) {
      t.false(isStun(f), 'no frame passes the header checks');
      t.false(isStun(f, { requireFingerprint: true }));
    }
    t.deepEqual(Buffer.concat(frames), msg);
    t.deepEqual(
      frames.map((f) => f.length),
      [msg.length - 1, 1],
    );
  }
});

test('a STUN message landing exactly on a frame boundary is re-cut too', (t) => {
  const msg = stunMessage(true);
  const max = msg.length;
  const bytes = Buffer.concat([msg, msg, Buffer.from([0xff, 0xee])]);
  const frames = cut(bytes, max);
  for (const f of frames) {
    t.false(isStun(f));
    t.true(f.length <= max);
  }
  t.deepEqual(Buffer.concat(frames), bytes);
});

test('cutting is lossless and never yields a STUN-looking frame (property)', (t) => {
  const piece = fc.oneof(
    fc.uint8Array({ minLength: 0, maxLength: 300 }).map((a) => Buffer.from(a)),
    fc.boolean().map((fp) => stunMessage(fp)),
  );
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 8 }), fc.integer({ min: 1, max: 400 }), (pieces, max) => {
      const bytes = Buffer.concat(pieces);
      const frames = cut(bytes, max);
      if (!Buffer.concat(frames).equals(bytes)) return false;
      return frames.every((f) => f.length >= 1 && f.length <= max && !isStun(f) && !couldBeStun(f, 0, f.length));
    }),
    { numRuns: FC_RUNS },
  );
  t.pass();
});

test('couldBeStun: the header checks of RFC 8489 §6 without the cookie, at an offset', (t) => {
  const msg = stunMessage(true);
  const padded = Buffer.concat([Buffer.from([0xff, 0xff]), msg]);
  t.true(couldBeStun(padded, 2, msg.length));
  t.false(couldBeStun(padded, 2, msg.length - 1), 'length mismatch');
  t.false(couldBeStun(padded, 0, msg.length), 'top bits 11');
  const noCookie = Buffer.from(msg);
  noCookie.writeUInt32BE(0, 4);
  t.false(isStun(noCookie));
  t.true(couldBeStun(noCookie, 0, noCookie.length), 'the cookie is not required (RFC 3489 had none)');
  t.false(couldBeStun(Buffer.alloc(19), 0, 19), 'shorter than a header');
  t.is(stunSafeLength(noCookie, 0, noCookie.length), noCookie.length - 1);
  t.is(stunSafeLength(padded, 0, 10), 10);
});
