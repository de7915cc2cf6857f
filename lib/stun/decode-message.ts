/**
 * STUN message decoder (RFC 8489 §5, §6.3, §14): one pass over the header
 * and the attributes, values read in place from the input bytes.
 *
 * @module
 */
import createDebug from 'debug';
import { MAGIC_COOKIE, STUN_HEADER_SIZE, StunAttr, stunClassOf, stunMethodOf, type StunClass } from './stun-constants.js';
import { readAddressValue } from './address-attributes.js';
import type { StunAttributes, StunMessage, TransportAddress } from './message.js';
import { StunError } from './stun-error.js';

const log = createDebug('ice-tcp:stun');

/**
 * At most this many distinct unknown comprehension-required types are
 * listed in `unknownRequired`. RFC 8489 §6.3.1 only needs one to answer
 * 420; a 64 KiB message can carry ~16,000 distinct ones, and listing them
 * all (before any authentication) would cost quadratic time to de-duplicate
 * and a 32 KiB UNKNOWN-ATTRIBUTES in the answer. Past the bound the decoder
 * stops collecting (the rest of the message is still parsed, in linear
 * time) and sets `unknownRequiredTruncated`.
 */
export const MAX_UNKNOWN_REQUIRED = 32;

/** Wraps any Uint8Array as a Buffer over the same memory (no copy). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The decoded message. A class so that every message shares one shape. */
class DecodedStunMessage implements StunMessage {
  readonly class: StunClass;
  readonly method: number;
  readonly transactionId: Buffer;
  readonly attributes: StunAttributes;
  readonly unknownRequired: number[];
  readonly unknownRequiredTruncated: boolean;
  readonly raw: Buffer;
  readonly hasIntegrity: boolean;
  readonly hasIntegritySha256: boolean;
  readonly hasFingerprint: boolean;
  readonly integrityOffset: number;
  readonly integritySha256Offset: number;
  readonly fingerprintOffset: number;

  constructor(
    type: number,
    raw: Buffer,
    attributes: StunAttributes,
    unknownRequired: number[],
    unknownRequiredTruncated: boolean,
    integrityOffset: number,
    integritySha256Offset: number,
    fingerprintOffset: number,
  ) {
    this.class = stunClassOf(type);
    this.method = stunMethodOf(type);
    this.transactionId = raw.subarray(8, STUN_HEADER_SIZE);
    this.attributes = attributes;
    this.unknownRequired = unknownRequired;
    this.unknownRequiredTruncated = unknownRequiredTruncated;
    this.raw = raw;
    this.hasIntegrity = integrityOffset >= 0;
    this.hasIntegritySha256 = integritySha256Offset >= 0;
    this.hasFingerprint = fingerprintOffset >= 0;
    this.integrityOffset = integrityOffset;
    this.integritySha256Offset = integritySha256Offset;
    this.fingerprintOffset = fingerprintOffset;
  }
}

function badAttribute(type: number, why: string): never {
  throw new StunError('ERR_STUN_BAD_ATTRIBUTE', `attribute 0x${type.toString(16).padStart(4, '0')}: ${why}`);
}

/**
 * Checks the 20-byte header and that `bytes` hold exactly one message.
 * Returns the body length. Throws {@link StunError}.
 */
export function checkStunHeader(bytes: Uint8Array): number {
  const n = bytes.length;
  if (n > 0 && (bytes[0] & 0xc0) !== 0) {
    throw new StunError('ERR_STUN_NOT_STUN', 'the two top bits are not zero'); // RFC 8489 §6.3
  }
  if (n < STUN_HEADER_SIZE) throw new StunError('ERR_STUN_TRUNCATED', `${n} bytes is shorter than the 20-byte header`);
  const cookie = ((bytes[4] << 24) | (bytes[5] << 16) | (bytes[6] << 8) | bytes[7]) >>> 0;
  if (cookie !== MAGIC_COOKIE) {
    throw new StunError('ERR_STUN_BAD_COOKIE', `magic cookie 0x${cookie.toString(16)} is not 0x2112a442`); // RFC 8489 §5
  }
  const length = (bytes[2] << 8) | bytes[3];
  if ((length & 3) !== 0) throw new StunError('ERR_STUN_BAD_LENGTH', `length ${length} is not a multiple of 4`); // RFC 8489 §5
  if (STUN_HEADER_SIZE + length > n) {
    throw new StunError('ERR_STUN_TRUNCATED', `length field announces ${length} bytes, ${n - STUN_HEADER_SIZE} present`);
  }
  if (STUN_HEADER_SIZE + length < n) {
    throw new StunError('ERR_STUN_BAD_LENGTH', `${n - STUN_HEADER_SIZE - length} bytes follow the message`);
  }
  return length;
}

