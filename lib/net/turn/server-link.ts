/**
 * The connection from the client to its TURN server: a connected UDP
 * socket, or a TCP or TLS stream split into messages by length
 * (RFC 8656 §6.2; TLS with certificate verification, RFC 8656 §6.2.2).
 *
 * @module
 */
import { createSocket } from 'node:dgram';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import createDebug from 'debug';
import { TurnError } from '../../turn/turn-errors.js';
import type { TurnServerConfig } from '../../turn/server-url.js';
import { StreamSplitter } from '../../turn/stream-splitter.js';

const debug = createDebug('ice-tcp:turn');

/** TLS settings for `turns:` servers. */
export interface TurnTlsOptions {
  /** Extra trusted CA certificates (PEM), e.g. a test CA. Verification stays on. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Verify the server certificate (default `true`). Turning it off is for tests only. */
  rejectUnauthorized?: boolean;
  /** SNI and the name to verify (default: the URL's host when it is a name). */
  servername?: string;
}

/** An open link to the server. */
export interface ServerLink {
  /** The local address and port the server sees (before any NAT). */
  readonly local: { address: string; port: number };
  send(bytes: Buffer): void;
  /** Closes it (no `onClose` afterwards). */
  close(): void;
}

/** Callbacks of a link. */
export interface ServerLinkHandlers {
  onMessage(bytes: Buffer): void;
  /** The link failed or the server closed it (streams only). */
  onClose(error: TurnError): void;
}

/** Connects a TCP or TLS stream to the server (for the control link and RFC 6062 data connections). */
export function connectStream(server: TurnServerConfig, address: string, tls: TurnTlsOptions, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    let socket: Socket | TLSSocket;
    const secure = server.transport === 'tls';
    if (secure) {
      socket = tlsConnect({
        host: address,
        port: server.port,
        ...(isIP(server.host) === 0 || tls.servername !== undefined ? { servername: tls.servername ?? server.host } : {}),
        ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
        rejectUnauthorized: tls.rejectUnauthorized ?? true,
      });
    } else {
      socket = netConnect({ host: address, port: server.port, noDelay: true });
    }
    const timer = setTimeout(() => fail(new Error(`not connected within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(new TurnError('ERR_TURN_CONNECTION', `${server.url}: ${error.message}`, { cause: error }));
    };
    socket.once('error', fail);
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}

/** Opens a link to the server at `address` (already resolved). */
export async function openServerLink(
  server: TurnServerConfig,
  address: string,
  tls: TurnTlsOptions,
  handlers: ServerLinkHandlers,
  timeoutMs = 10_000,
): Promise<ServerLink> {
  if (server.transport === 'udp') {
    const socket = createSocket({ type: isIP(address) === 6 ? 'udp6' : 'udp4' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(server.port, address, () => {
        socket.off('error', reject);
        resolve();
      });
    }).catch((error: Error) => {
      socket.close();
      throw new TurnError('ERR_TURN_CONNECTION', `${server.url}: ${error.message}`, { cause: error });
    });
    socket.on('message', (data) => handlers.onMessage(data));
    socket.on('error', (error) => debug('%s: UDP socket error: %s', server.url, error.message));
    const local = socket.address();
    let closed = false;
    return {
      local: { address: local.address, port: local.port },
      send: (bytes) => {
        if (closed) return;
        socket.send(bytes, (error) => {
          if (error) debug('%s: send failed: %s', server.url, error.message);
        });
      },
      close: () => {
        if (closed) return;
        closed = true;
        socket.close();
      },
    };
  }
  const socket = await connectStream(server, address, tls, timeoutMs);
  const splitter = new StreamSplitter();
  let closed = false;
  socket.on('data', (chunk: Buffer) => {
    const { messages, error } = splitter.push(chunk);
    for (const message of messages) handlers.onMessage(message);
    if (error !== undefined && !closed) {
      closed = true;
      socket.destroy();
      handlers.onClose(new TurnError('ERR_TURN_CONNECTION', `${server.url}: ${error}`));
    }
  });
  socket.on('error', (error) => debug('%s: %s', server.url, error.message));
  socket.on('close', () => {
    if (closed) return;
    closed = true;
    handlers.onClose(new TurnError('ERR_TURN_CONNECTION', `${server.url}: the server closed the connection`));
  });
  return {
    local: { address: socket.localAddress ?? '', port: socket.localPort ?? 0 },
    send: (bytes) => {
      if (!closed) socket.write(bytes);
    },
    close: () => {
      if (closed) return;
      closed = true;
      socket.end();
      setTimeout(() => socket.destroy(), 1000).unref();
    },
  };
}
