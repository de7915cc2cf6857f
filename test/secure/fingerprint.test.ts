import test from 'ava';
import fc from 'fast-check';
import { X509Certificate, createHash } from 'node:crypto';
import {
  FINGERPRINT_HASH_PREFERENCE,
  SecureError,
  computeFingerprint,
  formatFingerprint,
  formatFingerprintAttribute,
  formatFingerprintLine,
  generateCertificate,
  matchCertificate,
  normalizeFingerprintHash,
  parseFingerprint,
  parseFingerprintLine,
  selectFingerprints,
  toFingerprints,
  type CertificateFingerprint,
} from '../../lib/secure/index.js';
import { FC_RUNS } from './helpers.js';

const cert = generateCertificate();
const other = generateCertificate();

const code = (fn: () => unknown): string | undefined =>
  (() => {
    try {
      fn();
      return undefined;
    } catch (error) {
      return error instanceof SecureError ? error.code : `not a SecureError: ${String(error)}`;
    }
  })();

test('sha-256 fingerprint: upper-case hex bytes with colons over the DER, as node prints it', (t) => {
  const fp = computeFingerprint(cert.der);
  t.is(fp.algorithm, 'sha-256');
  t.regex(fp.value, /^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/);
  t.is(fp.value, new X509Certificate(cert.pem).fingerprint256);
  t.is(computeFingerprint(cert.der, 'SHA-1').value, new X509Certificate(cert.pem).fingerprint);
  t.is(computeFingerprint(cert.der, 'sha-512').value, new X509Certificate(cert.pem).fingerprint512);
});

test('every RFC 8122 hash, any case, gives the right digest length', (t) => {
  const sizes = { 'sha-1': 20, 'sha-224': 28, 'sha-256': 32, 'sha-384': 48, 'sha-512': 64 } as const;
  for (const [name, bytes] of Object.entries(sizes)) {
    for (const spelled of [name, name.toUpperCase(), name[0].toUpperCase() + name.slice(1)]) {
      const fp = computeFingerprint(cert.der, spelled);
      t.is(fp.algorithm, name as CertificateFingerprint['algorithm']);
      t.is(fp.value.split(':').length, bytes);
      const node = createHash(name.replace('-', '')).update(cert.der).digest('hex').toUpperCase();
      t.is(fp.value.replaceAll(':', ''), node);
    }
  }
});

test('md5 and md2 are refused with ERR_FINGERPRINT_HASH_FORBIDDEN; unknown hashes with ERR_FINGERPRINT_UNKNOWN_HASH', (t) => {
  for (const name of ['md5', 'MD5', 'md2', 'Md2']) {
    t.is(
      code(() => normalizeFingerprintHash(name)),
      'ERR_FINGERPRINT_HASH_FORBIDDEN',
    );
    t.is(
      code(() => computeFingerprint(cert.der, name)),
      'ERR_FINGERPRINT_HASH_FORBIDDEN',
    );
    t.is(
      code(() => parseFingerprint(`${name} AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89`)),
      'ERR_FINGERPRINT_HASH_FORBIDDEN',
    );
    t.is(
      code(() => parseFingerprintLine(`a=fingerprint:${name} AB:CD`)),
      'ERR_FINGERPRINT_HASH_FORBIDDEN',
    );
  }
  for (const name of ['sha3-256', 'sha256', 'blake2', '', 'constructor', 'toString']) {
    t.is(
      code(() => normalizeFingerprintHash(name)),
      'ERR_FINGERPRINT_UNKNOWN_HASH',
      name,
    );
  }
  t.is(
    code(() => normalizeFingerprintHash(undefined as never)),
    'ERR_FINGERPRINT_UNKNOWN_HASH',
  );
});

test('computeFingerprint refuses an empty or non-binary certificate', (t) => {
  t.is(
    code(() => computeFingerprint(Buffer.alloc(0))),
    'ERR_SECURE_BAD_OPTION',
  );
  t.is(
    code(() => computeFingerprint('abc' as never)),
    'ERR_SECURE_BAD_OPTION',
  );
});

test('lines: format and parse a=fingerprint, fingerprint: and the CLI form', (t) => {
  const fp = computeFingerprint(cert.der);
  t.is(formatFingerprint(fp), `sha-256 ${fp.value}`);
  t.is(formatFingerprintAttribute(fp), `a=fingerprint:sha-256 ${fp.value}`);
  t.is(formatFingerprintLine(fp), `fingerprint sha-256 ${fp.value}`);
  for (const line of [
    formatFingerprintAttribute(fp),
    formatFingerprintLine(fp),
    `fingerprint:sha-256 ${fp.value}`,
    `  A=FINGERPRINT:SHA-256 ${fp.value.toLowerCase()}\r`,
    `Fingerprint\tSha-256   ${fp.value}  `,
  ]) {
    t.deepEqual(parseFingerprintLine(line), fp, line);
  }
  t.deepEqual(parseFingerprint(`SHA-256 ${fp.value}`), fp);
});