/**
 * Decodes one STUN message that fills `bytes` exactly (one datagram or one
 * RFC 4571 frame). Values are read in place; `raw` is a view of the input.
 * Integrity and fingerprint are located, not verified: call
 * {@link verifyIntegrity} / {@link verifyFingerprint}.
 *
 * Rules applied: first of duplicated attributes wins (RFC 8489 §14);
 * padding values are ignored (§14); attributes after MESSAGE-INTEGRITY other
 * than MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are ignored (§9, §14.6);
 * FINGERPRINT must be last (§14.7); unknown comprehension-required types are
 * listed in `unknownRequired` (§6.3.1; the first {@link MAX_UNKNOWN_REQUIRED}
 * distinct ones), unknown optional ones are skipped. The work is linear in
 * the message size.
 *
 * Throws {@link StunError} (and nothing else) for malformed input.
 */
export function decodeStun(bytes: Uint8Array): StunMessage {
  const length = checkStunHeader(bytes);
  const raw = asBuffer(bytes);
  const end = STUN_HEADER_SIZE + length;
  const type = (raw[0] << 8) | raw[1];
  const attrs: StunAttributes = {};
  let unknownRequired: number[] | null = null;
  let unknownTruncated = false;
  let integrityOffset = -1;
  let sha256Offset = -1;
  let fingerprintOffset = -1;
  // Known attributes seen so far, one bit each, for "first one wins".
  let seen = 0;

  let pos = STUN_HEADER_SIZE;
  while (pos < end) {
    // `end - pos` is a positive multiple of 4, so the 4-byte attribute header fits.
    const at = (raw[pos] << 8) | raw[pos + 1];
    const len = (raw[pos + 2] << 8) | raw[pos + 3];
    const v = pos + 4;
    const next = v + ((len + 3) & ~3);
    if (next > end) {
      throw new StunError('ERR_STUN_ATTR_OVERRUN', `attribute 0x${at.toString(16)} of ${len} bytes at offset ${pos} overruns the message`);
    }
    if (fingerprintOffset >= 0) badAttribute(at, 'follows FINGERPRINT, which must be last'); // RFC 8489 §14.7

    if (at === StunAttr.Fingerprint) {
      if (len !== 4) badAttribute(at, `FINGERPRINT value is ${len} bytes, not 4`);
      fingerprintOffset = pos;
    } else if (at === StunAttr.MessageIntegrity && integrityOffset < 0 && sha256Offset < 0) {
      if (len !== 20) badAttribute(at, `MESSAGE-INTEGRITY value is ${len} bytes, not 20`); // RFC 8489 §14.5
      integrityOffset = pos;
    } else if (at === StunAttr.MessageIntegritySha256 && sha256Offset < 0) {
      // RFC 8489 §14.6: 16..32 bytes, a multiple of 4.
      if (len < 16 || len > 32 || (len & 3) !== 0) badAttribute(at, `MESSAGE-INTEGRITY-SHA256 value is ${len} bytes`);
      sha256Offset = pos;
    } else if (integrityOffset >= 0 || sha256Offset >= 0) {
      // RFC 8489 §9, §14.6: everything else after an integrity attribute is ignored.
      if (log.enabled) log('ignoring attribute 0x%s after message integrity', at.toString(16));
    } else {
      const bit = knownBit(at);
      if (bit === 0) {
        if (at < 0x8000) {
          // RFC 8489 §6.3.1: comprehension-required and not understood. The
          // list is bounded, so `includes` costs at most MAX_UNKNOWN_REQUIRED.
          if (unknownRequired === null) unknownRequired = [at];
          else if (!unknownTruncated && !unknownRequired.includes(at)) {
            if (unknownRequired.length < MAX_UNKNOWN_REQUIRED) unknownRequired.push(at);
            else unknownTruncated = true;
          }
        } else if (log.enabled) {
          log('skipping unknown optional attribute 0x%s', at.toString(16));
        }
      } else if ((seen & bit) !== 0) {
        if (log.enabled) log('ignoring duplicate attribute 0x%s', at.toString(16)); // RFC 8489 §14
      } else {
        seen |= bit;
        readKnown(raw, at, v, len, attrs);
      }
    }
    pos = next;
  }

  return new DecodedStunMessage(
    type,
    raw,
    attrs,
    unknownRequired ?? [],
    unknownTruncated,
    integrityOffset,
    sha256Offset,
    fingerprintOffset,
  );
}

