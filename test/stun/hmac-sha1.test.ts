// The JavaScript HMAC-SHA1 behind MESSAGE-INTEGRITY (lib/stun/hmac-sha1.ts):
// the FIPS 180 SHA-1 examples, the RFC 2202 HMAC-SHA1 test cases (keys
// shorter than, equal to and longer than a block), and agreement with
// node:crypto (the reference implementation) on random keys and messages of
// every length across the padding boundaries (55, 56, 63, 64, 119, 120
// bytes) at random offsets. A one-bit change of key or message changes the
// result (the negative side).
import test from 'ava';
import { createHash, createHmac } from 'node:crypto';
import { hmacSha1, sha1 } from '../../lib/stun/hmac-sha1.js';
import { seededRandom } from '../../lib/ice/seeded-random.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('SHA-1: the FIPS 180 examples', (t) => {
  t.is(hex(sha1(Buffer.from('abc'))), 'a9993e364706816aba3e25717850c26c9cd0d89d');
  t.is(hex(sha1(Buffer.from('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))), '84983e441c3bd26ebaae4aa1f95129e5e54670f1');
  t.is(hex(sha1(Buffer.alloc(0))), 'da39a3ee5e6b4b0d3255bfef95601890afd80709');
  t.is(hex(sha1(Buffer.alloc(1_000_000, 'a'))), '34aa973cd4c4daa4f61eeb2bdbad27316534016f');
});

test('HMAC-SHA1: the RFC 2202 test cases', (t) => {
  const cases: Array<[Buffer, Buffer, string]> = [
    [Buffer.alloc(20, 0x0b), Buffer.from('Hi There'), 'b617318655057264e28bc0b6fb378c8ef146be00'],
    [Buffer.from('Jefe'), Buffer.from('what do ya want for nothing?'), 'effcdf6ae5eb2fa2d27416d5f184df9c259a7c79'],
    [Buffer.alloc(20, 0xaa), Buffer.alloc(50, 0xdd), '125d7342b9ac11cd91a39af48aa17b4f63f175d3'],
    [
      Buffer.from('0102030405060708090a0b0c0d0e0f10111213141516171819', 'hex'),
      Buffer.alloc(50, 0xcd),
      '4c9007f4026250c6bc8414f9bf50c86c2d7235da',
    ],
    [
      Buffer.alloc(80, 0xaa),
      Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First'),
      'aa4ae5e15272d00e95705637ce8a3b55ed402112',
    ],
    [
      Buffer.alloc(80, 0xaa),
      Buffer.from('Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data'),
      'e8e99d0f45237d786d6bbaa7965c7808bbff1a91',
    ],
  ];
  for (const [key, data, expected] of cases) t.is(hex(hmacSha1(key, data)), expected);
});

test('HMAC-SHA1 agrees with node:crypto on random keys and messages across every padding boundary, at any offset', (t) => {
  const random = seededRandom(5769);
  let compared = 0;
  for (const keyLength of [0, 1, 16, 20, 22, 32, 63, 64, 65, 128, 256]) {
    for (let length = 0; length <= 200; length++) {
      const key = Buffer.from(random.bytes(keyLength));
      const offset = length % 5;
      const data = Buffer.from(random.bytes(length + offset + 3));
      const mine = hmacSha1(key, data, offset, offset + length);
      const reference = createHmac('sha1', key)
        .update(data.subarray(offset, offset + length))
        .digest();
      if (!mine.equals(reference)) return t.fail(`key ${keyLength} B, data ${length} B at ${offset}`);
      t.is(
        hex(sha1(data, offset, offset + length)),
        createHash('sha1')
          .update(data.subarray(offset, offset + length))
          .digest('hex'),
      );
      compared++;
    }
  }
  t.is(compared, 11 * 201);
});

test('one flipped bit of the key or the message changes the HMAC; the inputs are left as they were', (t) => {
  const key = Buffer.from('VOkJxbRl1RmTxUk/WvJxBt');
  const data = Buffer.from('0001005c2112a442b7e7a701bc34d686fa87dfae', 'hex');
  const keyCopy = Buffer.from(key);
  const dataCopy = Buffer.from(data);
  const mac = hmacSha1(key, data);
  t.deepEqual(key, keyCopy);
  t.deepEqual(data, dataCopy);
  for (let bit = 0; bit < data.length * 8; bit += 13) {
    const flipped = Buffer.from(data);
    flipped[bit >> 3] ^= 1 << (bit & 7);
    t.false(hmacSha1(key, flipped).equals(mac));
  }
  const otherKey = Buffer.from(key);
  otherKey[0] ^= 1;
  t.false(hmacSha1(otherKey, data).equals(mac));
  t.true(hmacSha1(key, data).equals(mac), 'deterministic: no state kept between calls');
});
