/**
 * The selected ICE pair of one component, as a {@link PacketConnection}: the
 * application's view of the session, independent of which pair, transport or
 * TCP connection carries it at the moment.
 */
import { EventEmitter } from 'node:events';
import createDebug from 'debug';
import type { PacketConnection } from '../connection.js';
import type { PairInfo, Route } from '../ice/types.js';
import { IceAgentError } from './errors.js';
import { IceConnectionStream, type IceConnectionStreamOptions } from './ice-connection-stream.js';

const debug = createDebug('ice-tcp:net');

/** Default of {@link IceConnectionOptions.maxQueuedPackets}. */
export const DEFAULT_MAX_QUEUED_PACKETS = 1024;

/** Options of {@link IceConnection}. */
export interface IceConnectionOptions {
  /**
   * Packets held while there is no route (before the first valid pair, during
   * a TCP reconnect or while consent is lost). Beyond this, `send()` drops
   * the packet (with a debug line, counted in `droppedPackets`). Default 1024.
   */
  maxQueuedPackets?: number;
  /** Defaults for {@link IceConnection.stream}. */
  stream?: IceConnectionStreamOptions;
}

/** A packet connection that can stop delivering, as `FramedConnection` can. */
interface PausableConnection extends PacketConnection {
  pause?(): void;
  resume?(): void;
}

/**
 * The selected pair of one component as packets.
 *
 * - `send(packet)` goes to the current route's connection: one datagram on
 *   UDP, one RFC 4571 frame on TCP (with the TCP connection's backpressure:
 *   `false`, then `'drain'`).
 * - The route follows the core: a TCP reconnect or an ICE restart moves it
 *   transparently. While there is no route, packets are queued (bounded by
 *   `maxQueuedPackets`); `send()` returns `false` and `'drain'` follows once
 *   they left on the next route.
 * - `'packet'` carries the application data the core accepted (RFC 8445 §12:
 *   only from valid pairs; STUN never reaches it).
 * - `stream()` is a `stream.Duplex` over the same packets.
 *
 * Events: `'packet' (Buffer)`, `'drain'`, `'route' (Route | null)`,
 * `'close' (error?)`. Closing it closes its agent.
 */
export class IceConnection extends EventEmitter implements PacketConnection {
  /** Component id (1 = RTP or the only component). */
  readonly component: number;
  /** Packets dropped because the queue was full. */
  droppedPackets = 0;
  readonly #maxQueued: number;
  readonly #streamOptions: IceConnectionStreamOptions;
  readonly #onClose: () => void;
  #route: Route | null = null;
  #connection: PausableConnection | undefined;
  #queue: Uint8Array[] = [];
  #needDrain = false;
  #readingPaused = false;
  #closed = false;
  #selectedPair: PairInfo | undefined;
  #stream: IceConnectionStream | undefined;

  /**
   * Made by `IceAgent`; `onClose` is how `close()` reaches the agent.
   *
   * @throws IceAgentError `ERR_AGENT_BAD_OPTION`
   */
  constructor(component: number, options: IceConnectionOptions = {}, onClose: () => void = () => undefined) {
    super();
    const max = options.maxQueuedPackets ?? DEFAULT_MAX_QUEUED_PACKETS;
    if (!Number.isInteger(max) || max < 0) {
      throw new IceAgentError('ERR_AGENT_BAD_OPTION', `maxQueuedPackets must be a non-negative integer, got ${String(max)}`);
    }
    this.component = component;
    this.#maxQueued = max;
    this.#streamOptions = options.stream ?? {};
    this.#onClose = onClose;
  }

  /** The transport of the current route (`'udp'` before there is one). */
  get transport(): 'udp' | 'tcp' {
    return this.#route?.transport ?? this.#connection?.transport ?? 'udp';
  }

  /** Where data goes now, or `null` while nothing may be sent. */
  get route(): Route | null {
    return this.#route;
  }

  /** The selected pair, once there is one. */
  get selectedPair(): PairInfo | undefined {
    return this.#selectedPair;
  }

  /** Packets waiting for a route. */
  get queuedPackets(): number {
    return this.#queue.length;
  }