/** One bit per understood attribute (0 = not understood here). */
function knownBit(at: number): number {
  switch (at) {
    case StunAttr.MappedAddress:
      return 1 << 0;
    case StunAttr.Username:
      return 1 << 1;
    case StunAttr.ErrorCode:
      return 1 << 2;
    case StunAttr.UnknownAttributes:
      return 1 << 3;
    case StunAttr.Realm:
      return 1 << 4;
    case StunAttr.Nonce:
      return 1 << 5;
    case StunAttr.XorMappedAddress:
      return 1 << 6;
    case StunAttr.Priority:
      return 1 << 7;
    case StunAttr.UseCandidate:
      return 1 << 8;
    case StunAttr.Software:
      return 1 << 9;
    case StunAttr.AlternateServer:
      return 1 << 10;
    case StunAttr.IceControlled:
      return 1 << 11;
    case StunAttr.IceControlling:
      return 1 << 12;
    default:
      return 0;
  }
}

function readKnown(raw: Buffer, at: number, v: number, len: number, attrs: StunAttributes): void {
  switch (at) {
    case StunAttr.Username:
      attrs.username = raw.toString('utf8', v, v + len);
      return;
    case StunAttr.Priority:
      if (len !== 4) badAttribute(at, `PRIORITY value is ${len} bytes, not 4`);
      attrs.priority = raw.readUInt32BE(v);
      return;
    case StunAttr.IceControlling:
      if (len !== 8) badAttribute(at, `ICE-CONTROLLING value is ${len} bytes, not 8`);
      attrs.iceControlling = raw.readBigUInt64BE(v);
      return;
    case StunAttr.IceControlled:
      if (len !== 8) badAttribute(at, `ICE-CONTROLLED value is ${len} bytes, not 8`);
      attrs.iceControlled = raw.readBigUInt64BE(v);
      return;
    case StunAttr.UseCandidate:
      if (len !== 0) badAttribute(at, `USE-CANDIDATE value is ${len} bytes, not 0`); // RFC 8445 §7.1.2
      attrs.useCandidate = true;
      return;
    case StunAttr.XorMappedAddress:
      attrs.xorMappedAddress = address(raw, at, v, len, true);
      return;
    case StunAttr.MappedAddress:
      attrs.mappedAddress = address(raw, at, v, len, false);
      return;
    case StunAttr.AlternateServer:
      attrs.alternateServer = address(raw, at, v, len, false);
      return;
    case StunAttr.ErrorCode: {
      if (len < 4) badAttribute(at, `ERROR-CODE value is ${len} bytes, shorter than 4`);
      const cls = raw[v + 2] & 0x07; // RFC 8489 §14.8: the reserved bits are ignored
      const num = raw[v + 3];
      if (cls < 3 || cls > 6 || num > 99) badAttribute(at, `ERROR-CODE class ${cls} number ${num} out of range`);
      attrs.errorCode = { code: cls * 100 + num, reason: raw.toString('utf8', v + 4, v + len) };
      return;
    }
    case StunAttr.UnknownAttributes: {
      if ((len & 1) !== 0) badAttribute(at, `UNKNOWN-ATTRIBUTES value is ${len} bytes, not a multiple of 2`);
      const list: number[] = [];
      for (let i = 0; i < len; i += 2) list.push((raw[v + i] << 8) | raw[v + i + 1]);
      attrs.unknownAttributes = list;
      return;
    }
    case StunAttr.Realm:
      attrs.realm = raw.toString('utf8', v, v + len);
      return;
    case StunAttr.Nonce:
      attrs.nonce = raw.toString('utf8', v, v + len);
      return;
    default: // StunAttr.Software: knownBit() admits nothing else
      attrs.software = raw.toString('utf8', v, v + len);
  }
}

function address(raw: Buffer, at: number, v: number, len: number, xor: boolean): TransportAddress {
  const a = readAddressValue(raw, v, len, xor);
  if (a === null) badAttribute(at, `address family ${raw[v + 1]} with a ${len}-byte value`); // RFC 8489 §14.1
  return a;
}
