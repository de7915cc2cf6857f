/**
 * The application data path of a UDP pair: a {@link PacketConnection} bound to
 * one of the agent's UDP sockets and one remote address. It only sends:
 * received datagrams reach the application through the `IceConnection`,
 * which holds them for a paused reader: those of the selected route straight
 * from the socket through its tap (STUN excepted), the others through the
 * ICE core, which tells STUN from data (RFC 7983) and checks they come from
 * a valid pair.
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:dgram';
import createDebug from 'debug';
import type { PacketConnectionEvents } from '../../connection-events.js';
import type { PacketConnection } from '../../connection.js';
import type { Address } from '../../ice/types.js';
import type { PacketTap } from '../../framing/framed-connection.js';
import { IceAgentError } from '../net-errors.js';

const debug = createDebug('ice-tcp:udp');

/** Default of the send high-water mark: bytes waiting in the socket's send queue. */
export const DEFAULT_UDP_SEND_HIGH_WATER_MARK = 256 * 1024;

/** Where a transport keeps the route of a socket whose datagrams go to a tap first (one per socket). */
export interface UdpTapHolder {
  tapped: UdpRoute | undefined;
}

/**
 * Datagrams to one remote address over one socket.
 *
 * `send()` returns `false` once more than `highWaterMark` bytes wait in the
 * socket's send queue (the kernel could not take them at once); `'drain'`
 * follows when the queue is empty. UDP gives no delivery guarantee: a
 * datagram the network or the peer's receive buffer drops is lost.
 * `close()` detaches the view; the socket belongs to the transport.
 */
export class UdpRoute extends EventEmitter<PacketConnectionEvents> implements PacketConnection {
  /** Always `'udp'`. */
  readonly transport = 'udp' as const;
  /** Where datagrams go. */
  readonly remote: Address;
  readonly #socket: Socket;
  readonly #highWaterMark: number;
  #needDrain = false;
  #closed = false;
  #paused = false;
  #tap: PacketTap | undefined;
  readonly #tapHolder: UdpTapHolder | undefined;

  /**
   * A view on `socket` (owned by the transport) towards `remote`, pushing
   * back above `highWaterMark` queued bytes. `tapHolder` is where the
   * transport looks for the tapped route of the socket ({@link setPacketTap}).
   */
  constructor(socket: Socket, remote: Address, highWaterMark = DEFAULT_UDP_SEND_HIGH_WATER_MARK, tapHolder?: UdpTapHolder) {
    super();
    this.#socket = socket;
    this.remote = { address: remote.address, port: remote.port };
    this.#highWaterMark = highWaterMark;
    this.#tapHolder = tapHolder;
  }

  /** The tap set by {@link setPacketTap}, if any. */
  get tap(): PacketTap | undefined {
    return this.#tap;
  }

  /**
   * Asks the transport to hand the datagrams from `remote` on this socket
   * to `tap` first (the IceConnection of the selected route: application
   * data straight from the socket, STUN left to the core); the datagrams
   * the tap does not take go the usual way. `undefined` removes it.
   *
   * @internal
   */
  setPacketTap(tap: PacketTap | undefined): void {
    this.#tap = tap;
    const holder = this.#tapHolder;
    if (holder === undefined) return;
    if (tap !== undefined) holder.tapped = this;
    else if (holder.tapped === this) holder.tapped = undefined;
  }

  /** The socket's own address, or undefined once it is closed. */
  get local(): Address | undefined {
    try {
      const a = this.#socket.address();
      return { address: a.address, port: a.port };
    } catch {
      return undefined; // not bound any more
    }
  }

  /** `true` after `close()` (or once the socket is gone). */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends one datagram. The bytes must not be changed until the datagram has
   * left (as with `dgram.Socket.send`). Returns `false` on backpressure (the
   * datagram is still queued) and once closed (nothing is sent, debug line).
   * A datagram the kernel refuses later (over 65507 bytes on IPv4) is lost
   * with a debug line.
   *
   * @throws IceAgentError `ERR_CONNECTION_BAD_PACKET` for anything but a
   *   `Uint8Array` (the route stays usable)
   */
  send(packet: Uint8Array): boolean {
    if (!(packet instanceof Uint8Array)) throw new IceAgentError('ERR_CONNECTION_BAD_PACKET', 'a datagram must be a Uint8Array');
    if (this.#closed) {
      debug('drops a %d-byte datagram to %s:%d: the route is closed', packet.length, this.remote.address, this.remote.port);
      return false;
    }
    const socket = this.#socket;
    let queued: number;
    try {
      // A send callback costs a request object and a callback per datagram:
      // only ask for one when the socket already queues (its completion
      // tells when the queue drained) or when failures are being logged.
      // Without one, libuv tries the send at once (uv_udp_try_send).
      queued = socket.getSendQueueSize();
      if (debug.enabled || this.#needDrain || queued > 0) {
        socket.send(packet, this.remote.port, this.remote.address, this.#onSent);
      } else {
        socket.send(packet, this.remote.port, this.remote.address);
      }
    } catch (error) {
      // The socket closed under us (the agent is closing).
      debug('drops a %d-byte datagram: %s', packet.length, (error as Error).message);
      this.close();
      return false;
    }
    // The queue after the send is at most what it was plus this datagram: one
    // look at the queue per datagram, not two. Only a queue that was not empty
    // can pass the mark; its send carried a callback, which emits 'drain'.
    if (queued > 0 && queued + packet.length > this.#highWaterMark && this.#queuedBytes() > this.#highWaterMark) {
      this.#needDrain = true;
      return false;
    }
    return true;
  }

  /** `true` after `pause()` until `resume()`. */
  get isPaused(): boolean {
    return this.#paused;
  }

  /**
   * Records that the reader is paused. A route never emits `'packet'` (see
   * the class), so there is nothing to hold here, and the socket is not
   * paused: it is shared by every pair of its transport and carries their
   * STUN checks and consent (RFC 7675), which must keep flowing. UDP cannot
   * push back on the peer in any case. The reader's data waits in the
   * `IceConnection`'s bounded hold buffer instead; what arrives beyond its
   * bound is dropped there, as a full socket buffer would, with a debug line
   * and a count in `IceConnection.droppedIncomingPackets`.
   */
  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    debug('reader paused for %s:%d: the shared socket keeps reading (STUN, consent)', this.remote.address, this.remote.port);
  }

  /** Ends {@link pause}. */
  resume(): void {
    this.#paused = false;
  }

  /** Detaches the view (the socket stays open) and emits `'close'`. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#tap !== undefined) this.setPacketTap(undefined);
    process.nextTick(() => this.emit('close'));
  }

  #queuedBytes(): number {
    try {
      return this.#socket.getSendQueueSize();
    } catch {
      return 0; // closed socket: nothing is queued
    }
  }

  readonly #onSent = (error: Error | null): void => {
    if (error) debug('send to %s:%d failed: %s', this.remote.address, this.remote.port, error.message);
    if (this.#needDrain && !this.#closed && this.#queuedBytes() === 0) {
      this.#needDrain = false;
      this.emit('drain');
    }
  };
}
