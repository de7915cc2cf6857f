/**
 * The connection {@link secureTls} returns: TLS over a packet connection,
 * itself a packet connection with a Duplex view.
 *
 * @module
 */
import { EventEmitter } from 'node:events';
import type { X509Certificate } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import createDebug from 'debug';
import type { PacketConnectionEvents } from '../connection-events.js';
import type { PacketConnection } from '../connection.js';
import { IceTcpError } from '../errors.js';
import { FramedConnection, MAX_FRAME_SIZE } from '../framing/index.js';
import type { CertificateFingerprint } from './fingerprint.js';
import { createPacketStream, type PacketStream } from '../packet-stream/packet-stream.js';
import { SecureError } from './secure-error.js';
import type { TlsRole } from './setup-role.js';
import type { TlsInbound } from './tls-byte-stream.js';

const debug = createDebug('ice-tcp:secure');

/**
 * How application packets are delimited inside TLS, which is a byte stream:
 *
 * - `'rfc4571'` (the default): each `send()` is one RFC 4571 frame (2-byte
 *   length + payload) inside TLS, so every `'packet'` is exactly one packet
 *   the peer sent; packets are limited to 65535 bytes. Both sides must use it.
 * - `'none'`: no framing inside TLS: `send()` writes its bytes to TLS as they
 *   are and `'packet'` hands out decrypted bytes as TLS delivers them
 *   (boundaries are not kept). For protocols with their own framing, or a
 *   peer that is a plain TLS application.
 */
export type InnerFraming = 'rfc4571' | 'none';

/** What {@link secureTls} learnt during the handshake. */
export interface SecureConnectionInfo {
  readonly role: TlsRole;
  readonly innerFraming: InnerFraming;
  readonly peerCertificate: X509Certificate;
  readonly peerFingerprint: CertificateFingerprint;
  /** Close the packet connection below when this one closes. */
  readonly closeTransport: boolean;
  /** Milliseconds `close()` waits for the peer's close_notify before tearing down. */
  readonly closeTimeoutMs: number;
  /** Bytes waiting in TLS beyond which `send()` returns `false` (never below node's 16 KiB). */
  readonly sendHighWaterMark: number;
}

/**
 * TLS over a packet connection (RFC 6544 §10), shaped as a packet connection:
 * `send()`/`'packet'` carry application packets (see {@link InnerFraming}),
 * `stream()` is a `stream.Duplex` view of them, `close()` sends close_notify.
 * STUN keeps flowing on the connection underneath, outside TLS.
 *
 * Events: `'packet' (Buffer)` (only while a listener is attached: before the
 * first one, and while none is, packets are held, and once too many are
 * held TLS stops reading so that TCP pushes back; once closing, or once the
 * peer has closed, unheard packets are dropped), `'drain'`, `'end'` (the
 * peer closed its side: close_notify), `'error' (Error)` (only when listened
 * to; the error also comes with `'close'`), `'close' (error?)`.
 */
export class SecureConnection extends EventEmitter<PacketConnectionEvents> implements PacketConnection {
  /** Always `'tcp'`: TLS runs over a stream. */
  readonly transport = 'tcp' as const;
  /** Our TLS role. */
  readonly role: TlsRole;
  /** How packets are delimited inside TLS. */
  readonly innerFraming: InnerFraming;
  /** The peer's certificate (it matched a signalled fingerprint). */
  readonly peerCertificate: X509Certificate;
  /** The peer certificate's fingerprint with the hash that was checked. */
  readonly peerFingerprint: CertificateFingerprint;
  /** The node:tls socket; for inspection (`getCipher()`, ...), not for reading or writing. */
  readonly tlsSocket: TLSSocket;
  readonly #below: PacketConnection;
  readonly #bytes: PacketStream;
  readonly #inbound: TlsInbound;
  readonly #framed: FramedConnection | undefined;
  readonly #closeTransport: boolean;
  readonly #closeTimeoutMs: number;
  readonly #sendHighWaterMark: number;
  #duplex: PacketStream | undefined;
  #closeTimer: NodeJS.Timeout | undefined;
  #closed = false;
  #closing = false;
  #peerEnded = false;
  #dropping = false;
  #paused = false;
  #error: Error | undefined;

