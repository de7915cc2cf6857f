// An in-memory PacketConnection for tests: the whole contract, nothing else.
// It records what is sent, counts pause()/resume(), and `deliver()` plays the
// peer (held while paused or while nobody listens, as the contract says).
import { EventEmitter } from 'node:events';
import type { PacketConnectionEvents } from '../lib/connection-events.js';
import type { PacketConnection } from '../lib/connection.js';

export class MemoryConnection extends EventEmitter<PacketConnectionEvents> implements PacketConnection {
  readonly transport: 'udp' | 'tcp';
  /** Every packet given to send(), as given (no copy: a test can catch reuse). */
  readonly sent: Buffer[] = [];
  /** What send() returns while open. */
  accept = true;
  /** pause() and resume() calls that changed the state. */
  paused = 0;
  resumed = 0;
  #isPaused = false;
  #closed = false;
  readonly #held: Buffer[] = [];

  constructor(transport: 'udp' | 'tcp' = 'udp') {
    super();
    this.transport = transport;
    this.on('newListener', (event) => {
      if (event === 'packet') process.nextTick(() => this.#flush());
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  get isPaused(): boolean {
    return this.#isPaused;
  }

  send(packet: Uint8Array): boolean {
    if (this.#closed) return false;
    this.sent.push(packet as Buffer);
    return this.accept;
  }

  pause(): void {
    if (this.#isPaused) return;
    this.#isPaused = true;
    this.paused++;
  }

  resume(): void {
    if (!this.#isPaused) return;
    this.#isPaused = false;
    this.resumed++;
    this.#flush();
  }

  #flush(): void {
    while (!this.#isPaused && this.#held.length > 0 && this.listenerCount('packet') > 0) this.emit('packet', this.#held.shift()!);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    process.nextTick(() => this.emit('close'));
  }

  /** A packet from the peer. */
  deliver(packet: Buffer): void {
    if (this.#closed) return;
    if (this.#isPaused || this.listenerCount('packet') === 0 || this.#held.length > 0) this.#held.push(packet);
    else this.emit('packet', packet);
  }
}
