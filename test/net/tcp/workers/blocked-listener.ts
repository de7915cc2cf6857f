// Worker: a listening socket whose thread is blocked (Atomics.wait), so the
// kernel fills its accept queue (backlog 1) and then drops further SYNs: a
// loopback peer that never answers a connect, for connect-timeout tests.
import { createServer } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

const flag = new Int32Array(workerData.shared as SharedArrayBuffer);
const server = createServer((socket) => socket.destroy());
server.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
  const address = server.address();
  parentPort!.postMessage(typeof address === 'object' && address !== null ? address.port : 0);
  // Blocks this thread's event loop until the test sets flag[0] and notifies.
  Atomics.wait(flag, 0, 0);
  server.close();
  parentPort!.close();
});
