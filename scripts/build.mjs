#!/usr/bin/env node
// Builds the package into dist/ from a clean slate (so no output of a deleted
// source is ever packed):
// - dist/        the ES module build (tsconfig.json), and the `ice-tcp` command;
// - dist/cjs/    the CommonJS build (tsconfig.cjs.json) for require('ice-tcp'),
//                with a package.json saying "type": "commonjs" so that Node
//                and TypeScript read its .js and .d.ts files as CommonJS.
// Then marks the command executable. `npm run build` and `prepack` run it.
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

rmSync(join(root, 'dist'), { recursive: true, force: true });
for (const project of ['tsconfig.json', 'tsconfig.cjs.json']) {
  const run = spawnSync(process.execPath, [tsc, '-p', join(root, project)], { stdio: 'inherit' });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
writeFileSync(join(root, 'dist/cjs/package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
chmodSync(join(root, 'dist/cli/main.js'), 0o755);
