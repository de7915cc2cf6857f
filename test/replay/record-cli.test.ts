/**
 * `ice-tcp peer --record` + `ice-tcp replay`, end to end over real sockets on
 * 127.0.0.1: two peers connect (TCP only, then UDP only), each records its
 * core; each recording replays identical; a recording edited by one byte is
 * reported at the edited call, to the byte; recordings of another format
 * version and usage mistakes get their exit codes.
 */
import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collect, linesOf, runIceTcp, startIceTcp } from '../cli/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'rp-record-'));

/** Two `ice-tcp peer`s wired stdout→stdin, both recording; resolves with the two fixture paths. */
async function recordPair(name: string, transport: string[]): Promise<{ a: string; b: string; stdoutA: string }> {
  const a = join(dir, `${name}-a.json`);
  const b = join(dir, `${name}-b.json`);
  // TCP: active → passive only (no S-O retry storm on a loaded machine).
  const tcp = transport.includes('--udp');
  const pa = startIceTcp([
    'peer',
    '--controlling',
    ...transport,
    ...(tcp ? ['--tcptypes', 'active'] : []),
    '--send',
    '20000',
    '--record',
    a,
  ]);
  const pb = startIceTcp(['peer', '--controlled', ...transport, ...(tcp ? ['--tcptypes', 'passive'] : []), '--echo', '--record', b]);
  for (const p of [pa, pb]) p.stdin!.on('error', () => undefined);
  pa.stdout!.pipe(pb.stdin!);
  pb.stdout!.pipe(pa.stdin!);
  const [ra, rb] = await Promise.all([collect(pa, 60_000), collect(pb, 60_000)]);
  const why = `A:\n${ra.stdout}${ra.stderr}\nB:\n${rb.stdout}${rb.stderr}`;
  if (ra.code !== 0 || rb.code !== 0) throw new Error(`peers failed\n${why}`);
  return { a, b, stdoutA: ra.stdout };
}

for (const [name, transport, kind] of [
  ['tcp', ['--udp', 'off'], /local=\w+\/tcp-/],
  ['udp', ['--tcp', 'off'], /local=host\/udp /],
] as const) {
  test.serial(`peer --record then replay over real ${name.toUpperCase()} sockets: identical on both sides`, async (t) => {
    const { a, b, stdoutA } = await recordPair(name, [...transport]);
    t.regex(linesOf(stdoutA, 'selected-types')[0] ?? '', kind);
    for (const file of [a, b]) {
      const text = readFileSync(file, 'utf8');
      const rec = JSON.parse(text) as {
        version: number;
        producer: { name: string; version: string };
        calls: { call: string; args?: unknown[] }[];
      };
      t.is(rec.version, 4);
      t.deepEqual(rec.producer, { name: 'ice-tcp', version: '0.1.0' });
      t.true(
        rec.calls.some((c) => c.call === 'handlePacket'),
        'the recording holds received packets',
      );
      const r = await runIceTcp(['replay', file]);
      t.is(r.code, 0, r.stdout + r.stderr);
      t.regex(r.stdout, /^identical \(\d+ calls, \d+ packets compared; recorded by ice-tcp 0\.1\.0\)\n$/);
    }
  });
}

test.serial('a recording edited by one byte is reported at that call, to the byte', async (t) => {
  const { a } = await recordPair('udp-edit', ['--tcp', 'off']);
  const lines = readFileSync(a, 'utf8').split('\n');
  // The first transmit (a connectivity check) in the calls: its line index gives its call number.
  const callsStart = lines.findIndex((l) => l.includes('"calls": ['));
  const at = lines.findIndex((l, i) => i > callsStart && l.includes('"call":"pollTransmit","result"'));
  t.true(at > callsStart);
  const callIndex = at - callsStart - 1;
  const dataAt = lines[at].indexOf('"data":{"$bytes":"') + '"data":{"$bytes":"'.length;
  const charInData = 40; // base64 char 40 holds bits of byte floor(40*6/8) = 30
  const pos = dataAt + charInData;
  const old = lines[at][pos];
  const replacement = old === 'A' ? 'B' : 'A';
  lines[at] = lines[at].slice(0, pos) + replacement + lines[at].slice(pos + 1);
  const edited = join(dir, 'edited.json');
  writeFileSync(edited, lines.join('\n'));
  t.is([...readFileSync(edited)].filter((byte, i) => byte !== readFileSync(a)[i]).length, 1, 'the files differ in exactly one byte');
  const r = await runIceTcp(['replay', edited]);
  t.is(r.code, 1, r.stdout + r.stderr);
  t.regex(r.stdout, new RegExp(`^diverged at call #${callIndex} pollTransmit\\n`));
  t.regex(r.stdout, /\n {2}at: result\.data\[byte 30\]\n/);
  t.regex(r.stdout, /\n {2}recorded: 0x[0-9a-f]{2} \(\d+ bytes\)\n {2}replayed: 0x[0-9a-f]{2} \(\d+ bytes\)\n/);
});

