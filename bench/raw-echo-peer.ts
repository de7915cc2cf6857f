// The platform's ceiling for bench/libnice-echo.bench.ts: one side of the
// same echo (the pattern and window of lib/cli/peer-data.ts) over bare Node
// sockets, with no ICE, no agent and no connection object in between.
//
//   node raw-echo-peer.js udp|tcp send BYTES CHUNK     (the sender)
//   node raw-echo-peer.js udp|tcp echo                 (the echoer)
//
// Both sides print `port N` on stdout and read the other's line on stdin
// (the bench pipes one's stdout into the other's stdin, as for `ice-tcp
// peer`); the sender prints `selected` once it can send and the
// `send-result` line of peer-data.ts at the end. Every trick Node offers for
// speed is used, so that the figure is a fair ceiling:
// - UDP: connected sockets (`socket.connect()`: no address per send, no
//   lookup), `send()` without a callback (libuv tries the send at once),
//   4 MiB socket buffers;
// - TCP: Nagle off, RFC 4571 framing (2-byte length) written into one buffer
//   per burst and handed to the socket in one `write()`; the echoer parses
//   each chunk into packets (views, no copy) and returns all the frames of a
//   chunk in one `write()`.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createConnection, createServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { DataSender, formatSendResult } from '../lib/cli/peer-data.js';

const [transport, role, bytesText, chunkText] = process.argv.slice(2);
const LOOPBACK = '127.0.0.1';
const BUFFER_SIZE = 4 * 1024 * 1024;

/** The other side's `port N` line, from stdin. */
function peerPort(): Promise<number> {
  return new Promise((resolve) => {
    let rest = '';
    const onData = (chunk: string): void => {
      rest += chunk;
      const match = /port (\d+)\n/.exec(rest);
      if (match === null) return;
      process.stdin.off('data', onData);
      process.stdin.pause();
      resolve(Number(match[1]));
    };
    process.stdin.setEncoding('utf8').on('data', onData);
  });
}

function finish(sender: DataSender, close: () => void): void {
  process.stdout.write(`${formatSendResult(sender.result(performance.now()))}\n`, () => {
    close();
    process.exit(0);
  });
}

async function udp(): Promise<void> {
  const socket: UdpSocket = createSocket({ type: 'udp4', recvBufferSize: BUFFER_SIZE, sendBufferSize: BUFFER_SIZE });
  await new Promise<void>((resolve) => socket.bind(0, LOOPBACK, resolve));
  process.stdout.write(`port ${socket.address().port}\n`);
  const port = await peerPort();
  await new Promise<void>((resolve) => socket.connect(port, LOOPBACK, resolve));
  if (role === 'echo') {
    socket.on('message', (packet: Buffer) => socket.send(packet));
    return;
  }
  const sender = new DataSender(Number(bytesText), Number(chunkText));
  const pump = (): void => {
    const now = performance.now();
    for (let p = sender.nextPacket(now); p !== undefined; p = sender.nextPacket(now)) socket.send(p);
  };
  socket.on('message', (packet: Buffer) => {
    sender.onEcho(packet, performance.now());
    if (sender.complete) finish(sender, () => socket.close());
    else pump();
  });
  // The echoer connects once it has read our port: give it a moment, as ours and libnice have their checks.
  await new Promise((resolve) => setTimeout(resolve, 200));
  process.stdout.write('selected raw\n');
  pump();
}

/**
 * Splits a TCP stream into RFC 4571 frames (2-byte big-endian length),
 * handing out views of each chunk; returns the region of whole frames.
 */
class Deframer {
  #pending: Buffer | undefined;
  constructor(readonly onPacket: (packet: Buffer) => void) {}
  push(chunk: Buffer): Buffer {
    let data = chunk;
    if (this.#pending !== undefined) {
      data = Buffer.concat([this.#pending, chunk]);
      this.#pending = undefined;
    }
    let at = 0;
    while (data.length - at >= 2) {
      const length = (data[at] << 8) | data[at + 1];
      if (data.length - at - 2 < length) break;
      this.onPacket(data.subarray(at + 2, at + 2 + length));
      at += 2 + length;
    }
    if (at < data.length) this.#pending = data.subarray(at);
    return data.subarray(0, at);
  }
}

async function tcp(): Promise<void> {
  let socket: Socket;
  if (role === 'echo') {
    const server = createServer({ noDelay: true });
    await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
    const address = server.address();
    process.stdout.write(`port ${typeof address === 'object' && address !== null ? address.port : 0}\n`);
    socket = await new Promise<Socket>((resolve) => server.once('connection', resolve));
    server.close();
    // One write per chunk, no copy: the frames of a chunk are consecutive, the echo is the framed region as is.
    const deframer = new Deframer(() => undefined);
    socket.on('data', (chunk: Buffer) => {
      const frames = deframer.push(chunk);
      if (frames.length > 0) socket.write(frames);
    });
    socket.on('error', () => undefined);
    return;
  }
  process.stdout.write('port 0\n');
  const port = await peerPort();
  socket = createConnection({ port, host: LOOPBACK, noDelay: true });
  await new Promise((resolve) => socket.once('connect', resolve));
  const sender = new DataSender(Number(bytesText), Number(chunkText));
  const packets: Buffer[] = [];
  const pump = (): void => {
    let size = 0;
    const now = performance.now();
    for (let p = sender.nextPacket(now); p !== undefined; p = sender.nextPacket(now)) {
      packets.push(p);
      size += 2 + p.length;
    }
    if (packets.length === 0) return;
    const frames = Buffer.allocUnsafe(size);
    let at = 0;
    for (const p of packets) {
      frames.writeUInt16BE(p.length, at);
      frames.set(p, at + 2);
      at += 2 + p.length;
    }
    packets.length = 0;
    socket.write(frames);
  };
  // One clock reading per chunk, as lib/cli/peer-transfer.ts does per tick.
  let chunkNow = 0;
  const deframer = new Deframer((packet) => sender.onEcho(packet, chunkNow));
  socket.on('data', (chunk: Buffer) => {
    chunkNow = performance.now();
    deframer.push(chunk);
    if (sender.complete) finish(sender, () => socket.destroy());
    else pump();
  });
  socket.on('error', () => undefined);
  process.stdout.write('selected raw\n');
  pump();
}

await (transport === 'udp' ? udp() : tcp());
