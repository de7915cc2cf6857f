/**
 * Address attributes: MAPPED-ADDRESS, XOR-MAPPED-ADDRESS, ALTERNATE-SERVER
 * (RFC 8489 §14.1, §14.2, §14.15), and the textual IP forms they map to.
 *
 * @module
 */
import type { TransportAddress } from './message.js';
import { StunError } from './stun-error.js';

/** Address family codes on the wire (RFC 8489 §14.1). */
const FAMILY_IPV4 = 0x01;
const FAMILY_IPV6 = 0x02;

/** Value size of an address attribute for the family (RFC 8489 §14.1). */
export function addressValueSize(family: 4 | 6): number {
  return family === 4 ? 8 : 20;
}

/**
 * Writes an address attribute value (family, port, address) at `off` of a
 * message whose header (cookie and transaction id) is already in `msg[4..20)`.
 * With `xor`, port and address are XORed as XOR-MAPPED-ADDRESS requires
 * (RFC 8489 §14.2). Throws ERR_STUN_BAD_ARGUMENT for a malformed address.
 */
export function writeAddressValue(msg: Buffer, off: number, addr: TransportAddress, xor: boolean, what: string): void {
  const { family, port } = addr;
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) {
    throw new StunError('ERR_STUN_BAD_ARGUMENT', `${what}: port ${String(port)} is not 0..65535`);
  }
  msg[off] = 0;
  if (family === 4) {
    msg[off + 1] = FAMILY_IPV4;
    if (typeof addr.address !== 'string' || !parseIpv4Into(addr.address, msg, off + 4)) {
      throw new StunError('ERR_STUN_BAD_ARGUMENT', `${what}: ${String(addr.address)} is not an IPv4 address`);
    }
  } else if (family === 6) {
    msg[off + 1] = FAMILY_IPV6;
    if (typeof addr.address !== 'string' || !parseIpv6Into(addr.address, msg, off + 4)) {
      throw new StunError('ERR_STUN_BAD_ARGUMENT', `${what}: ${String(addr.address)} is not an IPv6 address`);
    }
  } else {
    throw new StunError('ERR_STUN_BAD_ARGUMENT', `${what}: family ${String(family)} is not 4 or 6`);
  }
  const p = xor ? port ^ 0x2112 : port; // RFC 8489 §14.2: X-Port = port ^ top 16 bits of the cookie
  msg[off + 2] = p >>> 8;
  msg[off + 3] = p & 0xff;
  if (xor) {
    // RFC 8489 §14.2: IPv4 ^ cookie; IPv6 ^ (cookie || transaction id).
    const n = family === 4 ? 4 : 16;
    for (let i = 0; i < n; i++) msg[off + 4 + i] ^= msg[4 + i];
  }
}

/**
 * Reads an address attribute value of `len` bytes at `off` of message `msg`.
 * Returns null when the family is unknown or does not match the length (the
 * caller turns that into ERR_STUN_BAD_ATTRIBUTE).
 */
export function readAddressValue(msg: Uint8Array, off: number, len: number, xor: boolean): TransportAddress | null {
  if (len < 4) return null;
  const fam = msg[off + 1];
  let port = (msg[off + 2] << 8) | msg[off + 3];
  if (xor) port ^= 0x2112; // RFC 8489 §14.2
  const a = off + 4;
  if (fam === FAMILY_IPV4 && len === 8) {
    let b0 = msg[a],
      b1 = msg[a + 1],
      b2 = msg[a + 2],
      b3 = msg[a + 3];
    if (xor) {
      b0 ^= 0x21;
      b1 ^= 0x12;
      b2 ^= 0xa4;
      b3 ^= 0x42;
    }
    return { family: 4, address: `${b0}.${b1}.${b2}.${b3}`, port };
  }
  if (fam === FAMILY_IPV6 && len === 20) {
    const bytes = new Uint8Array(16);
    for (let i = 0; i < 16; i++) bytes[i] = xor ? msg[a + i] ^ msg[4 + i] : msg[a + i];
    return { family: 6, address: formatIpv6(bytes), port };
  }
  return null;
}

