/** One row of a benchmark table: a name, figures, and a ratio to a baseline. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  /** Extra figure shown after the value, e.g. MB/s beside frames/s. */
  extra?: string;
}

/**
 * Prints rows as a Markdown table with each row's ratio to the named baseline
 * row (value / baseline value). Higher values are assumed better.
 */
export function printTable(title: string, rows: BenchRow[], baselineName: string): void {
  const base = rows.find((r) => r.name === baselineName);
  console.log(`### ${title}\n`);
  console.log(`| case | figure | | ratio to ${baselineName} |`);
  console.log('|---|---:|---|---:|');
  for (const r of rows) {
    const ratio = base ? (r.value / base.value).toFixed(2) + '×' : 'n/a';
    console.log(`| ${r.name} | ${fmt(r.value)} ${r.unit} | ${r.extra ?? ''} | ${ratio} |`);
  }
  console.log('');
}

function fmt(v: number): string {
  if (v >= 100) return Math.round(v).toLocaleString('en-US');
  return v.toFixed(2);
}

/** Runs `fn` repeatedly for about `ms` milliseconds; returns operations/second. */
export function opsPerSecond(fn: () => void, ms = 1000, batch = 1000): number {
  for (let i = 0; i < batch; i++) fn(); // warm-up
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(ms) * 1_000_000n;
  let n = 0;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < batch; i++) fn();
    n += batch;
    now = process.hrtime.bigint();
  }
  return n / (Number(now - start) / 1e9);
}
