// An in-memory PacketConnection pair for the secure-layer tests: packets are
// copied, kept in order and delivered asynchronously (one batch per
// setImmediate); a side channel injects packets (STUN, cleartext) into the
// same ordered stream; every packet sent is recorded.
import { EventEmitter } from 'node:events';
import type { PacketConnection } from '../../lib/connection.js';
import { track } from './tls-helpers.js';

export interface MemoryPairOptions {
  /** Bytes queued towards the peer beyond which send() returns false (default 1 MiB). */
  highWaterMark?: number;
  /** pause() really pauses (default true); `false`: a connection that breaks the contract and keeps delivering. */
  pausable?: boolean;
}

export class MemoryPacketConnection extends EventEmitter implements PacketConnection {
  readonly transport = 'tcp' as const;
  /** Every packet this side sent, in order (copies). */
  readonly sent: Buffer[] = [];
  peer!: MemoryPacketConnection;
  #finished = false;
  /** Called with each packet this side sends (a copy), before it is queued. */
  onSend: ((packet: Buffer) => void) | undefined;
  readonly #hwm: number;
  /** Packets on their way to this side. */
  #inbox: Array<Buffer | 'end'> = [];
  #inboxBytes = 0;
  #scheduled = false;
  #paused = false;
  #wantDrain = false;
  #ending = false;
  readonly #pausable: boolean;

  constructor(hwm: number, pausable: boolean) {
    super();
    this.#hwm = hwm;
    this.#pausable = pausable;
    // Packets wait for a listener, as the contract says.
    this.on('newListener', (event: string | symbol) => {
      if (event === 'packet') this.#schedule();
    });
  }

  /** `true` from close() (or the end of the connection) on. */
  get closed(): boolean {
    return this.#finished || this.#ending;
  }

  get isPaused(): boolean {
    return this.#paused;
  }

  send(packet: Uint8Array): boolean {
    if (this.#finished || this.#ending) return false;
    const copy = Buffer.from(packet);
    this.sent.push(copy);
    this.onSend?.(copy);
    this.peer.inject(copy);
    if (this.peer.#inboxBytes > this.#hwm) {
      this.#wantDrain = true;
      return false;
    }
    return true;
  }

  /** Queues a packet for delivery on this side, in order with the peer's packets. */
  inject(packet: Buffer): void {
    if (this.#finished) return;
    this.#inbox.push(packet);
    this.#inboxBytes += packet.length;
    this.#schedule();
  }

  close(): void {
    if (this.#finished || this.#ending) return;
    this.#ending = true;
    this.peer.#inbox.push('end');
    this.peer.#schedule();
  }

  destroy(error?: Error): void {
    if (this.#finished) return;
    this.#finish(error);
    if (!this.peer.#finished) this.peer.#finish();
  }

  pause(): void {
    this.#paused = this.#pausable;
  }

  resume(): void {
    this.#paused = false;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#deliver();
    });
  }

  #deliver(): void {
    while (this.#inbox.length > 0 && !this.#paused && !this.#finished) {
      if (this.#inbox[0] !== 'end' && this.listenerCount('packet') === 0) break;
      const item = this.#inbox.shift()!;
      if (item === 'end') {
        this.emit('end');
        // Like a socket without allowHalfOpen: our side closes too, then both are gone.
        this.#finish();
        if (!this.peer.#finished) this.peer.#finish();
        return;
      }
      this.#inboxBytes -= item.length;
      this.emit('packet', item);
    }
    if (this.peer.#wantDrain && this.#inboxBytes <= this.peer.#hwm) {
      this.peer.#wantDrain = false;
      this.peer.emit('drain');
    }
  }

  #finish(error?: Error): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#inbox = [];
    this.#inboxBytes = 0;
    if (error && this.listenerCount('error') > 0) this.emit('error', error);
    this.emit('close', error);
  }
}

export function memoryPacketPair(options?: MemoryPairOptions): [MemoryPacketConnection, MemoryPacketConnection] {
  const hwm = options?.highWaterMark ?? 1024 * 1024;
  const pausable = options?.pausable ?? true;
  const a = new MemoryPacketConnection(hwm, pausable);
  const b = new MemoryPacketConnection(hwm, pausable);
  a.peer = b;
  b.peer = a;
  // 'close' comes after `closed` turns true: tests wait on the event (tls-helpers' closed()).
  track(a);
  track(b);
  return [a, b];
}
