/**
 * Shapes of STUN messages: what {@link encodeStun} takes and what
 * {@link decodeStun} returns.
 *
 * @module
 */
import type { StunClass } from './stun-constants.js';

/** A transport address as carried by the address attributes (RFC 8489 §14.1, §14.2). */
export interface TransportAddress {
  /** IP version. */
  family: 4 | 6;
  /**
   * Textual address as node:net prints it: dotted quad for IPv4; compressed
   * lower-case IPv6 (RFC 5952, with `::ffff:a.b.c.d` for IPv4-mapped).
   * On encode a zone suffix (`%eth0`) is ignored: STUN carries no zone.
   */
  address: string;
  /** Port, 0..65535. */
  port: number;
}

/**
 * The attributes this codec understands, decoded. Absent attributes are
 * absent properties. When an attribute occurs more than once only the first
 * counts (RFC 8489 §14).
 */
export interface StunAttributes {
  /** USERNAME (RFC 8489 §14.3), UTF-8. In ICE: `remoteUfrag:localUfrag`. */
  username?: string;
  /** PRIORITY (RFC 8445 §7.1.1), unsigned 32-bit. */
  priority?: number;
  /** USE-CANDIDATE (RFC 8445 §7.1.2): `true` when present (it has no value). */
  useCandidate?: boolean;
  /** ICE-CONTROLLING tie-breaker (RFC 8445 §7.1.3), unsigned 64-bit, exact. */
  iceControlling?: bigint;
  /** ICE-CONTROLLED tie-breaker (RFC 8445 §7.1.3), unsigned 64-bit, exact. */
  iceControlled?: bigint;
  /** XOR-MAPPED-ADDRESS (RFC 8489 §14.2). */
  xorMappedAddress?: TransportAddress;
  /** MAPPED-ADDRESS (RFC 8489 §14.1). */
  mappedAddress?: TransportAddress;
  /** ALTERNATE-SERVER (RFC 8489 §14.15). */
  alternateServer?: TransportAddress;
  /** ERROR-CODE (RFC 8489 §14.8): code 300..699 and a UTF-8 reason phrase. */
  errorCode?: { code: number; reason: string };
  /** UNKNOWN-ATTRIBUTES (RFC 8489 §14.13): attribute types, 16-bit each. */
  unknownAttributes?: number[];
  /** REALM (RFC 8489 §14.9). */
  realm?: string;
  /** NONCE (RFC 8489 §14.10). */
  nonce?: string;
  /** SOFTWARE (RFC 8489 §14.14). */
  software?: string;
}

/** An attribute given as raw bytes: its type and its value without padding. */
export interface RawStunAttribute {
  /** Attribute type, 0..0xFFFF. */
  type: number;
  /** Value bytes (at most 65535 - 4). */
  value: Uint8Array;
}

/** A message to encode. */
export interface StunMessageInit {
  /** Message class. */
  class: StunClass;
  /** 12-bit method, e.g. `StunMethod.Binding`. */
  method: number;
  /** 96-bit transaction id: exactly 12 bytes (RFC 8489 §5). */
  transactionId: Uint8Array;
  /** Known attributes to encode. */
  attributes?: StunAttributes;
  /**
   * Further attributes, written as given after the known ones and before
   * MESSAGE-INTEGRITY. Must not be MESSAGE-INTEGRITY(-SHA256) or FINGERPRINT:
   * ask for those through the encode options.
   */
  extraAttributes?: RawStunAttribute[];
}

/** A decoded message. Everything refers to the bytes of `raw`. */
export interface StunMessage {
  /** Message class. */
  class: StunClass;
  /** 12-bit method. */
  method: number;
  /** 96-bit transaction id (a 12-byte view of `raw`). */
  transactionId: Buffer;
  /** The understood attributes (first of duplicates). */
  attributes: StunAttributes;
  /**
   * Comprehension-required attribute types (< 0x8000) this codec does not
   * understand, in order of appearance, each once. Non-empty in a request
   * means: answer 420 with these in UNKNOWN-ATTRIBUTES (RFC 8489 §6.3.1).
   */
  unknownRequired: number[];
  /**
   * `true` when more distinct unknown comprehension-required types were
   * present than `unknownRequired` lists (it stops at
   * `MAX_UNKNOWN_REQUIRED`, 32): the message is still answered 420.
   */
  unknownRequiredTruncated: boolean;
  /** The message bytes: a view of the input, not a copy. */
  raw: Buffer;
  /** A MESSAGE-INTEGRITY attribute is present (not yet verified). */
  hasIntegrity: boolean;
  /** A MESSAGE-INTEGRITY-SHA256 attribute is present (not yet verified). */
  hasIntegritySha256: boolean;
  /** A FINGERPRINT attribute is present, last (not yet verified). */
  hasFingerprint: boolean;
  /** Offset in `raw` of the MESSAGE-INTEGRITY attribute header, or -1. */
  integrityOffset: number;
  /** Offset in `raw` of the MESSAGE-INTEGRITY-SHA256 attribute header, or -1. */
  integritySha256Offset: number;
  /** Offset in `raw` of the FINGERPRINT attribute header, or -1. */
  fingerprintOffset: number;
}
