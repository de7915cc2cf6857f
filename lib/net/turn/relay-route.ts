/**
 * The application data path of a relayed UDP pair: a {@link PacketConnection}
 * whose sends go through the TURN allocation (ChannelData or Send
 * indications, RFC 8656 §11, §12) to one peer.
 *
 * @module
 */
import { EventEmitter } from 'node:events';
import type { PacketConnection } from '../../connection.js';
import type { Address } from '../../ice/types.js';
import { IceAgentError } from '../net-errors.js';
import type { TurnAllocation } from './allocation.js';

/** Datagrams to one peer through one allocation. */
export class RelayRoute extends EventEmitter implements PacketConnection {
  readonly transport = 'udp' as const;
  readonly remote: Address;
  readonly #allocation: TurnAllocation;
  #closed = false;

  constructor(allocation: TurnAllocation, remote: Address) {
    super();
    this.#allocation = allocation;
    this.remote = { address: remote.address, port: remote.port };
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Relays one packet; `false` when it was dropped (closed, no permission possible). */
  send(packet: Uint8Array): boolean {
    if (!(packet instanceof Uint8Array)) throw new IceAgentError('ERR_CONNECTION_BAD_PACKET', 'a datagram must be a Uint8Array');
    if (this.#closed) return false;
    return this.#allocation.send(this.remote, Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength));
  }

  pause(): void {}

  resume(): void {}

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    process.nextTick(() => this.emit('close'));
  }
}
