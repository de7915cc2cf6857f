/**
 * The handshake bodies after the hellos: Certificate (RFC 5246 §7.4.2),
 * ServerKeyExchange for ECDHE (RFC 8422 §5.4), CertificateRequest
 * (RFC 5246 §7.4.4), ClientKeyExchange for ECDHE (RFC 8422 §5.7),
 * CertificateVerify (RFC 5246 §7.4.8) and Finished (§7.4.9).
 *
 * @module
 */
import { ByteReader, concat, decodeError, u16, u8, vec16, vec24, vec8 } from './bytes.js';

/** `ECCurveType.named_curve` (RFC 8422 §5.4). */
export const NAMED_CURVE = 3;
/** `ClientCertificateType.ecdsa_sign` (RFC 8422 §5.5). */
export const ECDSA_SIGN = 64;
/** Bytes of Finished.verify_data (RFC 5246 §7.4.9). */
export const VERIFY_DATA_LENGTH = 12;

/** @throws DtlsError `ERR_DTLS_DECODE`. */
export function parseCertificate(body: Uint8Array): Uint8Array[] {
  const r = new ByteReader(body);
  const list = new ByteReader(r.vec24('certificate_list'));
  r.end('Certificate');
  const out: Uint8Array[] = [];
  while (list.remaining > 0) out.push(list.vec24('ASN.1Cert', 1));
  return out;
}

export function encodeCertificate(chain: readonly Uint8Array[]): Uint8Array {
  return vec24(concat(...chain.map((der) => vec24(der))));
}

/** The ECDHE parameters of a ServerKeyExchange and its signature. */
export interface ServerKeyExchange {
  readonly group: number;
  readonly publicKey: Uint8Array;
  /** The signed `ServerECDHParams` bytes, as they were on the wire. */
  readonly params: Uint8Array;
  readonly scheme: number;
  readonly signature: Uint8Array;
}

/** `ServerECDHParams`: curve_type(1) namedcurve(2) point<1..2^8-1>. */
export function encodeEcdhParams(group: number, publicKey: Uint8Array): Uint8Array {
  return concat(u8(NAMED_CURVE), u16(group), vec8(publicKey));
}

/** @throws DtlsError `ERR_DTLS_DECODE` (also for a curve_type other than named_curve). */
export function parseServerKeyExchange(body: Uint8Array): ServerKeyExchange {
  const r = new ByteReader(body);
  const curveType = r.u8('curve_type');
  if (curveType !== NAMED_CURVE) throw decodeError(`curve_type ${curveType} is not named_curve`);
  const group = r.u16('namedcurve');
  const publicKey = r.vec8('public', 1);
  const params = body.subarray(0, r.offset);
  const scheme = r.u16('signature algorithm');
  const signature = r.vec16('signature');
  r.end('ServerKeyExchange');
  return { group, publicKey, params, scheme, signature };
}

export function encodeServerKeyExchange(params: Uint8Array, scheme: number, signature: Uint8Array): Uint8Array {
  return concat(params, u16(scheme), vec16(signature));
}

/** CertificateRequest: types, signature algorithms, and no authorities (self-signed peers). */
export function encodeCertificateRequest(types: readonly number[], schemes: readonly number[]): Uint8Array {
  return concat(vec8(Uint8Array.from(types)), vec16(concat(...schemes.map(u16))), vec16(new Uint8Array(0)));
}

/** @throws DtlsError `ERR_DTLS_DECODE`. */
export function parseCertificateRequest(body: Uint8Array): { types: number[]; schemes: number[] } {
  const r = new ByteReader(body);
  const types = Array.from(r.vec8('certificate_types', 1));
  const list = new ByteReader(r.vec16('supported_signature_algorithms', 2));
  r.vec16('certificate_authorities');
  r.end('CertificateRequest');
  if (list.remaining % 2 !== 0) throw decodeError('supported_signature_algorithms has an odd length');
  const schemes: number[] = [];
  while (list.remaining > 0) schemes.push(list.u16());
  return { types, schemes };
}

/** ClientKeyExchange (ECDHE): the client's point, `ecdh_Yc<1..2^8-1>`. @throws DtlsError `ERR_DTLS_DECODE`. */
export function parseClientKeyExchange(body: Uint8Array): Uint8Array {
  const r = new ByteReader(body);
  const point = r.vec8('ecdh_Yc', 1);
  r.end('ClientKeyExchange');
  return point;
}

export function encodeClientKeyExchange(publicKey: Uint8Array): Uint8Array {
  return vec8(publicKey);
}

/** CertificateVerify / a digitally-signed struct: scheme(2) signature<0..2^16-1>. @throws DtlsError `ERR_DTLS_DECODE`. */
export function parseDigitallySigned(body: Uint8Array, what: string): { scheme: number; signature: Uint8Array } {
  const r = new ByteReader(body);
  const scheme = r.u16('signature algorithm');
  const signature = r.vec16('signature');
  r.end(what);
  return { scheme, signature };
}

export function encodeDigitallySigned(scheme: number, signature: Uint8Array): Uint8Array {
  return concat(u16(scheme), vec16(signature));
}

/** Finished: 12 bytes of verify_data. @throws DtlsError `ERR_DTLS_DECODE`. */
export function parseFinished(body: Uint8Array): Uint8Array {
  if (body.length !== VERIFY_DATA_LENGTH) throw decodeError(`Finished has ${body.length} bytes, not ${VERIFY_DATA_LENGTH}`);
  return body;
}
