import { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import createDebug from 'debug';
import { checkPayload } from './encoder.js';
import { FRAME_HEADER_SIZE } from './frame-size.js';

const debug = createDebug('ice-tcp:framing');

/**
 * Payloads up to this size are copied behind their header into one chunk;
 * longer ones are queued as two chunks (header, payload) without copying.
 */
const COPY_LIMIT = 2048;

/**
 * Size of the slabs small frames are carved from. A slab is never reused:
 * when one is full a new one is allocated, and each is freed by the garbage
 * collector once the stream has written (and dropped) every frame in it.
 * One 64 KiB allocation per ~50 frames of 1200 bytes is cheaper than the
 * shared 8 KiB Buffer pool's one per 6.
 */
const SLAB_SIZE = 65536;

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
export class BatchingFrameWriter extends EventEmitter {
  /** The stream frames are written to. */
  readonly stream: Writable;
  #corked = false;
  #needDrain = false;
  #slab: Buffer | null = null;
  #slabUsed = 0;
  /** Start of the frames carved in the current slab that the stream has not been given yet. */
  #pendingStart = 0;
  readonly #uncork = (): void => this.flush();
  readonly #onDrain = (): void => {
    if (!this.#needDrain) return;
    this.#needDrain = false;
    this.emit('drain');
  };

  constructor(stream: Writable) {
    super();
    this.stream = stream;
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
      const slab = this.#slab!;
      slab[frame] = length >>> 8;
      slab[frame + 1] = length & 0xff;
      slab.set(payload, frame + FRAME_HEADER_SIZE);
      // What the stream's write() will say once these bytes reach it (at the end of the tick).
      ok = stream.writableLength + (this.#slabUsed - this.#pendingStart) < stream.writableHighWaterMark;
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
   * Reserves `size` bytes in the current slab (a new slab when it is full,
   * after handing the old one's pending frames to the stream); returns
   * their offset in the slab.
   */
  #carve(size: number): number {
    let slab = this.#slab;
    if (slab === null || this.#slabUsed + size > slab.length) {
      this.#writePending();
      slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
      this.#slab = slab;
      this.#slabUsed = 0;
      this.#pendingStart = 0;
    }
    const start = this.#slabUsed;
    this.#slabUsed = start + size;
    return start;
  }

  /** Hands the small frames carved since the last hand-over to the stream, as one chunk. */
  #writePending(): void {
    const slab = this.#slab;
    if (slab === null || this.#pendingStart === this.#slabUsed) return;
    const chunk = slab.subarray(this.#pendingStart, this.#slabUsed);
    this.#pendingStart = this.#slabUsed;
    this.stream.write(chunk);
  }

  /** Sends the frames queued in this tick now (one uncork) instead of at its end. */
  flush(): void {
    if (!this.#corked) return;
    this.#corked = false;
    const stream = this.stream;
    if (!stream.destroyed && !stream.writableEnded) this.#writePending();
    else if (this.#pendingStart !== this.#slabUsed) {
      debug('writer drops %d bytes of frames: stream is %s', this.#slabUsed - this.#pendingStart, stream.destroyed ? 'destroyed' : 'ended');
      this.#pendingStart = this.#slabUsed;
    }
    stream.uncork();
    // A write that completed between our write() and this flush shrank the
    // buffer: the stream took the chunk without asking for a drain, but we
    // told our caller to wait for one.
    if (this.#needDrain && !stream.writableNeedDrain) process.nextTick(this.#onDrain);
  }

  /** Flushes, then stops listening to the stream. The writer is not usable afterwards. */
  detach(): void {
    this.flush();
    this.#slab = null;
    this.stream.off('drain', this.#onDrain);
  }
}
