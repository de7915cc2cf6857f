// Data path against libnice, in one run: two `ice-tcp peer` processes (one
// --send, one --echo) and two libnice peers (test/interop/nice-peer.c, built
// as the interop test builds it) each move ECHO_BENCH_MB (default 20) MB of
// 1200-byte packets and their echoes on loopback, with at most 64 KiB sent
// and not yet echoed (both implementations use that window), over UDP and
// over an active → passive TCP pair. Rounds alternate ours and libnice
// (ECHO_BENCH_ROUNDS, default 5); the medians are printed: throughput as
// each sender reports it, and the CPU time of both processes (all threads,
// from /proc/PID/task/*/schedstat) from the selected pair to the sender's
// result, per MB sent. Targets (issue 16): ours ≥ 1.0× libnice on both.
// "raw Node" is the platform's ceiling: the same echo between two Node processes
// over bare sockets (bench/raw-echo-peer.ts), in the same rounds.
// ECHO_BENCH_BASE=path/to/cli/main.js adds a third implementation in the same
// rounds (e.g. a build of another commit), to compare two versions of ours.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildNicePeer, NICE_PEER_BINARY } from '../test/interop/nice-peer-build.js';

const MB = Number(process.env.ECHO_BENCH_MB ?? 20);
const ROUNDS = Number(process.env.ECHO_BENCH_ROUNDS ?? 5);
const MAIN = fileURLToPath(new URL('../lib/cli/main.js', import.meta.url));
const BASE = process.env.ECHO_BENCH_BASE;
/** ECHO_BENCH_ONLY=base (or ours, or none): run only these of ours beside libnice and raw Node (quicker iterations). */
const ONLY = process.env.ECHO_BENCH_ONLY?.split(',');
/** ECHO_BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=DIR': node options for our peers (profiles). */
const NODE_ARGS = (process.env.ECHO_BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
/** ECHO_BENCH_BASE_NODE_ARGS: the same for the ECHO_BENCH_BASE peers (e.g. to compare V8 flags). */
const BASE_NODE_ARGS = (process.env.ECHO_BENCH_BASE_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
/** ECHO_BENCH_TRANSPORTS=udp or tcp: only one transport. */
const TRANSPORTS = (process.env.ECHO_BENCH_TRANSPORTS ?? 'udp,tcp').split(',') as Array<'udp' | 'tcp'>;

const RAW = fileURLToPath(new URL('./raw-echo-peer.js', import.meta.url));

type Impl = 'ours' | 'libnice' | 'raw' | 'base';

/** CPU time of every thread of a process, in ms (0 once it is gone). */
function cpuMsOf(pid: number): number {
  let ns = 0;
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    }
  } catch {
    return 0;
  }
  return ns / 1e6;
}

/**
 * The CPU time of a process, sampled every few ms so that a process that
 * exits right after printing its result (the senders do) still has a
 * reading: once /proc no longer has it, the last sample stands (it misses at
 * most one period of CPU, never goes negative).
 */
class CpuWatch {
  #last = 0;
  readonly #timer: NodeJS.Timeout;
  constructor(readonly pid: number) {
    this.#timer = setInterval(() => this.read(), 5);
  }
  read(): number {
    const now = cpuMsOf(this.pid);
    if (now > this.#last) this.#last = now;
    return this.#last;
  }
  stop(): void {
    clearInterval(this.#timer);
  }
}

/** Each child's stdout as lines, with waits for a line by prefix. */
class Lines {
  readonly lines: string[] = [];
  readonly #waiters: Array<{ prefix: string; resolve: (line: string) => void }> = [];
  constructor(child: ChildProcess) {
    let rest = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      rest += chunk;
      let nl: number;
      while ((nl = rest.indexOf('\n')) >= 0) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        this.lines.push(line);
        for (let i = this.#waiters.length - 1; i >= 0; i--) {
          const w = this.#waiters[i];
          if (line.startsWith(w.prefix)) {
            this.#waiters.splice(i, 1);
            w.resolve(line);
          }
        }
      }
    });
  }
  next(prefix: string): Promise<string> {
    const seen = this.lines.find((l) => l.startsWith(prefix));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.push({ prefix, resolve }));
  }
}

interface EchoFigure {
  mbps: number;
  /** CPU-ms per MB sent, sender and echoer together. */
  cpuMsPerMb: number;
  /** CPU-ms per MB of the sender. */
  sendCpu: number;
  /** CPU-ms per MB of the echoer. */
  echoCpu: number;
}

