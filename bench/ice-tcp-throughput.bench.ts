// ICE-TCP throughput on loopback: 1 GiB (ICE_TCP_BENCH_BYTES to scale) of
// 1200-byte packets through the IceConnection of an ICE-TCP pair (active →
// passive, checked and selected by the core), beside the same bytes through
// a bare FramedConnection and through raw net.Socket 64 KiB writes, in the
// same run (best of ICE_TCP_BENCH_ROUNDS alternating rounds). Then the time from the start of checks to ICE "connected" for
// a TCP pair and for a UDP pair (median of ICE_TCP_BENCH_CONNECTS runs).
import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import { FramedConnection } from '../lib/framing/index.js';
import { IceAgent } from '../lib/net/agent/agent.js';
import type { IceConnection } from '../lib/net/agent/ice-connection.js';
import { TcpTransport } from '../lib/net/tcp/index.js';
import { printTable, type BenchRow } from './table.js';

const TOTAL = Number(process.env.ICE_TCP_BENCH_BYTES ?? 1024 ** 3);
const CONNECTS = Number(process.env.ICE_TCP_BENCH_CONNECTS ?? 5);
const ROUNDS = Number(process.env.ICE_TCP_BENCH_ROUNDS ?? 3);
const PACKET = 1200;
const RAW_WRITE = 64 * 1024;
const BASELINE = 'raw net.Socket, 64 KiB writes';

/** A connected loopback TCP socket pair. */
async function socketPair(): Promise<[Socket, Socket]> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = connect({ host: '127.0.0.1', port, noDelay: true });
  const [[serverSide]] = await Promise.all([accepted, once(client, 'connect')]);
  server.close();
  serverSide.setNoDelay(true);
  return [client, serverSide];
}

function row(name: string, bytes: number, ms: number, extra?: string): BenchRow {
  const mbs = bytes / 1e6 / (ms / 1000);
  return { name, value: mbs, unit: 'MB/s', extra: extra ?? `${(((bytes / PACKET / ms) * 1000) / 1e3).toFixed(0)} k packets/s` };
}

async function rawSockets(total = TOTAL): Promise<BenchRow> {
  const [a, b] = await socketPair();
  const chunk = Buffer.alloc(RAW_WRITE, 7);
  let received = 0;
  const done = new Promise<void>((resolve) =>
    b.on('data', (data: Buffer) => {
      received += data.length;
      if (received >= total) resolve();
    }),
  );
  const start = performance.now();
  let sent = 0;
  const pump = (): void => {
    while (sent < total) {
      sent += RAW_WRITE;
      if (!a.write(chunk)) return void a.once('drain', pump);
    }
  };
  pump();
  await done;
  const ms = performance.now() - start;
  a.destroy();
  b.destroy();
  return row(BASELINE, received, ms, `${((received / RAW_WRITE / ms) * 1000).toFixed(0)} writes/s`);
}

/** Sends TOTAL bytes of 1200-byte packets through `send`/`'drain'` and waits until `received()` has them all. */
async function pumpPackets(
  sender: { send(p: Uint8Array): boolean; once(e: 'drain', f: () => void): unknown },
  onPacket: (listener: (p: Buffer) => void) => void,
): Promise<{ bytes: number; ms: number }> {
  const packet = Buffer.alloc(PACKET, 9);
  let received = 0;
  const done = new Promise<void>((resolve) =>
    onPacket((p) => {
      received += p.length;
      if (received >= TOTAL) resolve();
    }),
  );
  const start = performance.now();
  let sent = 0;
  const pump = (): void => {
    while (sent < TOTAL) {
      sent += PACKET;
      if (!sender.send(packet)) return void sender.once('drain', pump);
    }
  };
  pump();
  await done;
  return { bytes: received, ms: performance.now() - start };
}

