import test from 'ava';
import { createHmac } from 'node:crypto';
import {
  StunAttr,
  StunClass,
  decodeStun,
  encodeStun,
  shortTermKey,
  verifyFingerprint,
  verifyIntegrity,
  verifyIntegritySha256,
} from '../../lib/stun/index.js';
import { TID, buildMessage } from './helpers.js';

const KEY = shortTermKey('VOkJxbRl1RmTxUk/WvJxBt');
const request = (options: Parameters<typeof encodeStun>[1]) =>
  encodeStun(
    { class: StunClass.Request, method: 1, transactionId: TID, attributes: { username: 'a:b', priority: 123, iceControlling: 42n } },
    options,
  );

test('MESSAGE-INTEGRITY followed by FINGERPRINT verifies; any changed byte before MI breaks it', (t) => {
  const buf = request({ integrityKey: KEY, fingerprint: true });
  const m = decodeStun(buf);
  t.true(verifyIntegrity(m, KEY));
  t.true(verifyFingerprint(m));
  t.false(verifyIntegrity(m, shortTermKey('other')));
  t.false(verifyIntegritySha256(m, KEY), 'absent');
  for (let i = 0; i < m.integrityOffset + 24; i++) {
    if (i === 2 || i === 3) continue; // a changed length is a different message layout
    const copy = Buffer.from(buf);
    copy[i] ^= 0x01;
    let mc;
    try {
      mc = decodeStun(copy);
    } catch {
      continue; // the change made it malformed: also a rejection
    }
    t.false(verifyIntegrity(mc, KEY) && verifyFingerprint(mc), `byte ${i}`);
    t.false(verifyIntegrity(mc, KEY), `MI must catch byte ${i}`);
  }
});

test('FINGERPRINT alone; a changed FINGERPRINT value fails only the fingerprint', (t) => {
  const buf = request({ integrityKey: KEY, fingerprint: true });
  buf[buf.length - 1] ^= 0xff;
  const m = decodeStun(buf);
  t.true(verifyIntegrity(m, KEY));
  t.false(verifyFingerprint(m));
  const plain = decodeStun(request({ fingerprint: true }));
  t.true(verifyFingerprint(plain));
  t.false(plain.hasIntegrity);
  t.false(verifyIntegrity(plain, KEY), 'absent');
  t.false(verifyFingerprint(decodeStun(request({}))), 'absent');
});

test('MESSAGE-INTEGRITY-SHA256 alone and together with MI and FINGERPRINT', (t) => {
  const k2 = shortTermKey('sha256 key');
  for (const options of [{ integritySha256Key: k2 }, { integrityKey: KEY, integritySha256Key: k2, fingerprint: true }]) {
    const m = decodeStun(request(options));
    t.true(verifyIntegritySha256(m, k2));
    t.false(verifyIntegritySha256(m, KEY));
    t.is(verifyIntegrity(m, KEY), options.integrityKey !== undefined);
    t.is(verifyFingerprint(m), options.fingerprint === true);
  }
});

test('a truncated MESSAGE-INTEGRITY-SHA256 (16 bytes) verifies (RFC 8489 §14.6)', (t) => {
  const k = shortTermKey('k');
  const head = buildMessage(0x0001, [{ type: StunAttr.Priority, value: '00000001' }]);
  head.writeUInt16BE(head.length - 20 + 20, 2); // length as if the 20-byte MI-SHA256 attribute were there
  const mac = createHmac('sha256', k).update(head).digest().subarray(0, 16);
  const buf = buildMessage(0x0001, [
    { type: StunAttr.Priority, value: '00000001' },
    { type: StunAttr.MessageIntegritySha256, value: mac },
  ]);
  const m = decodeStun(buf);
  t.true(verifyIntegritySha256(m, k));
  buf[buf.length - 1] ^= 1;
  t.false(verifyIntegritySha256(decodeStun(buf), k));
});

test('verification restores the length field and works on a plain Uint8Array', (t) => {
  const buf = request({ integrityKey: KEY, integritySha256Key: KEY, fingerprint: true });
  const u8 = new Uint8Array(buf);
  const m = decodeStun(u8);
  t.true(verifyIntegrity(m, KEY));
  t.true(verifyIntegritySha256(m, KEY));
  t.true(verifyFingerprint(m));
  t.deepEqual(Buffer.from(u8), buf);
});
