/**
 * The one packet ↔ `stream.Duplex` adapter: the byte-stream view of any
 * {@link PacketConnection} (`IceConnection.stream()`, the byte stream TLS
 * runs over in `secureTls()`, `SecureConnection.stream()`,
 * `DtlsConnection.stream()`). It imports no connection class: each layer
 * makes its view with {@link createPacketStream}.
 *
 * @module
 */
import { Duplex } from 'node:stream';
import createDebug from 'debug';
import type { PacketConnection } from '../connection.js';
import { IceTcpError } from '../errors.js';
import { stunSafeLength } from './stun-safe-cut.js';

const debug = createDebug('ice-tcp:stream');

/** Largest packet an RFC 4571 frame carries: its LENGTH is 16 bits (RFC 4571 §2). */
const MAX_PACKET = 65535;

/** Sizes of a {@link PacketStream}; the options `IceConnection.stream()` takes. */
export interface PacketStreamOptions {
  /** Largest packet written while the connection's transport is `'udp'` (default 1200, a safe path MTU payload), 1..65535. */
  maxPacketSize?: number;
  /** Largest packet (RFC 4571 frame payload) written while the transport is `'tcp'` (default 16384), 1..65535. */
  maxFrameSize?: number;
  /** Readable and writable high-water marks in bytes (default 64 KiB). */
  highWaterMark?: number;
}

/** The errors a layer's view raises, so that each layer keeps its own typed codes. */
export interface PacketStreamErrors {
  /** A bad option (thrown by the constructor). */
  badOption(message: string): Error;
  /** A write after the connection closed, or one pending when the view was destroyed. */
  closed(message: string): Error;
  /** More than `maxBufferedBytes` unread although the connection was paused. */
  overflow(message: string): Error;
}

/**
 * Where a layer prefers its packets to end (TLS: at record boundaries, see
 * lib/secure/tls-record-cut.ts). Fed every written chunk once, in order.
 */
export interface PacketBoundaries {
  /**
   * Offsets inside `chunk` (ascending, each in 1..chunk.length-1) where a
   * packet may end; the array may be reused by the next call.
   */
  scan(chunk: Buffer): readonly number[];
}

/** How a layer uses its view: {@link createPacketStream}'s options beyond the sizes. */
export interface PacketStreamLayerOptions extends PacketStreamOptions {
  /** Close the connection once our writable side has ended (default false: ICE has no half-close). */
  endClosesConnection?: boolean;
  /**
   * Close the connection when the view is destroyed before both sides
   * finished, or with an error (default false: the view lets go of it).
   */
  destroyClosesConnection?: boolean;
  /**
   * Copy each written chunk before cutting it (default true), so that the
   * writer may reuse its buffer once its callback ran while a packet still
   * waits in a queue below. Only a writer that never reuses a chunk turns it
   * off (node's JSStreamSocket, which TLS writes through, copies its output
   * into a new Buffer for every write).
   */
  copyWrites?: boolean;
  /**
   * Bytes of a write still sent after `send()` said `false`, before the rest
   * waits for `'drain'` (default 0: stop at once, so that a large write never
   * overflows a bounded queue below, such as `IceConnection`'s while it has
   * no route). A writer whose chunks are bounded (TLS hands over one output
   * flight at a time) sets it so that a chunk goes out whole: waiting for a
   * socket's `'drain'` after each frame costs an event-loop turn per frame.
   */
  writeAheadBytes?: number;
  /** Where packets should end (default: anywhere, only the sizes and the STUN rule cut). */
  boundaries?: PacketBoundaries;
  /**
   * Looks at every received packet and calls `deliver` with the bytes that
   * belong to the stream (none, the packet, or packets held earlier); by
   * default every packet is delivered. It is called as a plain function (no
   * `this`): keep its state in the object that made it.
   */
  inbound?: (packet: Buffer, deliver: (bytes: Buffer) => void) => void;
  /**
   * Unread bytes beyond which the view fails with `errors.overflow` even
   * though it paused the connection (a connection whose `pause()` cannot stop
   * deliveries); default 4 MiB, at least 65536.
   */
  maxBufferedBytes?: number;
  /** The view's errors (default: `IceTcpError` with `ERR_PACKET_STREAM_BAD_OPTION`, `ERR_PACKET_STREAM_CLOSED`, `ERR_PACKET_STREAM_OVERFLOW`). */
  errors?: PacketStreamErrors;
}

