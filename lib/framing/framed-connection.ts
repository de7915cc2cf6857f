import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import createDebug from 'debug';
import type { PacketConnectionEvents } from '../connection-events.js';
import type { PacketConnection } from '../connection.js';
import { HoldBuffer } from '../hold-buffer.js';
import { BatchingFrameWriter } from './batching-writer.js';
import { FrameDecoder } from './decoder.js';
import { FramingError } from './framing-error.js';

const debug = createDebug('ice-tcp:framing');

/** Default of {@link FramedConnectionOptions.maxBufferedPackets}. */
export const DEFAULT_MAX_BUFFERED_PACKETS = 1024;

/**
 * Default of {@link FramedConnectionOptions.maxBufferedBytes}: 64 MiB, what
 * `maxBufferedPackets` full-size frames (1024 × 65535 bytes) take, so that by
 * default the count binds first, as it always did.
 */
export const DEFAULT_MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

/** Options of {@link FramedConnection}. */
export interface FramedConnectionOptions {
  /** Largest payload accepted from the peer, 0..65535 (default 65535). */
  maxFrameSize?: number;
  /**
   * Packets held while the consumer is paused or has no `'packet'` listener
   * before the stream is paused too (default 1024, at least 1). Up to one
   * stream chunk's worth of packets more may be held: the chunk being decoded
   * when the limit is reached is decoded to its end.
   */
  maxBufferedPackets?: number;
  /**
   * The same bound in payload bytes (default 64 MiB, at least 1): the stream
   * is paused once this many bytes of packets are held, whichever bound
   * comes first.
   */
  maxBufferedBytes?: number;
  /**
   * When `false` (the default, like `net.Socket`), our side is closed with
   * `close()` as soon as the peer ends its side. When `true`, it stays open
   * until `close()` is called.
   */
  allowHalfOpen?: boolean;
  /**
   * The stream no longer reads a written chunk once its write called back
   * (a plain `net.Socket`), so frame memory is reused; default `false` (see
   * `BatchingFrameWriterOptions` in batching-writer.ts).
   */
  freesWrittenChunks?: boolean;
}

/**
 * Takes packets before the `'packet'` listeners (see
 * {@link FramedConnection.setPacketTap}).
 *
 * @internal
 */
export interface PacketTap {
  /** `true` when it took the packet (then no `'packet'` event is emitted for it). */
  takePacket(packet: Buffer): boolean;
}

/**
 * An RFC 4571 framed connection over any `stream.Duplex` (a `net.Socket`, a
 * TLS socket, an in-memory pair): packets in, packets out.
 *
 * - In: chunks go through a {@link FrameDecoder}; each frame is emitted as
 *   `'packet'`. Packets are usually views into the stream's chunk (no copy):
 *   copy one to keep it long without holding the whole chunk.
 * - Out: `send()` frames through a {@link BatchingFrameWriter}: every packet
 *   sent in one tick leaves in one cork/uncork (writev) cycle.
 * - Backpressure both ways: `send()` returns `false` when the stream's buffer
 *   is full, then `'drain'`. While `pause()`d, or while nobody listens to
 *   `'packet'` and `maxBufferedPackets` (or `maxBufferedBytes`) are held, the
 *   stream is paused, so TCP flow control pushes back on the peer; `resume()`
 *   (or adding a `'packet'` listener) delivers the held packets and reads
 *   again. Nothing received is ever dropped while the connection is open.
 * - End and errors: `'end'` when the peer ended cleanly at a frame boundary
 *   (after every packet before it); a stream ending mid-frame gives `'error'`
 *   with `ERR_FRAME_TRUNCATED`, a header over `maxFrameSize` gives `'error'`
 *   with `ERR_FRAME_TOO_LARGE` and destroys the stream; `'close'` comes once,
 *   last, with the error if any. `'error'` is only emitted when someone
 *   listens to it (the error still comes with `'close'`), so a bad peer can
 *   never crash the process through an unhandled `'error'`.
 *
 * Events: `'packet' (packet: Buffer)`, `'drain'`, `'end'`, `'error' (error)`,
 * `'close' (error?)`.
 */
export class FramedConnection extends EventEmitter<PacketConnectionEvents> implements PacketConnection {
  /** Always `'tcp'`: RFC 4571 frames over a byte stream. */
  readonly transport = 'tcp' as const;
  /** The underlying byte stream. */
  readonly stream: Duplex;
  readonly #decoder: FrameDecoder;
  readonly #writer: BatchingFrameWriter;
  readonly #allowHalfOpen: boolean;
  /** Packets decoded but not delivered yet (paused consumer or no listener). */
  readonly #held: HoldBuffer;
  #paused = false;
  /** We paused the stream (the consumer is behind). */
  #streamPaused = false;
  #flushScheduled = false;
  /** The peer ended its side; `'end'` follows once the held packets are out. */
  #peerEnded = false;
  #endEmitted = false;
  #streamClosed = false;
  #closeEmitted = false;
  /** `destroy()` was called: nothing more is delivered. */
  #destroyed = false;
  #error: Error | undefined;
  /** See {@link setPacketTap}. */
  #tap: PacketTap | undefined;

