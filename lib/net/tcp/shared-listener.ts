import { EventEmitter } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import createDebug from 'debug';
import type { ListenerEvents } from '../../emitter-events.js';
import { FrameDecoder, FramingError } from '../../framing/index.js';
import type { Address } from '../../ice/types.js';
import { classifyFirstFrame } from './first-frame.js';
import {
  resolveListenerOptions,
  type PassiveConnectionHandler,
  type PassiveRejection,
  type PassiveRejectReason,
  type SharedPassiveListenerOptions,
  type SharedPassiveListenerStats,
} from './shared-listener-options.js';
import { formatEndpoint, socketRemote, unmapAddress } from './socket-address.js';
import { TcpTransportError } from './tcp-error.js';

export {
  DEFAULT_FIRST_FRAME_TIMEOUT_MS,
  DEFAULT_MAX_FIRST_FRAME_SIZE,
  DEFAULT_MAX_PENDING_CONNECTIONS,
  MIN_FIRST_FRAME_SIZE,
  type PassiveConnectionHandler,
  type PassiveRejection,
  type PassiveRejectReason,
  type SharedPassiveListenerOptions,
  type SharedPassiveListenerStats,
} from './shared-listener-options.js';

const debug = createDebug('ice-tcp:tcp');

/** Events of {@link SharedPassiveListener}. */
export interface SharedPassiveListenerEvents extends ListenerEvents {
  /** A connection was closed unauthenticated (see {@link PassiveRejectReason}). */
  rejected: [rejection: PassiveRejection];
  /** A connection's first frame named a registered ufrag; it went to that agent. */
  routed: [ufrag: string, remote: Address | undefined];
}

/** A connection waiting for its first frame. */
interface PendingConnection {
  socket: Socket;
  remote: Address | undefined;
  timer: NodeJS.Timeout;
  /**
   * Decodes the first frame only (capped at `maxFirstFrameSize`): it holds at
   * most that frame's partial payload, never more of the stream.
   */
  decoder: FrameDecoder;
  /** Bytes received so far. */
  received: number;
  readonly onData: (chunk: Buffer) => void;
  readonly onClose: () => void;
}

/**
 * One listening TCP port serving the passive candidates of many ICE agents
 * and sessions (a TCP mux, RFC 6544 §7.2 server side).
 *
 * Each agent registers its local ufrag. An incoming connection is held,
 * unauthenticated, until its first RFC 4571 frame: a STUN Binding request
 * whose USERNAME is `<ufrag of the agent checked>:<ufrag of the checker>`
 * (RFC 8445 §7.2.2). The connection and that frame go to the agent that
 * registered the first ufrag. Everything else is closed, with a debug line
 * and a `'rejected'` event: see {@link PassiveRejectReason} and the limits in
 * {@link SharedPassiveListenerOptions}.
 *
 * A {@link TcpTransport} without a shared listener opens one of these per
 * interface address for itself: the same code path, one agent.
 *
 * Events: `'rejected' (PassiveRejection)`, `'routed' (ufrag: string, remote: Address)`.
 */
