/**
 * Interop with werift-ice 0.2.3 (a dev dependency): our `ice-tcp peer` and
 * test/interop/werift-peer.ts (werift's Connection behind the same
 * stdin/stdout line protocol) as two processes on 127.0.0.1, each one's
 * stdout on the other's stdin. Both ICE roles, UDP only and TCP only, each
 * side once the sender (1 MB, echoed by the other): data flows both ways,
 * and both ends report the same 5-tuple (`path` lines, mirrored).
 *
 * werift nominates every check it sends when controlling, TCP included
 * (against RFC 6544 §8), and keeps its first nominated pair; our controlled
 * side follows that first nomination (lib/ice/tcp-nomination.ts), which is
 * what the "werift controls over TCP" cases check.
 */
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { collect, linesOf, startIceTcp, type RunResult } from '../cli/helpers.js';
import { parsePathLine } from './wrtc-ice-session.js';

const WERIFT_PEER = fileURLToPath(new URL('./werift-peer.js', import.meta.url));

interface Pair {
  ours: RunResult;
  theirs: RunResult;
}

async function runPair(ourArgs: string[], theirArgs: string[]): Promise<Pair> {
  const a = startIceTcp(['peer', '--timeout', '30', ...ourArgs]);
  const b = spawn(process.execPath, [WERIFT_PEER, '--timeout', '30', ...theirArgs], {
    env: { ...process.env, DEBUG: '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  for (const child of [a, b]) child.stdin!.on('error', () => undefined);
  a.stdout!.pipe(b.stdin);
  b.stdout.pipe(a.stdin!);
  const [ours, theirs] = await Promise.all([collect(a, 45_000), collect(b, 45_000)]);
  return { ours, theirs };
}

function explain(r: Pair): string {
  return (
    `ours (exit ${r.ours.code}):\n${r.ours.stdout}\n${r.ours.stderr.slice(-2000)}\n` +
    `werift (exit ${r.theirs.code}):\n${r.theirs.stdout}\n${r.theirs.stderr.slice(-2000)}`
  );
}

function check(t: ExecutionContext, r: Pair, transport: 'udp' | 'tcp', sender: 'ours' | 'theirs'): void {
  const why = explain(r);
  t.is(r.ours.code, 0, why);
  t.is(r.theirs.code, 0, why);
  t.deepEqual(linesOf(r.ours.stdout, 'result'), ['result ok'], why);
  t.deepEqual(linesOf(r.theirs.stdout, 'result'), ['result ok'], why);
  // Data both ways: every byte sent came back intact.
  const result = linesOf((sender === 'ours' ? r.ours : r.theirs).stdout, 'send-result')[0] ?? '';
  t.regex(result, /^send-result sent=1000000 echoed=1000000 corrupt-chunks=0 /, why);
  // Same path: our last path is werift's, mirrored.
  const ourPath = parsePathLine(linesOf(r.ours.stdout, 'path').at(-1) ?? '');
  const theirPath = parsePathLine(linesOf(r.theirs.stdout, 'path').at(-1) ?? '');
  t.truthy(ourPath, why);
  t.truthy(theirPath, why);
  t.is(ourPath!.local.protocol, transport, why);
  t.deepEqual(ourPath!.local, theirPath!.remote, why);
  t.deepEqual(ourPath!.remote, theirPath!.local, why);
}

const transports = {
  udp: { ours: ['--tcp', 'off'], theirs: ['--tcp', 'off'] },
  tcp: { ours: ['--udp', 'off'], theirs: ['--udp', 'off'] },
} as const;

for (const transport of ['udp', 'tcp'] as const) {
  for (const weControl of [true, false]) {
    for (const sender of ['ours', 'theirs'] as const) {
      const roles = weControl ? 'we control' : 'werift controls';
      const data = sender === 'ours' ? 'we send, werift echoes' : 'werift sends, we echo';
      test.serial(`werift interop: ${transport.toUpperCase()}, ${roles}, ${data}; both on the same 5-tuple`, async (t) => {
        const ours = [
          weControl ? '--controlling' : '--controlled',
          ...transports[transport].ours,
          ...(sender === 'ours' ? ['--send', '1000000'] : ['--echo']),
        ];
        const theirs = [
          weControl ? '--controlled' : '--controlling',
          ...transports[transport].theirs,
          ...(sender === 'theirs' ? ['--send', '1000000'] : ['--echo']),
        ];
        check(t, await runPair(ours, theirs), transport, sender);
      });
    }
  }
}