  /**
   * @throws FramingError `ERR_FRAMING_BAD_OPTION` for a bad `maxFrameSize`,
   *   `maxBufferedPackets` or `maxBufferedBytes`.
   */
  constructor(stream: Duplex, options?: FramedConnectionOptions) {
    super();
    const maxBuffered = options?.maxBufferedPackets ?? DEFAULT_MAX_BUFFERED_PACKETS;
    if (!Number.isInteger(maxBuffered) || maxBuffered < 1) {
      throw new FramingError('ERR_FRAMING_BAD_OPTION', `maxBufferedPackets must be a positive integer, got ${String(maxBuffered)}`);
    }
    const maxBytes = options?.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    if (!Number.isInteger(maxBytes) || maxBytes < 1) {
      throw new FramingError('ERR_FRAMING_BAD_OPTION', `maxBufferedBytes must be a positive integer, got ${String(maxBytes)}`);
    }
    this.#decoder = new FrameDecoder({ maxFrameSize: options?.maxFrameSize });
    // Overflow policy: push() and pause the stream at a bound (TCP pushes back); never drop.
    this.#held = new HoldBuffer({ maxPackets: maxBuffered, maxBytes });
    this.#allowHalfOpen = options?.allowHalfOpen ?? false;
    this.stream = stream;
    this.#writer = new BatchingFrameWriter(stream, { freesWrittenChunks: options?.freesWrittenChunks });
    this.#writer.on('drain', () => this.emit('drain'));
    this.on('newListener', (event: string | symbol) => {
      if (event === 'packet') this.#scheduleFlush();
    });
    stream.on('data', this.#onData);
    stream.on('end', this.#onEnd);
    stream.on('error', this.#onStreamError);
    stream.on('close', this.#onStreamClose);
    if (stream.destroyed) process.nextTick(this.#onStreamClose);
  }

  /** `true` after `pause()` until `resume()`. */
  get isPaused(): boolean {
    return this.#paused;
  }

  /** Packets decoded and held until the consumer takes them. */
  get bufferedPackets(): number {
    return this.#held.size;
  }

  /** Bytes of a partial frame held by the decoder. */
  get bufferedBytes(): number {
    return this.#decoder.bufferedBytes;
  }

  /**
   * `true` once `send()` takes no more packets: after `close()` or
   * `destroy()`, once the stream is ended or destroyed (and so once
   * `'close'` has been emitted). Packets from the peer may still come
   * after a `close()` until `'close'`.
   */
  get closed(): boolean {
    return this.#closeEmitted || this.#destroyed || this.stream.writableEnded || this.stream.destroyed;
  }

  /**
   * Sends one packet as one RFC 4571 frame. Returns `false` when the caller
   * should wait for `'drain'` (the packet is still queued), and `false`
   * without sending once the connection is closing or closed.
   *
   * @throws FramingError `ERR_FRAME_TOO_LARGE` for a packet over 65535 bytes
   *   (never truncated), `ERR_FRAMING_BAD_PAYLOAD` for a non-Uint8Array.
   */
  send(packet: Uint8Array): boolean {
    return this.#writer.write(packet);
  }

  /**
   * Ends our side gracefully: the packets sent so far are flushed, then the
   * stream is ended. Packets from the peer are still delivered until it ends
   * too; `'close'` follows.
   */
  close(): void {
    if (this.#closeEmitted || this.#destroyed || this.stream.writableEnded || this.stream.destroyed) return;
    this.#writer.flush();
    this.stream.end();
  }

  /**
   * Tears the connection down at once: queued packets in both directions are
   * dropped. With an `error`, `'error'` is emitted first; `'close'` follows
   * with it.
   */
  destroy(error?: Error): void {
    if (this.#closeEmitted || this.#destroyed) return;
    this.#destroyed = true;
    if (error) this.#setError(error);
    this.#dropHeld('destroyed');
    this.stream.destroy();
    if (this.#streamClosed) this.#emitClose();
  }

  /**
   * Gives every packet to `tap` before it is emitted as `'packet'`: a packet
   * the tap takes (returns `true`) is not emitted. The tap sees packets
   * exactly where and when `'packet'` listeners would (never while paused,
   * never before the held ones), so buffering and backpressure are
   * unchanged. It spares the data path of an ICE session its dispatch
   * through the agent: the `IceConnection` of the selected route takes the
   * application data straight from the frames and leaves STUN to the
   * `'packet'` listeners (the agent). `undefined` removes the tap.
   *
   * @internal
   */
  setPacketTap(tap: PacketTap | undefined): void {
    this.#tap = tap;
  }

  /** Stops delivering packets and stops reading the stream until `resume()`. */
  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#pauseStream();
  }

  /** Delivers the held packets (on the next tick) and reads the stream again. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#scheduleFlush();
  }

  readonly #onData = (chunk: Buffer | string): void => {
    if (typeof chunk === 'string') {
      // An encoding was set on the stream: framing needs the raw bytes.
      this.#fail(new FramingError('ERR_FRAMING_BAD_OPTION', 'the stream delivers strings: remove its encoding'));
      return;
    }
    try {
      this.#decoder.push(chunk, this.#onFrame);
    } catch (error) {
      if (error instanceof FramingError) this.#fail(error);
      else throw error; // thrown by a 'packet' listener: not ours to hide
    }
  };

  readonly #onFrame = (frame: Buffer): void => {
    if (this.#closeEmitted || this.#destroyed) {
      debug('drops a %d-byte packet: the connection is destroyed', frame.length);
      return;
    }
    if (!this.#paused && this.#held.size === 0 && this.listenerCount('packet') > 0) {
      const tap = this.#tap;
      if (tap === undefined || !tap.takePacket(frame)) this.emit('packet', frame);
      return;
    }
    if (!this.#held.push(frame)) this.#pauseStream();
  };

  readonly #onEnd = (): void => {
    const partial = this.#decoder.bufferedBytes;
    if (partial > 0) {
      // RFC 4571 §2: LENGTH promises that many more bytes; the stream ended first.
      this.#fail(new FramingError('ERR_FRAME_TRUNCATED', `stream ended inside a frame (${partial} bytes held)`));
      return;
    }
    this.#peerEnded = true;
    this.#maybeEnd();
  };

  readonly #onStreamError = (error: Error): void => {
    this.#setError(error);
  };

  readonly #onStreamClose = (): void => {
    this.#streamClosed = true;
    if (this.#error || this.#destroyed || !this.#peerEnded || this.#endEmitted) {
      if (!this.#error && !this.#peerEnded && this.bufferedBytes > 0) {
        debug('stream closed without end: drops %d bytes of a partial frame', this.bufferedBytes);
      }
      this.#dropHeld('closed');
      this.#emitClose();
    }
    // Otherwise the peer ended cleanly and packets are still held for a paused
    // consumer: 'end' then 'close' come once they are delivered.
  };

  #pauseStream(): void {
    if (this.#streamPaused) return;
    this.#streamPaused = true;
    this.stream.pause();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    process.nextTick(this.#flushHeld);
  }

  /** Delivers held packets while the consumer takes them, then reads on. */
  readonly #flushHeld = (): void => {
    this.#flushScheduled = false;
    this.#held.drain(
      () => !this.#paused && !this.#destroyed && this.listenerCount('packet') > 0,
      (packet) => this.#deliverHeld(packet),
    );
    if (this.#paused || this.bufferedPackets > 0) return;
    if (this.#streamPaused) {
      this.#streamPaused = false;
      this.stream.resume();
    }
    this.#maybeEnd();
  };

  #deliverHeld(packet: Buffer): void {
    const tap = this.#tap;
    if (tap === undefined || !tap.takePacket(packet)) this.emit('packet', packet);
  }

  #maybeEnd(): void {
    if (!this.#peerEnded || this.#endEmitted || this.bufferedPackets > 0) return;
    this.#endEmitted = true;
    this.emit('end');
    if (!this.#allowHalfOpen) this.close();
    if (this.#streamClosed) this.#emitClose();
  }

  #fail(error: FramingError): void {
    debug('connection fails: %s', error.message);
    this.destroy(error);
  }

  #setError(error: Error): void {
    if (this.#error || this.#closeEmitted) return;
    this.#error = error;
    if (this.listenerCount('error') > 0) this.emit('error', error);
    else debug('no error listener; the error comes with close: %s', error.message);
  }

  #dropHeld(why: string): void {
    const count = this.#held.clear();
    if (count > 0) debug('connection %s: drops %d undelivered packets', why, count);
  }

  #emitClose(): void {
    if (this.#closeEmitted) return;
    this.#closeEmitted = true;
    this.#writer.detach();
    this.stream.off('data', this.#onData);
    this.emit('close', this.#error);
  }
}
