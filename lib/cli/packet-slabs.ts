/**
 * The memory a {@link DataSender} (peer-data.ts) carves its packets from,
 * reused once every packet of a slab has come back.
 *
 * A packet handed to `send()` must keep its bytes until it has left (a UDP
 * datagram may wait in the socket's queue, a packet may wait for a route).
 * Its intact echo proves it left: the peer could only return what we sent.
 * So a slab is written again only when each of its packets was echoed
 * intact, each counted once (a duplicated datagram does not count twice).
 * A slab with a packet that never comes back (lost, corrupted) is simply
 * not reused: the garbage collector takes it, as it took every slab before.
 *
 * Reuse spares the sender a fresh 64 KiB allocation every ~54 packets of
 * 1200 bytes, and the garbage collections that this external memory
 * triggers (they were a fifth of the sender's CPU in the libnice bench).
 */

/** Size of a slab. */
export const PACKET_SLAB_SIZE = 65536;

/** One slab and which of its packets came back. */
class PacketSlab {
  readonly bytes: Buffer;
  /** Carve cursor. */
  used = 0;
  /** Stream offset of its first packet. */
  firstOffset = 0;
  /** Packets carved from it. */
  packets = 0;
  /** Packets whose echo came back intact. */
  returned = 0;
  /** `back[i]` is 1 once packet `i`'s echo came back. */
  readonly back: Uint8Array;

  constructor(size: number, maxPackets: number) {
    this.bytes = Buffer.allocUnsafeSlow(size);
    this.back = new Uint8Array(maxPackets);
  }
}

/**
 * The slabs of one sender, whose packets are `chunk` bytes long (the last
 * one of the stream may be shorter) and carved in stream order.
 */
export class PacketSlabs {
  readonly #chunk: number;
  readonly #slabSize: number;
  readonly #maxPackets: number;
  /** Most slabs waiting for echoes before the oldest is given up (left to the GC). */
  readonly #maxLive: number;
  #current: PacketSlab | undefined;
  /** Slabs with packets not all back, oldest first (the current one last). */
  #live: PacketSlab[] = [];
  #free: PacketSlab[] = [];

  /** `window`: the most bytes in flight (how many slabs may wait for echoes). */
  constructor(chunk: number, window: number) {
    this.#chunk = chunk;
    this.#slabSize = Math.max(PACKET_SLAB_SIZE, chunk);
    // Full packets, plus the short last one of the stream.
    this.#maxPackets = Math.floor(this.#slabSize / chunk) + 1;
    this.#maxLive = Math.ceil(window / this.#slabSize) + 4;
  }

  /** Free slabs kept for reuse (tests). */
  get freeSlabs(): number {
    return this.#free.length;
  }

  /** `length` bytes (at most the chunk) for the packet at stream `offset`; packets must come in stream order. */
  carve(offset: number, length: number): Buffer {
    let slab = this.#current;
    if (slab === undefined || slab.used + length > this.#slabSize) {
      if (slab !== undefined) this.#recycleIfBack(slab, false);
      slab = this.#free.pop() ?? new PacketSlab(this.#slabSize, this.#maxPackets);
      slab.used = 0;
      slab.packets = 0;
      slab.returned = 0;
      slab.back.fill(0);
      slab.firstOffset = offset;
      this.#current = slab;
      this.#live.push(slab);
      if (this.#live.length > this.#maxLive) this.#live.shift(); // never coming back: left to the GC
    }
    const start = slab.used;
    slab.used = start + length;
    slab.packets++;
    return slab.bytes.subarray(start, start + length);
  }

  /** The packet at stream `offset` came back intact. */
  returned(offset: number): void {
    const live = this.#live;
    for (let i = 0; i < live.length; i++) {
      const slab = live[i];
      const index = (offset - slab.firstOffset) / this.#chunk;
      if (index < 0 || index >= slab.packets || !Number.isInteger(index)) continue;
      if (slab.back[index] !== 0) return; // a duplicate
      slab.back[index] = 1;
      slab.returned++;
      this.#recycleIfBack(slab, true);
      return;
    }
  }

  /** Puts a slab whose packets all came back in the free list, unless it is still being carved from. */
  #recycleIfBack(slab: PacketSlab, echo: boolean): void {
    if (slab.returned !== slab.packets || (echo && slab === this.#current)) return;
    if (slab === this.#current) this.#current = undefined;
    const at = this.#live.indexOf(slab);
    if (at >= 0) this.#live.splice(at, 1);
    if (this.#free.length < 2) this.#free.push(slab);
  }
}
