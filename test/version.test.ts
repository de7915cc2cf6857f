/** lib/version.ts (written into every recording) must say what package.json says. */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { LIBRARY_NAME, LIBRARY_VERSION } from '../lib/version.js';

test('LIBRARY_NAME and LIBRARY_VERSION match package.json', (t) => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
  t.is(LIBRARY_NAME, pkg.name);
  t.is(LIBRARY_VERSION, pkg.version);
});