/** Parses a dotted-quad IPv4 address into 4 bytes at `out[off]`. Returns false if malformed. */
export function parseIpv4Into(s: string, out: Uint8Array, off: number): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 0x2e; // a virtual '.' ends the last part
    if (c >= 0x30 && c <= 0x39) {
      value = value * 10 + (c - 0x30);
      if (++digits > 3 || value > 255) return false;
    } else if (c === 0x2e) {
      if (digits === 0 || part > 3) return false;
      out[off + part++] = value;
      value = 0;
      digits = 0;
    } else {
      return false;
    }
  }
  return part === 4;
}

/**
 * Parses a textual IPv6 address (RFC 4291 §2.2: hex groups, one `::`, an
 * optional dotted-quad tail) into 16 bytes at `out[off]`. A zone suffix
 * (`%eth0`) is ignored. Returns false if malformed.
 */
export function parseIpv6Into(text: string, out: Uint8Array, off: number): boolean {
  const pct = text.indexOf('%');
  const s = pct >= 0 ? text.slice(0, pct) : text;
  const words: number[] = [];
  let gap = -1; // index in words where '::' stands
  let i = 0;
  if (s.startsWith('::')) {
    gap = 0;
    i = 2;
  } else if (s.startsWith(':')) {
    return false;
  }
  while (i < s.length) {
    let j = i;
    let value = 0;
    while (j < s.length && j - i < 5) {
      const h = hexValue(s.charCodeAt(j));
      if (h < 0) break;
      value = value * 16 + h;
      j++;
    }
    if (j < s.length && s.charCodeAt(j) === 0x2e) {
      // Dotted-quad tail: the last 32 bits.
      if (words.length > 6 || !parseIpv4Into(s.slice(i), out, off + 12)) return false;
      words.push((out[off + 12] << 8) | out[off + 13], (out[off + 14] << 8) | out[off + 15]);
      i = s.length;
      break;
    }
    if (j === i || j - i > 4) return false;
    words.push(value);
    if (j === s.length) {
      i = j;
      break;
    }
    if (s.charCodeAt(j) !== 0x3a) return false;
    if (j + 1 < s.length && s.charCodeAt(j + 1) === 0x3a) {
      if (gap >= 0) return false; // a second '::'
      gap = words.length;
      i = j + 2;
    } else {
      if (j + 1 === s.length) return false; // trailing single ':'
      i = j + 1;
    }
  }
  if (gap < 0 ? words.length !== 8 : words.length > 7) return false;
  const zeros = 8 - words.length;
  for (let w = 0, k = 0; w < 8; w++) {
    const v = gap >= 0 && w >= gap && w < gap + zeros ? 0 : words[k++];
    out[off + 2 * w] = v >>> 8;
    out[off + 2 * w + 1] = v & 0xff;
  }
  return true;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/**
 * Formats 16 bytes as node:net prints an IPv6 address (libuv's inet_ntop):
 * lower-case, the first longest run of two or more zero groups as `::`
 * (RFC 5952 §4.2), and a dotted-quad tail for IPv4-mapped (`::ffff:a.b.c.d`)
 * and IPv4-compatible (`::a.b.c.d`) addresses.
 */
export function formatIpv6(b: Uint8Array): string {
  const words = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < 8; i++) words[i] = (b[2 * i] << 8) | b[2 * i + 1];
  let bestBase = -1,
    bestLen = 0,
    curBase = -1,
    curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase < 0) {
        curBase = i;
        curLen = 1;
      } else {
        curLen++;
      }
      if (curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
    } else {
      curBase = -1;
    }
  }
  if (bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      return `${out}${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
    }
    out += words[i].toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) out += ':';
  return out;
}
