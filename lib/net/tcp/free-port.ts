import { createServer } from 'node:net';
import { TcpTransportError } from './tcp-error.js';

/**
 * Finds a free TCP port on `address` for an S-O candidate: listens on port
 * 0, reads the port the OS chose and closes again.
 *
 * An S-O base cannot keep a listening socket: on Linux a socket cannot
 * connect() from a port another socket listens on (EADDRINUSE even with
 * SO_REUSEADDR), and Node 20 offers no SO_REUSEPORT for TCP. So the port is
 * held by nothing between gathering and the first connect from it (the STUN
 * server connection, when there is one, holds it from then on); another
 * program could take it meanwhile, which makes that candidate's connects
 * fail with EADDRINUSE (reported as `'error'`).
 *
 * @throws TcpTransportError `ERR_TCP_LISTEN_FAILED` (rejection) when nothing
 *   can be bound on `address`.
 */
export function reserveFreePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error) => {
      reject(new TcpTransportError('ERR_TCP_LISTEN_FAILED', `cannot bind a TCP port on ${address}: ${error.message}`, { cause: error }));
    });
    server.listen({ host: address, port: 0, exclusive: true }, () => {
      const bound = server.address();
      const port = bound !== null && typeof bound === 'object' ? bound.port : 0;
      server.close(() => resolve(port));
    });
  });
}
