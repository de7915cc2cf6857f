// Time from the start of checks to the selected pair on restricted networks
// (issue 13), ours against libnice in the same run, with the pair each chose:
// - per lab scenario (test/lab: network namespaces, needs root): two real
//   `ice-tcp peer` processes, and two libnice peers (test/interop/nice-peer.c),
//   A controlling behind the restriction, B controlled; the figure is A's
//   `connected-ms` (checks started → selected pair), median of
//   RESTRICTED_BENCH_RUNS runs (default 3), conntrack flushed between runs;
// - two agents in one process on 127.0.0.1, TCP only with every kind (S-O
//   pairs cannot cross there, so this shows whether the nomination waits for them).
// `npm run bench -- restricted`.
import { performance } from 'node:perf_hooks';
import { IceAgent } from '../lib/net/agent/agent.js';
import { labUnavailableReason, withLab, type Lab, type LabScenario } from '../test/lab/lab.js';
import { buildNicePeer } from '../test/lab/nice-peer.js';
import { runPeers, startStunServer, stopStunServer, type EndpointResult } from '../test/lab/peers.js';

interface Case {
  name: string;
  scenario: LabScenario;
  ours: { a: string[]; b: string[] };
  /** libnice's arguments, or why libnice cannot be set up for it. */
  libnice: { a: string[]; b: string[] } | string;
  stun?: boolean;
}

const STUN_URL = 'stun:192.0.2.1:3478';
const CASES: Case[] = [
  { name: 'UDP blocked, TCP open', scenario: 'udp-blocked', ours: { a: [], b: [] }, libnice: { a: ['--udp', 'on'], b: ['--udp', 'on'] } },
  {
    name: 'outbound TCP 80/443 only',
    scenario: 'tcp-only-outbound',
    ours: { a: [], b: ['--tcp-port', '443'] },
    libnice: 'no way to put its passive candidate on 443',
  },
  {
    name: 'cone NATs, UDP on, stun:',
    scenario: 'cone-nat',
    stun: true,
    ours: { a: ['--stun', STUN_URL], b: ['--stun', STUN_URL] },
    libnice: { a: ['--udp', 'on', '--stun', '192.0.2.1'], b: ['--udp', 'on', '--stun', '192.0.2.1'] },
  },
  {
    name: 'cone NATs, UDP off, stun:',
    scenario: 'cone-nat',
    stun: true,
    ours: { a: ['--udp', 'off', '--stun', STUN_URL], b: ['--udp', 'off', '--stun', STUN_URL] },
    libnice: { a: ['--udp', 'off', '--stun', '192.0.2.1'], b: ['--udp', 'off', '--stun', '192.0.2.1'] },
  },
  { name: 'lossy 5%/100 ms', scenario: 'lossy', ours: { a: [], b: [] }, libnice: { a: ['--udp', 'on'], b: ['--udp', 'on'] } },
];

interface Outcome {
  ms: number[];
  choice: string;
  failures: number;
}

