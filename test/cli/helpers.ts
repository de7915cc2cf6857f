/**
 * Spawns the compiled `ice-tcp` command (the main.js next to this build's
 * lib/cli) and collects its output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../lib/cli/run-cli.js';

/** Path of the compiled command in the build folder these tests run from. */
export const MAIN = fileURLToPath(new URL('../../lib/cli/main.js', import.meta.url));

/** What a finished command left behind. */
export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `ice-tcp ...args` (DEBUG cleared unless given). */
export function startIceTcp(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [MAIN, ...args], {
    env: { ...process.env, DEBUG: '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/** Waits for a started command to end, collecting its output; kills it after `timeoutMs`. */
export function collect(child: ChildProcess, timeoutMs = 30_000): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ice-tcp did not exit within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs `ice-tcp ...args` with `input` on stdin (then EOF) to completion. */
export function runIceTcp(
  args: string[],
  options: { input?: string | Buffer; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<RunResult> {
  const child = startIceTcp(args, options.env);
  const done = collect(child, options.timeoutMs);
  child.stdin!.on('error', () => undefined); // the command may exit without reading
  child.stdin!.end(options.input ?? '');
  return done;
}

/**
 * Every stdout line of a child, kept from the start, so that a wait can match
 * a line that arrived before it was asked for.
 */
export class LineLog {
  readonly lines: string[] = [];
  #partial = '';
  #exited = false;
  #waiters = new Set<() => void>();

  constructor(child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer | string) => {
      const parts = (this.#partial + chunk.toString()).split('\n');
      this.#partial = parts.pop()!;
      this.lines.push(...parts);
      for (const wake of this.#waiters) wake();
    });
    child.on('exit', () => {
      this.#exited = true;
      for (const wake of this.#waiters) wake();
    });
  }

  /** The first line (from the start) matching `pattern`. */
  wait(pattern: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        for (const line of this.lines) {
          const match = pattern.exec(line);
          if (match !== null) return finish(undefined, match);
        }
        if (this.#exited) finish(new Error(`exited without a line matching ${pattern}:\n${this.lines.join('\n')}`));
      };
      const timer = setTimeout(
        () => finish(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${this.lines.join('\n')}`)),
        timeoutMs,
      );
      const finish = (error?: Error, match?: RegExpExecArray): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        if (error !== undefined) reject(error);
        else resolve(match!);
      };
      this.#waiters.add(check);
      check();
    });
  }
}

/** Both ends of a peer run. */
export interface PeerPairResult {
  a: RunResult;
  b: RunResult;
}

/**
 * Runs two `ice-tcp peer` processes with each one's stdout fed to the
 * other's stdin, as the acceptance test wires them.
 */
export async function runPeerPair(
  argsA: string[],
  argsB: string[],
  options: { timeoutMs?: number; rewriteB?: (line: string) => string } = {},
): Promise<PeerPairResult> {
  const timeoutMs = options.timeoutMs ?? 40_000;
  const a = startIceTcp(['peer', ...argsA]);
  const b = startIceTcp(['peer', ...argsB]);
  for (const child of [a, b]) child.stdin!.on('error', () => undefined); // the other may exit first
  a.stdout!.pipe(b.stdin!);
  const rewrite = options.rewriteB;
  if (rewrite === undefined) {
    b.stdout!.pipe(a.stdin!);
  } else {
    // B's lines reach A through `rewrite` (a man in the middle of the signalling).
    let partial = '';
    b.stdout!.on('data', (chunk: Buffer | string) => {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop()!;
      for (const line of parts) if (a.stdin!.writable) a.stdin!.write(`${rewrite(line)}\n`);
    });
    b.stdout!.on('end', () => a.stdin!.end());
  }
  const [ra, rb] = await Promise.all([collect(a, timeoutMs), collect(b, timeoutMs)]);
  return { a: ra, b: rb };
}

/** The lines of an output that start with `prefix ` (or equal it). */
export function linesOf(output: string, prefix: string): string[] {
  return output.split('\n').filter((line) => line === prefix || line.startsWith(`${prefix} `));
}

/** Runs the dispatcher in this process with in-memory streams (`input` on stdin). */
export async function runInProcess(argv: string[], input = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdin = new PassThrough();
  stdin.end(input);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await runCli(argv, { stdin, stdout, stderr });
  return { code, stdout: out, stderr: err };
}
