/**
 * A `stream.Duplex` view of a packet connection.
 *
 * @module
 */
import { Duplex } from 'node:stream';
import type { PacketConnection } from '../connection.js';

/** A packet connection that may also be destroyed. */
interface Destroyable {
  destroy?(error?: Error): void;
}

/**
 * Byte-stream view of a packet connection, with backpressure both ways:
 *
 * - written bytes are sent as packets of at most `maxPacketSize` bytes (a
 *   write never merges with another; a large one is cut); a `send()` that
 *   returns `false` holds the write until the connection's `'drain'`;
 * - each received packet's payload is pushed in order; when the reader falls
 *   behind, the connection is paused until it reads;
 * - `end()` closes the connection once everything written was sent; the
 *   connection's `'end'`/`'close'` ends the readable side; `destroy()`
 *   destroys (or closes) the connection.
 */
export class PacketDuplex extends Duplex {
  readonly #conn: PacketConnection & Destroyable;
  readonly #maxPacketSize: number;
  #paused = false;
  #pendingWrite: ((error?: Error | null) => void) | undefined;

  constructor(conn: PacketConnection, maxPacketSize: number) {
    super({ allowHalfOpen: true, decodeStrings: true });
    this.#conn = conn;
    this.#maxPacketSize = maxPacketSize;
    conn.on('packet', this.#onPacket);
    conn.on('drain', this.#onDrain);
    conn.on('end', this.#onEnd);
    conn.on('close', this.#onClose);
  }

  readonly #onPacket = (packet: Buffer): void => {
    if (!this.push(packet) && !this.#paused) {
      this.#paused = true;
      this.#conn.pause();
    }
  };

  readonly #onDrain = (): void => {
    const pending = this.#pendingWrite;
    this.#pendingWrite = undefined;
    pending?.();
  };

  readonly #onEnd = (): void => {
    if (!this.readableEnded) this.push(null);
  };

  readonly #onClose = (error?: Error): void => {
    const pending = this.#pendingWrite;
    this.#pendingWrite = undefined;
    if (error) {
      this.destroy(error);
      pending?.(error);
      return;
    }
    if (!this.readableEnded) this.push(null);
    pending?.();
  };

  override _read(): void {
    if (this.#paused) {
      this.#paused = false;
      this.#conn.resume();
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    let accepted = true;
    try {
      for (let offset = 0; offset < chunk.length; offset += this.#maxPacketSize) {
        accepted = this.#conn.send(chunk.subarray(offset, offset + this.#maxPacketSize));
      }
    } catch (error) {
      callback(error as Error);
      return;
    }
    if (accepted) callback();
    else this.#pendingWrite = callback;
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#conn.close();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#conn.off('packet', this.#onPacket);
    this.#conn.off('drain', this.#onDrain);
    this.#conn.off('end', this.#onEnd);
    this.#conn.off('close', this.#onClose);
    // A view that finished both ways (auto-destroy) leaves the connection to
    // its graceful close; any other destroy tears the connection down.
    const finished = this.writableFinished && this.readableEnded;
    if (error || !finished) {
      if (typeof this.#conn.destroy === 'function') this.#conn.destroy(error ?? undefined);
      else this.#conn.close();
    }
    callback(error);
  }
}
