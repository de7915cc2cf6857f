/**
 * The cheap "is this STUN?" test used to demultiplex packets (RFC 8489 §7,
 * RFC 7983 §7, RFC 6544 §10.1).
 *
 * @module
 */
import { FINGERPRINT_XOR, MAGIC_COOKIE, STUN_HEADER_SIZE, StunAttr } from './stun-constants.js';
import { crc32 } from 'node:zlib';

/** Options of {@link isStun}. */
export interface IsStunOptions {
  /** Also require the last attribute to be a FINGERPRINT that verifies (RFC 8489 §7). */
  requireFingerprint?: boolean;
}

/**
 * True when `buf` looks like exactly one STUN message: the two top bits are
 * zero, the magic cookie is present, and the length field is a multiple of 4
 * with `length + 20 === buf.length` (RFC 8489 §6.3). With
 * `requireFingerprint`, the last attribute must also be a FINGERPRINT whose
 * CRC verifies (RFC 8489 §7, §14.7). Never throws.
 */
export function isStun(buf: Uint8Array, options?: IsStunOptions): boolean {
  const n = buf.length;
  if (n < STUN_HEADER_SIZE || (buf[0] & 0xc0) !== 0) return false;
  if (((buf[4] << 24) | (buf[5] << 16) | (buf[6] << 8) | buf[7]) >>> 0 !== MAGIC_COOKIE) return false;
  const length = (buf[2] << 8) | buf[3];
  if ((length & 3) !== 0 || length + STUN_HEADER_SIZE !== n) return false;
  if (options?.requireFingerprint !== true) return true;
  if (length < 8) return false;
  const fp = n - 8;
  if (((buf[fp] << 8) | buf[fp + 1]) !== StunAttr.Fingerprint || buf[fp + 2] !== 0 || buf[fp + 3] !== 4) return false;
  const value = ((buf[fp + 4] << 24) | (buf[fp + 5] << 16) | (buf[fp + 6] << 8) | buf[fp + 7]) >>> 0;
  return (crc32(buf.subarray(0, fp)) ^ FINGERPRINT_XOR) >>> 0 === value;
}
