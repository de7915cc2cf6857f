/**
 * The demo's peer B: a {@link PeerSession} in a worker thread of the demo's
 * process, its stdin and stdout carried by messages. It runs in its own
 * thread because the SYNs of a TCP simultaneous open only cross when both
 * agents connect at the same moment, which one event loop cannot arrange.
 *
 * workerData: the {@link PeerOptions}. Messages in: `{ line }` (the other
 * peer's stdout). Messages out: `{ line }` (this peer's stdout), `{ diag }`
 * (its stderr), then `{ exit: code }`.
 */
import { PassThrough } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import { LineSink } from './line-sink.js';
import { PeerSession, type PeerOptions } from './peer-session.js';

const port = parentPort!;
const stdin = new PassThrough();
port.on('message', (message: { line?: string; end?: boolean }) => {
  if (message.line !== undefined) stdin.write(`${message.line}\n`);
  if (message.end === true) stdin.end();
});
const session = new PeerSession(workerData as PeerOptions, {
  stdin,
  stdout: new LineSink((line) => port.postMessage({ line })),
  stderr: new LineSink((diag) => port.postMessage({ diag })),
});
const code = await session.run().catch((error: unknown) => {
  port.postMessage({ diag: String(error) });
  return 1;
});
port.postMessage({ exit: code });
port.close();
