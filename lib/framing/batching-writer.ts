import { EventEmitter } from 'node:events';
import type { ListenerEvents } from '../emitter-events.js';
import type { Writable } from 'node:stream';
import createDebug from 'debug';
import { checkPayload } from './encoder.js';
import { FRAME_HEADER_SIZE } from './frame-size.js';
import { recycleIfFree, slabFor, SLAB_SIZE, type Slab } from './slab-pool.js';

const debug = createDebug('ice-tcp:framing');

/**
 * Payloads up to this size are copied behind their header into one chunk;
 * longer ones are queued as two chunks (header, payload) without copying.
 */
const COPY_LIMIT = 2048;

/** Events of {@link BatchingFrameWriter}. */
export interface BatchingFrameWriterEvents extends ListenerEvents {
  /** A `write()` returned `false` and the stream drained. */
  drain: [];
}

/** Options of {@link BatchingFrameWriter}. */
export interface BatchingFrameWriterOptions {
  /**
   * `true` when the stream no longer reads a written chunk once that write's
   * callback ran (a plain `net.Socket`: libuv has handed the bytes to the
   * kernel), so the writer may reuse the memory. Default `false`: a JS
   * stream such as a Duplex pair or TLS may keep the chunk by reference.
   */
  freesWrittenChunks?: boolean;
}

/**
 * Writes RFC 4571 frames to a `stream.Writable`, batching every frame written
 * in the same tick into one cork/uncork cycle, so a `net.Socket` sends them
 * with one `writev` instead of one syscall per frame. Small frames written
 * in one tick are copied next to each other into one slab and handed to the
 * stream as one chunk (one `stream.write` per tick, not one per frame).
 *
 * The first `write()` of a tick corks the stream and schedules the uncork on
 * `process.nextTick`; `flush()` uncorks at once. Backpressure is the
 * stream's own: `write()` returns `false` when the stream's `write()` did
 * (its buffer reached its high-water mark), and the writer emits `'drain'`
 * when the stream drains. As with `Writable.write`, a frame refused with
 * `false` is still queued, never dropped.
 *
 * Payloads longer than 2048 bytes are referenced, not copied, until written:
 * do not modify them before the frame is flushed (the `Writable.write` rule).
 *
 * Events: `'drain'` after a `write()` returned `false` and the stream drained.
 */
export class BatchingFrameWriter extends EventEmitter<BatchingFrameWriterEvents> {
  /** The stream frames are written to. */
  readonly stream: Writable;
  #corked = false;
  #needDrain = false;
  /** The slab holding this writer's open range of pending frames (one hold on it while set). */
  #slab: Slab | null = null;
  /**
   * The stream is done with a chunk once its write called back (the
   * creator says so: {@link BatchingFrameWriterOptions}), so the slab can be
   * reused (slab-pool.ts).
   */
  readonly #freesChunks: boolean;
  /** This writer's frames in `#slab` not handed to the stream yet: `[#pendingStart, #pendingEnd)`. */
  #pendingStart = 0;
  #pendingEnd = 0;
  readonly #uncork = (): void => this.flush();
  readonly #onDrain = (): void => {
    if (!this.#needDrain) return;
    this.#needDrain = false;
    this.emit('drain');
  };

