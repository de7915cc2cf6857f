/**
 * The README's "Fixture replay tests" section, executed: the three code
 * blocks after the `readme:record`, `readme:ava` and `readme:node-test`
 * markers are written out as they are (importing 'ice-tcp', which resolves
 * to this package's dist/ by self-reference) and run: the recording snippet
 * with node (its recording must then replay identical with `ice-tcp
 * replay`), the ava test with ava, the node:test test with `node --test`.
 * If this test breaks, the README is wrong.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SNIPPETS = join(ROOT, 'build', 'readme-snippets');

/** The ```js block right after `<!-- readme:NAME -->` in the README. */
function snippet(name: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf(`<!-- readme:${name} -->`);
  if (at < 0) throw new Error(`README has no readme:${name} marker`);
  const start = readme.indexOf('```js\n', at) + '```js\n'.length;
  return readme.slice(start, readme.indexOf('\n```', start) + 1);
}

function writeSnippet(file: string, code: string): string {
  mkdirSync(SNIPPETS, { recursive: true });
  const path = join(SNIPPETS, file);
  writeFileSync(path, code);
  return path;
}

test.before(() => {
  if (!existsSync(join(ROOT, 'dist', 'index.js'))) throw new Error('dist/ is not built: npm run build (npm test does it)');
});

test.serial('README: the recordSession snippet records a real session that ice-tcp replay finds identical', async (t) => {
  const file = writeSnippet('record.mjs', snippet('record'));
  const cwd = mkdtempSync(join(tmpdir(), 'rp-readme-'));
  await run(process.execPath, [file], { cwd, timeout: 60_000 });
  const recording = join(cwd, 'recorded-session.json');
  t.true(existsSync(recording));
  t.regex(readFileSync(recording, 'utf8'), /"description": "my session"/);
  const { stdout } = await run(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'replay', recording], { timeout: 60_000 });
  t.regex(stdout, /^identical \(\d+ calls, \d+ packets compared; recorded by ice-tcp /);
});

test.serial('README: the ava fixture test passes under ava', async (t) => {
  const file = writeSnippet('fixture-replay.ava.mjs', snippet('ava'));
  const config = writeSnippet(
    'ava.snippets.config.mjs',
    `export default { files: ['build/readme-snippets/*.ava.mjs'], timeout: '60s' };\n`,
  );
  const ava = join(ROOT, 'node_modules', 'ava', 'entrypoints', 'cli.mjs');
  const { stdout, stderr } = await run(process.execPath, [ava, '--config', config, file], {
    cwd: ROOT,
    timeout: 120_000,
    env: { ...process.env, CI: '' },
  });
  t.regex(stdout + stderr, /1 test passed/);
  t.regex(stdout + stderr, /the recorded ICE-TCP session still replays byte for byte/);
});

test.serial('README: the node:test fixture test passes under node --test', async (t) => {
  const file = writeSnippet('fixture-replay.node-test.mjs', snippet('node-test'));
  const { stdout } = await run(process.execPath, ['--test', '--test-reporter=tap', file], { cwd: ROOT, timeout: 120_000 });
  t.regex(stdout, /# pass 1\n/);
  t.regex(stdout, /# fail 0\n/);
});

test.serial('README snippets can fail: the node:test snippet on an edited fixture fails', async (t) => {
  const edited = readFileSync(join(ROOT, 'fixtures/sessions/udp-controlling.json'), 'utf8').replace(
    '"controlling": true',
    '"controlling": false',
  );
  const dir = mkdtempSync(join(tmpdir(), 'rp-readme-'));
  mkdirSync(join(dir, 'fixtures', 'sessions'), { recursive: true });
  writeFileSync(join(dir, 'fixtures/sessions/udp-controlling.json'), edited);
  const file = writeSnippet('fixture-replay.node-test.mjs', snippet('node-test'));
  const error = await t.throwsAsync(run(process.execPath, ['--test', '--test-reporter=tap', file], { cwd: dir, timeout: 120_000 }));
  t.regex((error as { stdout?: string }).stdout ?? '', /# fail 1\n/);
});
