// Runs every benchmark module in bench/ (files named *.bench.ts, compiled to
// build/bench/*.bench.js) in one process, one after another, so that all
// figures come from one run. `npm run bench -- stun,framing` runs only the
// modules whose file name begins with "stun" or "framing" (so `tls` is the
// TLS bench alone, not the DTLS one too).
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filters = (process.argv[2] ?? '').split(',');
const modules = readdirSync(here)
  .filter((f) => f.endsWith('.bench.js') && filters.some((filter) => f.startsWith(filter)))
  .sort();

for (const file of modules) {
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { run?: () => Promise<void> };
  if (typeof mod.run !== 'function') throw new Error(`${file} exports no run()`);
  console.log(`\n## ${file.replace(/\.bench\.js$/, '')}\n`);
  await mod.run();
}
