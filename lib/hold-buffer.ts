/**
 * The one "hold until the reader is ready" buffer of the data path: packets
 * that arrive while nobody listens or while the reader is paused wait here,
 * in order, bounded by count and by bytes.
 *
 * @module
 */
import { Fifo } from './fifo.js';

/** The bounds of a {@link HoldBuffer}. */
export interface HoldBufferLimits {
  /** Most packets held (a non-negative integer; 0 holds nothing). */
  maxPackets: number;
  /** Most payload bytes held (a non-negative integer). */
  maxBytes: number;
}

/**
 * A bounded FIFO of packets in front of a reader that may be absent or
 * paused.
 *
 * Overflow policy: the buffer never drops anything by itself; its owner
 * chooses, by the method it calls, what a full buffer means:
 * - {@link offer} (a source that cannot be paused: datagrams) refuses a
 *   packet that would take the buffer over a bound; the owner drops it, with
 *   a debug line and a counter, as a full socket buffer would;
 * - {@link push} (a source that can be paused: a byte stream) always holds
 *   and returns `false` once a bound is reached; the owner must then pause
 *   its source, so the buffer goes over its bound by at most what the source
 *   had already handed over (one stream chunk).
 *
 * Held packets are kept as given: a view into a larger chunk keeps that
 * chunk alive (`bytes` counts the views' lengths), so an owner that holds
 * for long copies first.
 */
export class HoldBuffer {
  readonly #limits: HoldBufferLimits;
  readonly #packets = new Fifo<Buffer>();
  #bytes = 0;
  #draining = false;

  /** @throws RangeError for a bound that is not a non-negative integer (a programming error: owners validate their options). */
  constructor(limits: HoldBufferLimits) {
    for (const [name, value] of Object.entries(limits)) {
      if (!Number.isInteger(value) || (value as number) < 0)
        throw new RangeError(`${name} must be a non-negative integer, got ${String(value)}`);
    }
    this.#limits = { maxPackets: limits.maxPackets, maxBytes: limits.maxBytes };
  }

  /** Packets held. */
  get size(): number {
    return this.#packets.length;
  }

  /** Payload bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The bounds it was made with. */
  get limits(): Readonly<HoldBufferLimits> {
    return this.#limits;
  }

  /** `true` once a bound is reached: {@link offer} refuses, {@link push} says stop. */
  get full(): boolean {
    return this.#packets.length >= this.#limits.maxPackets || this.#bytes >= this.#limits.maxBytes;
  }

  /**
   * Holds `packet` if it fits within both bounds; returns `false` (holding
   * nothing) when it does not: the owner drops it and says so.
   */
  offer(packet: Buffer): boolean {
    if (this.#packets.length + 1 > this.#limits.maxPackets || this.#bytes + packet.length > this.#limits.maxBytes) return false;
    this.#hold(packet);
    return true;
  }

  /**
   * Holds `packet` whatever the bounds; returns `false` once a bound is
   * reached: the owner must stop its source until the buffer drains.
   */
  push(packet: Buffer): boolean {
    this.#hold(packet);
    return !this.full;
  }

  /** Takes the oldest packet; `undefined` when empty. */
  shift(): Buffer | undefined {
    const packet = this.#packets.shift();
    if (packet !== undefined) this.#bytes -= packet.length;
    return packet;
  }

  /**
   * Hands held packets to `deliver`, oldest first, while `ready()` says the
   * reader takes them (a reader that pauses inside `deliver` stops it).
   * Re-entrant calls (a reader resumed from inside `deliver`) return at
   * once: the outer loop goes on. Returns how many were delivered.
   */
  drain(ready: () => boolean, deliver: (packet: Buffer) => void): number {
    if (this.#draining) return 0;
    this.#draining = true;
    let delivered = 0;
    try {
      while (this.#packets.length > 0 && ready()) {
        deliver(this.shift()!);
        delivered++;
      }
    } finally {
      this.#draining = false;
    }
    return delivered;
  }

  /** Forgets every held packet; returns how many there were. */
  clear(): number {
    this.#bytes = 0;
    return this.#packets.clear();
  }

  #hold(packet: Buffer): void {
    this.#packets.push(packet);
    this.#bytes += packet.length;
  }
}
