import test from 'ava';
import { IceTcpError } from '../../lib/errors.js';
import { FRAME_HEADER_SIZE, FramingError, MAX_FRAME_SIZE, encodeFrame, frameHeader } from './helpers.js';

test('MAX_FRAME_SIZE is the 16-bit limit and the header is 2 bytes', (t) => {
  t.is(MAX_FRAME_SIZE, 65535);
  t.is(FRAME_HEADER_SIZE, 2);
});

test('frameHeader writes LENGTH big-endian', (t) => {
  t.deepEqual(frameHeader(0), Buffer.from([0, 0]));
  t.deepEqual(frameHeader(1), Buffer.from([0, 1]));
  t.deepEqual(frameHeader(258), Buffer.from([1, 2]));
  t.deepEqual(frameHeader(65535), Buffer.from([0xff, 0xff]));
});

test('frameHeader rejects lengths over 65535 and non-integers with typed errors', (t) => {
  t.is(t.throws(() => frameHeader(65536), { instanceOf: FramingError })?.code, 'ERR_FRAME_TOO_LARGE');
  for (const bad of [-1, 1.5, Number.NaN]) {
    t.is(t.throws(() => frameHeader(bad), { instanceOf: FramingError })?.code, 'ERR_FRAMING_BAD_PAYLOAD');
  }
});

test('encodeFrame is header + payload, for Buffers and plain Uint8Arrays', (t) => {
  t.deepEqual(encodeFrame(Buffer.from('abc')), Buffer.from([0, 3, 0x61, 0x62, 0x63]));
  t.deepEqual(encodeFrame(new Uint8Array([9, 8])), Buffer.from([0, 2, 9, 8]));
  t.deepEqual(encodeFrame(new Uint8Array(0)), Buffer.from([0, 0]));
  const big = Buffer.alloc(65535, 7);
  const frame = encodeFrame(big);
  t.is(frame.length, 65537);
  t.deepEqual(frame.subarray(0, 2), Buffer.from([0xff, 0xff]));
  t.true(frame.subarray(2).equals(big));
});

test('encodeFrame copies: later changes to the payload do not alter the frame', (t) => {
  const payload = Buffer.from([1, 2, 3]);
  const frame = encodeFrame(payload);
  payload[0] = 99;
  t.is(frame[2], 1);
});

test('encodeFrame never truncates: a 65536-byte payload is ERR_FRAME_TOO_LARGE', (t) => {
  const error = t.throws(() => encodeFrame(Buffer.alloc(65536)), { instanceOf: FramingError });
  t.is(error?.code, 'ERR_FRAME_TOO_LARGE');
  t.true(error instanceof IceTcpError);
  t.is(error?.name, 'FramingError');
  t.regex(error.message, /65535/);
});

test('encodeFrame rejects a non-Uint8Array with ERR_FRAMING_BAD_PAYLOAD', (t) => {
  for (const bad of ['abc', 42, null, undefined, [1, 2], new ArrayBuffer(2)]) {
    const error = t.throws(() => encodeFrame(bad as unknown as Uint8Array), { instanceOf: FramingError });
    t.is(error?.code, 'ERR_FRAMING_BAD_PAYLOAD');
  }
});
