// One side of the scale benchmark (bench/scale.bench.ts), run as a child
// process: `node --expose-gc scale-side.js server|client tcp|udp N`.
// The server side runs N controlled agents (TCP: all on one shared passive
// port; UDP: one socket each); the client side runs N controlling agents
// (TCP: active candidates). The parent relays the signalling between the
// two processes over IPC and asks each side for its figures.
import { IceAgent } from '../lib/net/agent/agent.js';
import { SharedPassiveListener, TcpTransport } from '../lib/net/tcp/index.js';
import type { IceConnection } from '../lib/net/agent/ice-connection.js';
import { collect, cpuMs, measureHeap, measureIdle, memoryNow, reply, type Command, type Offer } from './scale-measure.js';

export type { Command, Offer, Reply } from './scale-measure.js';

const [role, transport, countText] = process.argv.slice(2);
const N = Number(countText);
const tcp = transport === 'tcp';
const server = role === 'server';
const CONSENT_MODE: 'suspend' | 'maintain' = process.env.SCALE_CONSENT_MODE === 'maintain' ? 'maintain' : 'suspend';
const label = `${role}-${transport}-${N}-${CONSENT_MODE}`;

let listener: SharedPassiveListener | undefined;
const agents: IceAgent[] = [];
let base = { heapUsed: 0, rss: 0 };
let echoed = 0;
let cpuAtTrafficStart = 0;
let trafficStartedAt = 0;

function makeAgent(): IceAgent {
  // Connect timeouts are long: thousands of SYNs at once overflow the backlog, and SYN retries take seconds.
  const common = {
    addresses: ['127.0.0.1'],
    controlling: !server,
    tcp: { active: false, passive: false, so: false, connectTimeoutMs: 60_000 },
    transactionTimeoutMs: 60_000,
    // SCALE_CONSENT_MS: the mean consent interval (RFC 7675 §5.1: SHOULD default to 5 s, never below 4 s).
    // "Disconnected" (no answer for disconnectedAfterMs, default 10 s) must stay longer than the interval.
    // SCALE_CONSENT_MODE: consent.whenIdle, 'suspend' (the default: no checks on idle pairs, RFC 7675 §5.1) or 'maintain'.
    consent: {
      whenIdle: CONSENT_MODE,
      // SCALE_KEEPALIVE_MS: Tr, the keepalive interval of idle sessions (RFC 8445 §11: at least 15 s, the default).
      ...(process.env.SCALE_KEEPALIVE_MS ? { keepaliveIntervalMs: Number(process.env.SCALE_KEEPALIVE_MS) } : {}),
      ...(process.env.SCALE_CONSENT_MS
        ? {
            intervalMs: Number(process.env.SCALE_CONSENT_MS),
            disconnectedAfterMs: Math.min(29_000, 2 * Number(process.env.SCALE_CONSENT_MS)),
          }
        : {}),
    },
  };
  if (!tcp) return new IceAgent({ ...common, udp: true });
  const plugin = server
    ? new TcpTransport({ listener: listener!, active: false, so: false })
    : new TcpTransport({ passive: false, so: false });
  return new IceAgent({ ...common, udp: false, plugins: [plugin] });
}

async function offersOf(list: IceAgent[]): Promise<Offer[]> {
  const out: Offer[] = [];
  // Gathering binds sockets: in slices, so that thousands of binds do not all wait at once.
  for (let i = 0; i < list.length; i += 500) {
    const slice = list.slice(i, i + 500);
    await Promise.all(slice.map((a) => a.gather()));
  }
  for (const a of list) {
    out.push({ ...a.localParameters, candidates: a.localCandidates.map((c) => c.toSdp()) });
  }
  return out;
}

function whenUsable(agent: IceAgent): Promise<boolean> {
  if (agent.state === 'connected' || agent.state === 'completed') return Promise.resolve(true);
  return new Promise((resolve) => {
    const onState = (state: string): void => {
      if (state === 'connected' || state === 'completed' || state === 'failed') {
        agent.off('state', onState);
        resolve(state !== 'failed');
      }
    };
    agent.on('state', onState);
  });
}