const DEFAULT_ERRORS: PacketStreamErrors = {
  badOption: (message) => new IceTcpError('ERR_PACKET_STREAM_BAD_OPTION', message),
  closed: (message) => new IceTcpError('ERR_PACKET_STREAM_CLOSED', message),
  overflow: (message) => new IceTcpError('ERR_PACKET_STREAM_OVERFLOW', message),
};

function checkInteger(errors: PacketStreamErrors, name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw errors.badOption(`${name} must be an integer ${min}..${max}, got ${String(value)}`);
  }
  return value;
}

type WriteCallback = (error?: Error | null) => void;

/**
 * A byte stream over a packet connection, with backpressure both ways.
 *
 * - Writing: each chunk is cut into packets of at most `maxPacketSize`
 *   (UDP) or `maxFrameSize` (TCP) bytes, ending at the layer's preferred
 *   boundaries when it has some, and never a piece that could pass a STUN
 *   header check ({@link stunSafeLength}: RFC 6544 §10.1, RFC 8489 §6,
 *   RFC 7983 §7). Packets go one by one: when `send()` returns `false` the
 *   rest (beyond `writeAheadBytes`, by default none) waits for `'drain'`, so
 *   a large write never overflows a bounded queue below. The write callback
 *   runs once the last packet was taken (after `'drain'` if it was refused).
 * - Reading: packets are pushed as they come; when the readable buffer is
 *   full the connection is paused (on TCP, TCP flow control reaches the
 *   peer) until the reader asks for more. An empty packet is skipped (it is
 *   not end-of-stream).
 * - End: the connection's `'end'` or `'close'` ends the readable side; a
 *   close with an error destroys the view with that error. A write waiting
 *   for `'drain'` when the connection closes cleanly completes (its bytes
 *   are dropped with the connection, as a socket drops unsent data, and the
 *   reader keeps what arrived before); with an error it fails with that
 *   error. Later writes fail (`errors.closed`).
 * - Over UDP this is a lossy, best-effort byte stream: a lost datagram is a
 *   gap. Use TCP pairs, or a protocol that recovers loss, for data that
 *   must arrive whole.
 *
 * Made by {@link createPacketStream} (or a connection's `stream()`).
 */
export class PacketStream extends Duplex {
  readonly #conn: PacketConnection;
  readonly #maxPacketSize: number;
  readonly #maxFrameSize: number;
  readonly #maxBufferedBytes: number;
  readonly #endCloses: boolean;
  readonly #destroyCloses: boolean;
  readonly #copyWrites: boolean;
  readonly #writeAhead: number;
  /** `send()` said `false` since the last `'drain'`. */
  #needDrain = false;
  /** Bytes still allowed out before `'drain'` once `#needDrain`. */
  #aheadLeft = 0;
  readonly #boundaries: PacketBoundaries | undefined;
  readonly #inbound: ((packet: Buffer, deliver: (bytes: Buffer) => void) => void) | undefined;
  readonly #errors: PacketStreamErrors;
  /** We paused the connection because the reader fell behind. */
  #pausedByUs = false;
  #connectionEnded = false;
  #connectionClosed = false;
  /** The write being cut: its chunk, the chunks after it (a writev), and where we are. */
  #chunk: Buffer | undefined;
  #rest: ReadonlyArray<{ chunk: Buffer }> | undefined;
  #restIndex = 0;
  #offset = 0;
  #bounds: readonly number[] | undefined;
  #boundIndex = 0;
  #callback: WriteCallback | undefined;

