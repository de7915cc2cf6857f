/**
 * The exit rules of `ice-tcp peer` (lib/cli/USAGE.md, "Exit status"), with
 * real `peer` processes on loopback: one status per kind of failure, the same
 * on every kind of pair; `--timeout` stops counting at `done`; a lost
 * connection ends the process after `done` too; diagnostics that quote the
 * peer's lines are bounded and escaped.
 */
import test from 'ava';
import type { ChildProcess } from 'node:child_process';
import { collect, runIceTcp, startIceTcp, type RunResult } from './helpers.js';

/** Two peers whose lines go through this process, so that a test can hold, rewrite or cut them. */
class Relay {
  readonly a: ChildProcess;
  readonly b: ChildProcess;
  readonly results: Promise<[RunResult, RunResult]>;
  readonly startedAt = performance.now();
  /** Lines printed by each side so far. */
  readonly lines: { a: string[]; b: string[] } = { a: [], b: [] };
  /** Exit times, ms after the start. */
  readonly exitedAt: { a?: number; b?: number } = {};
  #waiters = new Set<() => void>();

  constructor(
    argsA: string[],
    argsB: string[],
    readonly filter: { toA?: (line: string) => string | undefined; toB?: (line: string) => string | undefined } = {},
    timeoutMs = 60_000,
  ) {
    this.a = startIceTcp(['peer', ...argsA]);
    this.b = startIceTcp(['peer', ...argsB]);
    this.#wire(this.a, this.b, 'a', filter.toB);
    this.#wire(this.b, this.a, 'b', filter.toA);
    this.a.on('exit', () => (this.exitedAt.a = performance.now() - this.startedAt));
    this.b.on('exit', () => (this.exitedAt.b = performance.now() - this.startedAt));
    this.results = Promise.all([collect(this.a, timeoutMs), collect(this.b, timeoutMs)]);
  }

  /** Resolves once side `side` printed a line matching `pattern`. */
  waitFor(side: 'a' | 'b', pattern: RegExp, ms = 20_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.lines[side].some((l) => pattern.test(l))) {
          this.#waiters.delete(check);
          clearTimeout(timer);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`${side}: no line matching ${pattern} in ${ms} ms:\n${this.lines[side].join('\n')}`));
      }, ms);
      this.#waiters.add(check);
      check();
    });
  }

  /** Writes a line to side `side`'s stdin. */
  tell(side: 'a' | 'b', line: string): void {
    const child = side === 'a' ? this.a : this.b;
    if (child.stdin!.writable) child.stdin!.write(`${line}\n`);
  }

  kill(): void {
    for (const child of [this.a, this.b]) if (child.exitCode === null) child.kill('SIGKILL');
  }

  #wire(from: ChildProcess, to: ChildProcess, side: 'a' | 'b', filter: ((line: string) => string | undefined) | undefined): void {
    to.stdin!.on('error', () => undefined);
    let partial = '';
    from.stdout!.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop()!;
      for (const line of parts) {
        this.lines[side].push(line);
        const passed = filter === undefined ? line : filter(line);
        if (passed !== undefined && to.stdin!.writable) to.stdin!.write(`${passed}\n`);
      }
      for (const wake of this.#waiters) wake();
    });
    // The peer's output ended (it exited or was killed): its stdout is our stdin, as with a pipe.
    from.stdout!.on('end', () => to.stdin!.end());
  }
}

function lastLine(r: RunResult): string {
  return r.stdout.trimEnd().split('\n').at(-1) ?? '';
}

