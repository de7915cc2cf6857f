/**
 * Certificate fingerprints (RFC 8122 §5): `sha-256 AB:CD:…`, the hash of the
 * certificate's DER in upper-case hex bytes separated by colons; parsing and
 * printing of `a=fingerprint:` lines and of the CLI's `fingerprint …` lines;
 * and the RFC 8122 §5.1 rule for checking a certificate against several.
 *
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { SecureError } from './secure-error.js';

/** Hash functions of RFC 8122 §5 that may compute or verify fingerprints. */
export type FingerprintHash = 'sha-1' | 'sha-224' | 'sha-256' | 'sha-384' | 'sha-512';

/** One fingerprint: a hash name and the hash as `AB:CD:…` (upper-case). */
export interface CertificateFingerprint {
  readonly algorithm: FingerprintHash;
  /** Upper-case hex bytes separated by colons (RFC 8122 §5). */
  readonly value: string;
}

/** node:crypto names and digest sizes of the {@link FingerprintHash}es. */
const HASHES: Readonly<Record<FingerprintHash, { node: string; bytes: number }>> = {
  'sha-1': { node: 'sha1', bytes: 20 },
  'sha-224': { node: 'sha224', bytes: 28 },
  'sha-256': { node: 'sha256', bytes: 32 },
  'sha-384': { node: 'sha384', bytes: 48 },
  'sha-512': { node: 'sha512', bytes: 64 },
};

/**
 * Our preference among hashes, most preferred first: SHA-256 is the one
 * RFC 8122 §5 prefers, then the stronger ones, then the weaker ones.
 */
export const FINGERPRINT_HASH_PREFERENCE: readonly FingerprintHash[] = ['sha-256', 'sha-384', 'sha-512', 'sha-224', 'sha-1'];

/** The default hash of {@link computeFingerprint}. */
export const DEFAULT_FINGERPRINT_HASH: FingerprintHash = 'sha-256';

/**
 * The canonical (lower-case) name of a hash given in any case (RFC 8122 §5:
 * hash-func names are case-insensitive).
 *
 * @throws SecureError `ERR_FINGERPRINT_HASH_FORBIDDEN` for md5 and md2
 *   (RFC 8122 §5: MUST NOT be used), `ERR_FINGERPRINT_UNKNOWN_HASH` for any
 *   other name.
 */
export function normalizeFingerprintHash(name: string): FingerprintHash {
  const lower = typeof name === 'string' ? name.toLowerCase() : '';
  if (Object.hasOwn(HASHES, lower)) return lower as FingerprintHash;
  if (lower === 'md5' || lower === 'md2') {
    // RFC 8122 §5: MD2 and MD5 MUST NOT be used to compute or verify fingerprints.
    throw new SecureError('ERR_FINGERPRINT_HASH_FORBIDDEN', `${lower} fingerprints are forbidden (RFC 8122 §5)`);
  }
  throw new SecureError('ERR_FINGERPRINT_UNKNOWN_HASH', `unknown fingerprint hash ${JSON.stringify(String(name))}`);
}

function formatHex(digest: Buffer): string {
  const hex = digest.toString('hex').toUpperCase();
  let out = hex.slice(0, 2);
  for (let i = 2; i < hex.length; i += 2) out += ':' + hex.slice(i, i + 2);
  return out;
}

/**
 * The fingerprint of a certificate: `algorithm` (default sha-256) over its
 * DER (RFC 8122 §5).
 *
 * @throws SecureError as {@link normalizeFingerprintHash}; `ERR_SECURE_BAD_OPTION`
 *   when `der` is not a non-empty Uint8Array.
 */
export function computeFingerprint(der: Uint8Array, algorithm: string = DEFAULT_FINGERPRINT_HASH): CertificateFingerprint {
  const hash = normalizeFingerprintHash(algorithm);
  if (!(der instanceof Uint8Array) || der.length === 0) {
    throw new SecureError('ERR_SECURE_BAD_OPTION', 'the certificate DER must be a non-empty Uint8Array');
  }
  return { algorithm: hash, value: formatHex(createHash(HASHES[hash].node).update(der).digest()) };
}

/** fingerprint = 2UHEX *(":" 2UHEX) (RFC 8122 §5); lower-case hex accepted too. */
const FINGERPRINT_VALUE = /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2})*$/;

/**
 * Parses `<hash-func> <fingerprint>`, for example `sha-256 AB:CD:…`. The hash
 * name is case-insensitive (RFC 8122 §5); the hex is normalised to upper
 * case (lower-case hex is accepted from lenient peers) and must have the
 * hash's length.
 *
 * @throws SecureError `ERR_FINGERPRINT_SYNTAX`, or as
 *   {@link normalizeFingerprintHash}.
 */
export function parseFingerprint(text: string): CertificateFingerprint {
  if (typeof text !== 'string') throw new SecureError('ERR_FINGERPRINT_SYNTAX', 'a fingerprint must be a string');
  const m = /^\s*(\S+)[ \t]+(\S+)\s*$/.exec(text);
  if (!m) throw new SecureError('ERR_FINGERPRINT_SYNTAX', `expected "<hash> <XX:XX:…>", got ${JSON.stringify(text)}`);
  const algorithm = normalizeFingerprintHash(m[1]);
  const value = m[2];
  if (!FINGERPRINT_VALUE.test(value)) {
    throw new SecureError('ERR_FINGERPRINT_SYNTAX', `malformed fingerprint value ${JSON.stringify(value)}`);
  }
  const bytes = (value.length + 1) / 3;
  if (bytes !== HASHES[algorithm].bytes) {
    throw new SecureError('ERR_FINGERPRINT_SYNTAX', `a ${algorithm} fingerprint has ${HASHES[algorithm].bytes} bytes, this one ${bytes}`);
  }
  return { algorithm, value: value.toUpperCase() };
}

