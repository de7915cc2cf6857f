// Worker: the far side of a TCP simultaneous open on loopback. It connects
// from its own bound port to the test's S-O port, retrying every
// millisecond on RST, from another thread: two SYNs can only cross when
// both sides are in SYN-SENT at once, which one thread cannot arrange.
// Messages: → {port} (its bound port), ← {remotePort} (start),
// → {connected, localPort, remotePort, attempts}, → {frame: number[]} (each
// frame received), ← {send: number[]} (a frame to send), ← 'close'.
import { connect, createServer, type Socket } from 'node:net';
import { parentPort } from 'node:worker_threads';
import { FrameDecoder, encodeFrame } from '../../../../lib/framing/index.js';

const port = parentPort!;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}

function attempt(localPort: number, remotePort: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port: remotePort, localAddress: '127.0.0.1', localPort });
    s.once('connect', () => resolve(s));
    s.once('error', () => {
      s.destroy();
      resolve(undefined);
    });
  });
}

const localPort = await freePort();
port.postMessage({ port: localPort });
port.once('message', async (msg: { remotePort: number; deadlineMs: number }) => {
  const deadline = Date.now() + msg.deadlineMs;
  let socket: Socket | undefined;
  let attempts = 0;
  while (socket === undefined && Date.now() < deadline) {
    attempts++;
    socket = await attempt(localPort, msg.remotePort);
    if (socket === undefined) await new Promise((r) => setTimeout(r, 1));
  }
  if (socket === undefined) {
    port.postMessage({ connected: false, attempts });
    port.close();
    return;
  }
  const s = socket;
  const decoder = new FrameDecoder();
  s.on('data', (chunk: Buffer) => decoder.push(chunk, (frame) => port.postMessage({ frame: [...frame] })));
  s.on('error', () => undefined);
  s.on('close', () => port.postMessage({ closed: true }));
  port.on('message', (m: { send?: number[] } | 'close') => {
    if (m === 'close') {
      s.destroy();
      port.close();
    } else if (m.send) s.write(encodeFrame(Buffer.from(m.send)));
  });
  port.postMessage({ connected: true, localPort: s.localPort, remotePort: s.remotePort, attempts });
});
