// Framed writes of 1200-byte packets over loopback TCP (127.0.0.1 only):
// BatchingFrameWriter (frames of one tick leave in one cork/writev cycle)
// against one socket.write() per frame. Every case sends the same number of
// packets with the same producer loop, honouring backpressure, to a receiver
// in a worker thread that reads and counts every byte: a trial ends when the
// last byte has arrived there. Two producers:
//  - stream: write until write() returns false, then wait for 'drain';
//  - bursts: 64 packets per event-loop turn (setImmediate between bursts),
//    waiting for 'drain' when a burst's last write returned false.
// The socket's write high-water mark bounds how many frames one tick can
// batch before write() returns false: 16 KiB (Node 20's default, 13 frames)
// or 64 KiB (Node 22's default), the same for every case of a table.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { Worker } from 'node:worker_threads';
import { BatchingFrameWriter, FramedConnection, encodeFrame } from '../lib/framing/index.js';
import { printTable, type BenchRow } from './table.js';

const PACKET_SIZE = 1200;
const PACKETS = 100_000;
const TRIALS = 5;

/**
 * The receiving side, in a worker thread (as a real peer would be another
 * process): a loopback server that reads every byte of each connection and
 * reports when a connection has delivered the expected count.
 */
const RECEIVER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const net = require('node:net');
let expected = 0;
const server = net.createServer((socket) => {
  let received = 0;
  socket.on('data', (chunk) => {
    received += chunk.length;
    if (received === expected) parentPort.postMessage({ done: received });
    else if (received > expected) parentPort.postMessage({ error: 'received ' + received + ' of ' + expected });
  });
  socket.on('error', () => {});
});
parentPort.on('message', (m) => {
  if (m.expected !== undefined) { expected = m.expected; parentPort.postMessage({ ready: true }); }
  if (m.close) server.close(() => process.exit(0));
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
`;

interface Receiver {
  port: number;
  /** Sets the byte count of the next connection; then `arrived` resolves once it has all come. */
  expect(bytes: number): Promise<{ arrived: Promise<void> }>;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const worker = new Worker(RECEIVER_SOURCE, { eval: true });
  const [{ port }] = (await once(worker, 'message')) as [{ port: number }];
  return {
    port,
    async expect(bytes) {
      worker.postMessage({ expected: bytes });
      await once(worker, 'message'); // ready
      const arrived = new Promise<void>((resolve, reject) => {
        worker.once('message', (m: { done?: number; error?: string }) => (m.error ? reject(new Error(m.error)) : resolve()));
      });
      return { arrived };
    },
    async close() {
      worker.postMessage({ close: true });
      await once(worker, 'exit');
    },
  };
}

type Send = (payload: Buffer) => boolean;

interface Case {
  name: string;
  /** Makes the send function over `sender` and the emitter of its 'drain'. */
  setup: (sender: Socket) => { send: Send; drains: NodeJS.EventEmitter };
}

/** Packets per event-loop turn of the bursts producer. */
const BURST = 64;

/** Write until false, then wait for 'drain'. */
async function streamProducer(send: Send, drains: NodeJS.EventEmitter, payload: Buffer): Promise<void> {
  for (let i = 0; i < PACKETS; i++) {
    if (!send(payload)) await once(drains, 'drain');
  }
}

/** BURST packets per event-loop turn; wait for 'drain' when a burst ended refused. */
async function burstProducer(send: Send, drains: NodeJS.EventEmitter, payload: Buffer): Promise<void> {
  for (let i = 0; i < PACKETS;) {
    let ok = true;
    for (let k = 0; k < BURST && i < PACKETS; k++, i++) ok = send(payload);
    if (!ok) await once(drains, 'drain');
    else await new Promise((resolve) => setImmediate(resolve));
  }
}

type Producer = typeof streamProducer;

/** Sends PACKETS packets through the case and returns seconds until the receiver has them all. */
async function trial(c: Case, produce: Producer, highWaterMark: number, receiver: Receiver): Promise<number> {
  const { arrived } = await receiver.expect(PACKETS * (PACKET_SIZE + 2));
  // net.Socket passes writableHighWaterMark on to stream.Duplex.
  const sender = connect({ port: receiver.port, host: '127.0.0.1', writableHighWaterMark: highWaterMark } as never);
  if (sender.writableHighWaterMark !== highWaterMark) throw new Error('writableHighWaterMark not applied');
  await once(sender, 'connect');
  sender.setNoDelay(true);
  const { send, drains } = c.setup(sender);
  const payload = Buffer.alloc(PACKET_SIZE, 0x5a);
  const start = process.hrtime.bigint();
  await produce(send, drains, payload);
  await arrived;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  sender.destroy();
  return seconds;
}

/** Runs the writer benchmark and prints its table. */
export async function run(): Promise<void> {
  const baseline = 'one socket.write() per frame';
  const cases: Case[] = [
    { name: baseline, setup: (s) => ({ send: (p) => s.write(encodeFrame(p)), drains: s }) },
    {
      name: 'BatchingFrameWriter',
      setup: (s) => {
        const writer = new BatchingFrameWriter(s);
        return { send: (p) => writer.write(p), drains: writer };
      },
    },
    {
      name: 'FramedConnection.send()',
      setup: (s) => {
        const conn = new FramedConnection(s);
        return { send: (p) => conn.send(p), drains: conn };
      },
    },
  ];
  console.log(
    `${PACKETS.toLocaleString('en-US')} packets of ${PACKET_SIZE} bytes over 127.0.0.1 per trial, counted by a ` +
      `receiver in a worker thread; best of ${TRIALS} interleaved trials; Nagle off.\n`,
  );
  const receiver = await startReceiver();
  const configurations: Array<[string, Producer, number]> = [
    ['stream producer (write until false, then drain), 16 KiB high-water mark', streamProducer, 16384],
    [`burst producer (${BURST} packets per event-loop turn), 16 KiB high-water mark`, burstProducer, 16384],
    ['stream producer (write until false, then drain), 64 KiB high-water mark', streamProducer, 65536],
  ];
  for (const [title, produce, highWaterMark] of configurations) {
    const best = new Map<string, number>();
    for (let t = 0; t < TRIALS; t++) {
      for (const c of cases) {
        const seconds = await trial(c, produce, highWaterMark, receiver);
        best.set(c.name, Math.min(best.get(c.name) ?? Infinity, seconds));
      }
    }
    const rows: BenchRow[] = cases.map((c) => {
      const seconds = best.get(c.name)!;
      return {
        name: c.name,
        value: PACKETS / seconds,
        unit: 'frames/s',
        extra: `${Math.round((PACKETS * (PACKET_SIZE + 2)) / seconds / 1e6).toLocaleString('en-US')} MB/s`,
      };
    });
    printTable(`RFC 4571 framed writes, ${PACKET_SIZE}-byte packets over loopback TCP, ${title}`, rows, baseline);
  }
  await receiver.close();
}