function median(values: number[]): number {
  const s = [...values].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function describe(o: Outcome | string): { figure: string; choice: string } {
  if (typeof o === 'string') return { figure: 'n/a', choice: o };
  if (o.ms.length === 0) return { figure: `fails (${o.failures}/${o.failures})`, choice: o.choice };
  const fails = o.failures > 0 ? `, ${o.failures} failed` : '';
  return {
    figure: `${Math.round(median(o.ms)).toLocaleString('en-US')} ms (${Math.round(Math.min(...o.ms))}–${Math.round(Math.max(...o.ms))}${fails})`,
    choice: o.choice,
  };
}

function record(outcome: Outcome, r: { a: EndpointResult; b: EndpointResult }): void {
  if (r.a.connectedMs !== undefined && r.a.selected !== undefined && r.b.selected !== undefined) {
    outcome.ms.push(r.a.connectedMs);
    outcome.choice = `${r.a.selected.local} → ${r.a.selected.remote}`;
  } else {
    outcome.failures++;
    if (outcome.choice === '') outcome.choice = `none (${r.a.lines.at(-1) ?? `exit ${r.a.code}`})`;
  }
}

async function measure(
  lab: Lab,
  runs: number,
  a: { impl: 'ours' | { nicePeer: string }; args: string[] },
  b: { impl: 'ours' | { nicePeer: string }; args: string[] },
): Promise<Outcome> {
  const outcome: Outcome = { ms: [], choice: '', failures: 0 };
  const common = (bind: string, role: string): string[] => [role, '--bind', bind, '--timeout', '10'];
  for (let i = 0; i < runs; i++) {
    await lab.flush();
    const r = await runPeers(
      lab,
      { host: 'a', impl: a.impl, args: [...common(lab.addresses.aIp, '--controlling'), ...a.args] },
      { host: 'b', impl: b.impl, args: [...common(lab.addresses.bIp, '--controlled'), ...b.args] },
      30_000,
    );
    record(outcome, r);
  }
  return outcome;
}

async function labRows(runs: number): Promise<string[]> {
  const nice = buildNicePeer();
  const rows: string[] = [];
  for (const c of CASES) {
    const row = await withLab(c.scenario, async (lab) => {
      const stun = c.stun ? await startStunServer(lab) : undefined;
      try {
        const ours = await measure(lab, runs, { impl: 'ours', args: c.ours.a }, { impl: 'ours', args: c.ours.b });
        let theirs: Outcome | string;
        if (typeof c.libnice === 'string') theirs = c.libnice;
        else if (!('path' in nice)) theirs = nice.unavailable;
        else {
          const impl = { nicePeer: nice.path };
          theirs = await measure(
            lab,
            runs,
            { impl, args: ['--tcp', 'on', ...c.libnice.a] },
            { impl, args: ['--tcp', 'on', ...c.libnice.b] },
          );
        }
        const o = describe(ours);
        const n = describe(theirs);
        const ratio =
          typeof theirs !== 'string' && theirs.ms.length > 0 && ours.ms.length > 0
            ? `${(median(theirs.ms) / median(ours.ms)).toFixed(1)}×`
            : '—';
        return `| ${c.name} | ${o.figure} | ${o.choice} | ${n.figure} | ${n.choice} | ${ratio} |`;
      } finally {
        if (stun) await stopStunServer(stun);
      }
    });
    rows.push(row);
  }
  return rows;
}

async function oneProcessTcpOnly(runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const tcp = { active: true, passive: true, so: true };
    const a = new IceAgent({ controlling: true, addresses: ['127.0.0.1'], udp: false, tcp });
    const b = new IceAgent({ controlling: false, addresses: ['127.0.0.1'], udp: false, tcp });
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
      if (i > 0) times.push(performance.now() - start); // run 0 warms up
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }
  return times;
}

/** Runs the benchmark and prints its tables. */
export async function run(): Promise<void> {
  const runs = Number(process.env.RESTRICTED_BENCH_RUNS ?? 3);
  const reason = labUnavailableReason();
  if (reason !== undefined) {
    console.log(`(lab scenarios skipped: ${reason})\n`);
  } else {
    const rows = await labRows(runs);
    console.log(
      '### Checks started → selected pair, A controlling behind the restriction (median of ' + runs + ' runs; lower is better)\n',
    );
    console.log('| scenario | ice-tcp | ice-tcp selected (A local → remote) | libnice 0.1.21 | libnice selected | libnice / ice-tcp |');
    console.log('|---|---:|---|---:|---|---:|');
    for (const row of rows) console.log(row);
    console.log('');
  }
  const times = await oneProcessTcpOnly(Math.max(runs, 5));
  console.log('### Two agents in one process on 127.0.0.1, TCP only (active, passive, S-O), start of checks → connected\n');
  console.log(
    `| case | median | min–max |\n|---|---:|---:|\n| ice-tcp | ${Math.round(median(times))} ms | ${Math.round(Math.min(...times))}–${Math.round(Math.max(...times))} ms (${times.length} runs) |\n`,
  );
}
