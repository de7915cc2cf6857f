import test from 'ava';
import { X509Certificate, createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import forge from 'node-forge';
import { SecureError, generateCertificate, loadCertificate } from '../../lib/secure/index.js';
import { OID_ECDSA_WITH_SHA256, derToPem, encodeCertificate, encodeTbsCertificate } from '../../lib/secure/x509-der.js';

const rsa = generateCertificate({ keyType: 'rsa-2048', commonName: 'rsa peer' });

test('ECDSA P-256 certificate: self-signed, verifiable, key matches, fields as asked', (t) => {
  const notBefore = new Date('2030-01-02T03:04:05.678Z');
  const cert = generateCertificate({ commonName: 'peer-1', validityDays: 7, notBefore });
  const x = new X509Certificate(cert.pem);
  t.true(x.verify(x.publicKey), 'signature verifies with its own key');
  t.true(x.checkPrivateKey(createPrivateKey(cert.privateKeyPem)));
  t.is(x.publicKey.asymmetricKeyType, 'ec');
  t.is(x.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  t.is(x.subject, 'CN=peer-1');
  t.is(x.issuer, 'CN=peer-1');
  t.deepEqual(x.raw, cert.der);
  t.is(cert.keyType, 'ecdsa-p256');
  t.is(cert.notBefore.toISOString(), '2030-01-02T03:04:05.000Z', 'whole seconds');
  t.is(cert.notAfter.toISOString(), '2030-01-09T03:04:05.000Z');
  t.is(new Date(x.validFrom).toISOString(), cert.notBefore.toISOString());
  t.is(new Date(x.validTo).toISOString(), cert.notAfter.toISOString());
  t.is(x.serialNumber.toUpperCase(), cert.serialNumber);
  t.false(x.ca, 'basicConstraints cA FALSE');
  t.regex(cert.pem, /^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END CERTIFICATE-----\n$/);
});

test('the certificate is X.509 v3 signed with ecdsa-with-SHA256 (as parsed by forge)', (t) => {
  const cert = generateCertificate();
  const asn = forge.asn1.fromDer(cert.der.toString('binary'));
  const tbs = (asn.value as forge.asn1.Asn1[])[0];
  const version = (tbs.value as forge.asn1.Asn1[])[0];
  t.is(version.tagClass, forge.asn1.Class.CONTEXT_SPECIFIC);
  const sigAlg = (asn.value as forge.asn1.Asn1[])[1];
  const oid = forge.asn1.derToOid((sigAlg.value as forge.asn1.Asn1[])[0].value as string);
  t.is(oid, '1.2.840.10045.4.3.2');
  t.is((sigAlg.value as forge.asn1.Asn1[]).length, 1, 'no parameters (RFC 5758 §3.2)');
});

test('serials are random, positive and 16 bytes', (t) => {
  const serials = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const s = generateCertificate().serialNumber;
    t.regex(s, /^[4-7][0-9A-F]{31}$/);
    serials.add(s);
  }
  t.is(serials.size, 20);
});

test('default validity: starts a day ago, lasts 30 days, CN ice-tcp', (t) => {
  const before = Date.now();
  const cert = generateCertificate();
  t.true(Math.abs(cert.notBefore.getTime() - (before - 86_400_000)) < 5_000);
  t.is(cert.notAfter.getTime() - cert.notBefore.getTime(), 30 * 86_400_000);
  t.is(cert.commonName, 'ice-tcp');
});

test('validity from 2050 on is encoded as GeneralizedTime and still parses', (t) => {
  const cert = generateCertificate({ notBefore: new Date('2049-12-30T00:00:00Z'), validityDays: 10 });
  const x = new X509Certificate(cert.pem);
  t.is(new Date(x.validTo).toISOString(), '2050-01-09T00:00:00.000Z');
  t.true(x.verify(x.publicKey));
});

test('a UTF-8 common name round-trips', (t) => {
  const cert = generateCertificate({ commonName: 'pär-😀' });
  const x = new X509Certificate(cert.pem);
  t.is(x.subject, 'CN=pär-😀');
  t.is(loadCertificate(cert.pem, cert.privateKeyPem).commonName, 'pär-😀');
});

test('RSA-2048 through node-forge: verifiable, key matches', (t) => {
  const x = new X509Certificate(rsa.pem);
  t.true(x.verify(x.publicKey));
  t.true(x.checkPrivateKey(createPrivateKey(rsa.privateKeyPem)));
  t.is(x.publicKey.asymmetricKeyType, 'rsa');
  t.is(x.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  t.is(x.subject, 'CN=rsa peer');
  t.is(rsa.keyType, 'rsa-2048');
  t.false(x.ca);
});

test('ECDSA generation is fast (goal < 5 ms; asserted < 50 ms on a loaded machine)', (t) => {
  generateCertificate();
  const n = 20;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) generateCertificate();
  const ms = Number(process.hrtime.bigint() - start) / 1e6 / n;
  t.log(`ECDSA P-256 certificate: ${ms.toFixed(2)} ms`);
  t.true(ms < 50);
});

test('bad options throw ERR_SECURE_BAD_OPTION', (t) => {
  const bad = [
    { keyType: 'ed25519' },
    { commonName: '' },
    { commonName: 'x'.repeat(65) },
    { commonName: 7 },
    { validityDays: 0 },
    { validityDays: 1.5 },
    { validityDays: 36_501 },
    { notBefore: new Date('nope') },
    { notBefore: '2020-01-01' },
    { notBefore: new Date('1949-06-01T00:00:00Z') },
    { notBefore: new Date('9999-12-15T00:00:00Z') },
  ];
  for (const options of bad) {
    const error = t.throws(() => generateCertificate(options as never), { instanceOf: SecureError });
    t.is(error?.code, 'ERR_SECURE_BAD_OPTION', JSON.stringify(options));
  }
});

test('loadCertificate restores a generated certificate', (t) => {
  const cert = generateCertificate({ commonName: 'saved' });
  const loaded = loadCertificate(cert.pem, cert.privateKeyPem);
  t.deepEqual(loaded.der, cert.der);
  t.is(loaded.keyType, 'ecdsa-p256');
  t.is(loaded.commonName, 'saved');
  t.is(loaded.serialNumber, cert.serialNumber);
  t.is(loaded.notBefore.getTime(), cert.notBefore.getTime());
  t.is(loaded.notAfter.getTime(), cert.notAfter.getTime());
  t.is(loadCertificate(rsa.pem, rsa.privateKeyPem).keyType, 'rsa-2048');
});

test('loadCertificate refuses garbage, a foreign key and unsupported key types', (t) => {
  const cert = generateCertificate();
  const other = generateCertificate();
  for (const [pem, key] of [
    ['nope', cert.privateKeyPem],
    [cert.pem, 'nope'],
    [cert.pem, other.privateKeyPem],
  ] as const) {
    t.is(t.throws(() => loadCertificate(pem, key), { instanceOf: SecureError })?.code, 'ERR_SECURE_BAD_OPTION');
  }
  // A P-384 certificate with its own key: well-formed, but not a key type we offer.
  const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
  const tbs = encodeTbsCertificate({
    serial: Buffer.from([0x42]),
    commonName: 'p384',
    notBefore: new Date('2030-01-01T00:00:00Z'),
    notAfter: new Date('2030-02-01T00:00:00Z'),
    subjectPublicKeyInfo: p384.publicKey.export({ type: 'spki', format: 'der' }),
    signatureOid: OID_ECDSA_WITH_SHA256,
  });
  const der = encodeCertificate(tbs, OID_ECDSA_WITH_SHA256, sign('sha256', tbs, p384.privateKey));
  const x = new X509Certificate(der);
  t.true(x.verify(p384.publicKey));
  const error = t.throws(() => loadCertificate(derToPem(der), p384.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()), {
    instanceOf: SecureError,
  });
  t.is(error?.code, 'ERR_SECURE_BAD_OPTION');
  t.regex(error.message, /unsupported key type/);
});
