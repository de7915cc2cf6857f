// TURN through a real coturn on 127.0.0.1 (Debian `turnserver`), against
// direct pairs measured in the same run:
// 1. time to a selected pair: from gather() (which includes the Allocate
//    round trips, 401 challenge included) to a selected pair on both sides,
//    for a relay-only agent vs two host agents; median of TURN_BENCH_RUNS (7);
// 2. throughput of 1200-byte packets A → B for TURN_BENCH_MS (2000 ms), sent
//    in batches of 16 per event-loop turn, waiting for 'drain' on backpressure:
//    direct UDP, relayed UDP (TURN over UDP, and over TCP), direct TCP, and an
//    RFC 6062 TCP relay. For UDP rows the loss is shown: coturn's relay
//    sockets have 64 KiB buffers, so an unpaced sender loses datagrams there.
import { performance } from 'node:perf_hooks';
import { IceAgent } from '../lib/net/agent/agent.js';
import type { IceAgentOptions } from '../lib/net/agent/agent-options.js';
import { coturnUnavailable, startCoturn, type Coturn } from '../test/turn/coturn.js';
import { printTable, type BenchRow } from './table.js';

type Side = Omit<IceAgentOptions, 'controlling'>;

async function pair(left: Side, right: Side): Promise<{ a: IceAgent; b: IceAgent; ms: number; localType: string }> {
  const a = new IceAgent({ addresses: ['127.0.0.1'], ...left, controlling: true });
  const b = new IceAgent({ addresses: ['127.0.0.1'], ...right, controlling: false });
  const start = performance.now();
  a.setRemoteParameters(b.localParameters);
  b.setRemoteParameters(a.localParameters);
  a.on('candidate', (c) => b.addRemoteCandidate(c.toSdp()));
  b.on('candidate', (c) => a.addRemoteCandidate(c.toSdp()));
  await Promise.all([a.gather(), b.gather()]);
  a.endOfRemoteCandidates();
  b.endOfRemoteCandidates();
  await Promise.all([a.connect({ timeoutMs: 20_000 }), b.connect({ timeoutMs: 20_000 })]);
  const ms = performance.now() - start;
  const local = a.selectedPair()?.local;
  return { a, b, ms, localType: `${local?.type ?? '?'}/${local?.transport ?? '?'}` };
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Sends 1200-byte packets from a to b for `ms`; returns received packets/s and loss. */
async function throughput(left: Side, right: Side, ms: number): Promise<{ pps: number; loss: number; localType: string }> {
  const { a, b, localType } = await pair(left, right);
  try {
    const ca = a.connection(1);
    const cb = b.connection(1);
    let received = 0;
    cb.on('packet', () => received++);
    const packet = Buffer.alloc(1200, 7);
    let sent = 0;
    const end = performance.now() + ms;
    while (performance.now() < end) {
      let ok = true;
      for (let i = 0; i < 16 && ok; i++) {
        ok = ca.send(packet);
        sent++;
      }
      // Backpressure: wait for 'drain' (TCP, and UDP sockets with a full send queue), at most 50 ms.
      if (!ok) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, 50);
          function done(): void {
            clearTimeout(timer);
            ca.off('drain', done);
            resolve();
          }
          ca.once('drain', done);
        });
      } else {
        await new Promise((r) => setImmediate(r));
      }
    }
    const elapsed = ms / 1000;
    await new Promise((r) => setTimeout(r, 300)); // late arrivals
    return { pps: received / elapsed, loss: sent === 0 ? 0 : Math.max(0, 1 - received / sent), localType };
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

/** Runs the benchmark and prints its tables. */
export async function run(): Promise<void> {
  const why = coturnUnavailable();
  if (why !== undefined) {
    console.log(`turn bench skipped: ${why}`);
    return;
  }
  const runs = Number(process.env.TURN_BENCH_RUNS ?? 7);
  const ms = Number(process.env.TURN_BENCH_MS ?? 2000);
  const coturn: Coturn = await startCoturn();
  try {
    const turn = (url: string, extra: Side = {}): Side => ({
      iceServers: [{ urls: url, username: coturn.user, credential: coturn.password }],
      iceTransportPolicy: 'relay',
      ...extra,
    });
    const udpUrl = `turn:127.0.0.1:${coturn.port}`;
    const tcpUrl = `turn:127.0.0.1:${coturn.port}?transport=tcp`;
    const connectCases: Array<[string, Side, Side]> = [
      ['direct UDP host ↔ host', { tcp: false }, { tcp: false }],
      ['relay-only (TURN over UDP) ↔ host', turn(udpUrl, { tcp: false }), { tcp: false }],
      ['relay-only (TURN over TCP) ↔ host', turn(tcpUrl, { tcp: false }), { tcp: false }],
      ['relay-only RFC 6062 TCP relay ↔ host TCP', turn(tcpUrl, { udp: false, turn: { tcpRelays: true } }), { udp: false }],
    ];
    const rows: BenchRow[] = [];
    for (const [name, left, right] of connectCases) {
      const warm = await pair(left, right);
      await Promise.all([warm.a.close(), warm.b.close()]);
      const times: number[] = [];
      let type = '';
      for (let i = 0; i < runs; i++) {
        const p = await pair(left, right);
        times.push(p.ms);
        type = p.localType;
        await Promise.all([p.a.close(), p.b.close()]);
      }
      rows.push({
        name,
        value: median(times),
        unit: 'ms',
        extra: `local ${type}; min ${Math.min(...times).toFixed(1)} / max ${Math.max(...times).toFixed(1)} ms, ${runs} runs`,
      });
    }
    printTable('gather() → selected pair on both sides, 127.0.0.1, coturn 4.6 (median; lower is better)', rows, 'direct UDP host ↔ host');

    const flowCases: Array<[string, Side, Side]> = [
      ['direct UDP', { tcp: false }, { tcp: false }],
      ['relay UDP, TURN over UDP', turn(udpUrl, { tcp: false }), { tcp: false }],
      ['relay UDP, TURN over TCP', turn(tcpUrl, { tcp: false }), { tcp: false }],
      ['direct TCP', { udp: false }, { udp: false }],
      ['relay TCP (RFC 6062)', turn(tcpUrl, { udp: false, turn: { tcpRelays: true } }), { udp: false }],
    ];
    const flows: BenchRow[] = [];
    for (const [name, left, right] of flowCases) {
      const r = await throughput(left, right, ms);
      flows.push({
        name,
        value: r.pps,
        unit: 'packets/s',
        extra: `${((r.pps * 1200 * 8) / 1e6).toFixed(1)} Mbit/s, loss ${(r.loss * 100).toFixed(1)} %, local ${r.localType}`,
      });
    }
    printTable(`UDP: 1200-byte packets A → B for ${ms} ms, received per second (higher is better)`, flows.slice(0, 3), 'direct UDP');
    printTable(`TCP: 1200-byte packets A → B for ${ms} ms, received per second (higher is better)`, flows.slice(3), 'direct TCP');
  } finally {
    await coturn.stop();
  }
}
