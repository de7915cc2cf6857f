/**
 * MESSAGE-INTEGRITY (HMAC-SHA1), MESSAGE-INTEGRITY-SHA256 and FINGERPRINT
 * (CRC-32): computing them over a message being built and verifying them over
 * received bytes, in place (RFC 8489 §14.5-14.7).
 *
 * @module
 */
import { createHmac } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { FINGERPRINT_XOR, STUN_HEADER_SIZE } from './stun-constants.js';
import type { StunMessage } from './message.js';
import { digestEquals, stunHmacSha1 } from './hmac-sha1.js';

/**
 * MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 §14.5) of `msg[0..attrOffset)` for
 * the attribute at `attrOffset`: the length field counted as covering it.
 * Returns the 20 bytes as a latin1 string (see hmac-sha1.ts); `msg` is not
 * modified.
 */
export function messageIntegritySha1(msg: Uint8Array, attrOffset: number, key: Uint8Array): string {
  return stunHmacSha1(key, msg, attrOffset, attrOffset + 4 + 20 - STUN_HEADER_SIZE);
}

/**
 * HMAC of `msg[0..attrOffset)` with the header length field temporarily set
 * to cover the integrity attribute at `attrOffset` whose value is `valueSize`
 * bytes (RFC 8489 §14.5, §14.6). The bytes are hashed in place: the length
 * field is patched and restored, nothing is copied.
 */
export function integrityHmac(algorithm: 'sha1' | 'sha256', msg: Buffer, attrOffset: number, valueSize: number, key: Uint8Array): Buffer {
  const hi = msg[2];
  const lo = msg[3];
  const length = attrOffset + 4 + valueSize - STUN_HEADER_SIZE;
  msg[2] = length >>> 8;
  msg[3] = length & 0xff;
  try {
    return createHmac(algorithm, key).update(msg.subarray(0, attrOffset)).digest();
  } finally {
    msg[2] = hi;
    msg[3] = lo;
  }
}

/** FINGERPRINT value of `msg[0..attrOffset)`: CRC-32 XOR 0x5354554e (RFC 8489 §14.7). */
export function fingerprintValue(msg: Uint8Array, attrOffset: number): number {
  return (crc32(msg.subarray(0, attrOffset)) ^ FINGERPRINT_XOR) >>> 0;
}

/** Compares `n` bytes in constant time (independent of where they differ). */
function bytesEqual(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number, n: number): boolean {
  let diff = 0;
  for (let i = 0; i < n; i++) diff |= a[aOff + i] ^ b[bOff + i];
  return diff === 0;
}

/**
 * Verifies MESSAGE-INTEGRITY (HMAC-SHA1) with `key` (see {@link shortTermKey},
 * {@link longTermKey}). False when the attribute is absent or does not match.
 * Attributes after it (FINGERPRINT, MESSAGE-INTEGRITY-SHA256) are accounted
 * for as RFC 8489 §14.5 requires.
 */
export function verifyIntegrity(msg: StunMessage, key: Uint8Array): boolean {
  const off = msg.integrityOffset;
  if (off < 0) return false;
  return digestEquals(messageIntegritySha1(msg.raw, off, key), msg.raw, off + 4, 20);
}

/**
 * Verifies MESSAGE-INTEGRITY-SHA256 with `key` (RFC 8489 §14.6), including a
 * truncated value (16..32 bytes). False when absent or not matching.
 */
export function verifyIntegritySha256(msg: StunMessage, key: Uint8Array): boolean {
  const off = msg.integritySha256Offset;
  if (off < 0) return false;
  const raw = msg.raw;
  const size = (raw[off + 2] << 8) | raw[off + 3];
  const mac = integrityHmac('sha256', raw, off, size, key);
  return bytesEqual(mac, 0, raw, off + 4, size);
}

/** Verifies FINGERPRINT (RFC 8489 §14.7). False when absent or not matching. */
export function verifyFingerprint(msg: StunMessage): boolean {
  const off = msg.fingerprintOffset;
  if (off < 0) return false;
  const raw = msg.raw;
  return fingerprintValue(raw, off) === raw.readUInt32BE(off + 4);
}
