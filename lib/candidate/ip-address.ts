/**
 * IP literal parsing and canonical printing without `node:net` (this folder is
 * sans-IO). IPv6 is printed the way `node:net` (libuv's `inet_ntop`) prints
 * it: lower-case hex, the first longest run of two or more zero groups
 * compressed to `::`, and a dotted-quad tail for IPv4-compatible (`::a.b.c.d`)
 * and IPv4-mapped (`::ffff:a.b.c.d`) addresses.
 */

/** Address family of an IP literal. */
export type IpAddressFamily = 4 | 6;

const MAX_HOSTNAME_LENGTH = 253;

/**
 * Parses a strict dotted-quad IPv4 address (no leading zeros, which some
 * parsers read as octal).
 *
 * @returns the four bytes, or `null` when `text` is not an IPv4 literal
 */
export function parseIPv4(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return null;
    const value = Number(part);
    if (value > 255) return null;
    bytes.push(value);
  }
  return bytes;
}

/**
 * Parses an IPv6 literal (RFC 4291 §2.2 text forms, including `::` and a
 * dotted-quad tail). Zone ids (`%eth0`) are not accepted.
 *
 * @returns the eight 16-bit groups, or `null` when `text` is not IPv6
 */
export function parseIPv6(text: string): number[] | null {
  if (text.length < 2 || text.length > 45) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] === '' ? [] : halves[0].split(':');
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : halves[1].split(':')) : [];
  const groups: number[] = [];
  const tailGroups: number[] = [];
  const last = halves.length === 2 ? tail : head;
  // A dotted-quad may only end the address.
  let ipv4Tail: number[] | null = null;
  if (last.length > 0 && last[last.length - 1].includes('.')) {
    ipv4Tail = parseIPv4(last.pop() as string);
    if (ipv4Tail === null) return null;
  }
  for (const [source, target] of [
    [head, groups],
    [tail, tailGroups],
  ] as const) {
    for (const group of source) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return null;
      target.push(parseInt(group, 16));
    }
  }
  if (ipv4Tail !== null) {
    tailGroups.push(ipv4Tail[0] * 256 + ipv4Tail[1], ipv4Tail[2] * 256 + ipv4Tail[3]);
  }
  if (halves.length === 1) {
    const all = [...groups, ...tailGroups];
    return all.length === 8 ? all : null;
  }
  const missing = 8 - groups.length - tailGroups.length;
  // `::` stands for one or more zero groups.
  if (missing < 1) return null;
  return [...groups, ...new Array<number>(missing).fill(0), ...tailGroups];
}

/**
 * Prints eight 16-bit groups the way `node:net` does (libuv `inet_ntop6`).
 *
 * @param groups - eight integers 0..0xffff
 */
export function formatIPv6(groups: readonly number[]): string {
  let bestBase = -1;
  let bestLength = 0;
  let runBase = -1;
  for (let i = 0; i <= 8; i++) {
    if (i < 8 && groups[i] === 0) {
      if (runBase === -1) runBase = i;
    } else if (runBase !== -1) {
      if (i - runBase > bestLength) {
        bestBase = runBase;
        bestLength = i - runBase;
      }
      runBase = -1;
    }
  }
  // A single zero group is never compressed.
  if (bestLength < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLength) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && bestBase === 0 && (bestLength === 6 || (bestLength === 5 && groups[5] === 0xffff))) {
      out += `${groups[6] >> 8}.${groups[6] & 0xff}.${groups[7] >> 8}.${groups[7] & 0xff}`;
      return out;
    }
    out += groups[i].toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLength === 8) out += ':';
  return out;
}

/**
 * Canonical text of an IP literal: IPv4 unchanged, IPv6 as `node:net` prints it.
 *
 * @returns the canonical form, or `null` when `text` is not an IP literal
 */
export function normalizeIpAddress(text: string): string | null {
  if (parseIPv4(text) !== null) return text;
  const groups = parseIPv6(text);
  return groups === null ? null : formatIPv6(groups);
}

/**
 * Family of an IP literal (RFC 8839 §5.1: a colon means IPv6).
 *
 * @returns 4, 6, or `null` for anything that is not an IP literal (an FQDN)
 */
export function ipFamily(text: string): IpAddressFamily | null {
  if (text.includes(':')) return parseIPv6(text) === null ? null : 6;
  return parseIPv4(text) === null ? null : 4;
}

/**
 * Whether an IP literal is link-local: IPv4 169.254.0.0/16 (RFC 3927) or
 * IPv6 fe80::/10 (RFC 4291 §2.5.6). Non-IP text is not link-local.
 */
export function isLinkLocalAddress(text: string): boolean {
  const v4 = text.includes(':') ? null : parseIPv4(text);
  if (v4 !== null) return v4[0] === 169 && v4[1] === 254;
  const v6 = parseIPv6(text);
  return v6 !== null && (v6[0] & 0xffc0) === 0xfe80;
}

/**
 * Whether `text` is a syntactically valid DNS host name (RFC 1123 labels:
 * letters, digits, hyphens, 1–63 characters, not starting or ending with a
 * hyphen; at most 253 characters; an optional trailing dot). Underscores are
 * tolerated. Used for FQDN and mDNS (`<uuid>.local`) candidates.
 */
export function isHostName(text: string): boolean {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name.length === 0 || name.length > MAX_HOSTNAME_LENGTH) return false;
  // An all-numeric dotted name would be a malformed IPv4 literal, not a name.
  if (/^[0-9.]+$/.test(name)) return false;
  return name.split('.').every((label) => /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/.test(label));
}

/** Whether a host name is an mDNS name (RFC 6762: under `.local`). */
export function isMdnsName(text: string): boolean {
  return /\.local\.?$/i.test(text);
}
