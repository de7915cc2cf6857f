import { IceTcpError } from '../errors.js';

/**
 * Stable codes of {@link StunError}.
 *
 * Decoding: `ERR_STUN_TRUNCATED` (fewer bytes than the header or the length
 * field announce), `ERR_STUN_NOT_STUN` (top two bits not zero),
 * `ERR_STUN_BAD_COOKIE`, `ERR_STUN_BAD_LENGTH` (length not a multiple of 4, or
 * bytes after the message), `ERR_STUN_ATTR_OVERRUN` (an attribute runs past
 * the end of the message), `ERR_STUN_BAD_ATTRIBUTE` (a known attribute with a
 * wrong size or value, an attribute after FINGERPRINT).
 *
 * Encoding: `ERR_STUN_BAD_ARGUMENT` (a field out of range, a malformed
 * address, a transaction id that is not 12 bytes), `ERR_STUN_TOO_LARGE` (the
 * message would not fit the 16-bit length field).
 */
export type StunErrorCode =
  | 'ERR_STUN_TRUNCATED'
  | 'ERR_STUN_NOT_STUN'
  | 'ERR_STUN_BAD_COOKIE'
  | 'ERR_STUN_BAD_LENGTH'
  | 'ERR_STUN_ATTR_OVERRUN'
  | 'ERR_STUN_BAD_ATTRIBUTE'
  | 'ERR_STUN_BAD_ARGUMENT'
  | 'ERR_STUN_TOO_LARGE';

/** Error thrown by the STUN codec for malformed input or invalid arguments. */
export class StunError extends IceTcpError {
  declare readonly code: StunErrorCode;

  constructor(code: StunErrorCode, message: string) {
    super(code, message);
  }
}
