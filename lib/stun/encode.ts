/**
 * STUN message encoder (RFC 8489 §5, §14).
 *
 * @module
 */
import {
  MAGIC_COOKIE,
  MAX_STUN_BODY_SIZE,
  STUN_HEADER_SIZE,
  StunAttr,
  StunClass,
  TRANSACTION_ID_SIZE,
  stunMessageType,
} from './stun-constants.js';
import { addressValueSize, writeAddressValue } from './address-attributes.js';
import { fingerprintValue, integrityHmac, messageIntegritySha1 } from './integrity.js';
import { writeDigest } from './hmac-sha1.js';
import type { StunAttributes, StunMessageInit, TransportAddress } from './message.js';
import { StunError } from './stun-error.js';

/** Options of {@link encodeStun}. */
export interface EncodeStunOptions {
  /** Append MESSAGE-INTEGRITY (HMAC-SHA1) keyed with this (RFC 8489 §14.5). */
  integrityKey?: Uint8Array;
  /** Append MESSAGE-INTEGRITY-SHA256 (full 32 bytes) keyed with this (RFC 8489 §14.6). */
  integritySha256Key?: Uint8Array;
  /** Append FINGERPRINT, last (RFC 8489 §14.7). */
  fingerprint?: boolean;
}

const MAX_U64 = (1n << 64n) - 1n;

/** Padded size of an attribute (header + value + padding to 4, RFC 8489 §14). */
function attrSize(valueLength: number): number {
  return 4 + ((valueLength + 3) & ~3);
}

function bad(message: string): never {
  throw new StunError('ERR_STUN_BAD_ARGUMENT', message);
}

function checkString(value: unknown, name: string): string {
  if (typeof value !== 'string') bad(`${name} must be a string`);
  return value;
}

function checkAddress(value: TransportAddress, name: string): number {
  if (value === null || typeof value !== 'object') bad(`${name} must be a TransportAddress`);
  if (value.family !== 4 && value.family !== 6) bad(`${name}: family ${String(value.family)} is not 4 or 6`);
  return attrSize(addressValueSize(value.family));
}

function checkTieBreaker(value: unknown, name: string): void {
  if (typeof value !== 'bigint' || value < 0n || value > MAX_U64) bad(`${name} must be a bigint in 0..2^64-1`);
}

/**
 * Encodes a STUN message into one new Buffer.
 *
 * Known attributes are written in this fixed order: SOFTWARE, MAPPED-ADDRESS,
 * XOR-MAPPED-ADDRESS, ALTERNATE-SERVER, ERROR-CODE, UNKNOWN-ATTRIBUTES,
 * PRIORITY, ICE-CONTROLLED, ICE-CONTROLLING, USE-CANDIDATE, USERNAME, NONCE,
 * REALM; then `extraAttributes` in their order; then MESSAGE-INTEGRITY,
 * MESSAGE-INTEGRITY-SHA256 and FINGERPRINT as the options ask. Padding is
 * zeros (RFC 8489 §14).
 *
 * Throws {@link StunError} `ERR_STUN_BAD_ARGUMENT` for an out-of-range field
 * or a malformed address, `ERR_STUN_TOO_LARGE` when the body would exceed
 * 65532 bytes.
 */