test('malformed fingerprints and lines give ERR_FINGERPRINT_SYNTAX', (t) => {
  const fp = computeFingerprint(cert.der);
  for (const text of [
    '',
    'sha-256',
    `sha-256  `,
    `sha-256 ${fp.value}:`,
    `sha-256 :${fp.value}`,
    `sha-256 ${fp.value.slice(0, -3)}`, // 31 bytes
    `sha-256 ${fp.value}:00`, // 33 bytes
    `sha-256 ${fp.value.replaceAll(':', '')}`,
    `sha-256 ${fp.value.replace(/^../, 'G0')}`,
    `sha-256 ${fp.value.replaceAll(':', '-')}`,
    `sha-256 ${fp.value} extra`,
    `sha-1 ${fp.value}`, // sha-256 length under sha-1
  ]) {
    t.is(
      code(() => parseFingerprint(text)),
      'ERR_FINGERPRINT_SYNTAX',
      text,
    );
  }
  for (const line of ['a=setup:active', 'a=fingerprint', `fingerprints sha-256 ${fp.value}`, `x a=fingerprint:sha-256 ${fp.value}`]) {
    t.is(
      code(() => parseFingerprintLine(line)),
      'ERR_FINGERPRINT_SYNTAX',
      line,
    );
  }
  t.is(
    code(() => parseFingerprint(42 as never)),
    'ERR_FINGERPRINT_SYNTAX',
  );
  t.is(
    code(() => parseFingerprintLine(null as never)),
    'ERR_FINGERPRINT_SYNTAX',
  );
});

test('format/parse round-trip for random digests of every hash (property)', (t) => {
  const sizes = [
    ['sha-1', 20],
    ['sha-224', 28],
    ['sha-256', 32],
    ['sha-384', 48],
    ['sha-512', 64],
  ] as const;
  fc.assert(
    fc.property(fc.constantFrom(...sizes), fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.boolean(), ([name, n], bytes, lower) => {
      const value = [...bytes.subarray(0, n)].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
      const fp = { algorithm: name, value } as CertificateFingerprint;
      const line = formatFingerprintAttribute(fp);
      t.deepEqual(parseFingerprintLine(lower ? line.toLowerCase() : line), fp);
      t.deepEqual(parseFingerprintLine(formatFingerprintLine(fp)), fp);
    }),
    { numRuns: Math.min(FC_RUNS, 2000) },
  );
});

test('parsing never throws anything but SecureError (property)', (t) => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (s) => {
      for (const fn of [() => parseFingerprintLine(s), () => parseFingerprint(s), () => parseFingerprintLine(`a=fingerprint:${s}`)]) {
        try {
          fn();
        } catch (error) {
          if (!(error instanceof SecureError)) return false;
        }
      }
      return true;
    }),
    { numRuns: Math.min(FC_RUNS, 2000) },
  );
  t.pass();
});

test('selectFingerprints: the set of our most preferred hash among those offered (RFC 8122 §5.1)', (t) => {
  const s1 = computeFingerprint(cert.der, 'sha-1');
  const s256 = computeFingerprint(cert.der, 'sha-256');
  const o256 = computeFingerprint(other.der, 'sha-256');
  const s512 = computeFingerprint(cert.der, 'sha-512');
  t.deepEqual(selectFingerprints([s1, s256, s512, o256]), [s256, o256]);
  t.deepEqual(selectFingerprints([s1, s512]), [s512]);
  t.deepEqual(selectFingerprints([s1]), [s1]);
  t.deepEqual(selectFingerprints([s1, s256, s512], ['sha-512', 'sha-256']), [s512]);
  t.is(
    code(() => selectFingerprints([])),
    'ERR_FINGERPRINT_NONE_USABLE',
  );
  t.is(
    code(() => selectFingerprints([s1], ['sha-256'])),
    'ERR_FINGERPRINT_NONE_USABLE',
  );
  t.is(FINGERPRINT_HASH_PREFERENCE[0], 'sha-256');
});

test('matchCertificate: matches one of the selected set, ignores other hashes', (t) => {
  const mine = computeFingerprint(cert.der);
  const theirs = computeFingerprint(other.der);
  t.true(matchCertificate(cert.der, [mine]).matched);
  t.true(matchCertificate(cert.der, [theirs, mine]).matched, 'two certificates signalled');
  const miss = matchCertificate(cert.der, [theirs]);
  t.false(miss.matched);
  t.is(miss.algorithm, 'sha-256');
  t.deepEqual(miss.actual, mine);
  t.deepEqual(miss.expected, [theirs]);
  // The sha-256 set is selected; a right sha-1 value beside a wrong sha-256 one does not save it.
  t.false(matchCertificate(cert.der, [computeFingerprint(cert.der, 'sha-1'), theirs]).matched);
  // Only sha-1 offered: that set decides.
  t.true(matchCertificate(cert.der, [computeFingerprint(cert.der, 'sha-1')]).matched);
  // Lower-case values given as objects still compare.
  t.true(matchCertificate(cert.der, [{ algorithm: 'sha-256', value: mine.value.toLowerCase() }]).matched);
  t.is(
    code(() => matchCertificate(cert.der, [])),
    'ERR_FINGERPRINT_NONE_USABLE',
  );
});

test('toFingerprints accepts objects, bare values and lines, and checks them', (t) => {
  const fp = computeFingerprint(cert.der);
  t.deepEqual(toFingerprints([fp, formatFingerprint(fp), formatFingerprintAttribute(fp), formatFingerprintLine(fp)]), [fp, fp, fp, fp]);
  t.deepEqual(toFingerprints([{ algorithm: 'SHA-256' as never, value: fp.value.toLowerCase() }]), [fp]);
  t.is(
    code(() => toFingerprints([{ algorithm: 'md5' as never, value: 'AB' }])),
    'ERR_FINGERPRINT_HASH_FORBIDDEN',
  );
  t.is(
    code(() => toFingerprints([{ algorithm: 'sha-256', value: 'AB' }])),
    'ERR_FINGERPRINT_SYNTAX',
  );
  t.is(
    code(() => toFingerprints([null as never])),
    'ERR_FINGERPRINT_SYNTAX',
  );
  t.is(
    code(() => toFingerprints([7 as never])),
    'ERR_FINGERPRINT_SYNTAX',
  );
});
