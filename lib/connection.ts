/**
 * The one contract of a packet connection: every layer of the data path
 * (an RFC 4571 framed TCP connection, a UDP or TURN-relayed route, the
 * selected ICE pair, TLS and DTLS on top of either) implements all of it,
 * so that no layer has to guess what the one below can do.
 *
 * @module
 */
import type { PacketConnectionEvents } from './connection-events.js';

/**
 * Listening to a packet connection's events, typed: `on`, `once`, `off` of
 * `EventEmitter<PacketConnectionEvents>` as the consumer of the contract sees
 * them (an implementation's emitter may have more events).
 */
export interface PacketConnectionListen<R> {
  (event: 'packet', listener: (packet: Buffer) => void): R;
  (event: 'drain', listener: () => void): R;
  (event: 'close', listener: (error?: Error) => void): R;
  (event: 'error', listener: (error: Error) => void): R;
  (event: 'end', listener: () => void): R;
}

/**
 * A packet-oriented connection: the shape shared by an RFC 4571 framed TCP
 * connection, a UDP or relayed route, the selected ICE pair (UDP or TCP) and
 * the secured (TLS/DTLS) connection layered on top of either.
 *
 * Events ({@link PacketConnectionEvents}):
 * - `'packet'` `(packet: Buffer)`: one application packet (a datagram, or one
 *   RFC 4571 frame's payload). Never emitted while nobody listens or while
 *   paused: packets wait in a bounded hold buffer (see each implementation
 *   for what happens beyond its bound);
 * - `'drain'`: `send()` returned `false` earlier and the connection can take
 *   more now;
 * - `'close'` `(error?: Error)`: the connection is gone, after which `send()`
 *   returns `false`, `closed` is `true` and nothing more is delivered;
 * - `'error'` `(error: Error)`: the failure that ends the connection, emitted
 *   only while a listener is attached (never thrown unhandled); `'close'`
 *   follows with the same error.
 *
 * Reading flow control is `pause()`/`resume()` on every implementation: a
 * stream below pushes back on its peer (TCP flow control), a datagram route
 * holds what arrives up to its bound.
 */
export interface PacketConnection {
  /** `'udp'` for datagram pairs, `'tcp'` for RFC 4571 framed streams. */
  readonly transport: 'udp' | 'tcp';
  /** `true` once the connection is closed (`'close'` emitted or about to be): `send()` returns `false`. */
  readonly closed: boolean;
  /** `true` after `pause()` until `resume()`. */
  readonly isPaused: boolean;
  /**
   * Queues one packet. Returns `false` when the caller should wait for
   * `'drain'` before sending more (the packet is still queued, never dropped
   * silently), as `stream.Writable.write` does; `false` without sending once
   * closed.
   */
  send(packet: Uint8Array): boolean;
  /** Stops delivering `'packet'` events (and reading, where the transport can push back) until `resume()`. */
  pause(): void;
  /** Delivers the held packets, in order, and reads again after `pause()`. */
  resume(): void;
  /** Closes the connection; `'close'` is emitted once it is gone. */
  close(): void;
  /** Adds a listener (see {@link PacketConnectionEvents}). */
  readonly on: PacketConnectionListen<PacketConnection>;
  /** Adds a listener called once. */
  readonly once: PacketConnectionListen<PacketConnection>;
  /** Removes a listener. */
  readonly off: PacketConnectionListen<PacketConnection>;
  /** Removes a listener (the same as `off`). */
  readonly removeListener: PacketConnectionListen<PacketConnection>;
  /** Listeners attached to `event`. */
  listenerCount(event: keyof PacketConnectionEvents): number;
}
