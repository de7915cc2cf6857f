/**
 * Self-signed certificates for TLS/DTLS over ICE (RFC 8122 §3.3: identities
 * are bound through signalled fingerprints, so self-signed is the norm).
 *
 * ECDSA P-256 (the default): the key pair comes from node:crypto, the
 * TBSCertificate is assembled with node-forge's ASN.1/DER helpers and signed
 * with node:crypto (well under 5 ms). RSA-2048: key, certificate and
 * signature all through node-forge (much slower; kept for peers that want RSA).
 *
 * @module
 */
import { X509Certificate, createPrivateKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type * as Forge from 'node-forge';
import createDebug from 'debug';
import loadForge from './load-forge.cjs';
import { SecureError } from './secure-error.js';
import { OID_ECDSA_WITH_SHA256, derToPem, encodeCertificate, encodeTbsCertificate } from './x509-der.js';

const debug = createDebug('ice-tcp:secure');

/** Key types {@link generateCertificate} can make. */
export type CertificateKeyType = 'ecdsa-p256' | 'rsa-2048';

/** Options of {@link generateCertificate}. */
export interface CertificateOptions {
  /** `'ecdsa-p256'` (default, fast) or `'rsa-2048'` (through node-forge, slow). */
  keyType?: CertificateKeyType;
  /** Subject and issuer CN, 1–64 characters (RFC 5280 ub-common-name); default `'ice-tcp'`. */
  commonName?: string;
  /** Days of validity from `notBefore`, 1–36500; default 30. */
  validityDays?: number;
  /**
   * Start of validity; default one day before now, so that a peer whose
   * clock is a little behind still accepts the certificate.
   */
  notBefore?: Date;
}

/** A certificate with its private key, ready for {@link secureTls}. */
export interface TlsCertificate {
  /** The key type. */
  readonly keyType: CertificateKeyType;
  /** The certificate, DER: what RFC 8122 §5 fingerprints hash. */
  readonly der: Buffer;
  /** The certificate, PEM. */
  readonly pem: string;
  /** The private key, PKCS#8 PEM. Keep it secret. */
  readonly privateKeyPem: string;
  /** Subject (= issuer) common name. */
  readonly commonName: string;
  /** Serial number, upper-case hex. */
  readonly serialNumber: string;
  /** Start of validity (whole seconds). */
  readonly notBefore: Date;
  /** End of validity (whole seconds). */
  readonly notAfter: Date;
}

const DAY_MS = 86_400_000;
/** Default of {@link CertificateOptions.commonName}. */
export const DEFAULT_COMMON_NAME = 'ice-tcp';
/** Default of {@link CertificateOptions.validityDays}. */
export const DEFAULT_VALIDITY_DAYS = 30;

interface CheckedOptions {
  keyType: CertificateKeyType;
  commonName: string;
  notBefore: Date;
  notAfter: Date;
}

function checkOptions(options: CertificateOptions | undefined): CheckedOptions {
  const keyType = options?.keyType ?? 'ecdsa-p256';
  if (keyType !== 'ecdsa-p256' && keyType !== 'rsa-2048') {
    throw new SecureError('ERR_SECURE_BAD_OPTION', `keyType must be 'ecdsa-p256' or 'rsa-2048', got ${String(keyType)}`);
  }
  const commonName = options?.commonName ?? DEFAULT_COMMON_NAME;
  if (typeof commonName !== 'string' || commonName.length < 1 || commonName.length > 64) {
    throw new SecureError('ERR_SECURE_BAD_OPTION', 'commonName must be a string of 1 to 64 characters');
  }
  const days = options?.validityDays ?? DEFAULT_VALIDITY_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > 36_500) {
    throw new SecureError('ERR_SECURE_BAD_OPTION', `validityDays must be an integer in 1..36500, got ${String(days)}`);
  }
  const start = options?.notBefore ?? new Date(Date.now() - DAY_MS);
  if (!(start instanceof Date) || Number.isNaN(start.getTime())) {
    throw new SecureError('ERR_SECURE_BAD_OPTION', 'notBefore must be a valid Date');
  }
  // X.509 times carry whole seconds (RFC 5280 §4.1.2.5.1, §4.1.2.5.2).
  const notBefore = new Date(Math.floor(start.getTime() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + days * DAY_MS);
  if (notBefore.getUTCFullYear() < 1950 || notAfter.getUTCFullYear() > 9999) {
    throw new SecureError('ERR_SECURE_BAD_OPTION', 'validity must lie within the years 1950..9999 (RFC 5280 §4.1.2.5)');
  }
  return { keyType, commonName, notBefore, notAfter };
}

/** 16 random bytes, positive, without a superfluous leading zero (RFC 5280 §4.1.2.2). */
function randomSerial(): Buffer {
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x40;
  return serial;
}

function generateEcdsa(o: CheckedOptions): TlsCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const serial = randomSerial();
  const tbs = encodeTbsCertificate({
    serial,
    commonName: o.commonName,
    notBefore: o.notBefore,
    notAfter: o.notAfter,
    subjectPublicKeyInfo: publicKey.export({ type: 'spki', format: 'der' }),
    signatureOid: OID_ECDSA_WITH_SHA256,
  });
  // ECDSA-Sig-Value, DER (RFC 5758 §3.2; node's default dsaEncoding).
  const signature = sign('sha256', tbs, privateKey);
  const der = encodeCertificate(tbs, OID_ECDSA_WITH_SHA256, signature);
  return {
    keyType: 'ecdsa-p256',
    der,
    pem: derToPem(der),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    commonName: o.commonName,
    serialNumber: serial.toString('hex').toUpperCase(),
    notBefore: o.notBefore,
    notAfter: o.notAfter,
  };
}

