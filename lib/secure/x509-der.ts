/**
 * The few X.509 (RFC 5280) structures a self-signed certificate needs,
 * assembled as DER with node-forge's ASN.1 helpers. No signing here: the
 * caller signs the TBSCertificate bytes with node:crypto.
 *
 * @module
 */
import type * as Forge from 'node-forge';
import loadForge from './load-forge.cjs';

type Asn1 = Forge.asn1.Asn1;

/** node-forge's ASN.1 helpers, loaded on first use (see load-forge.cts). */
function forgeAsn1(): { asn1: typeof Forge.asn1; Class: typeof Forge.asn1.Class; Type: typeof Forge.asn1.Type } {
  const { asn1 } = loadForge();
  return { asn1, Class: asn1.Class, Type: asn1.Type };
}

/** OID of ecdsa-with-SHA256 (RFC 5758 §3.2). */
export const OID_ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
/** OID of the commonName attribute type (RFC 5280 App. A, X.520). */
export const OID_COMMON_NAME = '2.5.4.3';
/** OID of the basicConstraints extension (RFC 5280 §4.2.1.9). */
export const OID_BASIC_CONSTRAINTS = '2.5.29.19';

/** Fields of the TBSCertificate of a self-signed certificate. */
export interface TbsFields {
  /** Positive serial, big-endian, at most 20 bytes, no superfluous leading zero (RFC 5280 §4.1.2.2). */
  serial: Uint8Array;
  /** Subject and issuer common name (the same: self-signed). */
  commonName: string;
  notBefore: Date;
  notAfter: Date;
  /** SubjectPublicKeyInfo, DER (`KeyObject.export({ type: 'spki', format: 'der' })`). */
  subjectPublicKeyInfo: Buffer;
  /** Signature algorithm OID; its AlgorithmIdentifier has no parameters (ECDSA, RFC 5758 §3.2). */
  signatureOid: string;
}

/** DER bytes out of a forge ASN.1 node. */
export function toDerBuffer(node: Asn1): Buffer {
  const { asn1 } = forgeAsn1();
  return Buffer.from(asn1.toDer(node).getBytes(), 'binary');
}

/**
 * Parses DER into a forge node without decoding BIT STRING contents, so that
 * embedded keys and signatures are re-encoded byte for byte.
 */
function fromDerVerbatim(der: Uint8Array): Asn1 {
  const { asn1 } = forgeAsn1();
  // forge accepts an options object here; its typings only know the boolean form.
  const parse = asn1.fromDer as unknown as (bytes: string, options: { strict: boolean; decodeBitStrings: boolean }) => Asn1;
  return parse(binary(der), { strict: true, decodeBitStrings: false });
}

function binary(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('binary');
}

function oid(id: string): Asn1 {
  const { asn1, Class, Type } = forgeAsn1();
  return asn1.create(Class.UNIVERSAL, Type.OID, false, asn1.oidToDer(id).getBytes());
}

/** AlgorithmIdentifier with absent parameters (RFC 5758 §3.2 for ECDSA). */
export function algorithmIdentifier(signatureOid: string): Asn1 {
  const { asn1, Class, Type } = forgeAsn1();
  return asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [oid(signatureOid)]);
}

/** Name = RDNSequence with one RDN holding the commonName as UTF8String (RFC 5280 §4.1.2.4). */
function commonNameName(commonName: string): Asn1 {
  const { asn1, Class, Type } = forgeAsn1();
  const value = asn1.create(Class.UNIVERSAL, Type.UTF8, false, loadForge().util.encodeUtf8(commonName));
  const attribute = asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [oid(OID_COMMON_NAME), value]);
  const rdn = asn1.create(Class.UNIVERSAL, Type.SET, true, [attribute]);
  return asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [rdn]);
}

/** UTCTime through 2049, GeneralizedTime from 2050 on (RFC 5280 §4.1.2.5). */
function time(date: Date): Asn1 {
  const { asn1, Class, Type } = forgeAsn1();
  if (date.getUTCFullYear() < 2050) {
    return asn1.create(Class.UNIVERSAL, Type.UTCTIME, false, asn1.dateToUtcTime(date));
  }
  return asn1.create(Class.UNIVERSAL, Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(date));
}

/** Extensions [3]: basicConstraints with cA FALSE (the DEFAULT, so an empty SEQUENCE; RFC 5280 §4.2.1.9). */
function extensions(): Asn1 {
  const { asn1, Class, Type } = forgeAsn1();
  const basicConstraints = toDerBuffer(asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, []));
  const extension = asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
    oid(OID_BASIC_CONSTRAINTS),
    asn1.create(Class.UNIVERSAL, Type.OCTETSTRING, false, binary(basicConstraints)),
  ]);
  const list = asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [extension]);
  return asn1.create(Class.CONTEXT_SPECIFIC, 3, true, [list]);
}

/** The DER of a v3 TBSCertificate whose issuer is its subject (RFC 5280 §4.1). */
export function encodeTbsCertificate(fields: TbsFields): Buffer {
  const { asn1, Class, Type } = forgeAsn1();
  const version = asn1.create(Class.CONTEXT_SPECIFIC, 0, true, [
    asn1.create(Class.UNIVERSAL, Type.INTEGER, false, asn1.integerToDer(2).getBytes()), // v3
  ]);
  const name = commonNameName(fields.commonName);
  const tbs = asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
    version,
    asn1.create(Class.UNIVERSAL, Type.INTEGER, false, binary(fields.serial)),
    algorithmIdentifier(fields.signatureOid),
    name,
    asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [time(fields.notBefore), time(fields.notAfter)]),
    commonNameName(fields.commonName),
    fromDerVerbatim(fields.subjectPublicKeyInfo),
    extensions(),
  ]);
  return toDerBuffer(tbs);
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING } (RFC 5280 §4.1). */
export function encodeCertificate(tbsDer: Buffer, signatureOid: string, signature: Uint8Array): Buffer {
  const { asn1, Class, Type } = forgeAsn1();
  const bitString = Buffer.concat([Buffer.of(0), signature]); // 0 unused bits
  const certificate = asn1.create(Class.UNIVERSAL, Type.SEQUENCE, true, [
    fromDerVerbatim(tbsDer),
    algorithmIdentifier(signatureOid),
    asn1.create(Class.UNIVERSAL, Type.BITSTRING, false, binary(bitString)),
  ]);
  return toDerBuffer(certificate);
}

/** PEM of a DER certificate, 64 base64 characters a line (RFC 7468 §2). */
export function derToPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