export function encodeStun(msg: StunMessageInit, options?: EncodeStunOptions): Buffer {
  const cls = msg.class;
  const method = msg.method;
  const tid = msg.transactionId;
  if (cls !== StunClass.Request && cls !== StunClass.Indication && cls !== StunClass.SuccessResponse && cls !== StunClass.ErrorResponse) {
    bad(`class ${String(cls)} is not 0..3`);
  }
  if (!Number.isInteger(method) || method < 0 || method > 0xfff) bad(`method ${String(method)} is not 12-bit`);
  if (!(tid instanceof Uint8Array) || tid.length !== TRANSACTION_ID_SIZE) bad('transactionId must be 12 bytes'); // RFC 8489 §5

  const a: StunAttributes = msg.attributes ?? {};
  const extra = msg.extraAttributes;
  const integrityKey = options?.integrityKey;
  const sha256Key = options?.integritySha256Key;
  const fingerprint = options?.fingerprint === true;

  // Pass 1: size, and validation of every value before anything is written.
  let size = STUN_HEADER_SIZE;
  let softwareLen = 0,
    usernameLen = 0,
    nonceLen = 0,
    realmLen = 0,
    reasonLen = 0;
  if (a.software !== undefined) size += attrSize((softwareLen = Buffer.byteLength(checkString(a.software, 'software'))));
  if (a.mappedAddress !== undefined) size += checkAddress(a.mappedAddress, 'mappedAddress');
  if (a.xorMappedAddress !== undefined) size += checkAddress(a.xorMappedAddress, 'xorMappedAddress');
  if (a.alternateServer !== undefined) size += checkAddress(a.alternateServer, 'alternateServer');
  if (a.errorCode !== undefined) {
    const code = a.errorCode?.code;
    // RFC 8489 §14.8: class 3..6, number 0..99.
    if (!Number.isInteger(code) || code < 300 || code > 699) bad(`errorCode.code ${String(code)} is not 300..699`);
    size += attrSize(4 + (reasonLen = Buffer.byteLength(checkString(a.errorCode.reason, 'errorCode.reason'))));
  }
  if (a.unknownAttributes !== undefined) {
    const list = a.unknownAttributes;
    if (!Array.isArray(list)) bad('unknownAttributes must be an array');
    for (const t of list) if (!Number.isInteger(t) || t < 0 || t > 0xffff) bad(`unknown attribute type ${String(t)} is not 16-bit`);
    size += attrSize(2 * list.length);
  }
  if (a.priority !== undefined) {
    const p = a.priority;
    if (!Number.isInteger(p) || p < 0 || p > 0xffffffff) bad(`priority ${String(p)} is not a uint32`);
    size += 8;
  }
  if (a.iceControlled !== undefined) {
    checkTieBreaker(a.iceControlled, 'iceControlled');
    size += 12;
  }
  if (a.iceControlling !== undefined) {
    checkTieBreaker(a.iceControlling, 'iceControlling');
    size += 12;
  }
  if (a.useCandidate === true) size += 4;
  if (a.username !== undefined) size += attrSize((usernameLen = Buffer.byteLength(checkString(a.username, 'username'))));
  if (a.nonce !== undefined) size += attrSize((nonceLen = Buffer.byteLength(checkString(a.nonce, 'nonce'))));
  if (a.realm !== undefined) size += attrSize((realmLen = Buffer.byteLength(checkString(a.realm, 'realm'))));
  if (extra !== undefined) {
    for (const x of extra) {
      const t = x?.type;
      if (!Number.isInteger(t) || t < 0 || t > 0xffff) bad(`extra attribute type ${String(t)} is not 16-bit`);
      if (t === StunAttr.MessageIntegrity || t === StunAttr.MessageIntegritySha256 || t === StunAttr.Fingerprint) {
        bad(`extra attribute 0x${t.toString(16)}: use the integrity/fingerprint options`);
      }
      if (!(x.value instanceof Uint8Array) || x.value.length > 0xffff)
        bad(`extra attribute 0x${t.toString(16)}: value must be a Uint8Array of at most 65535 bytes`);
      size += attrSize(x.value.length);
    }
  }
  if (integrityKey !== undefined) size += 24;
  if (sha256Key !== undefined) size += 36;
  if (fingerprint) size += 8;
  if (size - STUN_HEADER_SIZE > MAX_STUN_BODY_SIZE) {
    throw new StunError('ERR_STUN_TOO_LARGE', `message body of ${size - STUN_HEADER_SIZE} bytes exceeds ${MAX_STUN_BODY_SIZE}`);
  }

  // Pass 2: write. Every byte of `buf` is written (padding zeroed explicitly).
  const buf = Buffer.allocUnsafe(size);
  const type = stunMessageType(cls, method);
  buf[0] = type >>> 8; // RFC 8489 §5: the top two bits stay 0
  buf[1] = type & 0xff;
  setLength(buf, size - STUN_HEADER_SIZE);
  buf.writeUInt32BE(MAGIC_COOKIE, 4);
  buf.set(tid, 8);
  let off = STUN_HEADER_SIZE;

  if (a.software !== undefined) off = putString(buf, off, StunAttr.Software, a.software, softwareLen);
  if (a.mappedAddress !== undefined) off = putAddress(buf, off, StunAttr.MappedAddress, a.mappedAddress, false, 'mappedAddress');
  if (a.xorMappedAddress !== undefined) off = putAddress(buf, off, StunAttr.XorMappedAddress, a.xorMappedAddress, true, 'xorMappedAddress');
  if (a.alternateServer !== undefined) off = putAddress(buf, off, StunAttr.AlternateServer, a.alternateServer, false, 'alternateServer');
  if (a.errorCode !== undefined) {
    const { code, reason } = a.errorCode;
    off = putHeader(buf, off, StunAttr.ErrorCode, 4 + reasonLen);
    buf[off] = 0;
    buf[off + 1] = 0;
    buf[off + 2] = Math.floor(code / 100); // RFC 8489 §14.8: class = hundreds digit
    buf[off + 3] = code % 100;
    off = padTo(buf, off + 4 + buf.write(reason, off + 4, 'utf8'));
  }
  if (a.unknownAttributes !== undefined) {
    const list = a.unknownAttributes;
    off = putHeader(buf, off, StunAttr.UnknownAttributes, 2 * list.length);
    for (const t of list) {
      buf[off++] = t >>> 8;
      buf[off++] = t & 0xff;
    }
    off = padTo(buf, off); // RFC 8489 §14.13: normal padding, not RFC 3489 repetition
  }
  if (a.priority !== undefined) {
    off = putHeader(buf, off, StunAttr.Priority, 4);
    buf.writeUInt32BE(a.priority, off);
    off += 4;
  }
  if (a.iceControlled !== undefined) {
    off = putHeader(buf, off, StunAttr.IceControlled, 8);
    buf.writeBigUInt64BE(a.iceControlled, off);
    off += 8;
  }
  if (a.iceControlling !== undefined) {
    off = putHeader(buf, off, StunAttr.IceControlling, 8);
    buf.writeBigUInt64BE(a.iceControlling, off);
    off += 8;
  }
  if (a.useCandidate === true) off = putHeader(buf, off, StunAttr.UseCandidate, 0);
  if (a.username !== undefined) off = putString(buf, off, StunAttr.Username, a.username, usernameLen);
  if (a.nonce !== undefined) off = putString(buf, off, StunAttr.Nonce, a.nonce, nonceLen);
  if (a.realm !== undefined) off = putString(buf, off, StunAttr.Realm, a.realm, realmLen);
  if (extra !== undefined) {
    for (const x of extra) {
      off = putHeader(buf, off, x.type, x.value.length);
      buf.set(x.value, off);
      off = padTo(buf, off + x.value.length);
    }
  }

  // RFC 8489 §14.5-14.7: each integrity attribute covers what precedes it,
  // with the length field pointing at its own end; FINGERPRINT covers all.
  if (integrityKey !== undefined) {
    const mac = messageIntegritySha1(buf, off, integrityKey);
    off = putHeader(buf, off, StunAttr.MessageIntegrity, 20);
    writeDigest(mac, buf, off);
    off += 20;
  }
  if (sha256Key !== undefined) {
    const mac = integrityHmac('sha256', buf, off, 32, sha256Key);
    off = putHeader(buf, off, StunAttr.MessageIntegritySha256, 32);
    mac.copy(buf, off, 0, 32);
    off += 32;
  }
  if (fingerprint) {
    const crc = fingerprintValue(buf, off);
    off = putHeader(buf, off, StunAttr.Fingerprint, 4);
    buf.writeUInt32BE(crc, off);
  }
  return buf;
}

function setLength(buf: Buffer, length: number): void {
  buf[2] = length >>> 8;
  buf[3] = length & 0xff;
}

function putHeader(buf: Buffer, off: number, type: number, length: number): number {
  buf[off] = type >>> 8;
  buf[off + 1] = type & 0xff;
  buf[off + 2] = length >>> 8;
  buf[off + 3] = length & 0xff;
  return off + 4;
}

/** Zero-fills up to the next multiple of 4 (RFC 8489 §14: padding sent as zeros). */
function padTo(buf: Buffer, off: number): number {
  while ((off & 3) !== 0) buf[off++] = 0;
  return off;
}

function putString(buf: Buffer, off: number, type: number, value: string, byteLength: number): number {
  off = putHeader(buf, off, type, byteLength);
  buf.write(value, off, byteLength, 'utf8');
  return padTo(buf, off + byteLength);
}

function putAddress(buf: Buffer, off: number, type: number, addr: TransportAddress, xor: boolean, what: string): number {
  const size = addressValueSize(addr.family);
  off = putHeader(buf, off, type, size);
  writeAddressValue(buf, off, addr, xor, what);
  return off + size;
}
