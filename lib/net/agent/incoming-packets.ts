/**
 * The receiving side of an `IceConnection`: packets go to the application at
 * once while it listens and reads, and are held (bounded, in order) while it
 * does not, so that nothing is emitted into the void.
 */

/** How {@link IncomingPackets} reaches its application. */
export interface IncomingPacketsSink {
  /** Whether a packet may be delivered now (someone listens, reading is not paused, not closed). */
  ready(): boolean;
  /** Hands one packet to the application. */
  deliver(packet: Buffer): void;
  /** A packet was dropped because `held` (the maximum) already wait. */
  dropped(packet: Buffer, held: number): void;
}

/** A bounded FIFO of received packets in front of a possibly absent or paused reader. */
export class IncomingPackets {
  readonly #max: number;
  readonly #sink: IncomingPacketsSink;
  /** Held packets, from `#start` on (a moving head instead of `shift()`). */
  #held: Array<Buffer | undefined> = [];
  #start = 0;
  #flushing = false;
  #flushScheduled = false;

  /** Holds at most `max` packets. */
  constructor(max: number, sink: IncomingPacketsSink) {
    this.#max = max;
    this.#sink = sink;
  }

  /** Packets waiting for the reader. */
  get size(): number {
    return this.#held.length - this.#start;
  }

  /** Delivers `packet` now when the reader is ready and nothing waits before it; else holds it, or drops it when full. */
  push(packet: Buffer): void {
    if (this.size === 0 && this.#sink.ready()) {
      this.#sink.deliver(packet);
      return;
    }
    if (this.size >= this.#max) {
      this.#sink.dropped(packet, this.size);
      return;
    }
    // A copy: a TCP packet is a view into a whole chunk, which it would keep alive.
    this.#held.push(Buffer.from(packet));
  }

  /** Delivers held packets, in order, while the reader is ready (a reader that pauses stops it). */
  flush(): void {
    if (this.#flushing) return; // a reader resumed from inside a delivery: the outer loop goes on
    this.#flushing = true;
    try {
      while (this.size > 0 && this.#sink.ready()) {
        const packet = this.#held[this.#start]!;
        this.#held[this.#start++] = undefined;
        this.#sink.deliver(packet);
      }
    } finally {
      this.#flushing = false;
      if (this.size === 0) this.clear();
    }
  }

  /** {@link flush} on the next tick (a listener being added is not attached yet). */
  flushSoon(): void {
    if (this.#flushScheduled || this.size === 0) return;
    this.#flushScheduled = true;
    process.nextTick(() => {
      this.#flushScheduled = false;
      this.flush();
    });
  }

  /** Forgets every held packet; returns how many there were. */
  clear(): number {
    const count = this.size;
    this.#held = [];
    this.#start = 0;
    return count;
  }
}