  constructor(stream: Writable, options?: BatchingFrameWriterOptions) {
    super();
    this.stream = stream;
    this.#freesChunks = options?.freesWrittenChunks ?? false;
    stream.on('drain', this.#onDrain);
  }

  /** `true` while frames are corked in the stream waiting for the end of the tick. */
  get pending(): boolean {
    return this.#corked;
  }

  /**
   * Queues one frame (header + payload) to leave with the others written in
   * this tick. Returns `false` when the caller should wait for `'drain'`.
   * Returns `false` (and writes nothing) once the stream is ended or destroyed.
   *
   * @throws FramingError `ERR_FRAME_TOO_LARGE` (payload over 65535 bytes,
   *   never truncated) or `ERR_FRAMING_BAD_PAYLOAD` (not a Uint8Array),
   *   synchronously, before anything is queued.
   */
  write(payload: Uint8Array): boolean {
    const length = checkPayload(payload);
    const stream = this.stream;
    if (stream.destroyed || stream.writableEnded) {
      debug('writer drops a %d-byte frame: stream is %s', length, stream.destroyed ? 'destroyed' : 'ended');
      return false;
    }
    if (!this.#corked) {
      this.#corked = true;
      stream.cork();
      process.nextTick(this.#uncork);
    }
    let ok: boolean;
    if (length <= COPY_LIMIT) {
      const frame = this.#carve(FRAME_HEADER_SIZE + length);
      // RFC 4571 §2: 16-bit big-endian LENGTH, then the payload.
      const slab = this.#slab!.bytes;
      slab[frame] = length >>> 8;
      slab[frame + 1] = length & 0xff;
      slab.set(payload, frame + FRAME_HEADER_SIZE);
      // What the stream's write() will say once these bytes reach it (at the end of the tick).
      ok = stream.writableLength + (this.#pendingEnd - this.#pendingStart) < stream.writableHighWaterMark;
    } else {
      this.#writePending();
      const header = Buffer.allocUnsafe(FRAME_HEADER_SIZE);
      header[0] = length >>> 8;
      header[1] = length & 0xff;
      stream.write(header);
      ok = stream.write(payload);
    }
    if (!ok) this.#needDrain = true;
    return ok;
  }

  /**
   * Reserves `size` bytes in the current slab of the pool; returns their
   * offset in `this.#slab`. This writer's pending frames stay one
   * contiguous range: when another writer carved since, or the slab is
   * full, they go to the stream first and a new range opens.
   */
  #carve(size: number): number {
    const slab = this.#slab;
    if (slab !== null && !slab.retired && slab.used === this.#pendingEnd && slab.used + size <= SLAB_SIZE) {
      const start = slab.used;
      slab.used = this.#pendingEnd = start + size;
      return start;
    }
    this.#writePending();
    this.#closeRange();
    const next = slabFor(size);
    next.holds++;
    this.#slab = next;
    const start = next.used;
    this.#pendingStart = start;
    next.used = this.#pendingEnd = start + size;
    return start;
  }

  /** Gives up this writer's hold on its slab (its pending frames were handed over or dropped). */
  #closeRange(): void {
    const slab = this.#slab;
    if (slab === null) return;
    this.#slab = null;
    this.#pendingStart = this.#pendingEnd = 0;
    slab.holds--;
    recycleIfFree(slab);
  }

  /** Hands the small frames carved since the last hand-over to the stream, as one chunk. */
  #writePending(): void {
    const slab = this.#slab;
    if (slab === null || this.#pendingStart === this.#pendingEnd) return;
    const chunk = slab.bytes.subarray(this.#pendingStart, this.#pendingEnd);
    this.#pendingStart = this.#pendingEnd;
    if (this.#freesChunks) {
      slab.holds++;
      this.stream.write(chunk, slab.release);
    } else {
      slab.reusable = false;
      this.stream.write(chunk);
    }
  }

  /** Sends the frames queued in this tick now (one uncork) instead of at its end. */
  flush(): void {
    if (!this.#corked) return;
    this.#corked = false;
    const stream = this.stream;
    if (!stream.destroyed && !stream.writableEnded) this.#writePending();
    else if (this.#pendingStart !== this.#pendingEnd) {
      debug(
        'writer drops %d bytes of frames: stream is %s',
        this.#pendingEnd - this.#pendingStart,
        stream.destroyed ? 'destroyed' : 'ended',
      );
    }
    this.#closeRange();
    stream.uncork();
    // A write that completed between our write() and this flush shrank the
    // buffer: the stream took the chunk without asking for a drain, but we
    // told our caller to wait for one.
    if (this.#needDrain && !stream.writableNeedDrain) process.nextTick(this.#onDrain);
  }

  /** Flushes, then stops listening to the stream. The writer is not usable afterwards. */
  detach(): void {
    this.flush();
    this.#closeRange();
    this.stream.off('drain', this.#onDrain);
  }
}
