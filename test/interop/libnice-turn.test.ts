/**
 * Interop through TURN: libnice (test/interop/nice-peer.c, its TURN relay
 * set with nice_agent_set_relay_info) and our `ice-tcp peer` are given the
 * same coturn on 127.0.0.1; one side is forced to relay only (ours with
 * --relay-only, libnice with its force-relay property), and they connect
 * over a relay pair and echo data (UDP: 30 kB, see test/turn/peer-turn.test.ts
 * for why UDP relays carry less in these tests).
 */
import test from 'ava';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { collect, linesOf, startIceTcp, type RunResult } from '../cli/helpers.js';
import { coturnUnavailable, startCoturn } from '../turn/coturn.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SOURCE = `${ROOT}test/interop/nice-peer.c`;
const OUT_DIR = fileURLToPath(new URL('./bin-turn/', import.meta.url));
const BINARY = `${OUT_DIR}nice-peer`;

function build(): string | undefined {
  const coturn = coturnUnavailable();
  if (coturn !== undefined) return coturn;
  try {
    const flags = execFileSync('pkg-config', ['--cflags', '--libs', 'nice'], { encoding: 'utf8' }).trim().split(/\s+/);
    mkdirSync(OUT_DIR, { recursive: true });
    execFileSync('cc', ['-O2', '-Wall', SOURCE, ...flags, '-o', BINARY], { stdio: 'pipe' });
  } catch (error) {
    return `cannot build the libnice peer: ${String((error as { stderr?: Buffer }).stderr ?? error)}`;
  }
  return undefined;
}

const unavailable = build();
if (unavailable !== undefined && process.env.CI === undefined) console.log(`libnice TURN interop skipped: ${unavailable}`);
const interop = unavailable === undefined || process.env.CI !== undefined ? test.serial : test.skip;

async function runPair(ours: string[], theirs: string[]): Promise<{ ours: RunResult; theirs: RunResult }> {
  const a = startIceTcp(['peer', '--tcp', 'off', '--timeout', '30', ...ours]);
  const b = spawn(BINARY, ['--udp', 'on', '--tcp', 'off', '--timeout', '30', ...theirs], { stdio: ['pipe', 'pipe', 'pipe'] });
  for (const child of [a, b]) child.stdin!.on('error', () => undefined);
  a.stdout!.pipe(b.stdin);
  b.stdout.pipe(a.stdin!);
  const [ra, rb] = await Promise.all([collect(a, 45_000), collect(b, 45_000)]);
  return { ours: ra, theirs: rb };
}

function explain(r: { ours: RunResult; theirs: RunResult }): string {
  return `ours (exit ${r.ours.code}):\n${r.ours.stdout}\n${r.ours.stderr.slice(-2000)}\nlibnice (exit ${r.theirs.code}):\n${r.theirs.stdout}\n${r.theirs.stderr.slice(-2000)}`;
}

interop('libnice + coturn: we are relay-only, libnice has host and relay candidates; we send, libnice echoes', async (t) => {
  const c = await startCoturn();
  try {
    const r = await runPair(
      [
        '--controlling',
        '--turn',
        `turn:127.0.0.1:${c.port}`,
        '--turn-user',
        c.user,
        '--turn-pass',
        c.password,
        '--relay-only',
        '--send',
        '30000',
      ],
      ['--controlled', '--echo', '--turn', `127.0.0.1:${c.port}`, '--turn-user', c.user, '--turn-pass', c.password],
    );
    const why = explain(r);
    t.is(r.ours.code, 0, why);
    t.is(r.theirs.code, 0, why);
    t.regex(linesOf(r.ours.stdout, 'selected-types')[0] ?? '', /^selected-types local=relay\/udp /, why);
    t.regex(linesOf(r.ours.stdout, 'send-result')[0] ?? '', /sent=30000 echoed=30000 corrupt-chunks=0/, why);
  } finally {
    await c.stop();
  }
});

interop('libnice + coturn: libnice is relay-only (force-relay, TURN over TCP), we echo', async (t) => {
  const c = await startCoturn();
  try {
    const r = await runPair(
      ['--controlled', '--echo', '--turn', `turn:127.0.0.1:${c.port}`, '--turn-user', c.user, '--turn-pass', c.password],
      [
        '--controlling',
        '--send',
        '30000',
        '--turn',
        `127.0.0.1:${c.port}`,
        '--turn-user',
        c.user,
        '--turn-pass',
        c.password,
        '--turn-transport',
        'tcp',
        '--relay-only',
      ],
    );
    const why = explain(r);
    t.is(r.ours.code, 0, why);
    t.is(r.theirs.code, 0, why);
    t.regex(linesOf(r.theirs.stdout, 'selected-types')[0] ?? '', /^selected-types local=relay\/udp /, why);
    t.regex(linesOf(r.theirs.stdout, 'send-result')[0] ?? '', /sent=30000 echoed=30000 corrupt-chunks=0/, why);
  } finally {
    await c.stop();
  }
});
