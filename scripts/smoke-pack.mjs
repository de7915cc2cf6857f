#!/usr/bin/env node
// The package as a new user meets it (run by `npm test`, after the build):
// `npm pack` into a temporary folder, install the tarball into a scratch
// project, then
// - import every entry point of package.json `exports` as ES modules and
//   require it as CommonJS (also under Node 22's require(esm) semantics), and check that neither loads node-forge until a
//   certificate is made;
// - compile a strict TypeScript consumer (skipLibCheck off) against the
//   installed declarations, under `module`/`moduleResolution` node16 (an ESM
//   and a CommonJS file), under `bundler` and under the old `node` (node10),
//   including type-level checks of the typed events (test/package/consumer/);
// - run `npx ice-tcp --help`.
// Offline: the tarball's dependencies (debug, ms, node-forge) are copied from
// this repository's node_modules before `npm install --offline`; TypeScript
// and @types/node are linked from it. Fails with a message naming the step.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const started = Date.now();
const work = mkdtempSync(join(tmpdir(), 'ice-tcp-pack-'));

function run(step, file, args, options = {}) {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000, ...options });
  } catch (error) {
    console.error(`smoke-pack: ${step} failed\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    throw new Error(`${step} failed`);
  }
}

function check(step, condition, detail) {
  if (!condition) throw new Error(`smoke-pack: ${step}: ${detail}`);
  console.log(`ok - ${step}`);
}

try {
  if (!existsSync(join(root, 'dist/index.js')) || !existsSync(join(root, 'dist/cjs/index.js'))) {
    throw new Error('smoke-pack: run `npm run build` first (dist/ and dist/cjs/ are missing)');
  }
  check('prepack builds', /\bbuild\b/.test(pkg.scripts?.prepack ?? ''), 'package.json has no prepack build');

  // 1. Pack (the build is fresh: npm test just ran it) and install offline.
  const packed = JSON.parse(run('npm pack', npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: root }));
  const tarball = join(work, packed[0].filename);
  const files = new Set(packed[0].files.map((f) => f.path));
  for (const needed of ['LICENSE', 'README.md', 'dist/index.js', 'dist/cjs/index.js', 'dist/cjs/package.json', 'dist/cli/main.js']) {
    check(`tarball has ${needed}`, files.has(needed), 'missing');
  }
  const mainMode = packed[0].files.find((f) => f.path === 'dist/cli/main.js').mode;
  check('the command is executable in the tarball', (mainMode & 0o111) !== 0, `mode ${mainMode.toString(8)}`);
  const badMaps = [...files]
    .filter((f) => f.endsWith('.map'))
    .filter((f) => {
      const map = JSON.parse(readFileSync(join(root, f), 'utf8'));
      return !Array.isArray(map.sourcesContent) || map.sourcesContent.length !== map.sources.length;
    });
  check('every source map carries its sources', badMaps.length === 0, `without sourcesContent: ${badMaps.slice(0, 3).join(', ')}`);

  const app = join(work, 'app');
  mkdirSync(join(app, 'node_modules/@types'), { recursive: true });
  for (const dep of ['debug', 'ms', 'node-forge'])
    cpSync(join(root, 'node_modules', dep), join(app, 'node_modules', dep), { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch-consumer', version: '1.0.0', private: true }));
  run('npm install of the tarball', npm, ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], { cwd: app });
  // Linked after the install (npm would prune them): the consumer's compiler and Node's types.
  symlinkSync(join(root, 'node_modules/typescript'), join(app, 'node_modules/typescript'), 'dir');
  symlinkSync(join(root, 'node_modules/@types/node'), join(app, 'node_modules/@types/node'), 'dir');

  // 2. Every entry point from ESM and from CommonJS, without loading node-forge.
  const entries = Object.keys(pkg.exports)
    .filter((key) => key !== './package.json')
    .map((key) => (key === '.' ? 'ice-tcp' : `ice-tcp/${key.slice(2)}`));
  const probe = `
    const forgeLoaded = () => Object.keys(require.cache).some((k) => k.includes('/node_modules/node-forge/'));
    const names = {};
    for (const entry of ${JSON.stringify(entries)}) names[entry] = Object.keys(await load(entry)).filter((k) => k !== 'default' && k !== '__esModule').sort();
    const before = forgeLoaded();
    const { generateCertificate, IceAgent, IceTcpError } = await load('ice-tcp');
    const certificate = generateCertificate();
    console.log(JSON.stringify({ names, before, after: forgeLoaded(), keyType: certificate.keyType,
      agent: typeof IceAgent, error: new IceTcpError('ERR_X', 'x') instanceof Error }));`;
  const esm = run(
    'ESM import',
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { createRequire } from 'node:module'; const require = createRequire(import.meta.url + '/../app.js');
     const load = (name) => import(name); ${probe}`,
    ],
    { cwd: app },
  );
  const requireProbe = `const load = async (name) => require(name); (async () => { ${probe} })().catch((e) => { console.error(e); process.exit(1); });`;
  const cjs = run('CommonJS require', process.execPath, ['-e', requireProbe], { cwd: app });
  // Node 22 semantics on this Node 20: require() of ES modules switched on and the `module-sync` condition
  // that Node 22.10+ sets; `require('ice-tcp')` must still get one complete CommonJS API.
  const node22Flags = ['--experimental-require-module', '--conditions=module-sync', '--no-warnings'];
  const cjsRequireEsm = run('CommonJS require with require(esm)', process.execPath, [...node22Flags, '-e', requireProbe], { cwd: app });
  for (const [kind, output] of [
    ['ESM', esm],
    ['CommonJS', cjs],
    ['CommonJS (Node 22 require(esm) semantics)', cjsRequireEsm],
  ]) {
    const result = JSON.parse(output.trim().split('\n').at(-1));
    for (const entry of entries)
      check(`${kind}: ${entry} loads with exports`, result.names[entry].length > 0, JSON.stringify(result.names));
    check(`${kind}: loading every entry point does not load node-forge`, result.before === false, 'node-forge was loaded');
    check(`${kind}: a certificate loads node-forge on demand and works`, result.after === true && result.keyType === 'ecdsa-p256', output);
    check(`${kind}: classes are usable`, result.agent === 'function' && result.error === true, output);
  }
  // One class identity per format: the ESM and CommonJS builds are distinct copies (the dual-package hazard),
  // so each format must see a complete API of its own.
  const esmNames = JSON.parse(esm.trim().split('\n').at(-1)).names;
  const cjsNames = JSON.parse(cjs.trim().split('\n').at(-1)).names;
  for (const entry of entries) {
    const same = JSON.stringify(esmNames[entry]) === JSON.stringify(cjsNames[entry]);
    check(`${entry}: ESM and CommonJS export the same ${esmNames[entry].length} names`, same, `${esmNames[entry]} vs ${cjsNames[entry]}`);
  }

  // 3. A strict TypeScript consumer with skipLibCheck off, three ways.
  const consumer = join(root, 'test/package/consumer');
  for (const file of readdirSync(consumer)) cpSync(join(consumer, file), join(app, file));
  const tsc = join(app, 'node_modules/typescript/bin/tsc');
  for (const project of ['tsconfig.node16.json', 'tsconfig.bundler.json', 'tsconfig.node10.json']) {
    run(`tsc -p ${project}`, process.execPath, [tsc, '-p', project], { cwd: app });
    check(`TypeScript consumer (${project}, strict, skipLibCheck false) compiles`, true, '');
  }
  const built =
    run('compiled consumer', process.execPath, ['out/esm-consumer.mjs'], { cwd: app }) +
    run('compiled consumer', process.execPath, ['out/cjs-consumer.cjs'], { cwd: app });
  check('the compiled consumers run', built.includes('esm ok') && built.includes('cjs ok'), built);

  // 4. The command.
  const help = run('npx ice-tcp --help', npm, ['exec', '--offline', '--no', '--', 'ice-tcp', '--help'], { cwd: app });
  check('npx ice-tcp --help', /ice-tcp/.test(help) && /peer/.test(help), help);

  console.log(`smoke-pack: ok in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
