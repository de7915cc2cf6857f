/**
 * A `stream.Duplex` view of an {@link IceConnection}: bytes in, bytes out,
 * cut into packets for the pair underneath.
 *
 * - Writing: each chunk is copied once (so the caller may reuse its buffer as
 *   soon as the callback runs, as with a socket) and cut into packets of at
 *   most `maxPacketSize` bytes on UDP and `maxFrameSize` on TCP. A piece that
 *   would pass for a STUN message is cut again (RFC 6544 §10.1), so that the
 *   peer's demultiplexer never mistakes data for STUN. Packets go one by
 *   one: when the connection pushes back (or has no route and queues), the
 *   rest of the chunk waits for `'drain'`, so a large write never overflows
 *   the connection's bounded queue. The write callback runs once the last
 *   packet was accepted without backpressure, else on `'drain'`.
 * - Reading: packets are pushed as they come; when the readable buffer is
 *   full the connection stops reading (on TCP the framed connection is
 *   paused, so TCP flow control reaches the peer) until `_read()` asks again.
 * - Over UDP this is a lossy, best-effort byte stream: a datagram that is
 *   lost is a gap in the stream. Use TCP pairs, or a protocol that recovers
 *   loss, for data that must arrive whole.
 * - The stream ends (`'end'`) when the connection closes; a write waiting
 *   for `'drain'` then completes (its data is dropped with the session),
 *   later writes fail with `ERR_CONNECTION_CLOSED`. Ending the writable side
 *   sends nothing: ICE has no half-close.
 */
import { Duplex } from 'node:stream';
import { isStun } from '../../stun/index.js';
import { IceAgentError } from '../net-errors.js';
import type { IceConnection } from './ice-connection.js';

/** Options of {@link IceConnectionStream}. */
export interface IceConnectionStreamOptions {
  /** Largest datagram written on UDP pairs (default 1200, a safe path MTU payload). */
  maxPacketSize?: number;
  /** Largest frame written on TCP pairs (default 16384; at most 65535, RFC 4571 §2). */
  maxFrameSize?: number;
  /** Readable and writable high-water marks in bytes (default 64 KiB). */
  highWaterMark?: number;
}

function checkSize(name: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new IceAgentError('ERR_AGENT_BAD_OPTION', `${name} must be an integer 1..${max}, got ${String(value)}`);
  }
  return value;
}

/** A chunk being cut into packets, and its write callback. */
interface PendingWrite {
  data: Buffer;
  offset: number;
  callback: (error?: Error | null) => void;
}

/** The Duplex view; get one with `IceConnection.stream()`. */
export class IceConnectionStream extends Duplex {
  readonly #connection: IceConnection;
  readonly #maxPacketSize: number;
  readonly #maxFrameSize: number;
  /** The write being sent, waiting for `'drain'` between packets. */
  #pending: PendingWrite | undefined;

  /** @throws IceAgentError `ERR_AGENT_BAD_OPTION` */
  constructor(connection: IceConnection, options: IceConnectionStreamOptions = {}) {
    const highWaterMark = checkSize('highWaterMark', options.highWaterMark ?? 65536, 2 ** 30);
    super({ allowHalfOpen: true, readableHighWaterMark: highWaterMark, writableHighWaterMark: highWaterMark });
    this.#connection = connection;
    this.#maxPacketSize = checkSize('maxPacketSize', options.maxPacketSize ?? 1200, 65535);
    this.#maxFrameSize = checkSize('maxFrameSize', options.maxFrameSize ?? 16384, 65535);
    connection.on('packet', this.#onPacket);
    connection.on('drain', this.#onDrain);
    connection.on('close', this.#onClose);
    if (connection.closed) process.nextTick(() => this.#onClose());
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#connection.closed) {
      callback(new IceAgentError('ERR_CONNECTION_CLOSED', 'the ICE connection is closed'));
      return;
    }
    // One copy: the caller owns `chunk` again after the callback.
    this.#pending = { data: Buffer.from(chunk), offset: 0, callback };
    this.#sendPending();
  }

  /** Sends the pending chunk's packets until the connection pushes back; completes the write at the end. */
  #sendPending(): void {
    const pending = this.#pending;
    if (pending === undefined) return;
    const { data } = pending;
    while (pending.offset < data.length) {
      // The route (and with it the piece size) may change between drains.
      const size = this.#connection.transport === 'tcp' ? this.#maxFrameSize : this.#maxPacketSize;
      let piece = data.subarray(pending.offset, Math.min(pending.offset + size, data.length));
      // RFC 6544 §10.1: re-cut a piece that would pass the receiver's STUN test.
      if (isStun(piece)) piece = piece.subarray(0, 1);
      pending.offset += piece.length;
      if (!this.#connection.send(piece)) return; // the rest (or the callback) waits for 'drain'
    }
    this.#pending = undefined;
    pending.callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    callback(); // ICE has no half-close: nothing to send
  }

  override _read(): void {
    this.#connection.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#connection.off('packet', this.#onPacket);
    this.#connection.off('drain', this.#onDrain);
    this.#connection.off('close', this.#onClose);
    this.#connection.resume();
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.callback(error ?? new IceAgentError('ERR_CONNECTION_CLOSED', 'the stream was destroyed'));
    callback(error);
  }

  readonly #onPacket = (packet: Buffer): void => {
    if (packet.length === 0) return; // an empty packet is not end-of-stream
    if (!this.push(packet)) this.#connection.pause();
  };

  readonly #onDrain = (): void => {
    this.#sendPending();
  };

  readonly #onClose = (error?: Error): void => {
    // A clean close completes a write waiting for 'drain' (its packets were
    // dropped with the session, as unsent socket data is); a failure fails it.
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.callback(error ?? null);
    this.push(null);
  };
}
