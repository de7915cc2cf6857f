import type { EventEmitter } from 'node:events';

/**
 * A packet-oriented connection: the shape shared by an RFC 4571 framed TCP
 * connection, the selected ICE pair (UDP or TCP) and the secured (TLS/DTLS)
 * connection layered on top of either.
 *
 * Events:
 * - `'packet'` `(packet: Buffer)`: one application packet (a datagram, or one
 *   RFC 4571 frame's payload);
 * - `'drain'`: `send()` returned `false` earlier and the connection can take
 *   more now;
 * - `'close'` `(error?: Error)`: the connection is gone, after which `send()`
 *   returns `false` and nothing more is delivered;
 * - `'error'` `(error: Error)`: a fatal error; `'close'` follows.
 */
export interface PacketConnection extends EventEmitter {
  /** `'udp'` for datagram pairs, `'tcp'` for RFC 4571 framed streams. */
  readonly transport: 'udp' | 'tcp';
  /**
   * Queues one packet. Returns `false` when the caller should wait for
   * `'drain'` before sending more (the packet is still queued, never dropped
   * silently), as `stream.Writable.write` does.
   */
  send(packet: Uint8Array): boolean;
  /** Closes the connection; `'close'` is emitted once it is gone. */
  close(): void;
}
