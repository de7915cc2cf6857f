// What both kinds of scale-benchmark side (bench/scale-side.ts: ICE agents;
// bench/scale-raw-side.ts: bare sockets, the baseline) measure in the same
// way, and the messages they exchange with bench/scale.bench.ts.
import { writeHeapSnapshot } from 'node:v8';

/** What one session of a side signals to its peer. */
export interface Offer {
  ufrag: string;
  pwd: string;
  candidates: string[];
}

/** Messages from the parent. */
export type Command =
  | { type: 'create' }
  | { type: 'answer'; offers: Offer[] }
  | { type: 'measure-heap' }
  | { type: 'measure-idle'; ms: number }
  | { type: 'traffic'; packets: number; window: number; size: number }
  | { type: 'mark' }
  | { type: 'echo-stats' }
  | { type: 'exit' };

/** CPU of a phase as % of one core: user and system (kernel) time separately. */
export interface CpuShare {
  cpuPercent: number;
  userPercent: number;
  systemPercent: number;
  /** Timers armed (`setTimeout` calls) per second in the phase. */
  timersPerSecond: number;
}

/** Messages to the parent. */
export type Reply =
  | { type: 'offers'; offers: Offer[]; ms: number }
  | { type: 'connected'; ms: number; failed: number }
  | { type: 'heap'; heapPerSession: number; rssPerSession: number; heapUsed: number; rss: number }
  | ({ type: 'idle' } & CpuShare)
  | { type: 'traffic'; packets: number; ms: number; cpuMs: number }
  | { type: 'echo-stats'; packets: number; cpuMs: number; ms: number }
  | { type: 'error'; message: string };

const gc = (globalThis as { gc?: () => void }).gc;

/** Sends a reply to the parent. */
export function reply(message: Reply): void {
  process.send!(message);
}

/** Full GCs until the heap settles (needs --expose-gc). */
export function collect(): void {
  for (let i = 0; i < 3; i++) gc?.();
}

/** CPU time of this process so far, in ms (user + system). */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Heap and RSS now, after GC. */
export function memoryNow(): { heapUsed: number; rss: number } {
  collect();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss };
}

/** Measures heap and RSS per session against a baseline taken before the sessions were made. */
export async function measureHeap(base: { heapUsed: number; rss: number }, n: number, label: string): Promise<void> {
  await new Promise((r) => setTimeout(r, 1000));
  const m = memoryNow();
  // SCALE_HEAP_SNAPSHOT=dir: a heap snapshot of the connected, idle side.
  if (process.env.SCALE_HEAP_SNAPSHOT) writeHeapSnapshot(`${process.env.SCALE_HEAP_SNAPSHOT}/${label}.heapsnapshot`);
  reply({
    type: 'heap',
    heapUsed: m.heapUsed,
    rss: m.rss,
    heapPerSession: (m.heapUsed - base.heapUsed) / n,
    rssPerSession: (m.rss - base.rss) / n,
  });
}

/** SCALE_IDLE_PROFILE=dir: a CPU profile of the phase only, written there. */
async function profiled(label: string, body: () => Promise<void>): Promise<void> {
  const dir = process.env.SCALE_IDLE_PROFILE;
  if (dir === undefined) return body();
  const { Session } = await import('node:inspector');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<{ profile?: unknown }> =>
    new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result ?? {}))));
  await post('Profiler.enable');
  await post('Profiler.start');
  await body();
  const { profile } = await post('Profiler.stop');
  writeFileSync(`${dir}/${label}-idle.cpuprofile`, JSON.stringify(profile));
  session.disconnect();
}

/**
 * CPU over `ms` of idle (only the sessions' own timers run), user and system
 * separately, and how many timers were armed per second meanwhile.
 */
export async function measureIdle(ms: number, label: string): Promise<void> {
  let timers = 0;
  const original = globalThis.setTimeout;
  const counting = ((...args: Parameters<typeof setTimeout>) => {
    timers++;
    return original(...args);
  }) as typeof setTimeout;
  const before = process.cpuUsage();
  const t0 = performance.now();
  globalThis.setTimeout = counting;
  try {
    await profiled(label, () => new Promise((r) => original(r, ms)));
  } finally {
    globalThis.setTimeout = original;
  }
  const used = process.cpuUsage(before);
  const elapsed = performance.now() - t0;
  const percent = (us: number): number => (us / 1000 / elapsed) * 100;
  reply({
    type: 'idle',
    cpuPercent: percent(used.user + used.system),
    userPercent: percent(used.user),
    systemPercent: percent(used.system),
    timersPerSecond: (timers / elapsed) * 1000,
  });
}
