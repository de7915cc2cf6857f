#!/usr/bin/env node
/**
 * Regenerates fixtures/captures/libwebrtc-ours-udp.pcap (+ .json): one ICE
 * session between libwebrtc (@roamhq/wrtc, Chromium's WebRTC, the
 * offerer and so the controlling agent) and our `ice-tcp peer`
 * (controlled) over UDP, captured with tcpdump on the loopback interface of
 * a private namespace, through the libwebrtc interop harness
 * (test/interop/wrtc-ice-session.ts). Root, tcpdump, and a build of the
 * library and the tests (`npm run build && npm run build:test`).
 *
 *   sudo node scripts/capture-libwebrtc.mjs [OUT_DIR]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = process.argv[2] ?? join(ROOT, 'fixtures/captures');
const { LoopbackNamespace } = await import(join(ROOT, 'build/test/interop/netns.js'));
const { runWrtcSession } = await import(join(ROOT, 'build/test/interop/wrtc-ice-session.js'));

mkdirSync(OUT, { recursive: true });
const pcap = join(OUT, 'libwebrtc-ours-udp.pcap');
const ns = LoopbackNamespace.create('rp');
try {
  const dump = spawn('ip', ['netns', 'exec', ns.name, 'tcpdump', '-i', 'lo', '-B', '16384', '-U', '-s', '0', '-w', pcap, 'udp'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  dump.stderr.setEncoding('utf8').on('data', (s) => (stderr += s));
  await new Promise((resolve) => {
    dump.stderr.on('data', (d) => String(d).includes('listening on') && resolve());
    setTimeout(resolve, 3000);
  });
  const r = await runWrtcSession(ns, { weControl: false, ourArgs: ['--udp', 'on', '--tcp', 'off'] });
  await new Promise((resolve) => setTimeout(resolve, 4000));
  const done = new Promise((resolve) => dump.on('close', resolve));
  dump.kill('SIGINT');
  await done;
  if (r.error !== undefined || r.ours.code !== 0 || r.credentials === undefined)
    throw new Error(`session failed: ${r.error ?? ''}\n${r.ours.stdout}\n${r.ours.stderr}`);
  const line = (word) =>
    r.ours.stdout
      .split('\n')
      .find((l) => l.startsWith(`${word} `))
      ?.slice(word.length + 1);
  const meta = {
    description:
      'libwebrtc (@roamhq/wrtc 0.10, offerer, controlling) ⇄ ice-tcp peer (controlled) over UDP, tcpdump -i lo in a private namespace; libwebrtc sends only STUN (no DTLS client: see test/interop/wrtc-ice-session.ts)',
    transport: 'udp',
    a: {
      implementation: 'libwebrtc (@roamhq/wrtc 0.10)',
      role: 'controlling',
      ufrag: r.credentials.wrtc.ufrag,
      pwd: r.credentials.wrtc.pwd,
      selected: r.wrtcSelected
        ? `${r.wrtcSelected.local.address}:${r.wrtcSelected.local.port} ${r.wrtcSelected.remote.address}:${r.wrtcSelected.remote.port}`
        : undefined,
    },
    b: {
      implementation: 'ice-tcp peer',
      role: 'controlled',
      ufrag: r.credentials.ours.ufrag,
      pwd: r.credentials.ours.pwd,
      selected: line('selected'),
      selectedTypes: line('selected-types'),
      path: line('path'),
    },
  };
  writeFileSync(join(OUT, 'libwebrtc-ours-udp.json'), `${JSON.stringify(meta, null, 2)}\n`);
  console.log(`${pcap}: ${stderr.trim().split('\n').slice(-3).join('; ')}`);
} finally {
  await ns.delete();
}
