/**
 * The 5-tuple a route's connection really uses: the socket addresses of a
 * TCP connection (an active candidate's real source port, not the 9 it
 * signals, RFC 6544 §4.5) or a UDP socket and its remote. Two peers that
 * agree on a pair see the same path from both ends, mirrored.
 */
import type { Address } from '../../ice/types.js';

/** Transport, local and remote socket address of a route's connection. */
export interface RoutePath {
  transport: 'udp' | 'tcp';
  local: Address;
  remote: Address;
}

interface SocketLike {
  localAddress?: string;
  localPort?: number;
  remoteAddress?: string;
  remotePort?: number;
}

interface PathSource {
  readonly transport: 'udp' | 'tcp';
  /** UdpRoute: its socket's address and its remote. */
  readonly local?: Address;
  readonly remote?: Address;
  /** FramedConnection: the TCP socket under the frames. */
  readonly stream?: unknown;
}

/** The path of `connection`, or undefined when its sockets do not say (closed, not a socket). */
export function pathOf(connection: PathSource | undefined): RoutePath | undefined {
  if (connection === undefined) return undefined;
  if (connection.transport === 'udp') {
    if (connection.local === undefined || connection.remote === undefined) return undefined;
    return { transport: 'udp', local: { ...connection.local }, remote: { ...connection.remote } };
  }
  const socket = connection.stream as SocketLike | undefined;
  if (socket?.localAddress === undefined || socket.localPort === undefined) return undefined;
  if (socket.remoteAddress === undefined || socket.remotePort === undefined) return undefined;
  return {
    transport: 'tcp',
    local: { address: socket.localAddress, port: socket.localPort },
    remote: { address: socket.remoteAddress, port: socket.remotePort },
  };
}