test('replay: another format version is a clear typed error (exit 1), usage mistakes exit 64', async (t) => {
  const old = join(dir, 'v1.json');
  writeFileSync(
    old,
    JSON.stringify({ format: 'ice-tcp/session-recording', version: 1, options: { controlling: true }, constructionDraws: [], calls: [] }),
  );
  const r1 = await runIceTcp(['replay', old]);
  t.is(r1.code, 1);
  t.regex(
    r1.stderr,
    /ERR_REPLAY_UNSUPPORTED_VERSION: recording format version 1 is an older format than this library's \(ice-tcp 0\.1\.0 reads versions 2, 3, 4\)/,
  );
  const newer = join(dir, 'v9.json');
  writeFileSync(
    newer,
    JSON.stringify({
      format: 'ice-tcp/session-recording',
      version: 9,
      producer: { name: 'ice-tcp', version: '9.0.0' },
      options: { controlling: true },
      constructionDraws: [],
      calls: [],
    }),
  );
  const r9 = await runIceTcp(['replay', newer]);
  t.is(r9.code, 1);
  t.regex(r9.stderr, /ERR_REPLAY_UNSUPPORTED_VERSION: recording format version 9 by ice-tcp 9\.0\.0 is a newer format/);
  const notJson = join(dir, 'bad.json');
  writeFileSync(notJson, '{ nope');
  const rb = await runIceTcp(['replay', notJson]);
  t.is(rb.code, 1);
  t.regex(rb.stderr, /ERR_REPLAY_BAD_FORMAT/);
  t.is((await runIceTcp(['replay'])).code, 64);
  t.is((await runIceTcp(['replay', 'a', 'b'])).code, 64);
  t.is((await runIceTcp(['replay', '--bogus', old])).code, 64);
  const missing = await runIceTcp(['replay', join(dir, 'missing.json')]);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /no such file/);
  t.regex((await runIceTcp(['replay', '--help'])).stdout, /^usage: ice-tcp replay /);
});

test.serial('demo --record DIR writes one recording per agent and round (S-O in a worker thread); each replays identical', async (t) => {
  const out = join(dir, 'demo');
  const r = await runIceTcp(['demo', '--send', '20000', '--record', out], { timeoutMs: 90_000 });
  t.is(r.code, 0, r.stdout + r.stderr);
  const files = ['round-1-a-controlling.json', 'round-1-b-controlled.json', 'round-2-a-controlling.json', 'round-2-b-controlled.json'];
  for (const file of files) {
    const replay = await runIceTcp(['replay', join(out, file)], { timeoutMs: 90_000 });
    t.is(replay.code, 0, `${file}: ${replay.stdout}${replay.stderr}`);
    t.regex(replay.stdout, /^identical /);
  }
  t.regex(readFileSync(join(out, 'round-2-b-controlled.json'), 'utf8'), /"tcpType":"so"/);
});

test.serial('peer --record writes the recording of a failed session too, and it replays identical', async (t) => {
  const file = join(dir, 'failed.json');
  const input =
    'ufrag remoteufrag\npwd remotepasswordremotepassword\na=candidate:1 1 TCP 2105524479 127.0.0.1 1 typ host tcptype passive\nend-of-candidates\n';
  const p = startIceTcp(['peer', '--controlling', '--udp', 'off', '--tcptypes', 'active', '--timeout', '30', '--record', file]);
  p.stdin!.on('error', () => undefined);
  p.stdin!.write(input);
  const r = await collect(p, 60_000);
  p.stdin!.end();
  t.is(r.code, 1, r.stdout + r.stderr);
  t.deepEqual(linesOf(r.stdout, 'result'), ['result fail ice failed']);
  t.regex(r.stderr, /recorded \d+ core calls to /);
  const replay = await runIceTcp(['replay', file]);
  t.is(replay.code, 0, replay.stdout + replay.stderr);
  t.regex(readFileSync(file, 'utf8'), /"state":"failed"/);
});
