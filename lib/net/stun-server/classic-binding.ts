/**
 * RFC 3489 ("classic STUN") Binding requests, answered as RFC 5389 §12.2
 * says: a request whose bytes 4..7 are not the magic cookie comes from an
 * RFC 3489 client (libnice's server-reflexive discovery sends these); the
 * response copies that field and the rest of the 128-bit transaction id,
 * and carries MAPPED-ADDRESS instead of XOR-MAPPED-ADDRESS (the client does
 * not know XOR-MAPPED-ADDRESS, and RFC 3489 has no FINGERPRINT). UDP only:
 * RFC 3489 defines no STUN over TCP.
 */
import { MAGIC_COOKIE, STUN_HEADER_SIZE, type TransportAddress } from '../../stun/index.js';
import { addressValueSize, writeAddressValue } from '../../stun/address-attributes.js';

/** RFC 3489 §11.1: message types and attributes used here. */
const BINDING_REQUEST = 0x0001;
const BINDING_RESPONSE = 0x0101;
const BINDING_ERROR_RESPONSE = 0x0111;
const MAPPED_ADDRESS = 0x0001;
const ERROR_CODE = 0x0009;
const UNKNOWN_ATTRIBUTES = 0x000a;
/** At most this many unknown attributes are listed in a 420 (the rest are still refused). */
const MAX_LISTED_UNKNOWN = 16;

/** What {@link answerClassicBinding} made of a datagram. */
export type ClassicAnswer = { kind: 'not-classic' } | { kind: 'ignored'; reason: string } | { kind: 'success' | 'error'; response: Buffer };

/**
 * Answers a datagram if it is an RFC 3489 Binding request (`not-classic`
 * when it is anything else: an RFC 5389/8489 message, not STUN at all).
 * Never throws on any input.
 */
export function answerClassicBinding(data: Uint8Array, from: TransportAddress): ClassicAnswer {
  if (data.length < STUN_HEADER_SIZE) return { kind: 'not-classic' };
  const view = Buffer.from(data.buffer, data.byteOffset, data.length);
  if (view.readUInt32BE(4) === MAGIC_COOKIE) return { kind: 'not-classic' };
  const type = view.readUInt16BE(0);
  const length = view.readUInt16BE(2);
  // RFC 3489 §11.1: the header is 20 bytes, the length counts the attributes only.
  if (type !== BINDING_REQUEST || length % 4 !== 0 || STUN_HEADER_SIZE + length !== view.length) return { kind: 'not-classic' };
  const unknown: number[] = [];
  for (let off = STUN_HEADER_SIZE; off < view.length;) {
    if (off + 4 > view.length) return { kind: 'ignored', reason: 'RFC 3489 request: truncated attribute header' };
    const attrType = view.readUInt16BE(off);
    const attrLength = view.readUInt16BE(off + 2);
    if (off + 4 + attrLength > view.length) return { kind: 'ignored', reason: 'RFC 3489 request: attribute runs past the message' };
    // RFC 3489 §11.2: types up to 0x7fff are mandatory to understand. A Binding request
    // may carry RESPONSE-ADDRESS, CHANGE-REQUEST, USERNAME, MESSAGE-INTEGRITY, none of which
    // this server implements (RFC 5389 §12.2: reply with an error response).
    if (attrType <= 0x7fff && unknown.length < MAX_LISTED_UNKNOWN && !unknown.includes(attrType)) unknown.push(attrType);
    off += 4 + attrLength + ((4 - (attrLength % 4)) % 4);
  }
  const transactionId = view.subarray(4, STUN_HEADER_SIZE);
  if (unknown.length > 0) return { kind: 'error', response: errorResponse(transactionId, unknown) };
  const size = addressValueSize(from.family);
  const response = Buffer.alloc(STUN_HEADER_SIZE + 4 + size);
  response.writeUInt16BE(BINDING_RESPONSE, 0);
  response.writeUInt16BE(4 + size, 2);
  transactionId.copy(response, 4); // RFC 5389 §12.2: the cookie field (and the rest of the id) copied
  response.writeUInt16BE(MAPPED_ADDRESS, 20);
  response.writeUInt16BE(size, 22);
  writeAddressValue(response, 24, from, false, 'MAPPED-ADDRESS');
  return { kind: 'success', response };
}

/** RFC 3489 §11.2.9, §11.2.10: a 420 Unknown Attribute error listing the types. */
function errorResponse(transactionId: Buffer, unknown: readonly number[]): Buffer {
  const reason = Buffer.from('Unknown Attribute', 'utf8');
  const reasonPadded = reason.length + ((4 - (reason.length % 4)) % 4);
  // RFC 3489 §11.2.10: an odd count repeats one type to fill 32 bits.
  const listed = unknown.length % 2 === 1 ? [...unknown, unknown[0]] : [...unknown];
  const bodySize = 4 + 4 + reasonPadded + 4 + listed.length * 2;
  const out = Buffer.alloc(STUN_HEADER_SIZE + bodySize);
  out.writeUInt16BE(BINDING_ERROR_RESPONSE, 0);
  out.writeUInt16BE(bodySize, 2);
  transactionId.copy(out, 4);
  let off = STUN_HEADER_SIZE;
  out.writeUInt16BE(ERROR_CODE, off);
  out.writeUInt16BE(4 + reason.length, off + 2);
  out[off + 6] = 4; // class 4
  out[off + 7] = 20; // number 20
  reason.copy(out, off + 8);
  off += 8 + reasonPadded;
  out.writeUInt16BE(UNKNOWN_ATTRIBUTES, off);
  out.writeUInt16BE(listed.length * 2, off + 2);
  listed.forEach((t, i) => out.writeUInt16BE(t, off + 4 + i * 2));
  return out;
}
