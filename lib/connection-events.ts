/**
 * The events every packet connection emits (see {@link PacketConnection}),
 * as a map from event name to listener arguments for `EventEmitter<Events>`.
 * Emitters with more events extend it.
 *
 * @module
 */
import type { ListenerEvents } from './emitter-events.js';

/** Events of a packet connection. */
export interface PacketConnectionEvents extends ListenerEvents {
  /** One application packet (a datagram, or one RFC 4571 frame's payload). */
  packet: [packet: Buffer];
  /** `send()` returned `false` earlier and the connection can take more now. */
  drain: [];
  /** The connection is gone; `error` is what ended it, if anything did. */
  close: [error?: Error];
  /**
   * The failure that is ending the connection, emitted only while a listener
   * is attached (never thrown unhandled); the same error comes with `'close'`.
   */
  error: [error: Error];
  /**
   * The peer ended its side cleanly (after every packet before it). Only a
   * connection over something that has an end emits it (an RFC 4571 stream,
   * TLS, DTLS on close_notify); a datagram route never does.
   */
  end: [];
}
