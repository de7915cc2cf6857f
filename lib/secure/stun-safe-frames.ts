/**
 * Cutting a byte stream (TLS records) into RFC 4571 frame payloads that can
 * never be mistaken for STUN (RFC 6544 §10.1).
 *
 * @module
 */
import { isStun } from '../stun/index.js';

/**
 * Cuts `bytes` into consecutive payloads of at most `maxFrameSize` bytes and
 * hands each to `onFrame` (views into `bytes`, no copy). RFC 6544 §10.1: a
 * payload that would pass the STUN checks (top bits, magic cookie, length;
 * we do not even count on the receiver checking FINGERPRINT) is cut one byte
 * shorter, which breaks its length check; the byte left over starts the next
 * payload. Concatenating the payloads gives `bytes` back.
 *
 * @param maxFrameSize Largest payload, 1..65535 (RFC 4571 §2).
 */
export function cutStunSafeFrames(bytes: Buffer, maxFrameSize: number, onFrame: (payload: Buffer) => void): void {
  let offset = 0;
  while (offset < bytes.length) {
    let size = Math.min(maxFrameSize, bytes.length - offset);
    // RFC 6544 §10.1: use a different number of bytes so that the length check fails.
    if (isStun(bytes.subarray(offset, offset + size))) size -= 1;
    onFrame(bytes.subarray(offset, offset + size));
    offset += size;
  }
}
