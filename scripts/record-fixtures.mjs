#!/usr/bin/env node
/**
 * Records the real-socket session fixtures in fixtures/sessions/real-*.json:
 * `ice-tcp peer` pairs (two processes) on 127.0.0.1 with `--record`, and
 * two in-process agents made with recordSession() for an ICE restart and
 * for a reconnect of the selected TCP connection after a reset.
 * `npm run build` first. The fixtures are replayed by `npm test`
 * (test/replay/fixtures.test.ts); record them again after an intended
 * change of the core's behaviour on the wire.
 *
 *   node scripts/record-fixtures.mjs [OUT_DIR]     (default fixtures/sessions)
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = process.argv[2] ?? join(ROOT, 'fixtures/sessions');
const MAIN = join(ROOT, 'dist/cli/main.js');
const { IceAgent, recordSession } = await import(join(ROOT, 'dist/index.js'));
const tmp = mkdtempSync(join(tmpdir(), 'rp-fixtures-'));
mkdirSync(OUT, { recursive: true });

function collect(child, timeoutMs = 60_000) {
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (s) => (stdout += s));
  child.stderr.resume();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timeout:\n${stdout}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout });
    });
  });
}

const peer = (args) =>
  spawn(process.execPath, [MAIN, 'peer', '--timeout', '30', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, DEBUG: '' },
  });

/** Two peers wired stdout→stdin; keeps the recordings named `keep` (a: controlling, b: controlled). */
async function pair(name, common, a, b, keep = ['a', 'b']) {
  const fa = join(tmp, `${name}-a.json`);
  const fb = join(tmp, `${name}-b.json`);
  const pa = peer(['--controlling', ...common, ...a, '--record', fa]);
  const pb = peer(['--controlled', ...common, ...b, '--record', fb]);
  for (const p of [pa, pb]) p.stdin.on('error', () => undefined);
  pa.stdout.pipe(pb.stdin);
  pb.stdout.pipe(pa.stdin);
  const [ra, rb] = await Promise.all([collect(pa), collect(pb)]);
  if (ra.code !== 0 || rb.code !== 0) throw new Error(`${name}: exit ${ra.code}/${rb.code}\n${ra.stdout}\n${rb.stdout}`);
  const types = ra.stdout.split('\n').find((l) => l.startsWith('selected-types'));
  for (const side of keep) save(side === 'a' ? fa : fb, `real-${name}-${side === 'a' ? 'controlling' : 'controlled'}.json`, types);
}

function save(from, name, note = '') {
  const to = join(OUT, name);
  copyFileSync(from, to);
  console.log(`${to}: ${statSync(to).size} bytes ${note}`);
}

/** A controlling peer whose only remote candidate is a closed TCP port: every check fails, ICE fails (exit 1). */
async function failure() {
  const file = join(tmp, 'failure.json');
  const p = peer(['--controlling', '--udp', 'off', '--tcptypes', 'active', '--record', file]);
  p.stdin.on('error', () => undefined);
  p.stdin.write('ufrag remoteufrag\npwd remotepasswordremotepassword\n');
  p.stdin.write('a=candidate:1 1 TCP 2105524479 127.0.0.1 1 typ host tcptype passive\nend-of-candidates\n');
  const r = await collect(p);
  p.stdin.end();
  if (r.code !== 1) throw new Error(`failure: expected exit 1, got ${r.code}\n${r.stdout}`);
  save(file, 'real-failure-controlling.json', '(ICE failed: connection refused)');
}

