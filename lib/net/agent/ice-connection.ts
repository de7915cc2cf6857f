/**
 * The selected ICE pair of one component, as a {@link PacketConnection}: the
 * application's view of the session, independent of which pair, transport or
 * TCP connection carries it at the moment.
 */
import { EventEmitter } from 'node:events';
import createDebug from 'debug';
import type { PacketConnection } from '../../connection.js';
import type { PairInfo, Route } from '../../ice/types.js';
import { IceAgentError } from '../net-errors.js';
import { pathOf, type RoutePath } from './route-path.js';
import type { IceConnectionEvents } from './agent-events.js';
import type { PacketStream, PacketStreamOptions } from '../../packet-stream/packet-stream.js';
import { createIceConnectionStream } from './ice-connection-stream.js';
import { HoldBuffer } from '../../hold-buffer.js';
import type { PacketTap } from '../../framing/framed-connection.js';
import { isStun } from '../../stun/index.js';

const debug = createDebug('ice-tcp:net');

/** Default of {@link IceConnectionOptions.maxQueuedPackets}. */
export const DEFAULT_MAX_QUEUED_PACKETS = 1024;

/** Default of {@link IceConnectionOptions.maxHeldBytes}. */
export const DEFAULT_MAX_HELD_BYTES = 4 * 1024 * 1024;

/** Largest packet `send()` takes: an RFC 4571 frame's LENGTH is 16 bits (RFC 4571 §2). */
export const MAX_ICE_PACKET_SIZE = 65535;

/** Options of {@link IceConnection}. */
export interface IceConnectionOptions {
  /**
   * Bound of each of the two queues, in packets (default 1024):
   * - outgoing: packets sent while no connection may carry them (before the
   *   first valid pair, during a TCP reconnect or a route switch, while
   *   consent is lost). Beyond it `send()` drops the packet: it returns
   *   `false` and `'drop'` is emitted with an `ERR_CONNECTION_QUEUE_FULL`
   *   error (and a debug line);
   * - incoming: packets that arrive while nobody listens to `'packet'` or
   *   while reading is paused (UDP cannot push back). Beyond it the packet
   *   is dropped with a debug line, counted in `droppedIncomingPackets`.
   */
  maxQueuedPackets?: number;
  /**
   * Bound of the incoming queue in bytes (default 4 MiB, at least 65535):
   * beyond it, as beyond `maxQueuedPackets`, an incoming packet is dropped
   * with a debug line and counted in `droppedIncomingPackets`.
   */
  maxHeldBytes?: number;
  /** Defaults for {@link IceConnection.stream}. */
  stream?: PacketStreamOptions;
}

/** A route connection that can hand its application data straight to us (a framed TCP connection). */
interface TappableConnection extends PacketConnection {
  setPacketTap(tap: PacketTap | undefined): void;
}

function rethrow(error: unknown): never {
  throw error;
}

function isTappable(connection: PacketConnection): connection is TappableConnection {
  return typeof (connection as Partial<TappableConnection>).setPacketTap === 'function';
}

/** What {@link IceConnection} listens to on a route connection. */
interface ConnectionListeners {
  drain: () => void;
}

