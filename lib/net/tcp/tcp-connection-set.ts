import { connect, type Socket } from 'node:net';
import createDebug from 'debug';
import { FramedConnection, FramingError } from '../../framing/index.js';
import type { Address, ConnectionCommand, ConnectionEvent, PacketInput } from '../../ice/types.js';
import { formatEndpoint, socketLocal, socketRemote } from './socket-address.js';
import { closeReason, connectFailReason } from './socket-errors.js';
import { SmallMap } from '../../small-map.js';
import { isPlainSocket } from './plain-socket.js';

const debug = createDebug('ice-tcp:tcp');

/** Connect timeout when neither the command nor the plugin options give one (the core's default). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** One established TCP connection (connected or accepted), framed. */
export interface TcpConnectionEntry {
  readonly id: string;
  /** The base it belongs to (passive listener, S-O port, active interface). */
  readonly transportId: string;
  readonly framed: FramedConnection;
  readonly local: Address;
  readonly remote: Address;
  /** The core asked for the close: reported as `'local'`. */
  closingLocally: boolean;
  graceTimer?: NodeJS.Timeout;
}

/** What the connection set reports to (the plugin's `TransportHost`). */
export interface TcpConnectionSink {
  onPacket(packet: PacketInput): void;
  onConnection(event: ConnectionEvent): void;
}

/** The connection set's settings (one object for all connections of a plugin). */
export interface TcpConnectionSetOptions {
  /** Largest frame accepted from a peer (RFC 4571, up to 65535). */
  maxFrameSize: number;
  /** Packets a framed connection holds for a paused consumer. */
  maxBufferedPackets: number;
  /**
   * Upper bound of a connect attempt, ms, when set; otherwise the command's
   * own `timeoutMs` rules (10 000 ms when the command has none).
   */
  connectTimeoutMs: number | undefined;
  /** After a local close (FIN), destroy the socket if it is not gone within this, ms. */
  closeGraceMs: number;
}

/** An outstanding connect attempt. */
interface Attempt {
  socket: Socket;
  timer: NodeJS.Timeout;
  fail(reason: 'timeout' | 'error', message: string): void;
}

/**
 * The TCP connections of one plugin: carries out the core's `connect` and
 * `close` commands, wraps every socket (connected or accepted) in a
 * {@link FramedConnection}, and reports frames and connection events
 * (RFC 6544 §7).
 */
export class TcpConnectionSet {
  readonly #sink: TcpConnectionSink;
  readonly #options: TcpConnectionSetOptions;
  /** Prefix of connection ids (unique per plugin). */
  readonly #idPrefix: string;
  /** Most agents keep one connection: no `Map` for it (README "Capacity and speed"). */
  readonly #connections = new SmallMap<string, TcpConnectionEntry>();
  /** Made by the first connect attempt (a passive side makes none). */
  #attempts: Map<string, Attempt> | undefined;
  #nextId = 0;
  #closed = false;

  /** The sink and the options are kept as given (shared, not copied). */
  constructor(sink: TcpConnectionSink, options: TcpConnectionSetOptions, idPrefix: string) {
    this.#sink = sink;
    this.#options = options;
    this.#idPrefix = idPrefix;
  }

  /** Established connections. */
  get size(): number {
    return this.#connections.size;
  }

  /** Connect attempts in progress. */
  get attempts(): number {
    return this.#attempts?.size ?? 0;
  }

  /** The connection with this id. */
  get(id: string): TcpConnectionEntry | undefined {
    return this.#connections.get(id);
  }

