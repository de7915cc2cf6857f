import createDebug from 'debug';
import { FramingError } from './framing-error.js';
import { FRAME_HEADER_SIZE, checkMaxFrameSize } from './frame-size.js';

const debug = createDebug('ice-tcp:framing');

/** Options of {@link FrameDecoder}. */
export interface FrameDecoderOptions {
  /**
   * Largest payload accepted, 0..65535 (default 65535, the RFC 4571 limit).
   * A header announcing more throws `ERR_FRAME_TOO_LARGE`; this bounds the
   * memory held for one pending frame.
   */
  maxFrameSize?: number;
}

/** What the decoder is waiting for between chunks. */
const enum State {
  /** At a frame boundary: nothing held. */
  Header,
  /** Holding the first (high) byte of a LENGTH header. */
  HalfHeader,
  /** Holding a partial payload in `pending`, `filled` bytes of it so far. */
  Body,
  /** A header announced too much; only `reset()` leaves this state. */
  Failed,
}

/**
 * Incremental, sans-IO RFC 4571 decoder: TCP chunks in, frame payloads out.
 *
 * Chunks may be of any size and cut anywhere (inside the 2-byte header too).
 * Every frame comes out exactly once and in order:
 * - a frame lying wholly inside one chunk is handed out as a `subarray` view
 *   of that chunk (no copy), so it shares the chunk's memory;
 * - a frame straddling chunks is copied, once, into a buffer allocated at its
 *   announced length when its header is complete; only that partial frame is
 *   ever held between chunks (never a concatenation of chunks);
 * - a zero-length frame (RFC 4571 §2: "the null packet") comes out as an
 *   empty Buffer.
 *
 * A header announcing more than `maxFrameSize` makes `push` throw
 * `FramingError` `ERR_FRAME_TOO_LARGE` after delivering the frames before it;
 * every later `push` throws the same error until `reset()`. If `onFrame`
 * throws, the exception propagates and the rest of that chunk is lost:
 * call `reset()` before reusing the decoder.
 */
export class FrameDecoder {
  readonly #maxFrameSize: number;
  #state: State = State.Header;
  /** High byte of the LENGTH header while in `HalfHeader`. */
  #headerHigh = 0;
  /** The partial frame being reassembled while in `Body`. */
  #pending: Buffer | null = null;
  #filled = 0;
  #failure: FramingError | null = null;

  /**
   * @throws FramingError `ERR_FRAMING_BAD_OPTION` for a `maxFrameSize` that is
   *   not an integer from 0 to 65535.
   */
  constructor(options?: FrameDecoderOptions) {
    this.#maxFrameSize = checkMaxFrameSize(options?.maxFrameSize);
  }

  /** The largest payload this decoder accepts. */
  get maxFrameSize(): number {
    return this.#maxFrameSize;
  }

  /**
   * Bytes received that belong to a frame not delivered yet (header bytes
   * included): 0 at a frame boundary, at most `maxFrameSize + 1`.
   */
  get bufferedBytes(): number {
    switch (this.#state) {
      case State.HalfHeader:
        return 1;
      case State.Body:
        return FRAME_HEADER_SIZE + this.#filled;
      default:
        return 0;
    }
  }

  /**
   * Bytes the decoder still needs before the next frame can come out, as far
   * as it knows: 2 at a frame boundary (a header), 1 with half a header, the
   * rest of the payload of a partial frame; 0 after a failure. Feeding at
   * most this many bytes per `push` yields at most one frame each time, so a
   * reader can stop exactly at a frame boundary (the first frame of an
   * accepted connection) and leave the rest of the stream undecoded.
   */
  get neededBytes(): number {
    switch (this.#state) {
      case State.Header:
        return FRAME_HEADER_SIZE;
      case State.HalfHeader:
        return 1;
      case State.Body:
        return this.#pending!.length - this.#filled;
      default:
        return 0;
    }
  }

