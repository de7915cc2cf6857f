// Issue 5 acceptance: 1,000 concurrent ICE sessions through one shared
// passive listener port on loopback connect (each a passive agent on the
// shared port and an active agent), while junk connections (random bytes,
// silence, a slow trickle of a 65535-length header, non-STUN, unknown ufrag)
// are closed by the listener's limits. ICE_TCP_SESSIONS scales it down for
// quick runs.
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import test from 'ava';
import type { IceAgent } from '../../../lib/net/agent/agent.js';
import { SharedPassiveListener, type PassiveRejectReason, type PassiveRejection } from '../../../lib/net/tcp/index.js';
import { signal, tcpAgent } from './agents.js';
import { bindingRequest, rawConnect, sleep, whenClosed, writeFrame } from './helpers.js';

const SESSIONS = Number(process.env.ICE_TCP_SESSIONS ?? 1000);

/** Resolves when the agent has a usable pair (ICE connected or completed). */
function usable(agent: IceAgent, ms: number): Promise<void> {
  if (agent.state === 'connected' || agent.state === 'completed') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`state ${agent.state} after ${ms} ms`)), ms);
    const onState = (state: string): void => {
      if (state === 'connected' || state === 'completed') {
        clearTimeout(timer);
        agent.off('state', onState);
        resolve();
      } else if (state === 'failed') {
        clearTimeout(timer);
        reject(new Error('ICE failed'));
      }
    };
    agent.on('state', onState);
  });
}

/** Opens junk connections of every kind; resolves with the sockets and what each should be closed for. */
interface Junk {
  socket: Socket;
  /** Its local port, read as soon as it connected. */
  port: number;
  expect: PassiveRejectReason[];
  trickle?: NodeJS.Timeout;
}

/** Opens junk connections of every kind; resolves with the sockets and what each should be closed for. */
async function openJunk(port: number): Promise<Junk[]> {
  const junk: Junk[] = [];
  const open = async (expect: PassiveRejectReason[]): Promise<Junk> => {
    const socket = await rawConnect(port);
    const entry: Junk = { socket, port: socket.localPort!, expect };
    junk.push(entry);
    return entry;
  };
  for (let i = 0; i < 10; i++) {
    (await open(['frame-too-large', 'not-stun'])).socket.write(randomBytes(2048));
    await open(['timeout']);
    const trickler = await open(['frame-too-large']);
    let sent = 0;
    // One byte of a 0xFFFF header every 300 ms.
    trickler.trickle = setInterval(() => {
      if (sent++ < 2 && !trickler.socket.destroyed) trickler.socket.write(Buffer.from([0xff]));
    }, 300);
    writeFrame((await open(['not-stun'])).socket, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    writeFrame((await open(['unknown-ufrag'])).socket, bindingRequest(`nobody${i}`, 'peer'));
  }
  return junk;
}

test(`${SESSIONS} concurrent sessions through one shared passive port connect while junk is closed by the limits`, async (t) => {
  t.timeout(110_000);
  const listener = new SharedPassiveListener({ host: '127.0.0.1', firstFrameTimeoutMs: 2000 });
  const { port } = await listener.listen();
  const rejections: PassiveRejection[] = [];
  listener.on('rejected', (r: PassiveRejection) => rejections.push(r));
  const sessions = Array.from({ length: SESSIONS }, () => ({
    passive: tcpAgent(false, { listener, active: false, so: false }).agent,
    active: tcpAgent(true, { passive: false, so: false }, { coreTcp: { connectTimeoutMs: 30_000 } }).agent,
  }));
  try {
    const start = Date.now();
    const junkOpened = openJunk(port);
    await Promise.all(sessions.map((s) => signal(s.active, s.passive)));
    await Promise.all(sessions.flatMap((s) => [usable(s.active, 90_000), usable(s.passive, 90_000)]));
    const connectedMs = Date.now() - start;
    t.log(`${SESSIONS} sessions usable in ${connectedMs} ms`);
    for (const s of sessions) {
      const local = s.passive.pairs().find((p) => p.state === 'succeeded')!.local;
      if (local.port !== port || local.tcpType !== 'passive') t.fail(`passive side on ${local.port}/${local.tcpType}`);
    }
    // Each session's data reaches its own peer: routing by ufrag was right.
    const arrivals = sessions.map(
      (s, i) => new Promise<boolean>((resolve) => s.passive.connection().once('packet', (p: Buffer) => resolve(p.readUInt32BE(0) === i))),
    );
    sessions.forEach((s, i) => {
      const packet = Buffer.alloc(100);
      packet.writeUInt32BE(i, 0);
      s.active.connection().send(packet);
    });
    const right = await Promise.all(arrivals);
    t.is(right.filter(Boolean).length, SESSIONS, 'every packet reached its own session');
    t.is(listener.stats.routed >= SESSIONS, true);

    const junk = await junkOpened;
    const junkPorts = new Set(junk.map((j) => j.port));
    const closes = await Promise.all(junk.map((j) => whenClosed(j.socket)));
    // Only our junk counts: a test running beside this one may aim stray
    // S-O retries at a port this listener was given.
    const rejected = rejections.filter((r) => junkPorts.has(r.remote?.port ?? -1)).map((r) => r.reason);
    for (const j of junk) clearInterval(j.trickle);
    t.true(closes.every((ms) => ms < 10_000));
    const counts = (reason: PassiveRejectReason): number => rejected.filter((r) => r === reason).length;
    t.is(counts('timeout'), 10, 'silence: first-frame timeout');
    t.is(counts('unknown-ufrag'), 10);
    t.is(counts('frame-too-large') + counts('not-stun'), 30, 'random bytes, 65535-length trickles, non-STUN');
    t.true(counts('frame-too-large') >= 10, 'every trickle hit the size cap');
    t.is(rejected.length, junk.length, 'nothing else was refused');
    t.is(listener.pendingConnections, 0);
  } finally {
    await Promise.all(sessions.flatMap((s) => [s.active.close(), s.passive.close()]));
    await listener.close();
    await sleep(10);
  }
  t.is(listener.registeredUfrags, 0);
});
