/**
 * `ice-tcp decode --pcap` on the committed tcpdump captures
 * (fixtures/captures, made by scripts/capture-sessions.mjs): every STUN
 * message found (counted independently by the magic cookie in the file),
 * integrity verified with the passwords the peers signalled, every check
 * answered, the selected pair the one both peers printed; the lost-segment
 * and cut captures reported, not crashed on; pcapng and pcap, and every
 * link type, give the same output.
 */
import test from 'ava';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCapture, writePcap, type CapturedPacket } from '../../lib/capture/index.js';
import type { PcapReport } from '../../lib/cli/decode-pcap.js';
import { runIceTcp } from '../cli/helpers.js';

const DIR = new URL('../../../fixtures/captures/', import.meta.url);
const tmp = mkdtempSync(join(tmpdir(), 'rp-pcap-'));

interface Side {
  ufrag: string;
  pwd: string;
  selected: string;
  address: string;
}
interface Meta {
  transport: 'udp' | 'tcp';
  a: Side;
  b: Side;
}

const meta = (name: string): Meta => JSON.parse(readFileSync(new URL(`${name}.json`, DIR), 'utf8')) as Meta;
const path = (file: string): string => new URL(file, DIR).pathname;
const creds = (m: Meta): string[] => ['--creds', `${m.a.ufrag}:${m.a.pwd}`, '--creds', `${m.b.ufrag}:${m.b.pwd}`];

/**
 * STUN Binding messages in a file, counted without parsing packets: the magic
 * cookie (RFC 8489 §5) after a Binding message type (0x0001 request, 0x0011
 * indication, 0x0101 success, 0x0111 error) and a 2-byte length. (An
 * XOR-MAPPED-ADDRESS of ::1 also holds the cookie, after 0x00 0x02.)
 */
function cookies(bytes: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf('2112a442', 0, 'hex'); i >= 0; i = bytes.indexOf('2112a442', i + 1, 'hex')) {
    if (i >= 4 && bytes[i - 4] <= 0x01 && (bytes[i - 3] === 0x01 || bytes[i - 3] === 0x11)) n++;
  }
  return n;
}

/** `addr:port` of the candidates in a `selected a=candidate:… a=candidate:…` line whose port is real (not the active 9). */
function selectedEndpoints(line: string): string[] {
  if (!line.startsWith('a=candidate:')) return line.split(' '); // the libwebrtc side: addr:port addr:port from getStats
  return line
    .split(' a=')
    .map((c) => c.replace(/^a=/, '').split(' '))
    .filter((f) => f[5] !== '9')
    .map((f) => (f[4].includes(':') ? `[${f[4]}]:${f[5]}` : `${f[4]}:${f[5]}`));
}

async function decodeJson(file: string, extra: string[] = []): Promise<{ code: number | null; report: PcapReport }> {
  const r = await runIceTcp(['decode', '--pcap', file, '--json', ...extra]);
  return { code: r.code, report: JSON.parse(r.stdout) as PcapReport };
}

for (const name of [
  'libnice-libnice-tcp',
  'libnice-libnice-udp',
  'libnice-ours-tcp',
  'libnice-ours-udp',
  'ours-ours-ipv6-tcp',
  'libwebrtc-ours-udp',
  'ours-ours-tls-tcp',
]) {
  test(`decode --pcap ${name}: every STUN message, integrity ok with the signalled passwords, the peers' selected pair`, async (t) => {
    const m = meta(name);
    const { code, report } = await decodeJson(path(`${name}.pcap`), creds(m));
    t.is(code, 0);
    const x = report.timeline.totals;
    t.is(x.stun, cookies(readFileSync(path(`${name}.pcap`))), 'every STUN message in the file was found');
    t.true(x.requests >= 3 && x.success >= 3, JSON.stringify(x));
    t.is(report.timeline.decodeProblems.length, 0);
    t.is(x.unanswered, 0, 'every check was answered');
    const withIntegrity = report.timeline.stun.filter((e) => e.integrity !== 'absent');
    t.true(withIntegrity.length >= x.requests + x.success);
    t.true(
      withIntegrity.every((e) => e.integrity === 'ok'),
      JSON.stringify(withIntegrity.filter((e) => e.integrity !== 'ok')),
    );
    t.is(x.integrityFailed, 0);
    for (const e of report.timeline.stun.filter((s) => s.class === 'request')) t.is(e.integrityKey, `ufrag ${e.username!.split(':')[0]}`);
    const selected = report.timeline.selected;
    t.truthy(selected, 'a selected pair is named');
    t.true(selected!.id.startsWith(`${m.transport} `));
    for (const side of [m.a, m.b])
      for (const e of selectedEndpoints(side.selected)) t.true(selected!.id.includes(e), `${selected!.id} has ${e}`);
    t.is(report.tcp.flatMap((d) => d.problems).length, 0);
    if (m.transport === 'tcp') {
      const pair = report.timeline.pairs.find((p) => p.id === selected!.id)!;
      t.true(pair.data.packets[0] > 0 && pair.data.packets[1] > 0, 'the data flowed on the selected pair');
      t.true(pair.data.bytes[0] + pair.data.bytes[1] >= 60_000, 'both ways: 30000 bytes sent and 30000 echoed (more with TLS)');
      if (name.includes('tls'))
        t.deepEqual(Object.keys(pair.data.kinds), ['tls'], 'TLS records inside RFC 4571 frames (RFC 6544 §10), classified by RFC 7983');
      else t.deepEqual(Object.keys(pair.data.kinds), ['other']);
    }
  });
}

