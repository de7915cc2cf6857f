// The runtime's randomness (lib/net/agent/pooled-random.ts): draws have the
// asked length, are never handed out twice (every 96-bit transaction id of
// many pools is distinct), are copies (writing into one changes no other
// draw), cross pool refills, and large draws bypass the pool.
import test from 'ava';
import { MAX_POOLED_DRAW, pooledCryptoRandom } from '../../lib/net/agent/pooled-random.js';

test('draws across many pool refills are distinct, of the asked length, and independent copies', (t) => {
  const seen = new Set<string>();
  const draws: Uint8Array[] = [];
  for (let i = 0; i < 5000; i++) {
    const length = [12, 4, 8, 16, 7][i % 5];
    const draw = pooledCryptoRandom.bytes(length);
    t.is(draw.length, length);
    if (length === 12) seen.add(Buffer.from(draw).toString('hex'));
    draws.push(draw);
  }
  t.is(seen.size, 1000, 'every 12-byte draw distinct');
  const copy = Buffer.from(draws[0]);
  draws[1].fill(0xff);
  pooledCryptoRandom.bytes(12);
  t.deepEqual(Buffer.from(draws[0]), copy, 'a later draw or a write into another draw leaves this one alone');
  // Not all zero: the bytes are random, not a zeroed pool.
  t.true(draws.slice(0, 100).some((d) => d.some((b) => b !== 0)));
});

test('a draw larger than the pooled size comes whole and random', (t) => {
  const a = pooledCryptoRandom.bytes(MAX_POOLED_DRAW + 1);
  const b = pooledCryptoRandom.bytes(5000);
  t.is(a.length, MAX_POOLED_DRAW + 1);
  t.is(b.length, 5000);
  t.notDeepEqual(Buffer.from(b.subarray(0, 64)), Buffer.from(b.subarray(64, 128)));
});
