/**
 * The byte stream TLS runs over, built from a packet connection's packets
 * (RFC 6544 §10.1–10.2).
 *
 * @module
 */
import { Duplex } from 'node:stream';
import createDebug from 'debug';
import type { PacketConnection } from '../connection.js';
import { isStun } from '../stun/index.js';
import { SecureError } from './secure-error.js';
import { cutStunSafeFrames } from './stun-safe-frames.js';
import { TlsStartGate } from './tls-start-gate.js';

const debug = createDebug('ice-tcp:secure');

/**
 * Default largest payload of the frames that carry TLS bytes: 16 KiB, about
 * one TLS record (RFC 8446 §5.1). RFC 6544 §10.1 allows any cut. Smaller
 * frames than the RFC 4571 maximum cost the receiver less: a frame cut by a
 * socket read is copied whole into one new buffer, and a 65535-byte frame is
 * cut by nearly every 64 KiB read, so the copy would take almost every byte;
 * with 16 KiB frames it takes about a quarter, and less garbage is made
 * (measured over an ICE-TCP pair: 4.46 → 3.87 CPU-ms per MiB, bench/tls).
 */
export const DEFAULT_TLS_FRAME_SIZE = 16384;

/** Options of {@link PacketByteStream}. */
export interface PacketByteStreamOptions {
  /** Largest payload of the frames we send, 1..65535 (default {@link DEFAULT_TLS_FRAME_SIZE}). */
  maxFrameSize?: number;
  /**
   * Incoming packets that pass the STUN checks are kept out of the byte
   * stream. With `true` (the default) they must also carry a valid
   * FINGERPRINT (ICE always adds one, RFC 8445 §7.1; RFC 6544 §10.2 leaves
   * the demultiplexing to ICE's rules); with `false` the header checks alone
   * (top bits, cookie, length) decide.
   */
  requireStunFingerprint?: boolean;
  /**
   * Bytes of ciphertext queued for TLS beyond which the connection fails with
   * `ERR_TLS_RECEIVE_OVERFLOW` if the connection below, once paused, still
   * delivers (default 4 MiB).
   */
  maxBufferedBytes?: number;
  /** Drop cleartext sent by the peer before its first TLS record ({@link TlsStartGate}); default true. */
  gate?: boolean;
  /** Close the packet connection once our side of the byte stream has ended (default true). */
  closeTransportOnEnd?: boolean;
}

/**
 * A `stream.Duplex` over a packet connection:
 *
 * - reading: the payload of every packet that is not STUN, appended in order
 *   (RFC 6544 §10.2: the application's records need not line up with
 *   frames); STUN packets (checks, consent, keepalives) are skipped, as are
 *   cleartext packets sent before the peer's first TLS record (see
 *   {@link TlsStartGate});
 * - writing: bytes are cut into payloads of at most `maxFrameSize`, none of
 *   which looks like STUN (RFC 6544 §10.1), each sent as one packet;
 *   `send()` returning `false` holds the write until `'drain'`;
 * - ending our side closes the packet connection (unless
 *   `closeTransportOnEnd` is false); the connection's end or close ends the
 *   readable side.
 */
export class PacketByteStream extends Duplex {
  readonly #conn: PacketConnection;
  readonly #maxFrameSize: number;
  readonly #requireFingerprint: boolean;
  readonly #maxBufferedBytes: number;
  readonly #gate: TlsStartGate | undefined;
  readonly #closeTransportOnEnd: boolean;
  #connPaused = false;
  #connGone = false;
  #connEnded = false;
  #stunSkipped = 0;
  #pendingWrite: ((error?: Error | null) => void) | undefined;

