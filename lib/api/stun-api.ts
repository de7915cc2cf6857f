/**
 * `ice-tcp/stun`: the STUN codec (RFC 8489, and RFC 5389 as ICE peers speak
 * it): encode, decode, MESSAGE-INTEGRITY(-SHA256), FINGERPRINT, credentials
 * and the demultiplexing test. Sans-IO. Exports are named one by one (see
 * lib/index.ts).
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
  StunError,
  type StunErrorCode,
  type TransportAddress,
  type StunAttributes,
  type StunMessageInit,
  type StunMessage,
  type RawStunAttribute,
  encodeStun,
  type EncodeStunOptions,
  decodeStun,
  findAttribute,
  verifyIntegrity,
  verifyIntegritySha256,
  verifyFingerprint,
  isStun,
  type IsStunOptions,
  shortTermKey,
  longTermKey,
  stunErrorReason,
} from '../stun/index.js';
