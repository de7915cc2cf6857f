import { FramingError } from './framing-error.js';

/** The largest RFC 4571 payload: LENGTH is a 16-bit unsigned integer (RFC 4571 §2). */
export const MAX_FRAME_SIZE = 65535;

/** Bytes of the RFC 4571 LENGTH header that precedes every frame (RFC 4571 §2). */
export const FRAME_HEADER_SIZE = 2;

/**
 * Validates a `maxFrameSize` option and returns it, or {@link MAX_FRAME_SIZE}
 * when it is `undefined`.
 *
 * @throws FramingError `ERR_FRAMING_BAD_OPTION` unless an integer in 0..65535.
 */
export function checkMaxFrameSize(value: unknown): number {
  if (value === undefined) return MAX_FRAME_SIZE;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_FRAME_SIZE) {
    throw new FramingError('ERR_FRAMING_BAD_OPTION', `maxFrameSize must be an integer from 0 to ${MAX_FRAME_SIZE}, got ${String(value)}`);
  }
  return value;
}
