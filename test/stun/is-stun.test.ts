import test from 'ava';
import { StunClass, encodeStun, isStun } from '../../lib/stun/index.js';
import { TID } from './helpers.js';

const withFp = encodeStun({ class: StunClass.Indication, method: 1, transactionId: TID }, { fingerprint: true });
const withoutFp = encodeStun({ class: StunClass.Request, method: 1, transactionId: TID, attributes: { priority: 1 } });

test('a well-formed message is STUN; with requireFingerprint only if FINGERPRINT verifies', (t) => {
  t.true(isStun(withFp));
  t.true(isStun(withFp, { requireFingerprint: true }));
  t.true(isStun(withoutFp));
  t.false(isStun(withoutFp, { requireFingerprint: true }));
  t.false(isStun(encodeStun({ class: StunClass.Request, method: 1, transactionId: TID }), { requireFingerprint: true }));
  const badCrc = Buffer.from(withFp);
  badCrc[badCrc.length - 1] ^= 1;
  t.true(isStun(badCrc));
  t.false(isStun(badCrc, { requireFingerprint: true }));
  const badFpLength = Buffer.from(withFp);
  badFpLength[badFpLength.length - 5] = 8;
  t.false(isStun(badFpLength, { requireFingerprint: true }));
  t.true(isStun(new Uint8Array(withFp), { requireFingerprint: true }));
});

test('top bits, cookie and length decide (RFC 8489 §6.3)', (t) => {
  const topBits = Buffer.from(withoutFp);
  topBits[0] |= 0x40;
  t.false(isStun(topBits));
  const cookie = Buffer.from(withoutFp);
  cookie[5] ^= 1;
  t.false(isStun(cookie));
  t.false(isStun(Buffer.concat([withoutFp, Buffer.alloc(4)])), 'length + 20 must equal the size');
  t.false(isStun(withoutFp.subarray(0, withoutFp.length - 4)));
  const odd = Buffer.concat([withoutFp, Buffer.alloc(2)]);
  odd.writeUInt16BE(odd.length - 20, 2);
  t.false(isStun(odd), 'length not a multiple of 4');
  t.false(isStun(new Uint8Array(0)));
  t.false(isStun(withoutFp.subarray(0, 19)));
  // RTP/RTCP first bytes (128-191, RFC 7983) and anything else with a top bit set.
  for (const first of [0x80, 0xbf, 0x40, 0xff]) {
    const b = Buffer.from(withoutFp);
    b[0] = first;
    t.false(isStun(b));
  }
});
