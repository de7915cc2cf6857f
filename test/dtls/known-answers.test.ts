// Known answers: the TLS 1.2 PRF, key expansion, the extended master secret
// and the RFC 5705 exporter against fixtures/dtls/tls12-prf-vectors.json
// (OpenSSL 3's `openssl kdf ... TLS1-PRF` output, each with its command;
// the first is the vector published on the IETF TLS list); AEAD nonces
// (RFC 5288 §3, RFC 7905 §2) and sealing against node:crypto directly.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { createCipheriv } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { prf, keyBlock, extendedMasterSecret, exportKeyingMaterial } from '../../lib/dtls/prf.js';
import { RecordProtection, SUITES, recordNonce, additionalData } from '../../lib/dtls/cipher-suites.js';
import { ContentType, DTLS_1_2 } from '../../lib/dtls/record.js';

interface Vector {
  note: string;
  digest: 'sha256' | 'sha384';
  secret: string;
  label: string;
  seed: string;
  length: number;
  output: string;
  command: string;
}
const file = fileURLToPath(new URL('../../../fixtures/dtls/tls12-prf-vectors.json', import.meta.url));
const { vectors } = JSON.parse(readFileSync(file, 'utf8')) as { vectors: Vector[] };
const hex = (s: string): Buffer => Buffer.from(s, 'hex');

for (const v of vectors) {
  test(`PRF: ${v.note}`, (t) => {
    t.is(Buffer.from(prf(v.digest, hex(v.secret), v.label, hex(v.seed), v.length)).toString('hex'), v.output);
  });
}

test('the published PRF vector starts e3 f2 29 ba (guards the fixture itself)', (t) => {
  t.true(vectors[0].output.startsWith('e3f229ba727be17b8d122620557cd453'));
});

test('key expansion splits the key block as RFC 5246 §6.3 orders it (AEAD: keys, then IVs)', (t) => {
  for (const [i, id] of [
    [2, 0xc02b],
    [3, 0xc02c],
    [4, 0xcca9],
  ] as const) {
    const v = vectors[i];
    const suite = SUITES.get(id)!;
    const server = hex(v.seed).subarray(0, 32);
    const client = hex(v.seed).subarray(32);
    const kb = keyBlock(suite.prfHash, hex(v.secret), client, server, suite.keyLength, suite.ivLength);
    const block = hex(v.output);
    const k = suite.keyLength;
    const n = suite.ivLength;
    t.deepEqual(Buffer.from(kb.clientWriteKey), block.subarray(0, k), `${suite.name} client key`);
    t.deepEqual(Buffer.from(kb.serverWriteKey), block.subarray(k, 2 * k), `${suite.name} server key`);
    t.deepEqual(Buffer.from(kb.clientWriteIv), block.subarray(2 * k, 2 * k + n), `${suite.name} client IV`);
    t.deepEqual(Buffer.from(kb.serverWriteIv), block.subarray(2 * k + n, 2 * k + 2 * n), `${suite.name} server IV`);
  }
});

test('extended master secret (RFC 7627 §4) and the exporter (RFC 5705 §4) are the PRF with their labels', (t) => {
  const ems = vectors[5];
  t.is(Buffer.from(extendedMasterSecret('sha256', hex(ems.secret), hex(ems.seed))).toString('hex'), ems.output);
  const ex = vectors[6];
  const seed = hex(ex.seed);
  t.is(
    Buffer.from(exportKeyingMaterial('sha256', hex(ex.secret), seed.subarray(0, 32), seed.subarray(32), ex.label, 60)).toString('hex'),
    ex.output,
  );
});

test('AES-GCM nonce: 4-byte salt from the key block + epoch(2) + sequence(6) as nonce_explicit (RFC 5288 §3, RFC 6347 §4.1.2.1)', (t) => {
  const suite = SUITES.get(0xc02b)!;
  const nonce = recordNonce(suite, hex('a1a2a3a4'), 1, 0x0102030405);
  t.is(Buffer.from(nonce).toString('hex'), 'a1a2a3a4' + '0001' + '000102030405'.slice(0, 12));
});

test('ChaCha20-Poly1305 nonce: the 12-byte IV XOR (4 zero bytes + epoch + sequence) (RFC 7905 §2)', (t) => {
  const suite = SUITES.get(0xcca9)!;
  const iv = hex('000102030405060708090a0b');
  const nonce = recordNonce(suite, iv, 1, 0x0000deadbeef);
  // bytes 4..11 XOR 00 01 00 00 de ad be ef: 04 04 06 07 d6 a4 b4 e4.
  const seq = hex('00010000deadbeef');
  const want = Buffer.from(iv);
  for (let i = 0; i < 8; i++) want[4 + i] ^= seq[i];
  t.is(Buffer.from(nonce).toString('hex'), want.toString('hex'));
  t.is(want.toString('hex'), '0001020304040607d6a4b4e4', 'hand-computed value: 08^de=d6, 09^ad=a4, 0a^be=b4, 0b^ef=e4');
});

test('sealed records decrypt with node:crypto given the RFC nonce and additional data, for every suite', (t) => {
  for (const suite of SUITES.values()) {
    const key = Buffer.alloc(suite.keyLength, 7);
    const iv = Buffer.alloc(suite.ivLength, 9);
    const p = new RecordProtection(suite, key, iv);
    const plaintext = Buffer.from('known answer');
    const sealed = p.seal(1, 42, ContentType.application_data, DTLS_1_2, plaintext);
    const n = suite.explicitNonceLength;
    const nonce = recordNonce(suite, iv, 1, 42);
    const cipher = createCipheriv(suite.cipher as 'aes-128-gcm', key, nonce, { authTagLength: 16 });
    cipher.setAAD(additionalData(1, 42, ContentType.application_data, DTLS_1_2, plaintext.length), { plaintextLength: plaintext.length });
    const expected = Buffer.concat([nonce.subarray(4, 4 + n), cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
    t.deepEqual(Buffer.from(sealed), expected, suite.name);
    t.deepEqual(Buffer.from(p.open(1, 42, ContentType.application_data, DTLS_1_2, sealed)!), plaintext);
    t.is(p.open(1, 43, ContentType.application_data, DTLS_1_2, sealed), undefined, 'another sequence number does not authenticate');
  }
});
