/**
 * STUN codec (RFC 8489, and RFC 5389 as ICE peers speak it): encode, decode,
 * MESSAGE-INTEGRITY / MESSAGE-INTEGRITY-SHA256 / FINGERPRINT, credentials,
 * and the demultiplexing test. Sans-IO.
 *
 * @module
 */
export {
  MAGIC_COOKIE,
  STUN_HEADER_SIZE,
  TRANSACTION_ID_SIZE,
  MAX_STUN_BODY_SIZE,
  FINGERPRINT_XOR,
  StunClass,
  StunMethod,
  StunAttr,
  stunMessageType,
  stunClassOf,
  stunMethodOf,
  isComprehensionRequired,
} from './stun-constants.js';
export { StunError, type StunErrorCode } from './stun-error.js';
export type { TransportAddress, StunAttributes, StunMessageInit, StunMessage, RawStunAttribute } from './message.js';
export { encodeStun, type EncodeStunOptions } from './encode.js';
export { decodeStun, MAX_UNKNOWN_REQUIRED } from './decode-message.js';
export { findAttribute } from './find-attribute.js';
export { verifyIntegrity, verifyIntegritySha256, verifyFingerprint } from './integrity.js';
export { isStun, type IsStunOptions } from './is-stun.js';
export { shortTermKey, longTermKey } from './credential-keys.js';
export { stunErrorReason } from './error-reason.js';
