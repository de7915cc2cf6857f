/**
 * scripts/check-cycles.mjs (run by `npm test` over dist/) must find a cycle
 * when there is one: two small module trees, one with a cycle over a
 * multi-line `export … from`, one without.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const script = join(process.cwd(), 'scripts/check-cycles.mjs');

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cycles-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

test('a cycle through a sub-folder and a multi-line re-export fails the check, naming the modules', (t) => {
  const dir = tree({
    'index.js': "export { a } from './a.js';\n",
    'a.js': "import { b } from './net/b.js';\nexport const a = () => b;\n",
    'net/b.js': "export {\n  c as b,\n} from './c.js';\n",
    'net/c.js': "import '../a.js';\nexport const c = 1;\n",
  });
  try {
    const run = spawnSync(process.execPath, [script, dir], { encoding: 'utf8' });
    t.is(run.status, 1, run.stdout + run.stderr);
    t.regex(run.stderr, /import cycle among 3 modules/);
    for (const name of ['a.js', 'net/b.js', 'net/c.js']) t.true(run.stderr.includes(name), name);
    t.false(run.stderr.includes('index.js'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a tree without a cycle passes; type-only and dynamic imports are not edges', (t) => {
  const dir = tree({
    'a.js': "import { b } from './b.js';\nexport const a = () => import('./c.js').then(() => b);\n",
    'b.js': 'export const b = 1;\n',
    'c.js': "import { a } from './a.js';\nexport const c = a;\n".replace(
      "import { a } from './a.js';\n",
      '// import { a } from "./a.js" is a comment here\n',
    ),
  });
  try {
    const run = spawnSync(process.execPath, [script, dir], { encoding: 'utf8' });
    t.is(run.status, 0, run.stdout + run.stderr);
    t.regex(run.stdout, /3 modules, no import cycle/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
