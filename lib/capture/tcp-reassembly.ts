/**
 * TCP stream reassembly for captures (RFC 9293 sequence numbers): the
 * payload of one direction of a connection, in order, with retransmitted
 * bytes dropped, out-of-order segments held until the hole before them is
 * filled, and holes that never fill (segments the capture missed) skipped
 * and reported. Bounded: at most `maxHeldBytes` held out of order; past
 * that the oldest hole is given up on.
 */

/** Bytes delivered in order, with the capture time and packet that completed them. */
export interface StreamChunk {
  data: Buffer;
  timeUs: number;
  packetIndex: number;
}

/** Receives what the reassembler makes of a direction. */
export interface StreamSink {
  bytes(chunk: StreamChunk): void;
  /** `length` bytes at stream offset `offset` were never captured. */
  gap(offset: number, length: number, timeUs: number, packetIndex: number): void;
}

/** Counters of one direction. */
export interface DirectionStats {
  /** Payload bytes delivered in order. */
  delivered: number;
  /** Segments that arrived ahead of a hole. */
  outOfOrderSegments: number;
  /** Payload bytes seen again after they had been delivered. */
  retransmittedBytes: number;
  /** Holes given up on: [stream offset, length]. */
  missing: Array<[number, number]>;
  /** The capture did not see this direction's SYN (it started mid-connection). */
  midStream: boolean;
  fin: boolean;
  rst: boolean;
}

interface Held {
  offset: number;
  data: Buffer;
  timeUs: number;
  packetIndex: number;
}

/** One direction of one TCP connection. */
export class TcpDirection {
  readonly stats: DirectionStats = {
    delivered: 0,
    outOfOrderSegments: 0,
    retransmittedBytes: 0,
    missing: [],
    midStream: false,
    fin: false,
    rst: false,
  };
  /** Sequence number of stream offset 0. */
  #base: number | undefined;
  #held: Held[] = [];
  #heldBytes = 0;
  /** Highest stream offset the other side acknowledged. */
  #acked = 0;

  constructor(
    private readonly sink: StreamSink,
    private readonly maxHeldBytes = 1 << 20,
  ) {}

  /** Offset (in this direction's stream) of a sequence number: signed 32-bit distance from the base. */
  #offset(seq: number): number {
    return (seq - this.#base!) | 0;
  }

  /** The other direction acknowledged up to `ack` (for data lost at the very end). */
  acknowledged(ack: number): void {
    if (this.#base === undefined) return;
    const off = this.#offset(ack);
    if (off > this.#acked) this.#acked = off;
  }

  /** One captured segment of this direction. */
  segment(seg: { seq: number; syn: boolean; fin: boolean; rst: boolean }, payload: Buffer, timeUs: number, packetIndex: number): void {
    if (seg.syn) {
      const base = (seg.seq + 1) >>> 0;
      // A new SYN with another ISN before any data: a retried connect from the same port (S-O retries).
      if (this.#base === undefined || (base !== this.#base && this.stats.delivered === 0)) {
        this.#base = base;
        this.#acked = 0;
        this.stats.midStream = false; // what came before (a RST of an earlier attempt) was another connection
      }
    } else if (this.#base === undefined) {
      this.#base = seg.seq;
      this.stats.midStream = true;
    }
    if (seg.fin) this.stats.fin = true;
    if (seg.rst) this.stats.rst = true;
    if (payload.length === 0) return;
    const start = this.#offset(seg.syn ? (seg.seq + 1) >>> 0 : seg.seq);
    this.#accept(start, payload, timeUs, packetIndex);
  }

  #accept(start: number, payload: Buffer, timeUs: number, packetIndex: number): void {
    const done = this.stats.delivered;
    const end = start + payload.length;
    if (end <= done) {
      this.stats.retransmittedBytes += payload.length;
      return;
    }
    if (start < done) {
      this.stats.retransmittedBytes += done - start;
      payload = payload.subarray(done - start);
      start = done;
    }
    if (start > done) {
      this.stats.outOfOrderSegments++;
      this.#held.push({ offset: start, data: payload, timeUs, packetIndex });
      this.#held.sort((a, b) => a.offset - b.offset);
      this.#heldBytes += payload.length;
      while (this.#heldBytes > this.maxHeldBytes) this.#skipHole();
      return;
    }
    this.#deliver(payload, timeUs, packetIndex);
    this.#drain();
  }

  #deliver(data: Buffer, timeUs: number, packetIndex: number): void {
    this.stats.delivered += data.length;
    this.sink.bytes({ data, timeUs, packetIndex });
  }

  /** Delivers held segments that now follow on. */
  #drain(): void {
    while (this.#held.length > 0 && this.#held[0].offset <= this.stats.delivered) {
      const h = this.#held.shift()!;
      this.#heldBytes -= h.data.length;
      this.#accept(h.offset, h.data, h.timeUs, h.packetIndex);
    }
  }

  /** Gives up on the hole before the first held segment. */
  #skipHole(): void {
    const first = this.#held[0];
    if (first === undefined) return;
    const from = this.stats.delivered;
    const length = first.offset - from;
    this.stats.missing.push([from, length]);
    this.sink.gap(from, length, first.timeUs, first.packetIndex);
    this.stats.delivered = first.offset;
    this.#drain();
  }

  /** End of capture: skips every remaining hole, and reports bytes the peer acknowledged that were never captured. */
  finish(timeUs: number, packetIndex: number): void {
    while (this.#held.length > 0) this.#skipHole();
    const tail = this.#acked - this.stats.delivered - (this.stats.fin ? 1 : 0);
    if (tail > 0) {
      this.stats.missing.push([this.stats.delivered, tail]);
      this.sink.gap(this.stats.delivered, tail, timeUs, packetIndex);
      this.stats.delivered += tail;
    }
  }
}
