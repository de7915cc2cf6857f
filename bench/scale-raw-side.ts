// The baseline of the scale benchmark: one side of N bare socket sessions
// carrying the packets consent freshness carries, without ICE. Run as a child
// process: `node --expose-gc scale-raw-side.js server|client tcp|udp N`.
// TCP: the server accepts N connections on one port (noDelay, as ours);
// UDP: one socket per session on each side, as ours. Per session and side a
// 92-byte "request" (the size of our consent check) leaves every 4-6 s and
// the peer answers it with 66 bytes (our success response); TCP frames carry
// an RFC 4571 length. No per-session timer: one 100 ms ticker per process
// walks the sessions due, so this is the floor of the socket work itself
// (system calls, libuv, Node's stream machinery).
import { createServer, connect, type Server, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { collect, measureHeap, measureIdle, memoryNow, reply, type Command, type Offer } from './scale-measure.js';

const [role, transport, countText] = process.argv.slice(2);
const N = Number(countText);
const tcp = transport === 'tcp';
const server = role === 'server';
const label = `raw-${role}-${transport}-${N}`;
const REQUEST = 92;
const RESPONSE = 66;
const request = Buffer.alloc(REQUEST, 0x00);
const response = Buffer.alloc(RESPONSE, 0x01);
const framedRequest = Buffer.concat([Buffer.from([0, REQUEST]), request]);
const framedResponse = Buffer.concat([Buffer.from([0, RESPONSE]), response]);

interface Session {
  send(message: 'request' | 'response'): void;
  close(): void;
}

let base = { heapUsed: 0, rss: 0 };
let listener: Server | undefined;
const udpSockets: UdpSocket[] = [];
const sessions: Session[] = [];
let ticker: NodeJS.Timeout | undefined;

/** RFC 4571 frames of one TCP connection; answers requests. */
function tcpSession(socket: Socket): Session {
  let pending: Buffer | undefined;
  socket.on('data', (chunk: Buffer) => {
    let data = pending === undefined ? chunk : Buffer.concat([pending, chunk]);
    pending = undefined;
    while (data.length >= 2) {
      const size = data.readUInt16BE(0);
      if (data.length < 2 + size) break;
      if (data[2] === 0x00) socket.write(framedResponse);
      data = data.subarray(2 + size);
    }
    if (data.length > 0) pending = data;
  });
  socket.on('error', () => {});
  return {
    send: (message) => void socket.write(message === 'request' ? framedRequest : framedResponse),
    close: () => socket.destroy(),
  };
}

function udpSession(socket: UdpSocket, peerPort: number): Session {
  socket.on('message', (message: Buffer) => {
    if (message[0] === 0x00) socket.send(response, peerPort, '127.0.0.1');
  });
  return {
    send: (message) => socket.send(message === 'request' ? request : response, peerPort, '127.0.0.1'),
    close: () => socket.close(),
  };
}

async function create(): Promise<void> {
  const t0 = performance.now();
  collect();
  base = memoryNow();
  const offers: Offer[] = [];
  if (tcp && server) {
    listener = createServer({ noDelay: true }, (socket) => sessions.push(tcpSession(socket)));
    listener.maxConnections = N + 10;
    await new Promise<void>((resolve) => listener!.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, resolve));
    const { port } = listener.address() as { port: number };
    offers.push({ ufrag: '', pwd: '', candidates: [String(port)] });
  } else if (!tcp) {
    for (let i = 0; i < N; i += 500) {
      const slice = Array.from({ length: Math.min(500, N - i) }, () => createSocket('udp4'));
      await Promise.all(slice.map((s) => new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve))));
      udpSockets.push(...slice);
    }
    for (const s of udpSockets) offers.push({ ufrag: '', pwd: '', candidates: [String(s.address().port)] });
  }
  reply({ type: 'offers', offers, ms: performance.now() - t0 });
}

async function answer(offers: Offer[]): Promise<void> {
  const t0 = performance.now();
  if (tcp && server) {
    while (sessions.length < N && performance.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 50));
  } else if (tcp) {
    const port = Number(offers[0].candidates[0]);
    for (let i = 0; i < N; i += 500) {
      const slice = Array.from({ length: Math.min(500, N - i) }, () => connect({ host: '127.0.0.1', port, noDelay: true }));
      await Promise.all(slice.map((s) => new Promise((resolve) => s.once('connect', resolve).once('error', resolve))));
      sessions.push(...slice.map(tcpSession));
    }
  } else {
    udpSockets.forEach((s, i) => sessions.push(udpSession(s, Number(offers[i].candidates[0]))));
  }
  startTicker();
  reply({ type: 'connected', ms: performance.now() - t0, failed: N - sessions.length });
}

/** Each session sends a request once per 4-6 s (uniformly spread), from one 100 ms ticker. */
function startTicker(): void {
  const next = sessions.map(() => performance.now() + 4000 + Math.random() * 2000);
  ticker = setInterval(() => {
    const now = performance.now();
    for (let i = 0; i < sessions.length; i++) {
      if (next[i] <= now) {
        next[i] = now + 4000 + Math.random() * 2000;
        sessions[i].send('request');
      }
    }
  }, 100);
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
      case 'exit':
        clearInterval(ticker);
        for (const s of sessions) s.close();
        for (const s of udpSockets) if (!sessions.length) s.close();
        listener?.close();
        process.exit(0);
      // eslint-disable-next-line no-fallthrough
      default:
        return reply({ type: 'error', message: `the raw side has no ${command.type}` });
    }
  };
  run().catch((error: Error) => reply({ type: 'error', message: error.stack ?? error.message }));
});
