/**
 * Wire constants of STUN (RFC 8489, and RFC 5389 as ICE peers speak it).
 *
 * @module
 */

/** The fixed magic cookie in bytes 4..7 of every STUN header (RFC 8489 §5). */
export const MAGIC_COOKIE = 0x2112a442;

/** Size of the fixed STUN header in bytes (RFC 8489 §5). */
export const STUN_HEADER_SIZE = 20;

/** Size of the transaction id in bytes (RFC 8489 §5). */
export const TRANSACTION_ID_SIZE = 12;

/** Largest message body (length field) that fits the 16-bit length field and is a multiple of 4. */
export const MAX_STUN_BODY_SIZE = 65532;

/** Value XORed into the CRC-32 of a FINGERPRINT attribute (RFC 8489 §14.7). */
export const FINGERPRINT_XOR = 0x5354554e;

/** The two class bits of a STUN message type (RFC 8489 §5). */
export enum StunClass {
  Request = 0,
  Indication = 1,
  SuccessResponse = 2,
  ErrorResponse = 3,
}

/** STUN methods used by ICE. Any 12-bit method number can be encoded and decoded. */
export const StunMethod = {
  /** Binding (RFC 8489 §18.2). */
  Binding: 0x001,
} as const;

/** Attribute types this codec understands (RFC 8489 §18.3, RFC 8445 §16.1). */
export const StunAttr = {
  MappedAddress: 0x0001,
  Username: 0x0006,
  MessageIntegrity: 0x0008,
  ErrorCode: 0x0009,
  UnknownAttributes: 0x000a,
  Realm: 0x0014,
  Nonce: 0x0015,
  MessageIntegritySha256: 0x001c,
  XorMappedAddress: 0x0020,
  Priority: 0x0024,
  UseCandidate: 0x0025,
  Software: 0x8022,
  AlternateServer: 0x8023,
  Fingerprint: 0x8028,
  IceControlled: 0x8029,
  IceControlling: 0x802a,
} as const;

/**
 * Builds the 14-bit message type from a class and a 12-bit method
 * (RFC 8489 §5: M11..M7 C1 M6..M4 C0 M3..M0).
 */
export function stunMessageType(cls: StunClass, method: number): number {
  return (method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2) | ((cls & 1) << 4) | ((cls & 2) << 7);
}

/** Extracts the class from a message type (RFC 8489 §5). */
export function stunClassOf(type: number): StunClass {
  return ((type >> 4) & 1) | ((type >> 7) & 2);
}

/** Extracts the 12-bit method from a message type (RFC 8489 §5). */
export function stunMethodOf(type: number): number {
  return (type & 0x000f) | ((type >> 1) & 0x0070) | ((type >> 2) & 0x0f80);
}

/** True for comprehension-required attribute types, 0x0000-0x7FFF (RFC 8489 §14). */
export function isComprehensionRequired(type: number): boolean {
  return type < 0x8000;
}