/** Two agents in this process connect over TCP, then both restart ICE (RFC 8445 §9) and connect again. */
async function restart() {
  const options = { udp: false, tcp: { active: true, passive: true, so: false }, addresses: ['127.0.0.1'] };
  const rec = recordSession(
    { controlling: true, ...options },
    { description: 'real sockets: ICE-TCP session, then an ICE restart by both sides (controlling side)' },
  );
  const offerer = rec.agent;
  const answerer = new IceAgent({ controlling: false, ...options });
  const candidates = { offerer: [], answerer: [] };
  offerer.on('candidate', (c) => candidates.offerer.push(c.toSdp()));
  answerer.on('candidate', (c) => candidates.answerer.push(c.toSdp()));
  await Promise.all([offerer.gather(), answerer.gather()]);
  const signal = () => {
    offerer.setRemoteParameters(answerer.localParameters);
    answerer.setRemoteParameters(offerer.localParameters);
    for (const c of candidates.answerer) offerer.addRemoteCandidate(c);
    for (const c of candidates.offerer) answerer.addRemoteCandidate(c);
    offerer.endOfRemoteCandidates();
    answerer.endOfRemoteCandidates();
  };
  const completed = (agent) =>
    new Promise((resolve) => {
      const on = (state) => {
        if (state === 'completed') {
          agent.off('state', on);
          resolve();
        }
      };
      agent.on('state', on);
    });
  let done = Promise.all([completed(offerer), completed(answerer)]);
  signal();
  await done;
  done = Promise.all([completed(offerer), completed(answerer)]);
  offerer.restart();
  answerer.restart();
  signal();
  await done;
  await new Promise((r) => setTimeout(r, 300));
  await Promise.all([offerer.close(), answerer.close()]);
  const file = join(tmp, 'restart.json');
  rec.save(file);
  save(file, 'real-restart-controlling.json');
}

/**
 * Two agents in this process connect over ICE-TCP active → passive; then the
 * selected connection is reset (the active side's socket, found among the
 * process's handles) and the active side reconnects (RFC 6544 §11.1).
 */
async function reconnect() {
  const rec = recordSession(
    { controlling: true, udp: false, tcp: { active: true, passive: false, so: false }, addresses: ['127.0.0.1'] },
    {
      description: 'real sockets: ICE-TCP active → passive; the selected connection is reset and re-established (controlling, active side)',
    },
  );
  const offerer = rec.agent;
  const answerer = new IceAgent({
    controlling: false,
    udp: false,
    tcp: { active: false, passive: true, so: false },
    addresses: ['127.0.0.1'],
  });
  offerer.on('candidate', (c) => answerer.addRemoteCandidate(c.toSdp()));
  answerer.on('candidate', (c) => offerer.addRemoteCandidate(c.toSdp()));
  await Promise.all([offerer.gather(), answerer.gather()]);
  offerer.setRemoteParameters(answerer.localParameters);
  answerer.setRemoteParameters(offerer.localParameters);
  offerer.endOfRemoteCandidates();
  answerer.endOfRemoteCandidates();
  await Promise.all([offerer.connect({ timeoutMs: 10_000 }), answerer.connect({ timeoutMs: 10_000 })]);
  await new Promise((r) => setTimeout(r, 300));
  const connects = () => rec.recording().calls.filter((c) => c.call === 'handleConnection' && c.args[1].type === 'connected').length;
  const before = connects();
  const port = offerer.selectedPair().remote.port;
  const sockets = process._getActiveHandles().filter((h) => h.remotePort === port && typeof h.resetAndDestroy === 'function');
  if (sockets.length !== 1) throw new Error(`reconnect: expected one socket to port ${port}, found ${sockets.length}`);
  sockets[0].resetAndDestroy();
  const deadline = Date.now() + 15_000;
  while (connects() <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (connects() <= before) throw new Error('reconnect: no new connection');
  await new Promise((r) => setTimeout(r, 1000));
  await Promise.all([offerer.close(), answerer.close()]);
  const file = join(tmp, 'reconnect.json');
  rec.save(file);
  save(file, 'real-tcp-reconnect-controlling.json', `(${connects()} connections)`);
}

const only = process.argv[3];
const jobs = {
  udp: () => pair('udp', ['--tcp', 'off'], ['--send', '20000'], ['--echo']),
  'active-passive': () =>
    pair('tcp-active-passive', ['--udp', 'off'], ['--tcptypes', 'active', '--send', '20000'], ['--tcptypes', 'passive', '--echo']),
  so: () => pair('tcp-so', ['--udp', 'off', '--tcptypes', 'so'], ['--send', '20000'], ['--echo'], ['b']),
  tls: () =>
    pair('tls', ['--udp', 'off', '--tls'], ['--tcptypes', 'active', '--send', '20000'], ['--tcptypes', 'passive', '--echo'], ['a']),
  failure,
  restart,
  reconnect,
};
for (const [name, job] of Object.entries(jobs)) if (only === undefined || name === only) await job();
