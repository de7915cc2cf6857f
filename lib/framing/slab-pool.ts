/**
 * The slabs small frames are carved from (batching-writer.ts), and the few
 * that are kept for reuse.
 *
 * A slab's bytes may be written again only when nothing can still read
 * them: no writer holds an open range in it, and every chunk of it handed
 * to a stream was written out. A plain `net.Socket` calls a write's
 * callback once libuv has handed the bytes to the kernel (or given up on
 * them), so after the callback the chunk is free. Any other stream (a JS
 * Duplex, a TLS socket) may keep a chunk after its callback (a pair's other
 * side reads the very Buffer), so a slab that went to one is never reused:
 * it is left to the garbage collector, as every slab was before.
 *
 * Reuse keeps the data path on a few cache-warm slabs instead of touching
 * fresh memory every ~50 frames (and spares the allocator and the GC).
 */

/** Size of a slab. */
export const SLAB_SIZE = 65536;

/** Free slabs kept for reuse, at most (256 KiB for the whole process). */
export const MAX_FREE_SLABS = 4;

/** One slab, with who may still read it. */
export class Slab {
  /** The bytes. */
  readonly bytes = Buffer.allocUnsafeSlow(SLAB_SIZE);
  /** Carve cursor: bytes `[0, used)` are taken. */
  used = 0;
  /** Open writer ranges plus chunks handed to a stream and not called back yet. */
  holds = 0;
  /** `false` once a chunk went to a stream that may read it after its callback. */
  reusable = true;
  /** `false` while new frames are carved from it (the pool's current slab). */
  retired = false;
  /** The write callback of a chunk of this slab (one function per slab, not per write). */
  readonly release = (): void => {
    this.holds--;
    recycleIfFree(this);
  };
}

const free: Slab[] = [];
let current: Slab | null = null;

/**
 * The slab to carve `size` bytes from: the current one when they fit,
 * otherwise a new current one (a free slab, or a fresh one).
 */
export function slabFor(size: number): Slab {
  if (current !== null && current.used + size <= SLAB_SIZE) return current;
  if (current !== null) {
    current.retired = true;
    recycleIfFree(current);
  }
  const slab = free.pop() ?? new Slab();
  slab.used = 0;
  slab.retired = false;
  current = slab;
  return slab;
}

/** Puts a retired slab nothing reads any more back in the pool (when it may be reused and there is room). */
export function recycleIfFree(slab: Slab): void {
  if (slab.holds === 0 && slab.retired && slab.reusable && free.length < MAX_FREE_SLABS) {
    // Not twice: a recycled slab is not retired until it is current again and full.
    slab.retired = false;
    free.push(slab);
  }
}

/** Free slabs in the pool (tests). */
export function freeSlabCount(): number {
  return free.length;
}