async function framedOnly(): Promise<BenchRow> {
  const [a, b] = await socketPair();
  const fa = new FramedConnection(a);
  const fb = new FramedConnection(b);
  const { bytes, ms } = await pumpPackets(fa, (l) => fb.on('packet', l));
  fa.destroy();
  fb.destroy();
  return row('FramedConnection (RFC 4571, batched), 1200 B packets, no ICE', bytes, ms);
}

/** Two agents, TCP only: ours active, theirs passive; gathered and signalled. */
async function tcpPair(udp: boolean): Promise<{ left: IceAgent; right: IceAgent; start: () => Promise<number> }> {
  const common = { addresses: ['127.0.0.1'], tcp: { active: false, passive: false, so: false } };
  const left = new IceAgent({ ...common, controlling: true, udp, plugins: udp ? [] : [new TcpTransport({ passive: false, so: false })] });
  const right = new IceAgent({ ...common, controlling: false, udp, plugins: udp ? [] : [new TcpTransport({ active: false, so: false })] });
  await Promise.all([left.gather(), right.gather()]);
  left.setRemoteParameters(right.localParameters);
  right.setRemoteParameters(left.localParameters);
  // "Start of checks": both have gathered and now learn each other's candidates.
  const start = async (): Promise<number> => {
    const connected = new Promise<void>((resolve) => {
      const onState = (state: string): void => {
        if (state === 'connected' || state === 'completed') {
          left.off('state', onState);
          resolve();
        }
      };
      left.on('state', onState);
    });
    const t0 = performance.now();
    for (const c of right.localCandidates) left.addRemoteCandidate(c.toSdp());
    for (const c of left.localCandidates) right.addRemoteCandidate(c.toSdp());
    left.endOfRemoteCandidates();
    right.endOfRemoteCandidates();
    await connected;
    return performance.now() - t0;
  };
  return { left, right, start };
}

async function iceTcp(): Promise<BenchRow> {
  const { left, right, start } = await tcpPair(false);
  await start();
  // The data route exists from ICE "connected" on (the first valid pair).
  const [a, b]: IceConnection[] = [left.connection(), right.connection()];
  if (a.transport !== 'tcp') throw new Error(`expected a TCP route, got ${a.transport}`);
  const { bytes, ms } = await pumpPackets(a, (l) => b.on('packet', l));
  await Promise.all([left.close(), right.close()]);
  return row('IceConnection over an ICE-TCP pair (active → passive), 1200 B packets', bytes, ms);
}

async function timeToConnected(udp: boolean): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < CONNECTS; i++) {
    const { left, right, start } = await tcpPair(udp);
    times.push(await start());
    await Promise.all([left.close(), right.close()]);
  }
  times.sort((x, y) => x - y);
  return times[Math.floor(times.length / 2)];
}

/** Runs the benchmark and prints its tables. */
export async function run(): Promise<void> {
  await rawSockets(Math.min(TOTAL, 64 * 1024 ** 2)); // warm-up (JIT, socket buffers)
  // The machine is shared: alternate the cases for ROUNDS rounds and keep each one's best.
  let best: BenchRow[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const rows = [await rawSockets(), await framedOnly(), await iceTcp()];
    best = best.length === 0 ? rows : best.map((b, i) => (rows[i].value > b.value ? rows[i] : b));
  }
  printTable(
    `${(TOTAL / 1024 ** 2).toFixed(0)} MiB over loopback TCP, in one process, best of ${ROUNDS} alternating rounds (higher is better)`,
    best,
    BASELINE,
  );
  const tcpMs = await timeToConnected(false);
  const udpMs = await timeToConnected(true);
  console.log(`### Start of checks to ICE "connected", host candidates on 127.0.0.1 (median of ${CONNECTS})\n`);
  console.log('| pair | ms |');
  console.log('|---|---:|');
  console.log(`| TCP active → passive | ${tcpMs.toFixed(1)} |`);
  console.log(`| UDP | ${udpMs.toFixed(1)} |`);
  console.log('');
}