/** One transfer between a sender and an echoer of one implementation. */
async function transfer(impl: Impl, transport: 'udp' | 'tcp'): Promise<EchoFigure> {
  const bytes = MB * 1_000_000;
  const start = (role: 'send' | 'echo'): ChildProcess => {
    const controlling = role === 'send' ? '--controlling' : '--controlled';
    const data = role === 'send' ? ['--send', String(bytes), '--chunk', '1200'] : ['--echo'];
    const udp = ['--udp', transport === 'udp' ? 'on' : 'off', '--tcp', transport === 'tcp' ? 'on' : 'off'];
    if (impl === 'raw') {
      const args = role === 'send' ? [transport, 'send', String(bytes), '1200'] : [transport, 'echo'];
      return spawn(process.execPath, [RAW, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    }
    if (impl === 'libnice') {
      return spawn(NICE_PEER_BINARY, [controlling, ...udp, '--timeout', '60', ...data], { stdio: ['pipe', 'pipe', 'pipe'] });
    }
    const tcptypes = transport === 'tcp' ? ['--tcptypes', role === 'send' ? 'active' : 'passive'] : [];
    return spawn(
      process.execPath,
      [
        ...(impl === 'base' ? BASE_NODE_ARGS : NODE_ARGS),
        impl === 'base' ? BASE! : MAIN,
        'peer',
        controlling,
        ...udp,
        ...tcptypes,
        '--timeout',
        '60',
        ...data,
      ],
      {
        env: { ...process.env, DEBUG: '' },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
  };
  const sender = start('send');
  const echoer = start('echo');
  let stderr = '';
  for (const child of [sender, echoer]) {
    child.stdin!.on('error', () => undefined);
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  }
  sender.stdout!.pipe(echoer.stdin!, { end: false });
  echoer.stdout!.pipe(sender.stdin!, { end: false });
  const out = new Lines(sender);
  const exited = Promise.all([sender, echoer].map((c) => new Promise((resolve) => c.on('exit', resolve))));
  const timer = setTimeout(() => {
    sender.kill('SIGKILL');
    echoer.kill('SIGKILL');
  }, 90_000);
  const watches: CpuWatch[] = [];
  try {
    await Promise.race([
      out.next('selected '),
      exited.then(() => Promise.reject(new Error(`${impl} ${transport}: exited before a pair was selected: ${stderr}`))),
    ]);
    const sendWatch = new CpuWatch(sender.pid!);
    const echoWatch = new CpuWatch(echoer.pid!);
    watches.push(sendWatch, echoWatch);
    const send0 = sendWatch.read();
    const echo0 = echoWatch.read();
    const result = await Promise.race([
      out.next('send-result '),
      exited.then(() => Promise.reject(new Error(`${impl} ${transport}: exited without a result: ${out.lines.join('\n')} ${stderr}`))),
    ]);
    const sendCpu = sendWatch.read() - send0;
    const echoCpu = echoWatch.read() - echo0;
    const mbps = Number(/mbps=([\d.]+)/.exec(result)?.[1]);
    if (!/corrupt-chunks=0 /.test(result) || !Number.isFinite(mbps)) throw new Error(`${impl} ${transport}: ${result}`);
    return { mbps, cpuMsPerMb: (sendCpu + echoCpu) / MB, sendCpu: sendCpu / MB, echoCpu: echoCpu / MB };
  } finally {
    for (const watch of watches) watch.stop();
    await exited;
    clearTimeout(timer);
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

interface Medians {
  mbps: number;
  cpu: number;
  send: number;
  echo: number;
}

function medians(figures: EchoFigure[]): Medians {
  return {
    mbps: median(figures.map((f) => f.mbps)),
    cpu: median(figures.map((f) => f.cpuMsPerMb)),
    send: median(figures.map((f) => f.sendCpu)),
    echo: median(figures.map((f) => f.echoCpu)),
  };
}

const cpuCell = (m: Medians): string => `${m.cpu.toFixed(1)} (${m.send.toFixed(1)} + ${m.echo.toFixed(1)})`;

/** Runs the alternating rounds and prints the table. */
export async function run(): Promise<void> {
  const why = buildNicePeer();
  if (why !== undefined) {
    console.log(`libnice echo benchmark skipped: ${why}\n`);
    return;
  }
  const impls: Impl[] = ['ours', 'libnice', 'raw', ...(BASE !== undefined ? (['base'] as const) : [])].filter(
    (impl) => ONLY === undefined || impl === 'libnice' || impl === 'raw' || ONLY.includes(impl),
  ) as Impl[];
  console.log(
    `### ${MB} MB echo of 1200-byte packets, 64 KiB unechoed window, two processes per implementation on loopback (medians of ${ROUNDS} alternating rounds; raw = two Node processes on bare node:dgram / node:net sockets, bench/raw-echo-peer.ts)\n`,
  );
  console.log(
    '| transport | impl | Mbit/s | ÷ libnice | ÷ raw Node | CPU-ms/MB both (send + echo) | CPU efficiency libnice ÷ impl | CPU efficiency raw ÷ impl |',
  );
  console.log('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const transport of TRANSPORTS) {
    const figures = new Map<Impl, EchoFigure[]>(impls.map((impl) => [impl, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const impl of impls) figures.get(impl)!.push(await transfer(impl, transport));
    }
    const m = new Map(impls.map((impl) => [impl, medians(figures.get(impl)!)]));
    const l = m.get('libnice')!;
    const r = m.get('raw')!;
    for (const impl of impls) {
      const o = m.get(impl)!;
      const label = impl === 'base' ? 'ECHO_BENCH_BASE' : impl === 'raw' ? 'raw Node' : impl;
      console.log(
        `| ${transport.toUpperCase()}${transport === 'tcp' ? ' (active → passive)' : ''} | ${label} | ${o.mbps.toFixed(0)} | ${(o.mbps / l.mbps).toFixed(2)}× | ` +
          `${(o.mbps / r.mbps).toFixed(2)}× | ${cpuCell(o)} | ${(l.cpu / o.cpu).toFixed(2)}× | ${(r.cpu / o.cpu).toFixed(2)}× |`,
      );
    }
  }
  console.log(`\nload: ${readFileSync('/proc/loadavg', 'utf8').trim()}\n`);
}
