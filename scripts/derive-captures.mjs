#!/usr/bin/env node
/**
 * Makes the edited captures in fixtures/captures/ from tcpdump's own files
 * (scripts/capture-sessions.mjs), with lib/capture's reader and writer
 * (`npm run build` first). Debian's tcpdump 4.99 writes only pcap, so the
 * pcapng copies are written here too.
 *
 *   node scripts/derive-captures.mjs [DIR]      (default fixtures/captures)
 *
 * - libnice-ours-tcp.pcapng, libnice-libnice-udp.pcapng: the same packets
 *   as the .pcap files, as pcapng (Enhanced Packet Blocks);
 * - libnice-ours-tcp-lost-segment.pcap: the 10th TCP segment carrying more
 *   than 500 bytes of payload is left out (a segment the capture missed);
 * - libnice-ours-tcp-cut.pcap: the 20th such segment keeps only its first
 *   300 bytes of TCP payload (a frame cut in the middle), and the file ends
 *   in the middle of the next record (a capture cut short).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DIR = process.argv[2] ?? join(ROOT, 'fixtures/captures');
const { readCapture, writePcap, writePcapng, ipFromFrame, segmentFromIp } = await import(join(ROOT, 'dist/capture/index.js'));

const read = (name) => readCapture(readFileSync(join(DIR, name)));

/** TCP payload length and its offset in the frame, or undefined. */
function tcpPayload(p) {
  const link = ipFromFrame(p.linkType, p.data);
  if (!('ip' in link)) return undefined;
  const ip = segmentFromIp(link.ip);
  if (!('segment' in ip) || ip.segment.protocol !== 'tcp') return undefined;
  const payload = ip.segment.payload;
  return { length: payload.length, offset: payload.byteOffset - p.data.byteOffset };
}

for (const name of ['libnice-ours-tcp', 'libnice-libnice-udp']) {
  const capture = read(`${name}.pcap`);
  writeFileSync(join(DIR, `${name}.pcapng`), writePcapng(capture.packets));
  console.log(`${name}.pcapng: ${capture.packets.length} packets`);
}

const tcp = read('libnice-ours-tcp.pcap');
const big = tcp.packets.filter((p) => (tcpPayload(p)?.length ?? 0) > 500);

const lost = big[9];
writeFileSync(join(DIR, 'libnice-ours-tcp-lost-segment.pcap'), writePcap(tcp.packets.filter((p) => p !== lost)));
console.log(`libnice-ours-tcp-lost-segment.pcap: packet ${lost.index + 1} (${tcpPayload(lost).length} payload bytes) left out`);

const cut = big[19];
const at = cut.index;
const { offset } = tcpPayload(cut);
const shortened = { ...cut, data: cut.data.subarray(0, offset + 300), originalLength: cut.data.length };
const kept = [...tcp.packets.slice(0, at), shortened];
const whole = writePcap([...kept, tcp.packets[at + 1]]);
const next = 16 + tcp.packets[at + 1].data.length;
writeFileSync(join(DIR, 'libnice-ours-tcp-cut.pcap'), whole.subarray(0, whole.length - Math.ceil(next / 2)));
console.log(`libnice-ours-tcp-cut.pcap: packet ${at + 1} cut to 300 payload bytes, the file ends inside packet ${at + 2}`);
