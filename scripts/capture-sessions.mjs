#!/usr/bin/env node
/**
 * Regenerates the committed packet captures in fixtures/captures/: real ICE
 * sessions between libnice (test/interop/nice-peer.c) and libnice, and
 * between libnice and our `ice-tcp peer`, over ICE-TCP and over UDP,
 * captured with tcpdump on the loopback interface of a private network
 * namespace (so nothing else on the machine is in the capture).
 *
 * Needs root (ip netns), tcpdump, libnice-dev, pkg-config, a C compiler and
 * a build (`npm run build`). Usage:
 *
 *   sudo node scripts/capture-sessions.mjs [OUT_DIR]     (default fixtures/captures)
 *
 * Writes, per session, NAME.pcap (tcpdump's own file) and NAME.json: the
 * ICE credentials each side printed (its ufrag and pwd lines, as the
 * signalling carried them), its role, and the `selected` and
 * `selected-types` lines each side printed, which tests compare with what
 * `ice-tcp decode --pcap` finds in the capture. The edited captures (lost
 * segment, cut mid-frame, pcapng copy) are made from these by
 * scripts/derive-captures.mjs.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = process.argv[2] ?? join(ROOT, 'fixtures/captures');
const NICE = join(ROOT, 'build/rp-nice-peer');
const MAIN = join(ROOT, 'dist/cli/main.js');
const NS = `rpcap${process.pid}`;

/** The sessions: each side is ours or libnice; addresses 127.0.0.1 (A) and 127.0.0.2 (B). */
const SESSIONS = [
  {
    name: 'libnice-libnice-tcp',
    transport: 'tcp',
    a: { impl: 'libnice', role: 'controlling', send: true },
    b: { impl: 'libnice', role: 'controlled' },
  },
  {
    name: 'libnice-libnice-udp',
    transport: 'udp',
    a: { impl: 'libnice', role: 'controlling', send: true },
    b: { impl: 'libnice', role: 'controlled' },
  },
  {
    name: 'libnice-ours-tcp',
    transport: 'tcp',
    a: { impl: 'libnice', role: 'controlling', send: true },
    b: { impl: 'ours', role: 'controlled' },
  },
  {
    name: 'libnice-ours-udp',
    transport: 'udp',
    a: { impl: 'libnice', role: 'controlling', send: true },
    b: { impl: 'ours', role: 'controlled' },
  },
  // TLS over the selected ICE-TCP pair (RFC 6544 §10): TLS records inside RFC 4571 frames, STUN outside TLS.
  {
    name: 'ours-ours-tls-tcp',
    transport: 'tcp',
    tls: true,
    a: { impl: 'ours', role: 'controlling', send: true },
    b: { impl: 'ours', role: 'controlled' },
  },
  // IPv6, captured on the 'any' device: Linux cooked capture v2 (SLL2) link headers.
  {
    name: 'ours-ours-ipv6-tcp',
    transport: 'tcp',
    device: 'any',
    addresses: ['::1', '::1'],
    a: { impl: 'ours', role: 'controlling', send: true },
    b: { impl: 'ours', role: 'controlled' },
  },
];

function sh(cmd, args) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function buildNice() {
  const flags = sh('pkg-config', ['--cflags', '--libs', 'nice']).trim().split(/\s+/);
  mkdirSync(join(ROOT, 'build'), { recursive: true });
  sh('cc', ['-O2', '-Wall', join(ROOT, 'test/interop/nice-peer.c'), ...flags, '-o', NICE]);
  return sh('pkg-config', ['--modversion', 'nice']).trim();
}

function sideCommand(side, transport, address, tls = false) {
  const tr = transport === 'tcp' ? ['--udp', 'off', '--tcp', 'on'] : ['--udp', 'on', '--tcp', 'off'];
  const data = side.send ? ['--send', '30000', '--chunk', '1000'] : ['--echo'];
  if (side.impl === 'libnice') return [NICE, [`--${side.role}`, ...tr, '--bind', address, '--timeout', '20', ...data]];
  return [
    process.execPath,
    [MAIN, 'peer', `--${side.role}`, ...tr, '--bind', address, '--timeout', '20', ...data, ...(tls ? ['--tls'] : [])],
  ];
}

