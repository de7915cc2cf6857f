// Fuzzes every parser that takes input from the network or the peer's
// signalling: 1M inputs per target by default (random bytes or text, and
// mutations of valid seeds; see test/abuse/fuzz-targets.ts). Prints counts,
// throughput and every untyped exception (anything thrown that is not an
// IceTcpError with an ERR_ code); exits 1 if there is one.
//
//   npm run fuzz                      # 1,000,000 inputs per target, seed 1
//   npm run fuzz -- 100000 7 stun     # count, seed, name filter
//
// Not part of `npm test` (minutes, not seconds); `npm test` runs a few
// thousand of the same inputs per target in test/abuse/decoders.test.ts.
import { performance } from 'node:perf_hooks';
import { FUZZ_TARGETS, fuzz } from '../build/test/abuse/fuzz-targets.js';

const count = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 1);
const filter = process.argv[4] ?? '';
if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(seed)) {
  console.error('usage: node scripts/fuzz.mjs [COUNT] [SEED] [NAME-FILTER]');
  process.exit(64);
}

const targets = FUZZ_TARGETS.filter((t) => t.name.includes(filter));
console.log(`fuzz: ${count.toLocaleString('en')} inputs per target, seed ${seed}, ${targets.length} targets\n`);
console.log(
  `${'target'.padEnd(40)} ${'inputs'.padStart(10)} ${'accepted'.padStart(10)} ${'typed err'.padStart(10)} ${'untyped'.padStart(8)} ${'s'.padStart(7)} ${'inputs/s'.padStart(10)}`,
);
let total = 0;
let untypedTotal = 0;
const started = performance.now();
for (const target of targets) {
  // In slices, so that a long run shows progress and keeps memory flat.
  const slice = 50_000;
  const sum = { accepted: 0, typed: 0, untyped: [], ms: 0, untypedCount: 0 };
  for (let done = 0, part = 0; done < count; done += slice, part++) {
    const r = fuzz(target, Math.min(slice, count - done), seed * 1_000_003 + part);
    sum.accepted += r.accepted;
    sum.typed += r.typed;
    sum.ms += r.ms;
    sum.untypedCount += r.untyped.length;
    if (sum.untyped.length < 5) sum.untyped.push(...r.untyped.slice(0, 5 - sum.untyped.length));
  }
  total += count;
  untypedTotal += sum.untypedCount;
  const rate = Math.round(count / (sum.ms / 1000));
  console.log(
    `${target.name.padEnd(40)} ${String(count).padStart(10)} ${String(sum.accepted).padStart(10)} ${String(sum.typed).padStart(10)} ${String(sum.untypedCount).padStart(8)} ${(sum.ms / 1000).toFixed(1).padStart(7)} ${String(rate).padStart(10)}`,
  );
  for (const { error, input } of sum.untyped) {
    const shown = Buffer.isBuffer(input) ? input.toString('hex') : JSON.stringify(input);
    console.log(`  UNTYPED: ${error instanceof Error ? error.stack : String(error)}\n  input: ${String(shown).slice(0, 400)}`);
  }
}
const seconds = (performance.now() - started) / 1000;
console.log(`\n${total.toLocaleString('en')} inputs in ${seconds.toFixed(1)} s; untyped exceptions: ${untypedTotal}`);
process.exit(untypedTotal === 0 ? 0 : 1);
