import { EventEmitter } from 'node:events';
import type { ListenerEvents } from '../emitter-events.js';
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

/** Events of {@link BatchingFrameWriter}. */
export interface BatchingFrameWriterEvents extends ListenerEvents {
  /** A `write()` returned `false` and the stream drained. */
  drain: [];
}

/**
 * Writes RFC 4571 frames to a `stream.Writable`, batching every frame written
 * in the same tick into one cork/uncork cycle, so a `net.Socket` sends them
 * with one `writev` instead of one syscall per frame.
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
  #slab: Buffer | null = null;
  #slabUsed = 0;
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
      frame[0] = length >>> 8;
      frame[1] = length & 0xff;
      frame.set(payload, FRAME_HEADER_SIZE);
      ok = stream.write(frame);
    } else {
      const header = Buffer.allocUnsafe(FRAME_HEADER_SIZE);
      header[0] = length >>> 8;
      header[1] = length & 0xff;
      stream.write(header);
      ok = stream.write(payload);
    }
    if (!ok) this.#needDrain = true;
    return ok;
  }

  /** Returns `size` fresh bytes from the current slab, starting a new slab when it is full. */
  #carve(size: number): Buffer {
    let slab = this.#slab;
    if (slab === null || this.#slabUsed + size > slab.length) {
      slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
      this.#slab = slab;
      this.#slabUsed = 0;
    }
    const start = this.#slabUsed;
    this.#slabUsed = start + size;
    return slab.subarray(start, start + size);
  }

  /** Sends the frames queued in this tick now (one uncork) instead of at its end. */
  flush(): void {
    if (!this.#corked) return;
    this.#corked = false;
    this.stream.uncork();
  }

  /** Flushes, then stops listening to the stream. The writer is not usable afterwards. */
  detach(): void {
    this.flush();
    this.#slab = null;
    this.stream.off('drain', this.#onDrain);
  }
}
