// The HMAC-SHA1 of MESSAGE-INTEGRITY (lib/stun/hmac-sha1.ts, RFC 2104 on
// node:crypto's one-shot SHA-1): RFC 2202 §3 known answers, agreement with
// createHmac for random keys (short, a full block, longer than a block) and
// messages, the STUN length patch, and the constant-time comparison.
import test from 'ava';
import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { digestEquals, stunHmacSha1, writeDigest } from '../../lib/stun/hmac-sha1.js';
import { FC_RUNS } from './helpers.js';

/** HMAC of `data` as stunHmacSha1 computes it, with the length field left as it is. */
function hmac(key: Uint8Array, data: Uint8Array): string {
  return Buffer.from(stunHmacSha1(key, data, data.length, (data[2] << 8) | data[3]), 'latin1').toString('hex');
}

// RFC 2202 §3, HMAC-SHA-1 test cases 1-7 (6 and 7: an 80-byte key, longer than the 64-byte block).
const RFC2202: Array<[string, Buffer, Buffer, string]> = [
  ['1', Buffer.alloc(20, 0x0b), Buffer.from('Hi There'), 'b617318655057264e28bc0b6fb378c8ef146be00'],
  ['2', Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?'), 'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79'],
  ['3', Buffer.alloc(20, 0xaa), Buffer.alloc(50, 0xdd), '125d7342b9ac11cd91a39af48aa17b4f63f175d3'],
  ['4', Buffer.from(Array.from({ length: 25 }, (_, i) => i + 1)), Buffer.alloc(50, 0xcd), '4c9007f4026250c6bc8414f9bf50c86c2d7235da'],
  ['5', Buffer.alloc(20, 0x0c), Buffer.from('Test With Truncation'), '4c1a03424b55e07fe7f27be1d58bb9324a9a5a04'],
  [
    '6',
    Buffer.alloc(80, 0xaa),
    Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First'),
    'aa4ae5e15272d00e95705637ce8a3b55ed402112',
  ],
  [
    '7',
    Buffer.alloc(80, 0xaa),
    Buffer.from('Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data'),
    'e8e99d0f45237d786d6bbaa7965c7808bbff1a91',
  ],
];

for (const [n, key, data, digest] of RFC2202) {
  test(`RFC 2202 §3 HMAC-SHA-1 test case ${n}`, (t) => {
    t.is(hmac(key, data), digest);
  });
}

test('agrees with createHmac for random keys (0-200 bytes) and messages (4-3000 bytes)', (t) => {
  t.notThrows(() =>
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ minLength: 65, maxLength: 200 })),
        fc.uint8Array({ minLength: 4, maxLength: 3000 }),
        (key, data) => {
          return hmac(key, data) === createHmac('sha1', key).update(data).digest('hex');
        },
      ),
      { numRuns: Math.min(FC_RUNS, 2000) },
    ),
  );
});

test('the STUN length field is patched in the hashed copy only; only msg[0..end) counts', (t) => {
  const key = Buffer.from('VOkJxbRl1RmTxUk/WvJxBt');
  const msg = Buffer.from('000100100000000000000000000000000000000000000000deadbeef', 'hex');
  const before = Buffer.from(msg);
  const expected = Buffer.from(msg.subarray(0, 24));
  expected[2] = 0x12;
  expected[3] = 0x34;
  const mac = stunHmacSha1(key, msg, 24, 0x1234);
  t.is(Buffer.from(mac, 'latin1').toString('hex'), createHmac('sha1', key).update(expected).digest('hex'));
  t.deepEqual(msg, before, 'the input is not modified');
});

test('a long message after a short one, and a short one after it (the scratch block grows, stale bytes never count)', (t) => {
  const key = Buffer.from('k');
  const long = Buffer.alloc(70000, 0x5a);
  const short = Buffer.from('00010000aabbccdd', 'hex');
  t.is(hmac(key, long), createHmac('sha1', key).update(long).digest('hex'));
  t.is(hmac(key, short), createHmac('sha1', key).update(short).digest('hex'));
});

test('digestEquals: equal, one bit off anywhere, wrong length; writeDigest writes the bytes', (t) => {
  const digest = stunHmacSha1(Buffer.from('key'), Buffer.from('0001000011112222', 'hex'), 8, 0);
  const bytes = Buffer.alloc(30);
  writeDigest(digest, bytes, 5);
  t.true(digestEquals(digest, bytes, 5, 20));
  for (let i = 0; i < 20; i++) {
    for (let bit = 0; bit < 8; bit++) {
      const copy = Buffer.from(bytes);
      copy[5 + i] ^= 1 << bit;
      t.false(digestEquals(digest, copy, 5, 20), `byte ${i} bit ${bit}`);
    }
  }
  t.false(digestEquals(digest, bytes, 5, 16));
});