  /** Every established connection. */
  entries(): TcpConnectionEntry[] {
    return [...this.#connections.values()];
  }

  /**
   * Opens a connection for a `connect` command from `local` (S-O: its bound
   * port; active: `local.port` 0, an ephemeral port, RFC 6544 §7.1) and
   * reports `'connected'` or `'connect-failed'` (never synchronously).
   */
  connect(command: Extract<ConnectionCommand, { type: 'connect' }>, local: Address): void {
    const { attemptId, remote, transportId } = command;
    const fail = (reason: ReturnType<typeof connectFailReason>, message: string): void => {
      debug('connect %s %s -> %s failed: %s (%s)', attemptId, formatEndpoint(local), formatEndpoint(remote), reason, message);
      this.#report({ type: 'connect-failed', attemptId, reason, message });
    };
    if (this.#attempts?.has(attemptId) === true) {
      debug('connect %s: attempt id already in progress, command ignored', attemptId);
      return;
    }
    const cap = this.#options.connectTimeoutMs ?? Infinity;
    const asked = Number.isFinite(command.timeoutMs) && command.timeoutMs > 0 ? command.timeoutMs : DEFAULT_CONNECT_TIMEOUT_MS;
    const timeoutMs = Math.min(asked, cap, 2 ** 31 - 1);
    let socket: Socket;
    try {
      socket = connect({
        host: remote.address,
        port: remote.port,
        localAddress: local.address,
        localPort: local.port > 0 ? local.port : undefined,
        noDelay: true,
      });
    } catch (error) {
      // Bad port or address: Node throws synchronously.
      process.nextTick(fail, 'error', error instanceof Error ? error.message : String(error));
      return;
    }
    const done = (): boolean => {
      if (this.#attempts?.get(attemptId) !== attempt) return false;
      clearTimeout(attempt.timer);
      this.#attempts.delete(attemptId);
      if (this.#attempts.size === 0) this.#attempts = undefined;
      socket.off('error', onError);
      return true;
    };
    const onError = (error: Error): void => {
      if (!done()) return;
      socket.destroy();
      fail(connectFailReason(error), error.message);
    };
    const attempt: Attempt = {
      socket,
      timer: setTimeout(() => attempt.fail('timeout', `not connected within ${timeoutMs} ms`), timeoutMs),
      fail: (reason, message) => {
        if (!done()) return;
        socket.destroy();
        fail(reason, message);
      },
    };
    (this.#attempts ??= new Map()).set(attemptId, attempt);
    socket.on('error', onError);
    socket.once('connect', () => {
      if (!done()) return;
      const entry = this.adopt(socket, transportId);
      if (entry === undefined) {
        fail('error', 'socket closed as it connected');
        return;
      }
      debug('connect %s: %s connected %s -> %s', attemptId, entry.id, formatEndpoint(entry.local), formatEndpoint(entry.remote));
      this.#report({ type: 'connected', attemptId, connectionId: entry.id, transportId, local: entry.local, remote: entry.remote });
    });
  }

  /** Reports `'connect-failed'` for a command that cannot be carried out (on the next tick). */
  refuse(attemptId: string, message: string): void {
    debug('connect %s refused: %s', attemptId, message);
    process.nextTick(() => this.#report({ type: 'connect-failed', attemptId, reason: 'error', message }));
  }

  /**
   * Wraps a connected or accepted socket in a {@link FramedConnection} whose
   * frames go to `onPacket`. Returns `undefined` (and destroys the socket)
   * when it is already gone.
   */
  adopt(socket: Socket, transportId: string): TcpConnectionEntry | undefined {
    const local = socketLocal(socket);
    const remote = socketRemote(socket);
    if (this.#closed || local === undefined || remote === undefined || socket.destroyed) {
      debug('drops a connection on %s: %s', transportId, this.#closed ? 'plugin closed' : 'socket already gone');
      socket.destroy();
      return undefined;
    }
    const id = `${this.#idPrefix}${++this.#nextId}`;
    const framed = new FramedConnection(socket, {
      maxFrameSize: this.#options.maxFrameSize,
      maxBufferedPackets: this.#options.maxBufferedPackets,
      freesWrittenChunks: isPlainSocket(socket),
    });
    const entry: TcpConnectionEntry = { id, transportId, framed, local, remote, closingLocally: false };
    this.#connections.set(id, entry);
    const sink = this.#sink;
    framed.on('packet', (data: Buffer) => sink.onPacket({ transportId, connectionId: id, from: remote, to: local, data }));
    // No 'error' listener: a FramedConnection's error also comes with its 'close', logged there.
    framed.on('close', (error?: Error) => this.#onClose(entry, error));
    return entry;
  }

  /**
   * Carries out a `close` command: ends our side (FIN) after the queued
   * frames; the socket is destroyed if the peer has not closed within
   * `closeGraceMs`. `'closed'` (reason `'local'`) follows.
   */
  close(connectionId: string, reason: string): void {
    const entry = this.#connections.get(connectionId);
    if (entry === undefined) {
      debug('close %s (%s): no such connection, ignored', connectionId, reason);
      return;
    }
    if (entry.closingLocally) return;
    entry.closingLocally = true;
    debug('close %s %s: %s', connectionId, formatEndpoint(entry.remote), reason);
    entry.framed.close();
    entry.graceTimer = setTimeout(() => entry.framed.destroy(), this.#options.closeGraceMs);
    entry.graceTimer.unref();
  }

  /**
   * Sends one frame on a connection. Returns `false` when the connection
   * is unknown or gone (with a debug line) or under backpressure.
   */
  send(connectionId: string, data: Buffer): boolean {
    const entry = this.#connections.get(connectionId);
    if (entry === undefined) {
      debug('send: no connection %s, %d bytes dropped', connectionId, data.length);
      return false;
    }
    try {
      return entry.framed.send(data);
    } catch (error) {
      if (!(error instanceof FramingError)) throw error;
      debug('send on %s: %s, %d bytes dropped', connectionId, error.message, data.length);
      return false;
    }
  }

  /** Aborts every attempt and destroys every connection, silently; resolves when all sockets are closed. */
  async destroyAll(): Promise<void> {
    this.#closed = true;
    const waits: Promise<void>[] = [];
    const attempts = this.#attempts;
    this.#attempts = undefined;
    for (const attempt of attempts?.values() ?? []) {
      clearTimeout(attempt.timer);
      waits.push(closed(attempt.socket));
      attempt.socket.on('error', () => undefined);
      attempt.socket.destroy();
    }
    for (const entry of this.#connections.values()) {
      clearTimeout(entry.graceTimer);
      waits.push(closed(entry.framed.stream as Socket));
      entry.framed.destroy();
    }
    this.#connections.clear();
    await Promise.all(waits);
  }

  #onClose(entry: TcpConnectionEntry, error: Error | undefined): void {
    clearTimeout(entry.graceTimer);
    if (this.#connections.get(entry.id) !== entry) return;
    this.#connections.delete(entry.id);
    const reason = entry.closingLocally ? 'local' : closeReason(error);
    debug('%s %s closed: %s%s', entry.id, formatEndpoint(entry.remote), reason, error ? ` (${error.message})` : '');
    this.#report(
      error === undefined
        ? { type: 'closed', connectionId: entry.id, reason }
        : { type: 'closed', connectionId: entry.id, reason, message: error.message },
    );
  }

  #report(event: ConnectionEvent): void {
    if (this.#closed) {
      debug('plugin closed: %s event not reported', event.type);
      return;
    }
    this.#sink.onConnection(event);
  }
}

/** Resolves when `socket` has emitted `'close'` (at once if it already has). */
function closed(socket: Socket): Promise<void> {
  if (socket.closed) return Promise.resolve();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}
