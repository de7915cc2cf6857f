import test from 'ava';
import fc from 'fast-check';
import { pairPriority } from '../../lib/candidate/index.js';
import { throwsCandidateError } from './helpers.js';

const RUNS = Math.max(1000, Math.floor(Number(process.env.FC_RUNS ?? 100_000) / 10));

test('RFC 8445 §6.1.2.3 values, exact beyond 2^53', (t) => {
  // Expected values computed independently with Python integers.
  // G = 2130706431 (host UDP), D = 1694498815 (srflx UDP)
  t.is(pairPriority(2130706431, 1694498815), 2n ** 32n * 1694498815n + 2n * 2130706431n + 1n);
  t.is(pairPriority(2130706431, 1694498815), 7277816997797167103n);
  t.is(pairPriority(1694498815, 2130706431), 7277816997797167102n);
  t.is(pairPriority(2128609279, 2124414975), 9124292845014876159n);
  t.is(pairPriority(2124414975, 2128609279), 9124292845014876158n);
  t.is(pairPriority(5, 5), 2n ** 32n * 5n + 10n);
  t.is(pairPriority(4294967295, 4294967295), 18446744078004518910n);
  t.is(pairPriority(0, 0), 0n);
  t.is(pairPriority(1, 0), 3n);
  t.is(pairPriority(0, 1), 2n);
});

test('the result is above Number.MAX_SAFE_INTEGER for real priorities and differs by one between roles', (t) => {
  const a = pairPriority(2130706431, 2130706430);
  t.true(a > BigInt(Number.MAX_SAFE_INTEGER));
  t.is(a - pairPriority(2130706430, 2130706431), 1n);
  // The float computation loses the low bits: a number result could not be exact.
  t.not(BigInt(2 ** 32 * 2130706430 + 2 * 2130706431 + 1), a);
});

test('formula property: matches the bigint definition and orders by min, then max', (t) => {
  const u32 = fc.integer({ min: 0, max: 4294967295 });
  fc.assert(
    fc.property(u32, u32, (g, d) => {
      const [min, max] = g < d ? [g, d] : [d, g];
      return pairPriority(g, d) === (BigInt(min) << 32n) + 2n * BigInt(max) + (g > d ? 1n : 0n);
    }),
    { numRuns: RUNS },
  );
  // Within the RFC 8839 range 1..2^31-1, 2*MAX(G,D)+1 < 2^32, so MIN(G,D) dominates the order.
  const u31 = fc.integer({ min: 1, max: 2147483647 });
  fc.assert(
    fc.property(u31, u31, u31, u31, (g1, d1, g2, d2) => {
      const p1 = pairPriority(g1, d1);
      const p2 = pairPriority(g2, d2);
      const m1 = Math.min(g1, d1);
      const m2 = Math.min(g2, d2);
      return m1 === m2 ? true : m1 > m2 === p1 > p2;
    }),
    { numRuns: RUNS },
  );
  t.pass();
});

test('out-of-range priorities are CandidateErrors', (t) => {
  for (const bad of [-1, 2 ** 32, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    throwsCandidateError(t, () => pairPriority(bad, 1), 'ERR_CANDIDATE_BAD_VALUE');
    throwsCandidateError(t, () => pairPriority(1, bad), 'ERR_CANDIDATE_BAD_VALUE');
  }
});