/** `sha-256 AB:CD:…` (the attribute value, without any prefix). */
export function formatFingerprint(fp: CertificateFingerprint): string {
  return `${fp.algorithm} ${fp.value}`;
}

/** `a=fingerprint:sha-256 AB:CD:…` (RFC 8122 §5, SDP form). */
export function formatFingerprintAttribute(fp: CertificateFingerprint): string {
  return `a=fingerprint:${formatFingerprint(fp)}`;
}

/** `fingerprint sha-256 AB:CD:…` (the line `ice-tcp peer` prints and reads). */
export function formatFingerprintLine(fp: CertificateFingerprint): string {
  return `fingerprint ${formatFingerprint(fp)}`;
}

/**
 * Parses a fingerprint line in any of its forms: `a=fingerprint:sha-256 …`,
 * `fingerprint:sha-256 …` (SDP, RFC 8122 §5) or `fingerprint sha-256 …`
 * (the CLI's line). Surrounding white space and a trailing CR are ignored;
 * the attribute name is case-insensitive.
 *
 * @throws SecureError `ERR_FINGERPRINT_SYNTAX` for another line, or as
 *   {@link parseFingerprint}.
 */
export function parseFingerprintLine(line: string): CertificateFingerprint {
  if (typeof line !== 'string') throw new SecureError('ERR_FINGERPRINT_SYNTAX', 'a fingerprint line must be a string');
  const m = /^\s*(?:a=)?fingerprint(?::|[ \t]+)(.*)$/is.exec(line);
  if (!m) throw new SecureError('ERR_FINGERPRINT_SYNTAX', `not a fingerprint line: ${JSON.stringify(line)}`);
  return parseFingerprint(m[1]);
}

/**
 * The fingerprints to check a certificate against, RFC 8122 §5.1: those of
 * our most preferred hash among the ones offered.
 *
 * @param preference Hashes in our order of preference (default
 *   {@link FINGERPRINT_HASH_PREFERENCE}); offered hashes not in it are ignored.
 * @throws SecureError `ERR_FINGERPRINT_NONE_USABLE` when no offered
 *   fingerprint uses a hash of `preference`.
 */
export function selectFingerprints(
  offered: readonly CertificateFingerprint[],
  preference: readonly FingerprintHash[] = FINGERPRINT_HASH_PREFERENCE,
): CertificateFingerprint[] {
  for (const hash of preference) {
    const set = offered.filter((fp) => fp.algorithm === hash);
    if (set.length > 0) return set;
  }
  throw new SecureError(
    'ERR_FINGERPRINT_NONE_USABLE',
    `no usable fingerprint among ${offered.length} offered (usable hashes: ${preference.join(', ')})`,
  );
}

/** Result of {@link matchCertificate}. */
export interface FingerprintMatch {
  /** True when the certificate matches one fingerprint of the selected set. */
  readonly matched: boolean;
  /** The hash the set was selected for (RFC 8122 §5.1). */
  readonly algorithm: FingerprintHash;
  /** The certificate's own fingerprint with that hash. */
  readonly actual: CertificateFingerprint;
  /** The selected set it was compared with. */
  readonly expected: readonly CertificateFingerprint[];
}

/**
 * Checks a certificate (DER) against signalled fingerprints, RFC 8122 §5.1:
 * select the set of our most preferred hash among those offered; the
 * certificate must match one fingerprint of that set.
 *
 * @throws SecureError as {@link selectFingerprints} and {@link computeFingerprint}.
 */
export function matchCertificate(
  der: Uint8Array,
  offered: readonly CertificateFingerprint[],
  preference?: readonly FingerprintHash[],
): FingerprintMatch {
  const expected = selectFingerprints(offered, preference);
  const algorithm = expected[0].algorithm;
  const actual = computeFingerprint(der, algorithm);
  const mine = Buffer.from(actual.value, 'latin1');
  let matched = false;
  for (const fp of expected) {
    const theirs = Buffer.from(fp.value.toUpperCase(), 'latin1');
    if (theirs.length === mine.length && timingSafeEqual(theirs, mine)) matched = true;
  }
  return { matched, algorithm, actual, expected };
}

/**
 * Turns fingerprints given as objects or as strings (`sha-256 AB:…` or any
 * fingerprint line) into checked objects.
 *
 * @throws SecureError as {@link parseFingerprintLine} and {@link normalizeFingerprintHash}.
 */
export function toFingerprints(input: ReadonlyArray<CertificateFingerprint | string>): CertificateFingerprint[] {
  return input.map((item) => {
    if (typeof item === 'string') return /fingerprint/i.test(item) ? parseFingerprintLine(item) : parseFingerprint(item);
    if (item === null || typeof item !== 'object') {
      throw new SecureError('ERR_FINGERPRINT_SYNTAX', 'a fingerprint must be a string or { algorithm, value }');
    }
    return parseFingerprint(`${String(item.algorithm)} ${String(item.value)}`);
  });
}