export class SharedPassiveListener extends EventEmitter<SharedPassiveListenerEvents> {
  /** The configured first-frame timeout (ms). */
  readonly firstFrameTimeoutMs: number;
  /** The configured first-frame size cap (bytes of payload). */
  readonly maxFirstFrameSize: number;
  /** The configured cap on pending connections. */
  readonly maxPendingConnections: number;
  readonly #host: string | undefined;
  readonly #port: number;
  readonly #backlog: number;
  readonly #handlers = new Map<string, PassiveConnectionHandler>();
  readonly #pending = new Map<Socket, PendingConnection>();
  readonly #stats: SharedPassiveListenerStats = {
    accepted: 0,
    routed: 0,
    rejected: {
      'not-stun': 0,
      'not-binding-request': 0,
      timeout: 0,
      'frame-too-large': 0,
      'pending-cap': 0,
      'unknown-ufrag': 0,
      'peer-closed': 0,
      'listener-closed': 0,
    },
  };
  #server: Server | undefined;
  #listening: Promise<Address> | undefined;
  #address: Address | undefined;
  #closed = false;

  /** @throws TcpTransportError `ERR_TCP_BAD_OPTION` for an invalid option. */
  constructor(options: SharedPassiveListenerOptions = {}) {
    super();
    const resolved = resolveListenerOptions(options);
    this.#host = resolved.host;
    this.#port = resolved.port;
    this.#backlog = resolved.backlog;
    this.firstFrameTimeoutMs = resolved.firstFrameTimeoutMs;
    this.maxFirstFrameSize = resolved.maxFirstFrameSize;
    this.maxPendingConnections = resolved.maxPendingConnections;
  }

  /** The bound address once listening (IPv4-mapped addresses unmapped). */
  get address(): Address | undefined {
    return this.#address;
  }

  /** `true` when bound to a wildcard address (`0.0.0.0` or `::`): it serves every interface. */
  get wildcard(): boolean {
    const a = this.#address?.address;
    return a === '0.0.0.0' || a === '::';
  }

  /** Connections accepted and waiting for their first frame. */
  get pendingConnections(): number {
    return this.#pending.size;
  }

  /** Registered ufrags. */
  get registeredUfrags(): number {
    return this.#handlers.size;
  }

  /** Counters since creation (a live view: read, do not modify). */
  get stats(): Readonly<SharedPassiveListenerStats> {
    return this.#stats;
  }

  /**
   * Starts listening (once; later calls return the same promise).
   *
   * @returns the bound address.
   * @throws TcpTransportError `ERR_TCP_LISTEN_FAILED` (rejection) when the
   *   port cannot be bound; `ERR_TCP_STATE` after `close()`.
   */
  listen(): Promise<Address> {
    if (this.#closed) return Promise.reject(new TcpTransportError('ERR_TCP_STATE', 'the shared passive listener is closed'));
    this.#listening ??= new Promise<Address>((resolve, reject) => {
      const server = createServer({ noDelay: true, allowHalfOpen: false }, (socket) => this.#onConnection(socket));
      this.#server = server;
      const onError = (error: Error): void => {
        this.#server = undefined;
        reject(
          new TcpTransportError('ERR_TCP_LISTEN_FAILED', `cannot listen on ${this.#host ?? '(default)'}:${this.#port}: ${error.message}`, {
            cause: error,
          }),
        );
      };
      server.once('error', onError);
      server.listen({ host: this.#host, port: this.#port, backlog: this.#backlog }, () => {
        server.off('error', onError);
        server.on('error', (error) => debug('shared listener error: %s', error.message));
        const bound = server.address();
        if (bound === null || typeof bound === 'string') {
          onError(new Error('no TCP address'));
          return;
        }
        this.#address = { address: unmapAddress(bound.address), port: bound.port };
        debug('shared listener on %s', formatEndpoint(this.#address));
        if (this.#closed) server.close();
        resolve(this.#address);
      });
    });
    return this.#listening;
  }

  /**
   * Routes connections whose first Binding request names `ufrag` (the first
   * part of USERNAME) to `handler`. Registering the same pair again is a
   * no-op.
   *
   * @throws TcpTransportError `ERR_TCP_BAD_OPTION` for a ufrag that is empty
   *   or contains `:`; `ERR_TCP_UFRAG_IN_USE` when another handler has it;
   *   `ERR_TCP_STATE` after `close()`.
   */
  register(ufrag: string, handler: PassiveConnectionHandler): void {
    if (this.#closed) throw new TcpTransportError('ERR_TCP_STATE', 'the shared passive listener is closed');
    if (typeof ufrag !== 'string' || ufrag === '' || ufrag.includes(':')) {
      throw new TcpTransportError('ERR_TCP_BAD_OPTION', `a ufrag must be a non-empty string without ":", got ${String(ufrag)}`);
    }
    if (typeof handler !== 'function') throw new TcpTransportError('ERR_TCP_BAD_OPTION', 'handler must be a function');
    const existing = this.#handlers.get(ufrag);
    if (existing === handler) return;
    if (existing !== undefined) {
      throw new TcpTransportError('ERR_TCP_UFRAG_IN_USE', `ufrag ${ufrag} is already registered with the shared listener`);
    }
    this.#handlers.set(ufrag, handler);
    debug('shared listener: registered ufrag %s (%d registered)', ufrag, this.#handlers.size);
  }

  /**
   * Stops routing `ufrag` (only when registered by `handler`, if given).
   * Connections already handed over are not affected.
   *
   * @returns whether a registration was removed.
   */
  unregister(ufrag: string, handler?: PassiveConnectionHandler): boolean {
    const existing = this.#handlers.get(ufrag);
    if (existing === undefined || (handler !== undefined && existing !== handler)) return false;
    this.#handlers.delete(ufrag);
    debug('shared listener: unregistered ufrag %s (%d registered)', ufrag, this.#handlers.size);
    return true;
  }

  /** Whether `ufrag` is registered. */
  has(ufrag: string): boolean {
    return this.#handlers.has(ufrag);
  }

  /**
   * Stops listening and closes every pending connection. Connections
   * already handed to agents are theirs to close. Resolves once the
   * listening socket is released.
   */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    for (const pending of [...this.#pending.values()]) this.#reject(pending, 'listener-closed', 'listener closed');
    this.#handlers.clear();
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined || !server.listening) return Promise.resolve();
    return new Promise((resolve) => {
      // server.close's callback waits for every accepted socket, handed-over
      // ones included; the listening handle itself is gone at the next turn.
      server.close();
      setImmediate(resolve);
    });
  }

  #onConnection(socket: Socket): void {
    this.#stats.accepted++;
    const remote = socketRemote(socket);
    if (this.#closed) {
      this.#count('listener-closed', remote, 'listener closed');
      socket.destroy();
      return;
    }
    if (this.#pending.size >= this.maxPendingConnections) {
      // Evict the oldest pending connection (Map iteration is insertion order).
      const oldest = this.#pending.values().next().value as PendingConnection;
      this.#reject(oldest, 'pending-cap', `${this.#pending.size} connections pending, cap ${this.maxPendingConnections}: oldest evicted`);
    }
    const pending: PendingConnection = {
      socket,
      remote,
      decoder: new FrameDecoder({ maxFrameSize: this.maxFirstFrameSize }),
      received: 0,
      timer: setTimeout(() => {
        this.#reject(
          pending,
          'timeout',
          `no complete first frame within ${this.firstFrameTimeoutMs} ms (${pending.received} bytes received)`,
        );
      }, this.firstFrameTimeoutMs),
      onData: (chunk) => this.#onData(pending, chunk),
      onClose: () => this.#reject(pending, 'peer-closed', `closed by the peer after ${pending.received} bytes`),
    };
    this.#pending.set(socket, pending);
    socket.on('data', pending.onData);
    socket.on('close', pending.onClose);
    socket.on('error', onPendingError);
  }

  #onData(pending: PendingConnection, chunk: Buffer): void {
    pending.received += chunk.length;
    // The decoder is fed at most what the first frame still needs, so it
    // stops exactly at that frame's end: the bytes after it are never
    // decoded here, they go back to the socket for the agent's
    // FramedConnection, which decodes them once. Its maxFrameSize is the
    // first-frame cap, checked as soon as the header is in (RFC 4571 §2).
    const decoder = pending.decoder;
    let first: Buffer | undefined;
    let offset = 0;
    try {
      while (first === undefined && offset < chunk.length) {
        const take = Math.min(decoder.neededBytes, chunk.length - offset);
        decoder.push(chunk.subarray(offset, offset + take), (frame) => (first = frame));
        offset += take;
      }
    } catch (error) {
      if (!(error instanceof FramingError)) throw error;
      this.#reject(pending, 'frame-too-large', `first frame: ${error.message}`);
      return;
    }
    if (first === undefined) return;
    // A copy: a view would keep the whole chunk alive with the frame.
    const frame = Buffer.from(first);
    const rest = chunk.subarray(offset);
    const socket = pending.socket;
    this.#release(pending);
    const verdict = classifyFirstFrame(frame);
    if (!verdict.ok) {
      this.#destroy(socket, verdict.reason, pending.remote, verdict.detail);
      return;
    }
    const handler = this.#handlers.get(verdict.ufrag);
    if (handler === undefined) {
      this.#destroy(socket, 'unknown-ufrag', pending.remote, `no agent registered ufrag ${verdict.ufrag}`);
      return;
    }
    // Hand over a paused socket with the bytes after the first frame put back.
    socket.pause();
    if (rest.length > 0) socket.unshift(rest);
    this.#stats.routed++;
    debug('shared listener: %s routed to ufrag %s', formatEndpoint(pending.remote), verdict.ufrag);
    this.emit('routed', verdict.ufrag, pending.remote);
    handler(socket, frame);
  }

  /** Stops tracking a pending connection (its listeners and timer). */
  #release(pending: PendingConnection): void {
    clearTimeout(pending.timer);
    this.#pending.delete(pending.socket);
    pending.socket.off('data', pending.onData);
    pending.socket.off('close', pending.onClose);
    pending.socket.off('error', onPendingError);
    pending.decoder.reset();
  }

  #reject(pending: PendingConnection, reason: PassiveRejectReason, detail: string): void {
    if (!this.#pending.has(pending.socket)) return;
    this.#release(pending);
    this.#destroy(pending.socket, reason, pending.remote, detail);
  }

  #destroy(socket: Socket, reason: PassiveRejectReason, remote: Address | undefined, detail: string): void {
    // Unauthenticated junk gets a RST: no TIME_WAIT, no lingering state.
    socket.on('error', onPendingError);
    if (!socket.destroyed) socket.resetAndDestroy();
    this.#count(reason, remote, detail);
  }

  #count(reason: PassiveRejectReason, remote: Address | undefined, detail: string): void {
    this.#stats.rejected[reason]++;
    debug('shared listener: closes %s: %s (%s)', formatEndpoint(remote), reason, detail);
    this.emit('rejected', { reason, remote, detail } satisfies PassiveRejection);
  }
}

function onPendingError(error: Error): void {
  debug('shared listener: pending connection error: %s', error.message);
}