  /** `true` once closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends one packet (a datagram on UDP, a frame of at most 65535 bytes on
   * TCP). Returns `false` when the caller should wait for `'drain'`: the
   * route pushes back, or there is no route and the packet was queued. After
   * `close()` nothing is sent and `false` is returned.
   */
  send(packet: Uint8Array): boolean {
    if (this.#closed) {
      debug('component %d: drops a %d-byte packet: closed', this.component, packet.length);
      return false;
    }
    const connection = this.#connection;
    if (connection !== undefined && this.#queue.length === 0) {
      if (connection.send(packet)) return true;
      this.#needDrain = true;
      return false;
    }
    if (this.#queue.length >= this.#maxQueued) {
      this.droppedPackets++;
      debug('component %d: drops a %d-byte packet: %d queued without a route', this.component, packet.length, this.#queue.length);
    } else {
      this.#queue.push(packet);
    }
    this.#needDrain = true;
    return false;
  }

  /** Closes the session (the agent and all its sockets); `'close'` follows. */
  close(): void {
    this.#onClose();
  }

  /**
   * A `stream.Duplex` over this connection (the same one on every call): a
   * byte stream cut into packets, with backpressure both ways.
   */
  stream(options?: IceConnectionStreamOptions): IceConnectionStream {
    if (this.#stream === undefined || this.#stream.destroyed) {
      this.#stream = new IceConnectionStream(this, { ...this.#streamOptions, ...options });
    }
    return this.#stream;
  }

  /**
   * Stops reading from the route (TCP: the framed connection is paused, so
   * TCP flow control pushes back on the peer; UDP cannot push back).
   */
  pauseReading(): void {
    if (this.#readingPaused) return;
    this.#readingPaused = true;
    this.#connection?.pause?.();
  }

  /** Reads again after {@link pauseReading}. */
  resumeReading(): void {
    if (!this.#readingPaused) return;
    this.#readingPaused = false;
    this.#connection?.resume?.();
  }

  /** `true` between `pauseReading()` and `resumeReading()`. */
  get readingPaused(): boolean {
    return this.#readingPaused;
  }

  /**
   * Moves the data path (called by the agent on the core's `'route'` event).
   *
   * @internal
   */
  setRoute(route: Route | null, connection: PacketConnection | undefined): void {
    if (this.#closed) return;
    const previous = this.#connection;
    if (previous !== connection) {
      if (previous !== undefined) this.#detach(previous);
      this.#connection = connection as PausableConnection | undefined;
      if (connection !== undefined) this.#attach(connection as PausableConnection);
    }
    this.#route = route;
    debug('component %d: route %s', this.component, route === null ? 'none' : `${route.transport} ${route.transportId} → ${route.remote.address}:${route.remote.port}`);
    this.emit('route', route);
    this.#flush();
  }

  /** @internal the agent saw this component's pair selected. */
  setSelectedPair(pair: PairInfo): void {
    this.#selectedPair = pair;
  }

  /** Delivers one packet of application data (called by the agent). @internal */
  deliver(packet: Buffer): void {
    if (this.#closed) return;
    this.emit('packet', packet);
  }

  /** The agent is closed: drop everything, emit `'close'`. @internal */
  terminate(error?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#connection !== undefined) this.#detach(this.#connection);
    this.#connection = undefined;
    this.#route = null;
    if (this.#queue.length > 0) debug('component %d: drops %d queued packets: closed', this.component, this.#queue.length);
    this.#queue = [];
    this.emit('close', error);
  }

  #attach(connection: PausableConnection): void {
    connection.on('drain', this.#onDrain);
    connection.on('close', this.#onConnectionClose);
    if (this.#readingPaused) connection.pause?.();
  }

  #detach(connection: PausableConnection): void {
    connection.off('drain', this.#onDrain);
    connection.off('close', this.#onConnectionClose);
    // A connection we paused may carry another pair's STUN later: let it read.
    if (this.#readingPaused) connection.resume?.();
  }

  /** Sends the queued packets on the new route, in order. */
  #flush(): void {
    const connection = this.#connection;
    if (connection === undefined || this.#queue.length === 0) {
      if (connection !== undefined && this.#needDrain) this.#emitDrainSoon();
      return;
    }
    const queue = this.#queue;
    this.#queue = [];
    let ok = true;
    for (const packet of queue) ok = connection.send(packet);
    debug('component %d: sent %d queued packets on the new route', this.component, queue.length);
    // With backpressure, 'drain' comes from the connection.
    if (ok) this.#emitDrainSoon();
  }

  #emitDrainSoon(): void {
    if (!this.#needDrain) return;
    process.nextTick(() => {
      if (!this.#needDrain || this.#closed || this.#connection === undefined || this.#queue.length > 0) return;
      this.#needDrain = false;
      this.emit('drain');
    });
  }

  readonly #onDrain = (): void => {
    if (!this.#needDrain || this.#queue.length > 0) return;
    this.#needDrain = false;
    this.emit('drain');
  };

  readonly #onConnectionClose = (): void => {
    // The TCP connection is gone; the core moves the route (reconnect) soon.
    // Until then, packets wait in the queue.
    const connection = this.#connection;
    if (connection === undefined) return;
    this.#detach(connection);
    this.#connection = undefined;
    debug('component %d: the route connection closed; queuing until the next route', this.component);
  };
}
