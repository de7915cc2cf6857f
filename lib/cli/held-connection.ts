/**
 * A packet connection that holds what arrives until its reader is ready.
 *
 * The peer may start TLS (its ClientHello) the instant its side selects the
 * pair, before ours has noticed the selection and attached TLS: on a TCP
 * pair that first flight is never sent again, so it must not be lost. This
 * wrapper listens to the ICE connection from the start and replays the
 * held packets, in order, when {@link release} is called.
 */
import { EventEmitter } from 'node:events';
import createDebug from 'debug';
import type { PacketConnection } from '../connection.js';

const debug = createDebug('ice-tcp:cli');

/** The ICE connection's extras this wrapper uses when present. */
interface ReadableConnection extends PacketConnection {
  pauseReading?(): void;
  resumeReading?(): void;
}

/** Held packets before the oldest is dropped (with a debug line). */
export const MAX_HELD_PACKETS = 256;

/**
 * Wraps a {@link PacketConnection}: `'packet'` events are held until
 * {@link release}, everything else passes through. `pause()`/`resume()`
 * map to the ICE connection's `pauseReading()`/`resumeReading()`, so that a
 * reader above (TLS) can push back on a TCP pair.
 */
export class HeldPacketConnection extends EventEmitter implements PacketConnection {
  readonly #inner: ReadableConnection;
  #held: Buffer[] | undefined = [];
  /** Packets dropped because too many were held. */
  droppedPackets = 0;

  constructor(inner: PacketConnection) {
    super();
    this.#inner = inner;
    inner.on('packet', (packet: Buffer) => {
      if (this.#held === undefined) {
        this.emit('packet', packet);
      } else if (this.#held.length < MAX_HELD_PACKETS) {
        this.#held.push(packet);
      } else {
        this.droppedPackets++;
        debug('drops a %d-byte packet: %d held before the reader is ready', packet.length, MAX_HELD_PACKETS);
      }
    });
    for (const event of ['drain', 'end', 'close', 'error']) {
      inner.on(event, (...args: unknown[]) => {
        if (event !== 'error' || this.listenerCount('error') > 0) this.emit(event, ...args);
      });
    }
  }

  /** The transport of the pair underneath. */
  get transport(): 'udp' | 'tcp' {
    return this.#inner.transport;
  }

  /** Delivers the held packets now (in order), and every later one as it comes. */
  release(): void {
    const held = this.#held;
    this.#held = undefined;
    if (held !== undefined && held.length > 0) debug('replays %d packets that came before the reader', held.length);
    for (const packet of held ?? []) this.emit('packet', packet);
  }

  send(packet: Uint8Array): boolean {
    return this.#inner.send(packet);
  }

  close(): void {
    this.#inner.close();
  }

  pause(): void {
    this.#inner.pauseReading?.();
  }

  resume(): void {
    this.#inner.resumeReading?.();
  }
}
