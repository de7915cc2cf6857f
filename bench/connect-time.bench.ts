// Time from the start of checks (both agents gathered; remote parameters and
// candidates given) to connected (a selected pair on both sides), for two
// IceAgents on 127.0.0.1: over UDP, and over TCP only (active → passive and
// passive ← active). Median of CONNECT_BENCH_RUNS runs (default 15).
// S-O ↔ S-O is not measured here: on loopback the SYNs of two agents in one
// thread never cross (see test/net/tcp/tcp-transport.agent-so.test.ts).
import { performance } from 'node:perf_hooks';
import { IceAgent } from '../lib/net/agent/agent.js';
import type { IceAgentOptions } from '../lib/net/agent/agent-options.js';
import { printTable, type BenchRow } from './table.js';

type Side = Omit<IceAgentOptions, 'controlling'>;

async function connectOnce(left: Side, right: Side): Promise<number> {
  const a = new IceAgent({ addresses: ['127.0.0.1'], ...left, controlling: true });
  const b = new IceAgent({ addresses: ['127.0.0.1'], ...right, controlling: false });
  try {
    const [ca, cb] = await Promise.all([a.gather(), b.gather()]);
    const start = performance.now();
    a.setRemoteParameters(b.localParameters);
    b.setRemoteParameters(a.localParameters);
    for (const c of cb) a.addRemoteCandidate(c.toSdp());
    for (const c of ca) b.addRemoteCandidate(c.toSdp());
    a.endOfRemoteCandidates();
    b.endOfRemoteCandidates();
    await Promise.all([a.connect({ timeoutMs: 20_000 }), b.connect({ timeoutMs: 20_000 })]);
    return performance.now() - start;
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs the benchmark and prints its table. */
export async function run(): Promise<void> {
  const runs = Number(process.env.CONNECT_BENCH_RUNS ?? 15);
  const onlyTcp = (kinds: { active?: boolean; passive?: boolean }): Side => ({
    udp: false,
    tcp: { active: false, passive: false, so: false, ...kinds },
  });
  const cases: Array<[string, Side, Side]> = [
    ['UDP host ↔ host', { tcp: false }, { tcp: false }],
    ['TCP active → passive', onlyTcp({ active: true }), onlyTcp({ passive: true })],
    ['TCP passive ← active', onlyTcp({ passive: true }), onlyTcp({ active: true })],
  ];
  const rows: BenchRow[] = [];
  for (const [name, left, right] of cases) {
    await connectOnce(left, right); // warm-up
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(await connectOnce(left, right));
    rows.push({
      name,
      value: median(times),
      unit: 'ms',
      extra: `min ${Math.min(...times).toFixed(1)} / max ${Math.max(...times).toFixed(1)} ms, ${runs} runs`,
    });
  }
  printTable('Start of checks → connected, two agents on 127.0.0.1 (median; lower is better)', rows, 'UDP host ↔ host');
}
