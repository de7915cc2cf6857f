// Scale: N concurrent ICE sessions between two processes on loopback. The
// server process runs N controlled agents (TCP: every passive candidate on
// one SharedPassiveListener port; UDP: one socket per agent), the client
// process N controlling agents (TCP: active candidates); this process relays
// the signalling. Per N (SCALE_SESSIONS, default 1000,2000,5000,10000) and
// transport (SCALE_TRANSPORTS, default tcp,udp) it prints: the time until
// every session is usable, heap and RSS per session on each side (after GC,
// minus the figures before the agents were made), CPU at idle (no data: with
// 'suspend' a keepalive every 15 s per session and side, RFC 8445 §11; with
// 'maintain' a consent check every 4-6 s, RFC 7675) as % of one core over
// SCALE_IDLE_MS (default 30000; user and kernel time apart, and the timers
// armed per second), and packets/s per core with every session echoing
// SCALE_PACKETS 200-byte packets (server-side CPU of the phase, consent
// included; received + sent). The named baseline, measured in the same run
// just before each N (SCALE_BASELINE=0 leaves it out): the same number of
// bare sockets (bench/scale-raw-side.ts) carrying the packets consent
// carries, with no ICE: the socket floor under our idle cost. The load
// average is printed beside every row (the machine is shared).
// Targets (issue 16): 10,000 sessions connect, ≤ 16 KB heap per idle
// session, idle CPU ≤ 5% of one core. SCALE_CONSENT_MODES (default
// suspend,maintain) runs the agents with each `consent.whenIdle`: 'suspend'
// (the default: an idle pair stops its checks and sends a keepalive every
// 15 s, RFC 7675 §5.1 / RFC 8445 §11) and 'maintain' (checks every 4-6 s
// whether data flows or not); the idle phase starts SCALE_SETTLE_MS (default
// 10000: more than the longest first check interval, 6 s) after the last
// session connected, so that suspension has set in on every session; the
// echo phase that follows then resumes sessions whose consent went stale
// (their first packets wait for a consent answer). SCALE_CONSENT_MS sets the
// agents' mean consent interval (default 5000, RFC 7675 §5.1), SCALE_KEEPALIVE_MS
// their keepalive interval Tr on idle sessions (default 15000, RFC 8445 §11). SCALE_PROF=dir and
// SCALE_IDLE_PROFILE=dir write CPU profiles of the sides (whole run, or the
// idle phase only), SCALE_HEAP_SNAPSHOT=dir heap snapshots of the idle sides
//. Heavy: run it on purpose, not in CI.
import { fork, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Command, CpuShare, Reply } from './scale-measure.js';

const SIZES = (process.env.SCALE_SESSIONS ?? '1000,2000,5000,10000').split(',').map(Number);
const TRANSPORTS = (process.env.SCALE_TRANSPORTS ?? 'tcp,udp').split(',') as Array<'tcp' | 'udp'>;
const IDLE_MS = Number(process.env.SCALE_IDLE_MS ?? 30_000);
const PACKETS = Number(process.env.SCALE_PACKETS ?? 20);
const SIDE = fileURLToPath(new URL('./scale-side.js', import.meta.url));
const RAW_SIDE = fileURLToPath(new URL('./scale-raw-side.js', import.meta.url));
const BASELINE = process.env.SCALE_BASELINE !== '0';
const MODES = (process.env.SCALE_CONSENT_MODES ?? 'suspend,maintain').split(',') as ConsentMode[];
const SETTLE_MS = Number(process.env.SCALE_SETTLE_MS ?? 10_000);

/** `consent.whenIdle` of the agents of a run. */
export type ConsentMode = 'suspend' | 'maintain';

/** A child process running one side, with a request/reply helper. */
class Side {
  readonly child: ChildProcess;
  readonly #waiting: Array<(reply: Reply) => void> = [];
  readonly exited: Promise<number | null>;