function inNs(cmd, args, options = {}) {
  return spawn('ip', ['netns', 'exec', NS, cmd, ...args], { stdio: ['pipe', 'pipe', 'pipe'], ...options });
}

function collect(child, timeoutMs) {
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s) => (stderr += s));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timeout\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const line = (out, word) =>
  out
    .split('\n')
    .find((l) => l.startsWith(`${word} `))
    ?.slice(word.length + 1);

async function capture(session, niceVersion) {
  const pcap = join(OUT, `${session.name}.pcap`);
  // -B 16 MiB: with the default buffer, libpcap's ring on lo held back the last burst of the session and
  // tcpdump exited on SIGINT without it (34 of 68 packets written); -U writes each packet as it comes.
  const dump = inNs('tcpdump', ['-i', session.device ?? 'lo', '-B', '16384', '-U', '-s', '0', '-w', pcap, 'tcp or udp']);
  const dumpDone = collect(dump, 120_000);
  await new Promise((resolve) => {
    dump.stderr.on('data', (d) => String(d).includes('listening on') && resolve());
    setTimeout(resolve, 3000);
  });
  const [addressA, addressB] = session.addresses ?? ['127.0.0.1', '127.0.0.2'];
  const [ca, aa] = sideCommand(session.a, session.transport, addressA, session.tls);
  const [cb, ab] = sideCommand(session.b, session.transport, addressB, session.tls);
  const a = inNs(ca, aa);
  const b = inNs(cb, ab);
  for (const c of [a, b]) c.stdin.on('error', () => undefined);
  a.stdout.pipe(b.stdin);
  b.stdout.pipe(a.stdin);
  const [ra, rb] = await Promise.all([collect(a, 60_000), collect(b, 60_000)]);
  await new Promise((r) => setTimeout(r, 4000));
  dump.kill('SIGINT');
  const dumpResult = await dumpDone;
  if (process.env.RP_DEBUG) console.log(dumpResult.stderr);
  if (ra.code !== 0 || rb.code !== 0)
    throw new Error(`${session.name} failed:\nA ${ra.code}\n${ra.stdout}${ra.stderr}\nB ${rb.code}\n${rb.stdout}${rb.stderr}`);
  const side = (s, r, address) => ({
    implementation: s.impl === 'libnice' ? `libnice ${niceVersion} (test/interop/nice-peer.c)` : 'ice-tcp peer',
    role: s.role,
    address,
    ufrag: line(r.stdout, 'ufrag'),
    pwd: line(r.stdout, 'pwd'),
    selected: line(r.stdout, 'selected'),
    selectedTypes: line(r.stdout, 'selected-types'),
  });
  const meta = {
    description: `${session.a.impl} (${session.a.role}, sends) ⇄ ${session.b.impl} (${session.b.role}, echoes) over ${session.transport === 'tcp' ? 'ICE-TCP only' : 'UDP only'}${session.tls ? ', TLS 1.3 over the selected pair' : ''}, tcpdump -i ${session.device ?? 'lo'} in a private namespace`,
    transport: session.transport,
    a: side(session.a, ra, addressA),
    b: side(session.b, rb, addressB),
  };
  writeFileSync(join(OUT, `${session.name}.json`), `${JSON.stringify(meta, null, 2)}\n`);
  console.log(`${pcap}: ${meta.a.selectedTypes} | ${meta.b.selectedTypes}`);
}

mkdirSync(OUT, { recursive: true });
const niceVersion = buildNice();
sh('ip', ['netns', 'add', NS]);
try {
  sh('ip', ['netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up']);
  sh('ip', ['netns', 'exec', NS, 'ip', 'addr', 'add', '127.0.0.2/8', 'dev', 'lo']);
  for (const session of SESSIONS) {
    if (process.argv[3] !== undefined && !session.name.includes(process.argv[3])) continue;
    await capture(session, niceVersion);
  }
} finally {
  sh('ip', ['netns', 'delete', NS]);
}