  /** @throws SecureError `ERR_SECURE_BAD_OPTION` for a bad option. */
  constructor(conn: PacketConnection, options?: PacketByteStreamOptions) {
    super({ allowHalfOpen: true, decodeStrings: true });
    const maxFrameSize = options?.maxFrameSize ?? DEFAULT_TLS_FRAME_SIZE;
    if (!Number.isInteger(maxFrameSize) || maxFrameSize < 1 || maxFrameSize > 65535) {
      throw new SecureError('ERR_SECURE_BAD_OPTION', `maxFrameSize must be an integer in 1..65535, got ${String(maxFrameSize)}`);
    }
    const maxBufferedBytes = options?.maxBufferedBytes ?? 4 * 1024 * 1024;
    if (!Number.isInteger(maxBufferedBytes) || maxBufferedBytes < 65536) {
      throw new SecureError('ERR_SECURE_BAD_OPTION', `maxBufferedBytes must be an integer >= 65536, got ${String(maxBufferedBytes)}`);
    }
    this.#conn = conn;
    this.#maxFrameSize = maxFrameSize;
    this.#maxBufferedBytes = maxBufferedBytes;
    this.#requireFingerprint = options?.requireStunFingerprint ?? true;
    this.#gate = options?.gate === false ? undefined : new TlsStartGate();
    this.#closeTransportOnEnd = options?.closeTransportOnEnd ?? true;
    conn.on('packet', this.#onPacket);
    conn.on('drain', this.#onDrain);
    conn.on('end', this.#onEnd);
    conn.on('close', this.#onClose);
    conn.on('error', this.#onError);
  }

  /** True once the packet connection below has ended or closed. */
  get transportClosed(): boolean {
    return this.#connGone || this.#connEnded;
  }

  /** STUN packets kept out of the byte stream so far. */
  get stunPacketsSkipped(): number {
    return this.#stunSkipped;
  }

  /** Cleartext packets dropped because they came before the peer's first TLS record. */
  get preTlsPacketsDropped(): number {
    return this.#gate?.droppedPackets ?? 0;
  }

  readonly #onPacket = (packet: Buffer): void => {
    // RFC 6544 §10.2: STUN is told apart from application data by ICE's rules.
    if (isStun(packet, { requireFingerprint: this.#requireFingerprint })) {
      this.#stunSkipped += 1;
      debug('keeps a %d-byte STUN packet out of TLS', packet.length);
      return;
    }
    if (this.destroyed || this.readableEnded) {
      debug('drops a %d-byte packet: the byte stream is closed', packet.length);
      return;
    }
    if (this.#gate) this.#gate.push(packet, this.#append);
    else this.#append(packet);
  };

  readonly #append = (payload: Buffer): void => {
    if (payload.length === 0) return; // an empty frame adds nothing (RFC 4571 §2)
    if (this.push(payload)) return;
    if (!this.#connPaused) {
      this.#connPaused = true;
      this.#conn.pause();
    } else if (this.readableLength > this.#maxBufferedBytes) {
      // A paused connection delivers nothing more (the contract); this bounds a peer anyway.
      this.destroy(new SecureError('ERR_TLS_RECEIVE_OVERFLOW', `more than ${this.#maxBufferedBytes} bytes queued for TLS`));
    }
  };

  override _read(): void {
    if (this.#connPaused) {
      this.#connPaused = false;
      this.#conn.resume();
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#connGone) {
      callback(new SecureError('ERR_TLS_TRANSPORT_CLOSED', 'the packet connection is closed'));
      return;
    }
    let accepted = true;
    try {
      cutStunSafeFrames(chunk, this.#maxFrameSize, (payload) => {
        accepted = this.#conn.send(payload);
      });
    } catch (error) {
      callback(error as Error);
      return;
    }
    if (accepted) callback();
    else this.#pendingWrite = callback; // wait for 'drain' (or 'close')
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.#closeTransportOnEnd && !this.#connGone) {
      debug('our side of the byte stream ended: closes the packet connection');
      this.#conn.close();
    }
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#conn.off('packet', this.#onPacket);
    this.#conn.off('drain', this.#onDrain);
    this.#conn.off('end', this.#onEnd);
    this.#conn.off('close', this.#onClose);
    this.#conn.off('error', this.#onError);
    this.#releaseWrite(error ?? undefined);
    callback(error);
  }

  #releaseWrite(error?: Error): void {
    const pending = this.#pendingWrite;
    this.#pendingWrite = undefined;
    pending?.(error);
  }

  readonly #onDrain = (): void => {
    this.#releaseWrite();
  };

  readonly #onEnd = (): void => {
    debug('the packet connection ended');
    this.#connEnded = true;
    if (!this.readableEnded) this.push(null);
  };

  readonly #onClose = (error?: Error): void => {
    this.#connGone = true;
    debug('the packet connection closed%s', error ? `: ${error.message}` : '');
    this.#releaseWrite(new SecureError('ERR_TLS_TRANSPORT_CLOSED', 'the packet connection closed', { cause: error }));
    if (error) this.destroy(error);
    else if (!this.readableEnded) this.push(null);
  };

  readonly #onError = (error: Error): void => {
    debug('the packet connection failed: %s', error.message);
  };
}