  constructor(role: 'server' | 'client', transport: string, n: number, raw: boolean, mode: ConsentMode) {
    this.child = fork(raw ? RAW_SIDE : SIDE, [role, transport, String(n)], {
      env: { ...process.env, SCALE_CONSENT_MODE: mode },
      // SCALE_PROF=dir writes a CPU profile of each side there (--cpu-prof).
      execArgv: [
        '--expose-gc',
        '--max-old-space-size=4096',
        ...(process.env.SCALE_PROF
          ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SCALE_PROF}`, `--cpu-prof-name=${role}-${transport}-${n}-${mode}.cpuprofile`]
          : []),
      ],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (reply: Reply) => {
      if (reply.type === 'error') console.error(`${role}: ${reply.message}`);
      this.#waiting.shift()?.(reply);
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  ask<T extends Reply['type']>(command: Command, expect: T): Promise<Extract<Reply, { type: T }>> {
    return new Promise((resolve, reject) => {
      this.#waiting.push((reply) =>
        reply.type === expect
          ? resolve(reply as Extract<Reply, { type: T }>)
          : reject(new Error(`expected ${expect}, got ${JSON.stringify(reply).slice(0, 500)}`)),
      );
      this.child.send(command);
    });
  }
}

/** The figures of one run. */
export interface ScaleResult {
  transport: string;
  /** Bare sockets (the baseline) instead of ICE agents. */
  raw: boolean;
  /** The agents' `consent.whenIdle`. */
  mode: ConsentMode;
  /** The 1-minute load average when the idle phase began. */
  idleLoad: number;
  /** The 1-minute load average when the run began. */
  load: number;
  sessions: number;
  connectMs: number;
  failed: number;
  server: { heapPerSession: number; rssPerSession: number; idle: CpuShare };
  client: { heapPerSession: number; rssPerSession: number; idle: CpuShare };
  packetsPerCoreSecond: number;
  /** Time until every session echoed one packet after the idle phase (consent regained first where it was stale). */
  resumeMs: number;
  echoPackets: number;
  echoMs: number;
}

/** Runs one N on one transport in two fresh processes. */
export async function scaleRun(
  transport: 'tcp' | 'udp',
  n: number,
  raw = false,
  idleMs = IDLE_MS,
  packets = PACKETS,
  mode: ConsentMode = 'suspend',
): Promise<ScaleResult> {
  const load = loadavg()[0];
  const server = new Side('server', transport, n, raw, mode);
  const client = new Side('client', transport, n, raw, mode);
  if (raw) packets = 0;
  try {
    const [s, c] = await Promise.all([server.ask({ type: 'create' }, 'offers'), client.ask({ type: 'create' }, 'offers')]);
    const [sc, cc] = await Promise.all([
      server.ask({ type: 'answer', offers: c.offers }, 'connected'),
      client.ask({ type: 'answer', offers: s.offers }, 'connected'),
    ]);
    const [sh, ch] = await Promise.all([server.ask({ type: 'measure-heap' }, 'heap'), client.ask({ type: 'measure-heap' }, 'heap')]);
    // Every session idles long enough for its first consent check to come due (and, 'suspend', find it idle).
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const idleLoad = loadavg()[0];
    const [si, ci] = await Promise.all([
      server.ask({ type: 'measure-idle', ms: idleMs }, 'idle'),
      client.ask({ type: 'measure-idle', ms: idleMs }, 'idle'),
    ]);
    // One echo per session first: after the idle phase ('suspend') every session's consent is stale, and its first
    // packet waits for a consent answer (RFC 7675 §5.1). Timed apart, so that the echo figure stays steady-state.
    const resume = packets > 0 ? await client.ask({ type: 'traffic', packets: 1, window: 1, size: 200 }, 'traffic') : { ms: 0 };
    if (packets > 0) await server.ask({ type: 'mark' }, 'echo-stats');
    const traffic = packets > 0 ? await client.ask({ type: 'traffic', packets, window: 4, size: 200 }, 'traffic') : { ms: 0 };
    const echo = packets > 0 ? await server.ask({ type: 'echo-stats' }, 'echo-stats') : { packets: 0, cpuMs: 1 };
    const idle = (r: Extract<Reply, { type: 'idle' }>): CpuShare => ({
      cpuPercent: r.cpuPercent,
      userPercent: r.userPercent,
      systemPercent: r.systemPercent,
      timersPerSecond: r.timersPerSecond,
    });
    return {
      transport,
      raw,
      mode,
      idleLoad,
      load,
      sessions: n,
      connectMs: Math.max(sc.ms, cc.ms),
      failed: sc.failed + cc.failed,
      server: { heapPerSession: sh.heapPerSession, rssPerSession: sh.rssPerSession, idle: idle(si) },
      client: { heapPerSession: ch.heapPerSession, rssPerSession: ch.rssPerSession, idle: idle(ci) },
      // The echo phase's server CPU, consent checks of the phase included (at 10,000 sessions they weigh).
      packetsPerCoreSecond: echo.packets / (echo.cpuMs / 1000),
      resumeMs: resume.ms,
      echoPackets: echo.packets,
      echoMs: traffic.ms,
    };
  } finally {
    for (const side of [server, client]) if (side.child.connected) side.child.send({ type: 'exit' } satisfies Command);
    const timer = setTimeout(() => {
      server.child.kill('SIGKILL');
      client.child.kill('SIGKILL');
    }, 60_000);
    await Promise.all([server.exited, client.exited]);
    clearTimeout(timer);
  }
}

const kb = (bytes: number): string => (bytes / 1024).toFixed(1);
const cpu = (c: CpuShare): string => `${c.cpuPercent.toFixed(1)} (${c.userPercent.toFixed(1)}+${c.systemPercent.toFixed(1)})`;

/** One table row. */
function row(r: ScaleResult): string {
  const echo =
    r.echoPackets > 0
      ? `${(r.resumeMs / 1000).toFixed(1)} s | ${Math.round(r.packetsPerCoreSecond).toLocaleString('en-US')} | ${((r.echoPackets / 2 / (r.sessions * PACKETS)) * 100).toFixed(1)} %`
      : '– | – | –';
  return (
    `| ${r.sessions.toLocaleString('en-US')} | ${r.raw ? 'bare sockets' : `ice-tcp (${r.mode})`} | ${(r.connectMs / 1000).toFixed(1)} s | ${r.failed} | ` +
    `${kb(r.server.heapPerSession)} · ${kb(r.client.heapPerSession)} KB | ${kb(r.server.rssPerSession)} · ${kb(r.client.rssPerSession)} KB | ` +
    `${cpu(r.server.idle)} · ${cpu(r.client.idle)} % | ${Math.round(r.server.idle.timersPerSecond).toLocaleString('en-US')} | ${echo} | ${r.load.toFixed(1)} · ${r.idleLoad.toFixed(1)} |`
  );
}

/** Runs the curve and prints one table per transport (rows as they come). */
export async function run(): Promise<void> {
  for (const transport of TRANSPORTS) {
    const consent =
      (process.env.SCALE_CONSENT_MS ? `, consent interval ${process.env.SCALE_CONSENT_MS} ms` : '') +
      (process.env.SCALE_KEEPALIVE_MS ? `, keepalive interval ${process.env.SCALE_KEEPALIVE_MS} ms` : '');
    console.log(
      `### ${transport.toUpperCase()}: N sessions between two processes on loopback${transport === 'tcp' ? ', all through one shared passive port' : ''} (idle over ${IDLE_MS / 1000} s, from ${SETTLE_MS / 1000} s after all connected${consent}; consent.whenIdle ${MODES.join(', ')}; echo of ${PACKETS} × 200 B per session, window 4)\n`,
    );
    console.log(
      '| sessions | what | all usable in | failed | heap/session server · client | RSS/session server · client | idle CPU server · client, % of one core (user+system) | timers/s (server) | first echo of all after idle | echo packets/s per core (server) | echoed | load at start · at idle |',
    );
    console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const n of SIZES) {
      if (BASELINE) console.log(row(await scaleRun(transport, n, true)));
      for (const mode of MODES) console.log(row(await scaleRun(transport, n, false, IDLE_MS, PACKETS, mode)));
    }
    console.log('');
  }
}