async function create(): Promise<void> {
  const t0 = performance.now();
  if (server && tcp) {
    listener = new SharedPassiveListener({ host: '127.0.0.1', backlog: 4096, maxPendingConnections: 20_000, firstFrameTimeoutMs: 60_000 });
    await listener.listen();
  }
  collect();
  base = memoryNow();
  for (let i = 0; i < N; i++) agents.push(makeAgent());
  const offers = await offersOf(agents);
  reply({ type: 'offers', offers, ms: performance.now() - t0 });
}

/** Both sides learn the other's parameters and candidates; resolves when all are usable. */
async function answer(offers: Offer[]): Promise<void> {
  const t0 = performance.now();
  const usable = agents.map(whenUsable);
  agents.forEach((agent, i) => {
    const offer = offers[i];
    agent.setRemoteParameters({ ufrag: offer.ufrag, pwd: offer.pwd });
    for (const c of offer.candidates) agent.addRemoteCandidate(c);
    agent.endOfRemoteCandidates();
  });
  if (server) {
    for (const agent of agents) {
      agent.connection().on('packet', (p: Buffer) => {
        echoed++;
        agent.connection().send(p);
      });
    }
  }
  const results = await Promise.all(usable);
  reply({ type: 'connected', ms: performance.now() - t0, failed: results.filter((ok) => !ok).length });
}

/**
 * Client side: every session sends `packets` packets with at most `window`
 * unechoed. UDP may lose some (full socket buffers): a UDP session that hears
 * nothing for a second sends its next packet anyway. The phase ends after
 * 60 s at most; the echoes counted are what arrived.
 */
async function traffic(packets: number, window: number, size: number): Promise<void> {
  const t0 = performance.now();
  const c0 = cpuMs();
  let received = 0;
  const sessions = agents.map(
    (agent) =>
      new Promise<void>((resolve) => {
        const conn: IceConnection = agent.connection();
        const packet = Buffer.alloc(size, 0x80);
        let sent = 0;
        let back = 0;
        let heardAt = performance.now();
        const pump = (): void => {
          while (sent < packets && sent - back < window) {
            sent++;
            conn.send(packet);
          }
        };
        const stall = setInterval(() => {
          const now = performance.now();
          if (now - t0 > 60_000 || (!tcp && sent >= packets && now - heardAt > 1000)) {
            clearInterval(stall);
            resolve();
          } else if (!tcp && now - heardAt > 1000) {
            back++; // counted lost: the window moves on
            heardAt = now;
            pump();
          }
        }, 500);
        conn.on('packet', () => {
          received++;
          back++;
          heardAt = performance.now();
          if (back >= packets) {
            clearInterval(stall);
            resolve();
          } else pump();
        });
        pump();
      }),
  );
  await Promise.all(sessions);
  reply({ type: 'traffic', packets: received * 2, ms: performance.now() - t0, cpuMs: cpuMs() - c0 });
}

process.on('message', (command: Command) => {
  const run = async (): Promise<void> => {
    switch (command.type) {
      case 'create':
        return create();
      case 'answer':
        return answer(command.offers);
      case 'measure-heap':
        return measureHeap(base, N, label);
      case 'measure-idle':
        return measureIdle(command.ms, label);
      case 'mark':
        cpuAtTrafficStart = cpuMs();
        trafficStartedAt = performance.now();
        echoed = 0;
        return reply({ type: 'echo-stats', packets: 0, cpuMs: 0, ms: 0 });
      case 'traffic':
        return traffic(command.packets, command.window, command.size);
      case 'echo-stats':
        return reply({
          type: 'echo-stats',
          packets: echoed * 2,
          cpuMs: cpuMs() - cpuAtTrafficStart,
          ms: performance.now() - trafficStartedAt,
        });
      case 'exit':
        await Promise.all(agents.map((a) => a.close()));
        await listener?.close();
        process.exit(0);
    }
  };
  run().catch((error: Error) => reply({ type: 'error', message: error.stack ?? error.message }));
});