/**
 * The selected pair of one component as packets.
 *
 * - `send(packet)` goes to the current route's connection: one datagram on
 *   UDP, one RFC 4571 frame on TCP (with the TCP connection's backpressure:
 *   `false`, then `'drain'`).
 * - The route follows the core: a TCP reconnect, a switch to another pair or
 *   an ICE restart moves it transparently (`setRoute`, in the same pass of
 *   the core, before `'selected-pair'` reaches the application). That a
 *   route connection died is learnt one way, through the contract: its
 *   `closed` is `true` from the moment it takes no more packets (closed by
 *   the core, reset, ended), and it is checked before every use. From then
 *   until the next route, packets are queued (bounded by
 *   `maxQueuedPackets`); `send()` returns `false` and `'drain'` follows once
 *   they left on the next route.
 * - `'packet'` carries the application data the core accepted (RFC 8445 §12:
 *   only from valid pairs; STUN never reaches it); the current route's data
 *   comes straight from its connection, without the trip through the core
 *   (see `takePacket`), where the core would find it valid. Packets that arrive while
 *   nobody listens, or while reading is paused, are held (bounded) and
 *   delivered in order to the next listener.
 * - `stream()` is a `stream.Duplex` over the same packets.
 *
 * What is guaranteed, and what is not:
 * - No duplicates: a packet is handed to at most one connection, once; we
 *   never retransmit.
 * - In order per connection: packets leave in the order of `send()` calls
 *   (queued ones before later ones) and, on TCP, arrive in that order on
 *   each connection. Across a route change, packets of the old and the new
 *   route may arrive interleaved (UDP may also reorder and lose).
 * - Nothing is dropped by this layer silently: every packet it drops comes
 *   with a debug line (`ice-tcp:net`) and either a `false` return with a
 *   `'drop'` event (outgoing queue full), a `false` return after `close()`,
 *   or a count in `droppedIncomingPackets`.
 * - Not guaranteed: delivery. A packet already written into a TCP
 *   connection that is then reset is lost with that connection: TCP cannot
 *   tell which bytes the peer read, so nothing is sent again on the next
 *   connection. A UDP datagram may be lost by the network. An application
 *   that needs reliability across reconnects must add its own
 *   acknowledgements (and retransmit what was not acknowledged).
 * - A packet that is a well-formed STUN message is taken by the peer's ICE
 *   agent and not delivered (RFC 7983 demultiplexing); `stream()` re-cuts
 *   such pieces (RFC 6544 §10.1).
 *
 * Events: `'packet' (Buffer)`, `'drain'`, `'route' (Route | null)`,
 * `'drop' (error: IceAgentError, packet: Uint8Array)`, `'error' (error)`
 * (only while listened to: the error that closes it, before `'close'`),
 * `'close' (error?)`. Closing it closes its agent.
 */