function generateRsa(o: CheckedOptions): TlsCertificate {
  const forge = loadForge();
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  const serial = randomSerial();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = o.notBefore;
  cert.validity.notAfter = o.notAfter;
  // forge's `valueTagClass` is the ASN.1 universal type of the value (its
  // typings call it a Class): UTF8String, as RFC 5280 §4.1.2.4 asks.
  const utf8 = forge.asn1.Type.UTF8 as number as Forge.asn1.Class;
  const name = [{ shortName: 'CN', value: forge.util.encodeUtf8(o.commonName), valueTagClass: utf8 }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([{ name: 'basicConstraints', cA: false }]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  const privateKeyInfo = forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keys.privateKey));
  return {
    keyType: 'rsa-2048',
    der,
    pem: derToPem(der),
    privateKeyPem: forge.pki.privateKeyInfoToPem(privateKeyInfo),
    commonName: o.commonName,
    serialNumber: serial.toString('hex').toUpperCase(),
    notBefore: o.notBefore,
    notAfter: o.notAfter,
  };
}

/**
 * Makes a self-signed certificate and its private key.
 *
 * @throws SecureError `ERR_SECURE_BAD_OPTION` for a bad option.
 */
export function generateCertificate(options?: CertificateOptions): TlsCertificate {
  const checked = checkOptions(options);
  const started = process.hrtime.bigint();
  const certificate = checked.keyType === 'ecdsa-p256' ? generateEcdsa(checked) : generateRsa(checked);
  debug(
    'generated a %s certificate CN=%s serial %s in %s ms',
    checked.keyType,
    checked.commonName,
    certificate.serialNumber,
    (Number(process.hrtime.bigint() - started) / 1e6).toFixed(2),
  );
  return certificate;
}

/**
 * Loads a certificate and its private key from PEM (for example ones saved
 * from an earlier {@link generateCertificate}), checking that they belong
 * together.
 *
 * @throws SecureError `ERR_SECURE_BAD_OPTION` when either PEM does not parse,
 *   the key is neither ECDSA P-256 nor RSA-2048, or the key does not match.
 */
export function loadCertificate(pem: string, privateKeyPem: string): TlsCertificate {
  let x509: X509Certificate;
  let key: ReturnType<typeof createPrivateKey>;
  try {
    x509 = new X509Certificate(pem);
    key = createPrivateKey(privateKeyPem);
  } catch (error) {
    throw new SecureError('ERR_SECURE_BAD_OPTION', 'the certificate or private key PEM does not parse', { cause: error });
  }
  if (!x509.checkPrivateKey(key)) {
    throw new SecureError('ERR_SECURE_BAD_OPTION', 'the private key does not belong to the certificate');
  }
  const details = key.asymmetricKeyDetails;
  let keyType: CertificateKeyType;
  if (key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1') keyType = 'ecdsa-p256';
  else if (key.asymmetricKeyType === 'rsa' && details?.modulusLength === 2048) keyType = 'rsa-2048';
  else {
    throw new SecureError('ERR_SECURE_BAD_OPTION', `unsupported key type ${String(key.asymmetricKeyType)} (ECDSA P-256 or RSA-2048 only)`);
  }
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(x509.subject)?.[1] ?? '';
  return {
    keyType,
    der: x509.raw,
    pem: x509.toString(),
    privateKeyPem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    commonName: cn,
    serialNumber: x509.serialNumber.toUpperCase(),
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
  };
}