  /** @internal Made by {@link secureTls} once the peer is verified. */
  constructor(tlsSocket: TLSSocket, below: PacketConnection, bytes: PacketStream, inbound: TlsInbound, info: SecureConnectionInfo) {
    super();
    this.tlsSocket = tlsSocket;
    this.#below = below;
    this.#bytes = bytes;
    this.#inbound = inbound;
    this.role = info.role;
    this.innerFraming = info.innerFraming;
    this.peerCertificate = info.peerCertificate;
    this.peerFingerprint = info.peerFingerprint;
    this.#closeTransport = info.closeTransport;
    this.#closeTimeoutMs = info.closeTimeoutMs;
    this.#sendHighWaterMark = info.sendHighWaterMark;
    tlsSocket.on('error', this.#onTlsError);
    if (info.innerFraming === 'rfc4571') {
      // Reading starts here, after the fingerprint check: nothing the peer
      // sent earlier can have been delivered.
      const framed = new FramedConnection(tlsSocket, { allowHalfOpen: false });
      this.#framed = framed;
      framed.on('drain', () => this.emit('drain'));
      framed.on('end', this.#onEnd);
      framed.on('error', (error: Error) => this.#setError(error));
      framed.on('close', (error?: Error) => this.#finish(error));
    } else {
      tlsSocket.on('drain', () => this.emit('drain'));
      tlsSocket.on('end', () => {
        this.#onEnd();
        this.close(); // no half-open TLS: answer close_notify with ours
      });
      tlsSocket.on('close', () => this.#finish());
    }
    // Packets flow only while someone listens: until then the framed
    // connection (or TLS) holds them and, once full, stops reading, so TCP
    // pushes back on the peer; nothing is emitted into the void. Once the
    // peer has closed its side, packets nobody listens to are dropped (with
    // a debug line) so that the close can complete.
    tlsSocket.on('end', () => this.#dropUnheard('the peer closed'));
    this.on('newListener', (event: string | symbol) => {
      if (event === 'packet' && this.listenerCount('packet') === 0) this.#forward(true);
    });
    this.on('removeListener', (event: string | symbol) => {
      if (event === 'packet' && this.listenerCount('packet') === 0) this.#forward(false);
    });
    if (tlsSocket.readableEnded) {
      // The peer's close_notify came with its last handshake flight, before
      // anyone listened: 'end' is gone, so end here.
      process.nextTick(() => {
        this.#onEnd();
        this.close();
      });
    }
  }

  /** The negotiated protocol, e.g. `'TLSv1.3'`. */
  get protocol(): string {
    return this.tlsSocket.getProtocol() ?? 'unknown';
  }

  /** STUN packets the byte stream under TLS has kept out of TLS so far. */
  get stunPacketsSkipped(): number {
    return this.#inbound.stunPacketsSkipped;
  }

  /** Cleartext packets the peer sent before starting TLS, dropped (never delivered). */
  get preTlsPacketsDropped(): number {
    return this.#inbound.preTlsPacketsDropped;
  }

  /** `true` once `send()` takes no more packets: from `close()` or `destroy()` on, or once TLS ended; `'close'` follows. */
  get closed(): boolean {
    return this.#closed || this.#closing || this.tlsSocket.writableEnded || this.tlsSocket.destroyed;
  }

  /**
   * Sends one packet: one TLS write (packets sent in the same tick share TLS
   * records). Returns `false` when more than `sendHighWaterMark` bytes (and
   * more than node's 16 KiB) wait in TLS: the caller should then wait for `'drain'` (the packet is queued
   * all the same); `false` without sending once closing. (The watermark is
   * above node's 16 KiB so that several packets go into one TLS write: over
   * a JS byte stream each TLS write costs an event-loop turn.)
   *
   * @throws SecureError `ERR_TLS_BAD_PACKET` for a non-Uint8Array,
   *   `ERR_TLS_PACKET_TOO_LARGE` over 65535 bytes with `'rfc4571'` framing.
   */
  send(packet: Uint8Array): boolean {
    if (!(packet instanceof Uint8Array)) throw new SecureError('ERR_TLS_BAD_PACKET', 'a packet must be a Uint8Array');
    if (this.#framed) {
      if (packet.length > MAX_FRAME_SIZE) {
        throw new SecureError('ERR_TLS_PACKET_TOO_LARGE', `a packet carries at most ${MAX_FRAME_SIZE} bytes, got ${packet.length}`);
      }
      if (this.#framed.send(packet)) return true;
      return !this.tlsSocket.writableEnded && !this.tlsSocket.destroyed && this.tlsSocket.writableLength < this.#sendHighWaterMark;
    }
    if (this.tlsSocket.writableEnded || this.tlsSocket.destroyed) return false;
    return this.tlsSocket.write(packet) || this.tlsSocket.writableLength < this.#sendHighWaterMark;
  }

  /**
   * The Duplex view (always the same object, a {@link PacketStream}): writes
   * become packets (cut at 65535 bytes with `'rfc4571'` framing, 16384 with
   * `'none'`), packets are read as bytes, `end()` closes this connection,
   * `destroy()` before both sides finished closes it too.
   */
  stream(): Duplex {
    const size = this.#framed ? MAX_FRAME_SIZE : 16384;
    this.#duplex ??= createPacketStream(this, {
      maxFrameSize: size,
      maxPacketSize: size,
      endClosesConnection: true,
      destroyClosesConnection: true,
    });
    return this.#duplex;
  }

  /** `true` after `pause()` until `resume()`. */
  get isPaused(): boolean {
    return this.#paused;
  }

  /** Stops delivering packets (TLS stops reading; TCP pushes back) until `resume()`. */
  pause(): void {
    this.#paused = true;
    if (this.#framed) this.#framed.pause();
    else this.tlsSocket.pause();
  }

  /** Delivers packets again after `pause()`. */
  resume(): void {
    this.#paused = false;
    if (this.#framed) this.#framed.resume();
    else this.tlsSocket.resume();
  }

  /**
   * Closes gracefully: the packets sent so far go out, then TLS close_notify;
   * `'close'` follows when the peer answers with its own close_notify (or the
   * connection below ends), or after `closeTimeoutMs`.
   */
  close(): void {
    if (this.#closed || this.tlsSocket.writableEnded) return;
    debug('closes: sends close_notify');
    this.#closing = true;
    this.#dropUnheard('closing');
    if (this.#framed) this.#framed.close();
    else this.tlsSocket.end();
    this.#closeTimer = setTimeout(() => {
      debug('no close_notify from the peer in %d ms: tears down', this.#closeTimeoutMs);
      this.destroy();
    }, this.#closeTimeoutMs);
    this.#closeTimer.unref();
  }

  /** Tears down at once, without close_notify. `'close'` follows, with `error` if given. */
  destroy(error?: Error): void {
    if (this.#closed) return;
    if (error) this.#setError(error);
    this.tlsSocket.destroy();
    this.#bytes.destroy();
    if (this.#framed) this.#framed.destroy();
    if (this.#closeTransport) {
      const below = this.#below as PacketConnection & { destroy?: (error?: Error) => void };
      if (typeof below.destroy === 'function') below.destroy();
      else below.close();
    }
  }

  /**
   * Keying material exported from the TLS session (RFC 5705 / RFC 8446 §7.5),
   * e.g. to key another protocol bound to this session.
   */
  exportKeyingMaterial(length: number, label: string, context?: Buffer): Buffer {
    // node's typings make `context` required; node itself treats it as
    // optional, and "no context" differs from "empty context" (RFC 5705 §4).
    const exporter = this.tlsSocket.exportKeyingMaterial.bind(this.tlsSocket) as (
      length: number,
      label: string,
      context?: Buffer,
    ) => Buffer;
    return context === undefined ? exporter(length, label) : exporter(length, label, context);
  }

  readonly #emitPacket = (packet: Buffer): void => {
    this.emit('packet', packet);
  };

  #forward(on: boolean): void {
    if (this.#framed) {
      if (on) this.#framed.on('packet', this.#emitPacket);
      else this.#framed.off('packet', this.#emitPacket);
    } else if (on) {
      this.tlsSocket.on('data', this.#emitPacket);
    } else {
      this.tlsSocket.off('data', this.#emitPacket);
      this.tlsSocket.pause();
    }
  }

  #dropUnheard(why: string): void {
    if (this.#dropping || this.listenerCount('packet') > 0) return;
    this.#dropping = true;
    const drop = (packet: Buffer): void => {
      debug('drops a %d-byte packet nobody listened to (%s)', packet.length, why);
    };
    if (this.#framed) this.#framed.on('packet', drop);
    else this.tlsSocket.on('data', drop);
  }

  readonly #onEnd = (): void => {
    this.#peerEnded = true;
    this.emit('end');
  };

  readonly #onTlsError = (error: Error): void => {
    this.#setError(error);
    // A TLS error is fatal (RFC 8446 §6.2): node:tls reports it but leaves the socket up.
    this.tlsSocket.destroy();
  };

  #setError(error: Error): void {
    if (this.#error || this.#closed) return;
    if ((error as IceTcpError).code === 'ERR_TLS_TRANSPORT_CLOSED' && (this.#peerEnded || this.#closing)) {
      // Our close_notify could not follow the peer's (or the transport went
      // while we were closing): a graceful close all the same.
      debug('the transport closed while TLS was closing: %s', error.message);
      return;
    }
    let wrapped: Error = error;
    if ((error as IceTcpError).code === 'ERR_FRAME_TRUNCATED') {
      wrapped = new SecureError('ERR_TLS_INNER_FRAMING', 'TLS ended inside a packet', { cause: error });
    } else if (!(error instanceof IceTcpError)) {
      wrapped = new SecureError('ERR_TLS_CONNECTION_FAILED', `TLS failed: ${error.message}`, { cause: error });
    }
    this.#error = wrapped;
    debug('fails: %s', wrapped.message);
    if (this.listenerCount('error') > 0) this.emit('error', wrapped);
  }

  #finish(error?: Error): void {
    if (this.#closed) return;
    if (error) this.#setError(error);
    this.#closed = true;
    clearTimeout(this.#closeTimer);
    if (!this.#bytes.destroyed) this.#bytes.destroy();
    if (this.#closeTransport) this.#below.close();
    debug('closed%s', this.#error ? `: ${this.#error.message}` : '');
    this.emit('close', this.#error);
  }
}
