/**
 * Interop with libnice (Debian libnice-dev, 0.1.21 here) over ICE-TCP only:
 * our `ice-tcp peer` and test/interop/nice-peer.c (a libnice agent speaking
 * the same stdin/stdout line protocol) wired stdout→stdin on 127.0.0.1, in
 * both ICE roles, through both RFC 6544 directions (our active → their
 * passive, our passive ← their active), with data sent each way.
 *
 * .ci/run installs libnice-dev, so in CI (CI=true) a missing libnice is a
 * failure; elsewhere the test is skipped with the reason printed.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { collect, linesOf, startIceTcp, type RunResult } from '../cli/helpers.js';
import { buildNicePeer, NICE_PEER_BINARY as BINARY } from './nice-peer-build.js';

const unavailable = buildNicePeer();
if (unavailable !== undefined && process.env.CI === undefined) {
  console.log(`libnice interop skipped: ${unavailable}`);
}
const interop = unavailable === undefined || process.env.CI !== undefined ? test.serial : test.skip;

interface Side {
  args: string[];
}

/** Runs our peer and the libnice peer with each one's stdout on the other's stdin. */
async function runPair(ours: Side, theirs: Side): Promise<{ ours: RunResult; theirs: RunResult }> {
  if (unavailable !== undefined) throw new Error(unavailable);
  const a = startIceTcp(['peer', '--udp', 'off', '--timeout', '30', ...ours.args]);
  const b = spawn(BINARY, ['--udp', 'off', '--tcp', 'on', '--timeout', '30', ...theirs.args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  for (const child of [a, b]) child.stdin!.on('error', () => undefined);
  a.stdout!.pipe(b.stdin);
  b.stdout.pipe(a.stdin!);
  const [ra, rb] = await Promise.all([collect(a, 45_000), collect(b, 45_000)]);
  return { ours: ra, theirs: rb };
}

function explain(r: { ours: RunResult; theirs: RunResult }): string {
  return (
    `ours (exit ${r.ours.code}):\n${r.ours.stdout}\n${r.ours.stderr.slice(-2000)}\n` +
    `libnice (exit ${r.theirs.code}):\n${r.theirs.stdout}\n${r.theirs.stderr.slice(-2000)}`
  );
}

/** Asserts both sides succeeded over TCP, with the local kind we forced. */
function assertTcpSession(
  t: import('ava').ExecutionContext,
  r: { ours: RunResult; theirs: RunResult },
  ourKind: 'tcp-active' | 'tcp-passive',
  sender: 'ours' | 'theirs',
): void {
  const why = explain(r);
  t.is(r.ours.code, 0, why);
  t.is(r.theirs.code, 0, why);
  t.deepEqual(linesOf(r.ours.stdout, 'result'), ['result ok'], why);
  t.deepEqual(linesOf(r.theirs.stdout, 'result'), ['result ok'], why);
  const theirKind = ourKind === 'tcp-active' ? 'tcp-passive' : 'tcp-active';
  const ourTypes = linesOf(r.ours.stdout, 'selected-types')[0] ?? '';
  const theirTypes = linesOf(r.theirs.stdout, 'selected-types')[0] ?? '';
  t.regex(ourTypes, new RegExp(`local=\\w+/${ourKind} remote=\\w+/${theirKind}$`), why);
  t.regex(theirTypes, new RegExp(`local=\\w+/${theirKind} remote=\\w+/${ourKind}$`), why);
  const result = linesOf((sender === 'ours' ? r.ours : r.theirs).stdout, 'send-result')[0] ?? '';
  t.regex(result, /^send-result sent=1000000 echoed=1000000 corrupt-chunks=0 /, why);
}

interop('libnice interop: we control from an active candidate, libnice (passive) echoes our data', async (t) => {
  const r = await runPair({ args: ['--controlling', '--tcptypes', 'active', '--send', '1000000'] }, { args: ['--controlled', '--echo'] });
  assertTcpSession(t, r, 'tcp-active', 'ours');
});

interop('libnice interop: libnice controls and connects to our passive candidate, sends, we echo', async (t) => {
  const r = await runPair({ args: ['--controlled', '--tcptypes', 'passive', '--echo'] }, { args: ['--controlling', '--send', '1000000'] });
  assertTcpSession(t, r, 'tcp-passive', 'theirs');
});

interop('libnice interop: we control on a passive candidate, libnice connects and sends, we echo', async (t) => {
  const r = await runPair({ args: ['--controlling', '--tcptypes', 'passive', '--echo'] }, { args: ['--controlled', '--send', '1000000'] });
  assertTcpSession(t, r, 'tcp-passive', 'theirs');
});

interop('libnice interop: libnice controls, we connect from an active candidate and send', async (t) => {
  const r = await runPair({ args: ['--controlled', '--tcptypes', 'active', '--send', '1000000'] }, { args: ['--controlling', '--echo'] });
  assertTcpSession(t, r, 'tcp-active', 'ours');
});
