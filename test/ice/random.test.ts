import test from 'ava';
import { randomIceString, randomTieBreaker, randomTransactionId, randomUnit, seededRandom } from '../../lib/ice/seeded-random.js';

test('seededRandom is deterministic per seed and differs across seeds', (t) => {
  const a = seededRandom(42).bytes(64);
  const b = seededRandom(42).bytes(64);
  const c = seededRandom(43).bytes(64);
  t.deepEqual(a, b);
  t.notDeepEqual(a, c);
  t.is(seededRandom(0).bytes(5).length, 5);
});

test('seededRandom bytes look uniform', (t) => {
  const r = seededRandom(7);
  const counts = new Array<number>(256).fill(0);
  const bytes = r.bytes(256 * 200);
  for (const b of bytes) counts[b]++;
  for (const n of counts) t.true(n > 120 && n < 290, `bucket count ${n}`);
});

test('ice strings use the ice-char alphabet; ids and tie-breakers have the right size', (t) => {
  const r = seededRandom(1);
  const s = randomIceString(r, 200);
  t.regex(s, /^[A-Za-z0-9+/]{200}$/);
  t.is(randomTransactionId(r).length, 12);
  const tb = randomTieBreaker(r);
  t.true(tb >= 0n && tb < 1n << 64n);
  for (let i = 0; i < 100; i++) {
    const u = randomUnit(r);
    t.true(u >= 0 && u < 1);
  }
});