test('decode --pcap text output names the pair, the checks with RTT and USE-CANDIDATE, and exits 2 with a wrong password', async (t) => {
  const m = meta('libnice-ours-udp');
  const r = await runIceTcp(['decode', '--pcap', path('libnice-ours-udp.pcap'), ...creds(m)]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^capture pcap: \d+ packets\n/);
  t.regex(r.stdout, /Binding request .*ICE-CONTROLLING [0-9a-f]+ {2}USE-CANDIDATE {2}integrity ok \(ufrag /);
  t.regex(r.stdout, /Binding success .*rtt \d+\.\d{3} ms {2}integrity ok/);
  t.regex(r.stdout, /\nselected pair: udp 127\.0\.0\.\d:\d+ ⇄ 127\.0\.0\.\d:\d+ \(nominated by 127\.0\.0\.1:\d+/);
  t.regex(r.stdout, /\nproblems: none\n$/);
  const wrong = await runIceTcp(['decode', '--pcap', path('libnice-ours-udp.pcap'), '--pwd', 'wrongwrongwrongwrongwrong']);
  t.is(wrong.code, 2);
  t.regex(wrong.stdout, /MESSAGE-INTEGRITY failed/);
  const right = await runIceTcp(['decode', '--pcap', path('libnice-ours-udp.pcap'), '--pwd', m.a.pwd, '--pwd', m.b.pwd, '--json']);
  const report = JSON.parse(right.stdout) as PcapReport;
  t.is(report.timeline.totals.integrityFailed, 0);
  t.true(report.timeline.stun.some((e) => e.integrityKey === 'pwd #1') && report.timeline.stun.some((e) => e.integrityKey === 'pwd #2'));
});

test('a capture with a lost segment: the hole is reported, the stream resynchronizes, STUN is still all found', async (t) => {
  const m = meta('libnice-ours-tcp');
  const { code, report } = await decodeJson(path('libnice-ours-tcp-lost-segment.pcap'), creds(m));
  t.is(code, 0);
  const holes = report.tcp.flatMap((d) => d.stats.missing);
  t.deepEqual(
    holes.map(([, len]) => len),
    [1002],
  );
  t.true(report.tcp.some((d) => d.problems.some((p) => /1002 bytes missing from the capture/.test(p.message))));
  t.is(report.timeline.totals.stun, cookies(readFileSync(path('libnice-ours-tcp-lost-segment.pcap'))));
  const pair = report.timeline.pairs.find((p) => p.id === report.timeline.selected?.id)!;
  t.is(pair.data.packets[0] + pair.data.packets[1], 59, 'one data frame lost, the rest after the hole recovered');
  const text = await runIceTcp(['decode', '--pcap', path('libnice-ours-tcp-lost-segment.pcap')]);
  t.regex(text.stdout, /missing: 1002 bytes at offset \d+/);
});

test('a capture cut mid-frame and mid-record: both reported, what came before decoded', async (t) => {
  const { code, report } = await decodeJson(path('libnice-ours-tcp-cut.pcap'));
  t.is(code, 0);
  t.regex(report.truncated ?? '', /^record \d+ claims \d+ bytes but the file ends after \d+$/);
  t.true(report.tcp.some((d) => d.problems.some((p) => /the capture ends inside a frame: 298 of its 1000 bytes/.test(p.message))));
  t.truthy(report.timeline.selected);
  const text = await runIceTcp(['decode', '--pcap', path('libnice-ours-tcp-cut.pcap')]);
  t.regex(text.stdout, /\nproblems: 2\n {2}capture truncated: .*\n {2}tcp .*ends inside a frame/);
});

/** The output without its first line (which names the file format). */
const body = (s: string): string => s.slice(s.indexOf('\n') + 1);

for (const name of ['libnice-ours-tcp', 'libnice-libnice-udp']) {
  test(`${name}: pcapng and pcap give the same output`, async (t) => {
    const m = meta(name);
    const a = await runIceTcp(['decode', '--pcap', path(`${name}.pcap`), ...creds(m)]);
    const b = await runIceTcp(['decode', '--pcap', path(`${name}.pcapng`), ...creds(m)]);
    t.is(a.code, 0);
    t.is(b.code, 0);
    t.regex(b.stdout, /^capture pcapng: /);
    t.is(body(b.stdout), body(a.stdout));
    t.true(body(a.stdout).length > 1000);
  });
}

/** Rewrites an Ethernet capture's frames into another link type. */
function relink(packets: CapturedPacket[], linkType: number, header: (ethertype: number) => Buffer): Buffer {
  return writePcap(
    packets.map((p) => ({ ...p, linkType, data: Buffer.concat([header(p.data.readUInt16BE(12)), p.data.subarray(14)]) })),
    linkType,
  );
}

test('every link type gives the same timeline: Ethernet, SLL, SLL2, raw IP, BSD null and loop', async (t) => {
  const m = meta('libnice-ours-udp');
  const capture = readCapture(readFileSync(path('libnice-ours-udp.pcap')));
  t.true(capture.packets.every((p) => p.linkType === 1));
  const sll = (et: number): Buffer => {
    const h = Buffer.alloc(16);
    h.writeUInt16BE(772, 2); // ARPHRD_LOOPBACK
    h.writeUInt16BE(et, 14);
    return h;
  };
  const sll2 = (et: number): Buffer => {
    const h = Buffer.alloc(20);
    h.writeUInt16BE(et, 0);
    return h;
  };
  const nullLe = (et: number): Buffer => Buffer.from([et === 0x86dd ? 30 : 2, 0, 0, 0]);
  const loop = (et: number): Buffer => Buffer.from([0, 0, 0, et === 0x86dd ? 24 : 2]);
  const variants: Array<[string, Buffer]> = [
    ['sll', relink(capture.packets, 113, sll)],
    ['sll2', relink(capture.packets, 276, sll2)],
    ['raw', relink(capture.packets, 101, () => Buffer.alloc(0))],
    ['null', relink(capture.packets, 0, nullLe)],
    ['loop', relink(capture.packets, 108, loop)],
  ];
  const reference = await runIceTcp(['decode', '--pcap', path('libnice-ours-udp.pcap'), ...creds(m)]);
  for (const [kind, bytes] of variants) {
    const file = join(tmp, `${kind}.pcap`);
    writeFileSync(file, bytes);
    const r = await runIceTcp(['decode', '--pcap', file, ...creds(m)]);
    t.is(r.code, 0, kind);
    t.is(r.stdout, reference.stdout, kind);
  }
  // The IPv6 capture was taken on the 'any' device: real SLL2 headers.
  const v6 = readCapture(readFileSync(path('ours-ours-ipv6-tcp.pcap')));
  t.true(v6.packets.every((p) => p.linkType === 276));
});

test('decode --pcap usage and input errors', async (t) => {
  t.is((await runIceTcp(['decode', '--pcap', path('libnice-ours-udp.pcap'), '--hex', '00'])).code, 64);
  t.is((await runIceTcp(['decode', '--pcap', path('libnice-ours-udp.pcap'), 'extra'])).code, 64);
  t.is((await runIceTcp(['decode', '--pcap', path('libnice-ours-udp.pcap'), '--creds', 'nocolon'])).code, 64);
  t.is((await runIceTcp(['decode', '--json', '--hex', '00'])).code, 64);
  const missing = await runIceTcp(['decode', '--pcap', join(tmp, 'nope.pcap')]);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /no such file/);
  const junk = join(tmp, 'junk.pcap');
  writeFileSync(junk, 'this is not a capture at all');
  const bad = await runIceTcp(['decode', '--pcap', junk]);
  t.is(bad.code, 1);
  t.regex(bad.stderr, /ERR_CAPTURE_BAD_FORMAT: magic 0x74686973 is neither pcap nor pcapng/);
});
