/**
 * The application data path of a relayed UDP pair: a {@link PacketConnection}
 * whose sends go through the TURN allocation (ChannelData or Send
 * indications, RFC 8656 §11, §12) to one peer.
 *
 * @module
 */
import { EventEmitter } from 'node:events';
import createDebug from 'debug';
import type { PacketConnectionEvents } from '../../connection-events.js';
import type { PacketConnection } from '../../connection.js';
import type { Address } from '../../ice/types.js';
import { IceAgentError } from '../net-errors.js';
import type { TurnAllocation } from './allocation.js';

const debug = createDebug('ice-tcp:turn');

/**
 * Datagrams to one peer through one allocation. Like `UdpRoute` it only
 * sends: what the peer relays back reaches the application through the ICE
 * core and the `IceConnection`, which holds it for a paused reader (bounded;
 * beyond, dropped with a debug line and counted in
 * `IceConnection.droppedIncomingPackets`). `pause()` therefore only records
 * the reader's state: the allocation's socket also carries the TURN
 * refreshes, permissions and the checks of every relayed pair.
 */
export class RelayRoute extends EventEmitter<PacketConnectionEvents> implements PacketConnection {
  /** Always `'udp'`: the relayed leg is UDP (RFC 8656). */
  readonly transport = 'udp' as const;
  /** The peer, as the relay sees it. */
  readonly remote: Address;
  readonly #allocation: TurnAllocation;
  #closed = false;
  #paused = false;
  /** Packets the allocation refused (no allocation any more, or its queue for a permission full). */
  droppedPackets = 0;

  /** A view on `allocation` towards `remote`. */
  constructor(allocation: TurnAllocation, remote: Address) {
    super();
    this.#allocation = allocation;
    this.remote = { address: remote.address, port: remote.port };
  }

  /** `true` after `close()`. */
  get closed(): boolean {
    return this.#closed;
  }

  /** `true` after `pause()` until `resume()`. */
  get isPaused(): boolean {
    return this.#paused;
  }

  /**
   * Relays one packet. Returns `false` only once closed (nothing sent). A
   * packet the allocation refuses (it is gone, or too many wait for a
   * permission) is lost as the network would lose a datagram: `true` all the
   * same, since no `'drain'` would ever follow a `false`, with a debug line,
   * the TURN client's warning and a count in `droppedPackets`.
   *
   * @throws IceAgentError `ERR_CONNECTION_BAD_PACKET` for anything but a `Uint8Array`
   */
  send(packet: Uint8Array): boolean {
    if (!(packet instanceof Uint8Array)) throw new IceAgentError('ERR_CONNECTION_BAD_PACKET', 'a datagram must be a Uint8Array');
    if (this.#closed) {
      debug('drops a %d-byte packet to %s:%d: the relayed route is closed', packet.length, this.remote.address, this.remote.port);
      return false;
    }
    if (!this.#allocation.send(this.remote, Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength))) {
      this.droppedPackets++;
      debug('the allocation drops a %d-byte packet to %s:%d', packet.length, this.remote.address, this.remote.port);
    }
    return true;
  }

  /** Records that the reader is paused (see the class: nothing is emitted here to hold). */
  pause(): void {
    this.#paused = true;
  }

  /** Ends {@link pause}. */
  resume(): void {
    this.#paused = false;
  }

  /** Detaches the view (the allocation stays) and emits `'close'`. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    process.nextTick(() => this.emit('close'));
  }
}