export class IceConnection extends EventEmitter<IceConnectionEvents> implements PacketConnection, PacketTap {
  /** Component id (1 = RTP or the only component). */
  readonly component: number;
  /** Outgoing packets dropped because the queue was full. */
  droppedPackets = 0;
  /** Incoming packets dropped because too many waited for a listener or a paused reader. */
  droppedIncomingPackets = 0;
  /**
   * How sends reach the core (runtime.ts `SendNotice`; RFC 7675 §5.1:
   * consent follows application data). Set by the agent. @internal
   */
  sendNotice: { armed: boolean; fire(): void } | undefined;
  readonly #maxQueued: number;
  readonly #streamOptions: PacketStreamOptions;
  readonly #onClose: () => void;
  #route: Route | null = null;
  #lastTransport: 'udp' | 'tcp' = 'udp';
  #connection: PacketConnection | undefined;
  #queue: Uint8Array[] = [];
  readonly #incoming: HoldBuffer;
  #needDrain = false;
  #readingPaused = false;
  #flushScheduled = false;
  /** `close()` was called: the agent is closing. */
  #closing = false;
  #closed = false;
  #selectedPair: PairInfo | undefined;
  #stream: PacketStream | undefined;
  /** The listeners put on each attached route connection (at most the current one). */
  readonly #listeners = new Map<PacketConnection, ConnectionListeners>();
  /** The route connection whose application data comes straight to us (see {@link takePacket}). */
  #tapped: TappableConnection | undefined;

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
    const maxBytes = options.maxHeldBytes ?? DEFAULT_MAX_HELD_BYTES;
    if (!Number.isInteger(maxBytes) || maxBytes < MAX_ICE_PACKET_SIZE) {
      throw new IceAgentError('ERR_AGENT_BAD_OPTION', `maxHeldBytes must be an integer >= ${MAX_ICE_PACKET_SIZE}, got ${String(maxBytes)}`);
    }
    this.component = component;
    this.#maxQueued = max;
    this.#streamOptions = options.stream ?? {};
    this.#onClose = onClose;
    this.#incoming = new HoldBuffer({ maxPackets: max, maxBytes });
    this.on('newListener', (event: string | symbol) => {
      if (event === 'packet') this.#flushIncomingSoon();
    });
  }

  /**
   * The transport of the current route, or of the last one while there is
   * none (e.g. while stale consent is regained on an idle pair); `'udp'`
   * before the first.
   */
  get transport(): 'udp' | 'tcp' {
    return this.#route?.transport ?? this.#connection?.transport ?? this.#lastTransport;
  }

  /**
   * The core's current data route, or `null` while nothing may be sent. Its
   * connection may already be closing (the core closed it and a new route
   * is coming): packets are queued then.
   */
  get route(): Route | null {
    return this.#route;
  }

  /**
   * The 5-tuple the current route's connection uses (real socket addresses,
   * e.g. an active TCP candidate's source port), or undefined without one.
   */
  get path(): RoutePath | undefined {
    return this.#route === null ? undefined : pathOf(this.#connection);
  }

  /** The selected pair, once there is one. */
  get selectedPair(): PairInfo | undefined {
    return this.#selectedPair;
  }

  /** Outgoing packets waiting for a route. */
  get queuedPackets(): number {
    return this.#queue.length;
  }

  /** Incoming packets waiting for a `'packet'` listener or for `resume()`. */
  get heldPackets(): number {
    return this.#incoming.size;
  }

  /** `true` once `close()` was called or the agent closed: `send()` takes nothing more. */
  get closed(): boolean {
    return this.#closed || this.#closing;
  }

  /**
   * Sends one packet (a datagram on UDP, a frame on TCP). Returns `false`
   * when the caller should wait for `'drain'`: the route pushes back, or
   * there is no usable route and the packet was queued. Returns `false` and
   * drops the packet when the queue is full (`'drop'` says so) or after
   * `close()`. The bytes must not change until the packet has left (it may
   * wait in the queue).
   *
   * @throws IceAgentError `ERR_CONNECTION_BAD_PACKET`: not a `Uint8Array`,
   *   empty (an empty packet reaches no one: the peer's agent drops it), or
   *   over 65535 bytes (RFC 4571 §2; on UDP the kernel's limit, 65507 bytes
   *   over IPv4, is lower still)
   */
  send(packet: Uint8Array): boolean {
    if (!(packet instanceof Uint8Array) || packet.length === 0 || packet.length > MAX_ICE_PACKET_SIZE) {
      throw new IceAgentError(
        'ERR_CONNECTION_BAD_PACKET',
        packet instanceof Uint8Array
          ? `a packet must have 1..${MAX_ICE_PACKET_SIZE} bytes, got ${packet.length}`
          : 'a packet must be a Uint8Array',
      );
    }
    if (this.#closed || this.#closing) {
      debug('component %d: drops a %d-byte packet: closed', this.component, packet.length);
      return false;
    }
    const notice = this.sendNotice;
    if (notice !== undefined && notice.armed) notice.fire();
    const connection = this.#connection;
    if (connection !== undefined && this.#queue.length === 0) {
      if (!connection.closed) {
        if (connection.send(packet)) return true;
        this.#needDrain = true;
        return false;
      }
      this.#dropConnection('it is closed');
    }
    this.#needDrain = true;
    if (this.#queue.length < this.#maxQueued) {
      this.#queue.push(packet);
      return false;
    }
    this.droppedPackets++;
    debug('component %d: drops a %d-byte packet: %d queued without a route', this.component, packet.length, this.#queue.length);
    this.emit(
      'drop',
      new IceAgentError('ERR_CONNECTION_QUEUE_FULL', `${this.#queue.length} packets already wait for a route (maxQueuedPackets)`),
      packet,
    );
    return false;
  }

  /** Closes the session (the agent and all its sockets); `'close'` follows. */
  close(): void {
    if (this.#closed) return;
    this.#closing = true;
    this.#onClose();
  }

  /**
   * A `stream.Duplex` over this connection (the same one on every call): a
   * byte stream cut into packets, with backpressure both ways.
   */
  stream(options?: PacketStreamOptions): PacketStream {
    if (this.#stream === undefined || this.#stream.destroyed) {
      this.#stream = createIceConnectionStream(this, { ...this.#streamOptions, ...options });
    }
    return this.#stream;
  }

  /**
   * Stops delivering packets (they are held, up to `maxQueuedPackets`) and
   * stops reading from the route: on TCP the framed connection is paused, so
   * TCP flow control pushes back on the peer; UDP cannot push back, so
   * datagrams beyond the bound are dropped (with a debug line), as a full
   * socket buffer would. On TCP the peer's ICE checks arrive on the same
   * connection and are not read either: pausing for longer than the consent
   * expiry (30 s, RFC 7675 §5.1) loses the session.
   */
  pause(): void {
    if (this.#readingPaused) return;
    this.#readingPaused = true;
    this.#connection?.pause();
  }

  /** Delivers the held packets (now, in order) and reads again after {@link pause}. */
  resume(): void {
    if (!this.#readingPaused) return;
    this.#readingPaused = false;
    this.#flushIncoming();
    if (!this.#readingPaused) this.#connection?.resume();
  }

  /** `true` between `pause()` and `resume()`. */
  get isPaused(): boolean {
    return this.#readingPaused;
  }

  /**
   * Moves the data path (called by the agent on the core's `'route'` event).
   * `connection` is `undefined` when no connection may carry the route now.
   *
   * @internal
   */
  setRoute(route: Route | null, connection: PacketConnection | undefined): void {
    if (this.#closed) return;
    if (this.#connection !== connection) {
      if (this.#connection !== undefined) this.#detach(this.#connection);
      this.#connection = connection;
      if (connection !== undefined) this.#attach(connection);
    }
    this.#route = route;
    if (route !== null) this.#lastTransport = route.transport;
    this.#setTap(route === null ? undefined : connection);
    debug(
      'component %d: route %s',
      this.component,
      route === null ? 'none' : `${route.transport} ${route.transportId} → ${route.remote.address}:${route.remote.port}`,
    );
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
    if (this.#incoming.size === 0 && this.#readerReady()) {
      this.emit('packet', packet);
      return;
    }
    // A copy: a TCP packet is a view into a whole chunk, which it would keep alive.
    if (this.#incoming.offer(Buffer.from(packet))) return;
    // UDP cannot push back; on TCP the route connection is paused with us,
    // but what it had read already still comes: drop, as a full socket buffer would.
    this.droppedIncomingPackets++;
    const why = this.#readingPaused ? 'reading paused' : 'no packet listener';
    debug(
      'component %d: drops an incoming %d-byte packet: %d packets (%d bytes) held (%s)',
      this.component,
      packet.length,
      this.#incoming.size,
      this.#incoming.bytes,
      why,
    );
  }

  /** The agent is closed: drop everything, emit `'close'`. @internal */
  terminate(error?: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing = false;
    if (this.#connection !== undefined) this.#detach(this.#connection);
    this.#connection = undefined;
    this.#route = null;
    if (this.#queue.length > 0) debug('component %d: drops %d queued packets: closed', this.component, this.#queue.length);
    const unread = this.#incoming.clear();
    if (unread > 0) debug('component %d: drops %d received packets nobody read: closed', this.component, unread);
    this.#queue = [];
    if (error !== undefined && this.listenerCount('error') > 0) this.emit('error', error);
    this.emit('close', error);
  }

  #readerReady(): boolean {
    return !this.#closed && !this.#readingPaused && this.listenerCount('packet') > 0;
  }

  /** Delivers held packets, in order, while the reader takes them. */
  #flushIncoming(): void {
    this.#incoming.drain(
      () => this.#readerReady(),
      (packet) => this.emit('packet', packet),
    );
  }

  /** `#flushIncoming` on the next tick (a listener being added is not attached yet). */
  #flushIncomingSoon(): void {
    if (this.#flushScheduled || this.#incoming.size === 0) return;
    this.#flushScheduled = true;
    process.nextTick(() => {
      this.#flushScheduled = false;
      this.#flushIncoming();
    });
  }

  #attach(connection: PacketConnection): void {
    // A listener bound to this connection: a late 'drain' of a connection we
    // already left must not act on the one that replaced it. Node's `emit`
    // calls the listeners it had when the event started, so one detached
    // during that very event still runs: it checks identity.
    const listeners: ConnectionListeners = {
      drain: () => {
        if (this.#connection === connection) this.#onDrain();
      },
    };
    this.#listeners.set(connection, listeners);
    connection.on('drain', listeners.drain);
    if (this.#readingPaused) connection.pause();
  }

  #detach(connection: PacketConnection): void {
    if (this.#tapped === connection) this.#setTap(undefined);
    const listeners = this.#listeners.get(connection);
    if (listeners !== undefined) {
      this.#listeners.delete(connection);
      connection.off('drain', listeners.drain);
    }
    // A connection we paused may carry another pair's STUN later: let it read.
    if (this.#readingPaused) connection.resume();
  }

  /**
   * Takes the application data of the current route's connection straight
   * from its frames, before they go the long way (the transport plugin, the
   * runtime, the core's classification, the agent): one call per packet
   * instead of a dozen. Only the connection of a route the core announced
   * is tapped, and the tap is removed in the same pass of the core that
   * moves or drops the route (consent lost, connection closed, agent
   * closed), so it takes only what the core would classify as data from
   * that valid pair (RFC 8445 §12).
   *
   * What may be STUN still goes to the core (RFC 7983 §7: a first byte of
   * 0-3; RFC 8489 §6.3 / RFC 6544 §10.1: and the header checks of
   * `isStun`): checks, responses, consent. A packet starting with 0-3 that
   * fails those checks is data from this pair, as the core would find.
   *
   * As on the long way (runtime.ts), an exception from a `'packet'`
   * listener surfaces on its own tick, after the rest of the chunk.
   * Returns whether it took the packet.
   *
   * @internal
   */
  takePacket(packet: Buffer): boolean {
    if (packet.length === 0 || (packet[0] < 4 && isStun(packet))) return false;
    try {
      this.deliver(packet);
    } catch (error) {
      process.nextTick(rethrow, error);
    }
    return true;
  }

  #setTap(connection: PacketConnection | undefined): void {
    const next = connection !== undefined && isTappable(connection) ? connection : undefined;
    if (this.#tapped === next) return;
    this.#tapped?.setPacketTap(undefined);
    this.#tapped = next;
    next?.setPacketTap(this);
  }

  /** Stops using the current connection (the route stays); sends queue until the next route. */
  #dropConnection(why: string): void {
    const connection = this.#connection;
    if (connection === undefined) return;
    this.#detach(connection);
    this.#connection = undefined;
    debug('component %d: leaves the route connection (%s); queuing until the next route', this.component, why);
  }

  /** Sends the queued packets on the new route, in order. */
  #flush(): void {
    const connection = this.#connection;
    if (connection === undefined) return;
    if (this.#queue.length === 0) {
      if (this.#needDrain) this.#emitDrainSoon();
      return;
    }
    if (connection.closed) {
      this.#dropConnection('it is closed');
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

  #onDrain(): void {
    if (!this.#needDrain || this.#queue.length > 0) return;
    this.#needDrain = false;
    this.emit('drain');
  }
}
