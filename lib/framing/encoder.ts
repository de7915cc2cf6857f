import { FramingError } from './framing-error.js';
import { FRAME_HEADER_SIZE, MAX_FRAME_SIZE } from './frame-size.js';

/**
 * Throws unless `payload` is a `Uint8Array` of at most 65535 bytes; returns its length.
 *
 * @throws FramingError `ERR_FRAMING_BAD_PAYLOAD` (not a Uint8Array) or
 *   `ERR_FRAME_TOO_LARGE` (longer than 65535 bytes: never truncated).
 */
export function checkPayload(payload: unknown): number {
  if (!(payload instanceof Uint8Array)) {
    throw new FramingError('ERR_FRAMING_BAD_PAYLOAD', 'an RFC 4571 payload must be a Uint8Array');
  }
  const length = payload.length;
  // RFC 4571 §2: LENGTH is 16 bits, so 65535 is the largest payload.
  if (length > MAX_FRAME_SIZE) {
    throw new FramingError('ERR_FRAME_TOO_LARGE', `an RFC 4571 frame carries at most ${MAX_FRAME_SIZE} bytes, got ${length}`);
  }
  return length;
}

/**
 * Returns the 2-byte RFC 4571 header (LENGTH, big-endian) of a frame carrying
 * `length` bytes.
 *
 * @throws FramingError `ERR_FRAME_TOO_LARGE` when `length` is over 65535, and
 *   `ERR_FRAMING_BAD_PAYLOAD` when it is not a non-negative integer.
 */
export function frameHeader(length: number): Buffer {
  if (!Number.isInteger(length) || length < 0) {
    throw new FramingError('ERR_FRAMING_BAD_PAYLOAD', `a frame length must be a non-negative integer, got ${length}`);
  }
  if (length > MAX_FRAME_SIZE) {
    throw new FramingError('ERR_FRAME_TOO_LARGE', `an RFC 4571 frame carries at most ${MAX_FRAME_SIZE} bytes, got ${length}`);
  }
  const header = Buffer.allocUnsafe(FRAME_HEADER_SIZE);
  // RFC 4571 §2: 16-bit unsigned LENGTH in network byte order.
  header[0] = length >>> 8;
  header[1] = length & 0xff;
  return header;
}

/**
 * Returns one RFC 4571 frame: the 2-byte LENGTH header followed by a copy of
 * `payload`. An empty payload gives the 2-byte null frame (RFC 4571 §2).
 *
 * @throws FramingError `ERR_FRAME_TOO_LARGE` for a payload over 65535 bytes
 *   (never truncated), `ERR_FRAMING_BAD_PAYLOAD` for a non-Uint8Array.
 */
export function encodeFrame(payload: Uint8Array): Buffer {
  const length = checkPayload(payload);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_SIZE + length);
  frame[0] = length >>> 8;
  frame[1] = length & 0xff;
  frame.set(payload, FRAME_HEADER_SIZE);
  return frame;
}