  /** Drops any partial frame and a previous failure: back to a frame boundary. */
  reset(): void {
    if (this.bufferedBytes > 0) debug('decoder reset drops %d buffered bytes', this.bufferedBytes);
    this.#state = State.Header;
    this.#pending = null;
    this.#filled = 0;
    this.#failure = null;
  }

  /**
   * Feeds one chunk of the byte stream; calls `onFrame` synchronously for each
   * frame completed by it, in order.
   *
   * @throws FramingError `ERR_FRAME_TOO_LARGE` when a header announces more
   *   than `maxFrameSize` (or after such a failure, until `reset()`).
   */
  push(chunk: Buffer, onFrame: (frame: Buffer) => void): void {
    if (this.#state !== State.Header) {
      if (this.#state === State.Failed) throw this.#failure!;
      const offset = this.#resume(chunk, onFrame);
      if (offset < 0) return; // chunk consumed by the partial frame
      this.#walk(chunk, offset, onFrame);
      return;
    }
    this.#walk(chunk, 0, onFrame);
  }

  /**
   * Continues the frame held from earlier chunks with the start of `chunk`.
   * Returns the offset where the next frame starts in `chunk`, or -1 when
   * the whole chunk went into the partial frame.
   */
  #resume(chunk: Buffer, onFrame: (frame: Buffer) => void): number {
    const size = chunk.length;
    let offset = 0;
    if (this.#state === State.HalfHeader) {
      if (size === 0) return -1;
      // RFC 4571 §2: LENGTH is big-endian; its low byte starts this chunk.
      const length = (this.#headerHigh << 8) | chunk[0];
      offset = 1;
      this.#checkLength(length);
      if (size - offset >= length) {
        this.#state = State.Header;
        onFrame(chunk.subarray(offset, offset + length));
        return offset + length;
      }
      this.#startPending(chunk, offset, length);
      return -1;
    }
    // State.Body: copy what this chunk has of the pending frame.
    const pending = this.#pending!;
    const missing = pending.length - this.#filled;
    if (size < missing) {
      chunk.copy(pending, this.#filled, 0, size);
      this.#filled += size;
      return -1;
    }
    chunk.copy(pending, this.#filled, 0, missing);
    this.#state = State.Header;
    this.#pending = null;
    this.#filled = 0;
    onFrame(pending);
    return missing;
  }

  /** The hot loop: frames wholly inside `chunk` as views, then the tail kept. */
  #walk(chunk: Buffer, start: number, onFrame: (frame: Buffer) => void): void {
    const size = chunk.length;
    const max = this.#maxFrameSize;
    let offset = start;
    while (offset + FRAME_HEADER_SIZE <= size) {
      // RFC 4571 §2: 16-bit unsigned LENGTH, network byte order, then LENGTH bytes.
      const length = (chunk[offset] << 8) | chunk[offset + 1];
      if (length > max) this.#fail(length);
      const body = offset + FRAME_HEADER_SIZE;
      const end = body + length;
      if (end > size) {
        this.#startPending(chunk, body, length);
        return;
      }
      onFrame(chunk.subarray(body, end));
      offset = end;
    }
    if (offset < size) {
      // One byte left: the high half of the next header.
      this.#headerHigh = chunk[offset]!;
      this.#state = State.HalfHeader;
    }
  }

  /** Allocates the partial frame at its announced length and copies what `chunk` has of it. */
  #startPending(chunk: Buffer, from: number, length: number): void {
    const pending = Buffer.allocUnsafe(length);
    this.#filled = chunk.copy(pending, 0, from, chunk.length);
    this.#pending = pending;
    this.#state = State.Body;
  }

  #checkLength(length: number): void {
    if (length > this.#maxFrameSize) this.#fail(length);
  }

  #fail(length: number): never {
    const error = new FramingError(
      'ERR_FRAME_TOO_LARGE',
      `RFC 4571 header announces ${length} bytes, more than maxFrameSize ${this.#maxFrameSize}`,
    );
    debug('decoder failed: %s', error.message);
    this.#state = State.Failed;
    this.#pending = null;
    this.#filled = 0;
    this.#failure = error;
    throw error;
  }
}