const show = (r: RunResult): string => `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

test.serial('after done, --timeout no longer fires: the echo side outlives it and ends with the peer’s done (exit 0)', async (t) => {
  // B's 'done' is held back from A until the test says so; A (echo) has a 5 s timeout.
  let releaseDone = false;
  const relay = new Relay(
    ['--controlled', '--tcp', 'off', '--echo', '--timeout', '5'],
    ['--controlling', '--tcp', 'off', '--send', '100000'],
    {
      toA: (line) => (line === 'done' && !releaseDone ? undefined : line),
    },
  );
  t.teardown(() => relay.kill());
  relay.b.stdout!.removeAllListeners('end'); // B exits once done: A's stdin stays open (otherwise its end ends A)
  await relay.waitFor('a', /^done$/);
  await relay.waitFor('b', /^done$/);
  await new Promise((r) => setTimeout(r, 6000)); // past A's --timeout
  t.is(relay.a.exitCode, null, `the echo side exited at its timeout after done:\n${relay.lines.a.join('\n')}`);
  releaseDone = true;
  relay.tell('a', 'done');
  const [a, b] = await relay.results;
  t.is(a.code, 0, show(a));
  t.is(lastLine(a), 'result ok');
  t.is(b.code, 0, show(b));
});

/**
 * The echo side is killed mid-transfer; the sender must end with 4
 * (connection lost), whatever the pair. Its stdin ends with the echo's
 * stdout, as through a pipe.
 */
async function killEchoMidTransfer(t: import('ava').ExecutionContext, sender: string[], echo: string[], expectPair: RegExp): Promise<void> {
  const relay = new Relay(
    ['--controlling', '--send', '100000000000', '--timeout', '60', ...sender],
    ['--controlled', '--echo', '--timeout', '60', ...echo],
  );
  t.teardown(() => relay.kill());
  await relay.waitFor('a', /^connected-ms /);
  const types = relay.lines.a.find((l) => l.startsWith('selected-types')) ?? '';
  t.regex(types, expectPair);
  await new Promise((r) => setTimeout(r, 500)); // data flowing
  relay.b.kill('SIGKILL');
  const killedAt = performance.now() - relay.startedAt;
  const [a] = await relay.results;
  t.is(a.code, 4, show(a));
  t.regex(lastLine(a), /^result fail connection lost: /);
  const took = relay.exitedAt.a! - killedAt;
  t.log(`${types}: exit ${a.code} ${Math.round(took)} ms after the kill: ${lastLine(a)}`);
  t.true(took < 25_000, `${took} ms`);
}

test.serial('echo side killed mid-transfer, active → passive pair: the sender exits 4', (t) =>
  killEchoMidTransfer(t, ['--udp', 'off', '--tcptypes', 'active'], ['--udp', 'off', '--tcptypes', 'passive'], /local=\w+\/tcp-active/),
);

test.serial('echo side killed mid-transfer, passive ← active pair: the sender exits 4', (t) =>
  killEchoMidTransfer(t, ['--udp', 'off', '--tcptypes', 'passive'], ['--udp', 'off', '--tcptypes', 'active'], /local=\w+\/tcp-passive/),
);

test.serial('echo side killed mid-transfer, simultaneous-open pair: the sender exits 4', (t) =>
  killEchoMidTransfer(t, ['--udp', 'off', '--tcptypes', 'so'], ['--udp', 'off', '--tcptypes', 'so'], /local=\w+\/tcp-so/),
);

test.serial('echo side killed mid-transfer, UDP pair: the sender exits 4', (t) =>
  killEchoMidTransfer(t, ['--tcp', 'off'], ['--tcp', 'off'], /local=host\/udp/),
);

test.serial('after done, consent lost (state failed) ends the echo side with 4, not at its timeout', async (t) => {
  // UDP: nothing tells the echo side that the sender died but consent (RFC 7675: 30 s). The echo side, with
  // nothing to echo, has suspended its consent checks (consent.whenIdle 'suspend', RFC 7675 §5.1): it probes
  // the peer after 2 × Tr = 30 s without a packet from it, and consent is lost 30 s later (60–75 s in all).
  // Its stdin stays open (the relay does not pass the end on), as over a chat or a file.
  t.timeout(170_000);
  const relay = new Relay(
    ['--controlled', '--tcp', 'off', '--echo', '--timeout', '2'],
    ['--controlling', '--tcp', 'off', '--send', '100000000000', '--timeout', '300'],
    {},
    150_000,
  );
  t.teardown(() => relay.kill());
  relay.a.stdin!.on('error', () => undefined);
  relay.b.stdout!.removeAllListeners('end');
  await relay.waitFor('a', /^done$/);
  relay.b.kill('SIGKILL');
  const [a] = await relay.results;
  t.is(a.code, 4, show(a));
  t.true(relay.lines.a.includes('state failed'));
  t.is(lastLine(a), 'result fail connection lost: ice failed');
});

test.serial(
  'a wrong password signalled to one side: both sides exit 1 promptly, the one that logs ERR_ICE_CHECKLIST_FAILED too',
  async (t) => {
    const wrong = 'pwd ' + 'x'.repeat(24); // well-formed, not B's
    const relay = new Relay(
      ['--controlling', '--tcp', 'off', '--send', '10000', '--timeout', '20'],
      ['--controlled', '--tcp', 'off', '--echo', '--timeout', '20'],
      {
        toA: (line) => (line.startsWith('pwd ') ? wrong : line),
      },
    );
    t.teardown(() => relay.kill());
    const [a, b] = await relay.results;
    t.is(a.code, 1, show(a));
    t.is(b.code, 1, show(b));
    t.regex(a.stderr + b.stderr, /ERR_ICE_CHECKLIST_FAILED/);
    t.log(`exits after ${Math.round(relay.exitedAt.a!)} / ${Math.round(relay.exitedAt.b!)} ms`);
    t.true(relay.exitedAt.a! < 15_000 && relay.exitedAt.b! < 15_000, 'well before the 20 s timeout');
    for (const r of [a, b]) t.regex(lastLine(r), /^result fail ice failed/);
  },
);

test.serial('a wrong password signalled to the other side: both exit 1 promptly as well', async (t) => {
  const wrong = 'pwd ' + 'x'.repeat(24);
  const relay = new Relay(
    ['--controlling', '--tcp', 'off', '--send', '10000', '--timeout', '20'],
    ['--controlled', '--tcp', 'off', '--echo', '--timeout', '20'],
    {
      toB: (line) => (line.startsWith('pwd ') ? wrong : line),
    },
  );
  t.teardown(() => relay.kill());
  const [a, b] = await relay.results;
  t.is(a.code, 1, show(a));
  t.is(b.code, 1, show(b));
  t.true(relay.exitedAt.a! < 15_000 && relay.exitedAt.b! < 15_000, 'well before the 20 s timeout');
});

test.serial('a diagnostic quoting a bad remote line bounds it and escapes its control characters', async (t) => {
  const evil = `a=candidate:1 1 UDP x \u001b[31mRED\u001b[0m \u0007 ${'A'.repeat(20_000)}\r`;
  const input = ['ufrag abcd', 'pwd ' + 'y'.repeat(24), evil, 'end-of-candidates', ''].join('\n');
  const r = await runIceTcp(['peer', '--controlled', '--tcp', 'off', '--timeout', '1'], { input });
  const diag = r.stderr.split('\n').filter((l) => l.includes('ignores a remote candidate'));
  t.is(diag.length, 1, r.stderr);
  // eslint-disable-next-line no-control-regex -- looking for raw control characters
  t.false(/[\u0000-\u0008\u000b-\u001f\u007f]/.test(r.stderr), 'no raw control character on stderr');
  t.regex(diag[0], /\\x1b\[31mRED\\x1b\[0m \\x07/);
  t.regex(diag[0], /…\(\d+ more\)/);
  t.true(diag[0].length < 1000, `${diag[0].length} characters`);
});