  /** @throws the layer's `errors.badOption` (by default `ERR_PACKET_STREAM_BAD_OPTION`) for a bad option. */
  constructor(connection: PacketConnection, options: PacketStreamLayerOptions = {}) {
    const errors = options.errors ?? DEFAULT_ERRORS;
    const highWaterMark = checkInteger(errors, 'highWaterMark', options.highWaterMark ?? 65536, 1, 2 ** 30);
    const maxPacketSize = checkInteger(errors, 'maxPacketSize', options.maxPacketSize ?? 1200, 1, MAX_PACKET);
    const maxFrameSize = checkInteger(errors, 'maxFrameSize', options.maxFrameSize ?? 16384, 1, MAX_PACKET);
    const maxBufferedBytes = checkInteger(errors, 'maxBufferedBytes', options.maxBufferedBytes ?? 4 * 1024 * 1024, 65536, 2 ** 31);
    const writeAhead = checkInteger(errors, 'writeAheadBytes', options.writeAheadBytes ?? 0, 0, 2 ** 30);
    super({ allowHalfOpen: true, readableHighWaterMark: highWaterMark, writableHighWaterMark: highWaterMark });
    this.#conn = connection;
    this.#errors = errors;
    this.#maxPacketSize = maxPacketSize;
    this.#maxFrameSize = maxFrameSize;
    this.#maxBufferedBytes = maxBufferedBytes;
    this.#endCloses = options.endClosesConnection ?? false;
    this.#destroyCloses = options.destroyClosesConnection ?? false;
    this.#copyWrites = options.copyWrites ?? true;
    this.#writeAhead = writeAhead;
    this.#boundaries = options.boundaries;
    this.#inbound = options.inbound;
    connection.on('packet', this.#onPacket);
    connection.on('drain', this.#onDrain);
    connection.on('end', this.#onEnd);
    connection.on('close', this.#onClose);
    if (connection.closed) process.nextTick(this.#onClose);
  }

  /** The connection underneath. */
  get connection(): PacketConnection {
    return this.#conn;
  }

  /** `true` once the connection underneath has ended (the peer's side) or closed. */
  get connectionClosed(): boolean {
    return this.#connectionClosed || this.#connectionEnded;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: WriteCallback): void {
    this.#rest = undefined;
    this.#startWrite(chunk, callback);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: WriteCallback): void {
    this.#rest = chunks;
    this.#restIndex = 1;
    this.#startWrite(chunks[0].chunk, callback);
  }

  #startWrite(chunk: Buffer, callback: WriteCallback): void {
    if (this.#connectionClosed || this.#conn.closed) {
      this.#rest = undefined;
      callback(this.#errors.closed('the connection is closed'));
      return;
    }
    this.#callback = callback;
    this.#take(chunk);
    this.#sendPending();
  }

  /** Makes `chunk` the one being cut. */
  #take(chunk: Buffer): void {
    // One copy (unless the writer never reuses its chunks): packets may wait below after the callback.
    this.#chunk = this.#copyWrites ? Buffer.from(chunk) : chunk;
    this.#offset = 0;
    this.#bounds = this.#boundaries?.scan(chunk);
    this.#boundIndex = 0;
  }

  /**
   * Sends packets of the pending write until the connection pushes back (and
   * `writeAheadBytes` are used up); completes the write at its end, once the
   * connection has drained if it pushed back.
   */
  #sendPending(): void {
    for (;;) {
      const chunk = this.#chunk;
      if (chunk === undefined) return;
      const end = chunk.length;
      while (this.#offset < end) {
        if (this.#needDrain && this.#aheadLeft <= 0) return; // the rest waits for 'drain'
        const offset = this.#offset;
        // The route (and with it the packet size) may change between drains.
        const max = this.#conn.transport === 'tcp' ? this.#maxFrameSize : this.#maxPacketSize;
        let length = Math.min(max, end - offset);
        const bounds = this.#bounds;
        if (bounds !== undefined && offset + length < end) {
          // End at the last preferred boundary that fits, if one does.
          let i = this.#boundIndex;
          while (i < bounds.length && bounds[i] <= offset) i++;
          this.#boundIndex = i;
          let best = -1;
          while (i < bounds.length && bounds[i] <= offset + length) best = bounds[i++];
          if (best > offset) length = best - offset;
        }
        // RFC 6544 §10.1, RFC 8489 §6: never a piece the peer could take for STUN.
        length = stunSafeLength(chunk, offset, length);
        this.#offset = offset + length;
        const accepted = this.#conn.send(chunk.subarray(offset, offset + length));
        if (this.#needDrain) this.#aheadLeft -= length;
        else if (!accepted) {
          this.#needDrain = true;
          this.#aheadLeft = this.#writeAhead;
        }
      }
      if (this.#hasMoreChunks()) {
        this.#take(this.#rest![this.#restIndex++].chunk);
        continue;
      }
      if (!this.#needDrain) this.#finishWrite(); // else the callback waits for 'drain'
      return;
    }
  }

  #hasMoreChunks(): boolean {
    return this.#rest !== undefined && this.#restIndex < this.#rest.length;
  }

  #finishWrite(error?: Error): void {
    const callback = this.#callback;
    this.#callback = undefined;
    this.#chunk = undefined;
    this.#rest = undefined;
    this.#bounds = undefined;
    callback?.(error);
  }

  override _final(callback: WriteCallback): void {
    if (this.#endCloses && !this.#connectionClosed) {
      debug('our side ended: closes the connection');
      this.#conn.close();
    }
    callback();
  }

  override _read(): void {
    if (!this.#pausedByUs) return;
    this.#pausedByUs = false;
    this.#conn.resume();
  }

  override _destroy(error: Error | null, callback: WriteCallback): void {
    const conn = this.#conn;
    conn.off('packet', this.#onPacket);
    conn.off('drain', this.#onDrain);
    conn.off('end', this.#onEnd);
    conn.off('close', this.#onClose);
    // A view that is gone must not leave the connection paused (on TCP the peer's consent checks share it).
    this.#pausedByUs = false;
    if (conn.isPaused && !conn.closed) conn.resume();
    if (this.#callback !== undefined) this.#finishWrite(error ?? this.#errors.closed('the stream was destroyed'));
    // A view that finished both ways leaves the connection to its own close.
    if (this.#destroyCloses && !this.#connectionClosed && (error !== null || !(this.writableFinished && this.readableEnded))) {
      debug('destroyed%s: closes the connection', error ? ` (${error.message})` : '');
      conn.close();
    }
    callback(error);
  }

  readonly #onPacket = (packet: Buffer): void => {
    if (this.#inbound !== undefined) this.#inbound(packet, this.#append);
    else this.#append(packet);
  };

  readonly #append = (bytes: Buffer): void => {
    if (bytes.length === 0) return; // an empty packet adds nothing (RFC 4571 §2)
    if (this.readableEnded || this.destroyed) {
      debug('drops a %d-byte packet: the stream is closed', bytes.length);
      return;
    }
    if (this.push(bytes)) return;
    if (!this.#pausedByUs) {
      this.#pausedByUs = true;
      this.#conn.pause();
    } else if (this.readableLength > this.#maxBufferedBytes) {
      this.destroy(this.#errors.overflow(`more than ${this.#maxBufferedBytes} bytes unread although the connection was paused`));
    }
  };

  readonly #onDrain = (): void => {
    this.#needDrain = false;
    this.#sendPending();
  };

  readonly #onEnd = (): void => {
    debug('the connection ended');
    this.#connectionEnded = true;
    if (!this.readableEnded) this.push(null);
  };

  readonly #onClose = (error?: Error): void => {
    if (this.#connectionClosed) return;
    this.#connectionClosed = true;
    debug('the connection closed%s', error ? `: ${error.message}` : '');
    // A clean close completes the write waiting for 'drain' (its bytes go with the connection); a failure fails it.
    this.#needDrain = false;
    if (this.#callback !== undefined) this.#finishWrite(error);
    if (error) this.destroy(error);
    else if (!this.readableEnded) this.push(null);
  };
}

/**
 * Makes the byte-stream view of a packet connection: the one adapter every
 * layer uses (no layer imports another's stream class, so there is no
 * import cycle between the connections and their views).
 *
 * @throws `options.errors.badOption(...)` for a bad option.
 */
export function createPacketStream(connection: PacketConnection, options?: PacketStreamLayerOptions): PacketStream {
  return new PacketStream(connection, options);
}
