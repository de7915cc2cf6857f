/**
 * Hello extensions (RFC 5246 §7.4.1.4) we send or read: supported_groups
 * and ec_point_formats (RFC 8422 §5.1), signature_algorithms (RFC 5246
 * §7.4.1.4.1), use_srtp (RFC 5764 §4.1.1), extended_master_secret (RFC 7627
 * §5.1), renegotiation_info (RFC 5746 §3.2).
 *
 * @module
 */
import { ByteReader, concat, decodeError, u16, vec16, vec8 } from './bytes.js';

export const ExtensionType = {
  supported_groups: 10,
  ec_point_formats: 11,
  signature_algorithms: 13,
  use_srtp: 14,
  extended_master_secret: 23,
  renegotiation_info: 0xff01,
} as const;

/** Named groups (RFC 8422 §5.1.1, RFC 7748). */
export const NamedGroup = { secp256r1: 23, x25519: 29 } as const;

/** SignatureAndHashAlgorithm values (RFC 5246 §7.4.1.4.1): hash(1) signature(1); ECDSA = 3. */
export const SignatureScheme = { ecdsa_secp256r1_sha256: 0x0403, ecdsa_secp384r1_sha384: 0x0503 } as const;

/** Extensions of a hello, by type; a type appearing twice is a decode error (RFC 5246 §7.4.1.4). */
export type Extensions = Map<number, Uint8Array>;

/**
 * Parses the optional extensions block at the end of a hello.
 *
 * @throws DtlsError `ERR_DTLS_DECODE`.
 */
export function parseExtensions(r: ByteReader): Extensions {
  const out: Extensions = new Map();
  if (r.remaining === 0) return out;
  const block = new ByteReader(r.vec16('extensions'));
  while (block.remaining > 0) {
    const type = block.u16('extension type');
    const data = block.vec16('extension data');
    if (out.has(type)) throw decodeError(`extension ${type} appears twice`);
    out.set(type, data);
  }
  return out;
}

export function encodeExtensions(list: ReadonlyArray<readonly [number, Uint8Array]>): Uint8Array {
  return vec16(concat(...list.map(([type, data]) => concat(u16(type), vec16(data)))));
}

/** A `uint16 list<2..2^16-2>` (supported_groups, signature_algorithms). */
export function encodeU16List(values: readonly number[]): Uint8Array {
  return vec16(concat(...values.map(u16)));
}

/** @throws DtlsError `ERR_DTLS_DECODE`. */
export function parseU16List(data: Uint8Array, what: string): number[] {
  const r = new ByteReader(data);
  const list = new ByteReader(r.vec16(what, 2));
  r.end(what);
  if (list.remaining % 2 !== 0) throw decodeError(`${what} has an odd length`);
  const out: number[] = [];
  while (list.remaining > 0) out.push(list.u16(what));
  return out;
}

/** ec_point_formats with only `uncompressed` (RFC 8422 §5.1.2). */
export function encodePointFormats(): Uint8Array {
  return vec8(Uint8Array.of(0));
}

/** use_srtp (RFC 5764 §4.1.1): `SRTPProtectionProfiles<2..2^16-1>` and an empty MKI. */
export function encodeUseSrtp(profiles: readonly number[]): Uint8Array {
  return concat(encodeU16List(profiles), vec8(new Uint8Array(0)));
}

/** @throws DtlsError `ERR_DTLS_DECODE`. */
export function parseUseSrtp(data: Uint8Array): { profiles: number[]; mki: Uint8Array } {
  const r = new ByteReader(data);
  const list = new ByteReader(r.vec16('SRTP profiles', 2));
  const mki = r.vec8('srtp_mki');
  r.end('use_srtp');
  if (list.remaining % 2 !== 0) throw decodeError('SRTP profiles have an odd length');
  const profiles: number[] = [];
  while (list.remaining > 0) profiles.push(list.u16('SRTP profile'));
  return { profiles, mki };
}

/** renegotiation_info on an initial handshake: an empty `renegotiated_connection` (RFC 5746 §3.4). */
export function encodeEmptyRenegotiationInfo(): Uint8Array {
  return Uint8Array.of(0);
}

/** True when renegotiation_info carries an empty `renegotiated_connection` (RFC 5746 §3.4, §3.6). */
export function isEmptyRenegotiationInfo(data: Uint8Array): boolean {
  return data.length === 1 && data[0] === 0;
}
