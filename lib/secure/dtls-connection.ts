/**
 * The connection {@link secureDtls} returns: a DTLS endpoint driven over a
 * packet connection with real time, itself a packet connection with a
 * Duplex view, like the TLS one.
 *
 * @module
 */
import { EventEmitter } from 'node:events';
import { X509Certificate } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import createDebug from 'debug';
import type { PacketConnectionEvents } from '../connection-events.js';
import type { PacketConnection } from '../connection.js';
import { type CipherSuiteName, DtlsEndpoint, type DtlsEvent, type SrtpProfileName } from '../dtls/index.js';
import { HoldBuffer } from '../hold-buffer.js';
import { createPacketStream, type PacketStream } from '../packet-stream/packet-stream.js';
import type { CertificateFingerprint } from './fingerprint.js';
import { SecureError } from './secure-error.js';
import type { TlsRole } from './setup-role.js';

const debug = createDebug('ice-tcp:secure');

/** Packets held for a missing listener (or before the peer is verified); more are dropped with a debug line. */
export const MAX_HELD_DTLS_PACKETS = 1024;

/** Bytes held likewise (at most 16384 per record). */
export const MAX_HELD_DTLS_BYTES = 4 * 1024 * 1024;

/**
 * RFC 7983 §7: a first byte in 20..63 is DTLS; 0..3 is STUN (ICE's), and
 * anything else is not ours either.
 */
export function isDtlsPacket(packet: Uint8Array): boolean {
  return packet.length > 0 && packet[0] >= 20 && packet[0] <= 63;
}

/**
 * DTLS over a packet connection: each packet below is one DTLS datagram
 * (a UDP datagram, or an RFC 4571 frame on ICE-TCP, RFC 6544 §7.1), each
 * `send()` one application record.
 *
 * Reading flow control: `pause()` holds decrypted packets (and pauses the
 * connection below, so that a TCP pair pushes back on the peer) until
 * `resume()`.
 *
 * Events: `'packet' (Buffer)` (held while nobody listens or while paused), `'drain'`,
 * `'end'` (the peer sent close_notify), `'error' (Error)` (only when
 * listened to; also comes with `'close'`), `'close' (error?)`.
 */
export class DtlsConnection extends EventEmitter<PacketConnectionEvents> implements PacketConnection {
  readonly role: TlsRole;
  readonly endpoint: DtlsEndpoint;
  readonly #below: PacketConnection;
  readonly #closeTransport: boolean;
  #timer: NodeJS.Timeout | undefined;
  /** Overflow policy: offer(), and drop (debug line, `counters.unreadPacketsDropped`) what does not fit: DTLS is datagrams. */
  readonly #held = new HoldBuffer({ maxPackets: MAX_HELD_DTLS_PACKETS, maxBytes: MAX_HELD_DTLS_BYTES });
  #verified = false;
  #closed = false;
  #paused = false;
  #error: Error | undefined;
  #duplex: PacketStream | undefined;
  #onEvent: ((event: DtlsEvent) => void) | undefined;
  /** Set once verified. */
  peerCertificate: X509Certificate | undefined;
  peerFingerprint: CertificateFingerprint | undefined;
  /**
   * DTLS packets that came in, non-DTLS packets dropped (RFC 7983), and
   * decrypted packets dropped because too many waited for a reader.
   */
  readonly counters = { dtlsPackets: 0, otherPacketsDropped: 0, unreadPacketsDropped: 0 };

  /** @internal Made by {@link secureDtls}. */
  constructor(below: PacketConnection, endpoint: DtlsEndpoint, role: TlsRole, closeTransport: boolean) {
    super();
    this.#below = below;
    this.endpoint = endpoint;
    this.role = role;
    this.#closeTransport = closeTransport;
    below.on('packet', this.#onPacket);
    below.on('close', this.#onBelowClose);
    below.on('drain', this.#onDrain);
    this.on('newListener', (event: string | symbol) => {
      if (event === 'packet') queueMicrotask(() => this.#flushHeld());
    });
  }

  /** `'udp'` or `'tcp'`: that of the connection below. */
  get transport(): 'udp' | 'tcp' {
    return this.#below.transport;
  }

  /** `true` once closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** `true` after `pause()` until `resume()`. */
  get isPaused(): boolean {
    return this.#paused;
  }

  /** Holds decrypted packets until `resume()`; the connection below is paused too. */
  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#below.pause();
  }

  /** Delivers the held packets, in order, and reads again after `pause()`. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#flushHeld();
    if (!this.#paused) this.#below.resume();
  }

  get cipherSuite(): CipherSuiteName | undefined {
    return this.endpoint.cipherSuite;
  }

  get srtpProfile(): SrtpProfileName | undefined {
    return this.endpoint.srtpProfile;
  }

  /** @internal Where the handshake's events go until the connection is handed out. */
  set handshakeListener(listener: ((event: DtlsEvent) => void) | undefined) {
    this.#onEvent = listener;
  }

  /** @internal The peer passed the fingerprint check: deliver packets from now on. */
  markVerified(certificate: X509Certificate, fingerprint: CertificateFingerprint): void {
    this.peerCertificate = certificate;
    this.peerFingerprint = fingerprint;
    this.#verified = true;
    this.#flushHeld();
  }

  /** Starts the endpoint (a client sends its ClientHello). */
  start(): void {
    this.endpoint.start(performance.now());
    this.#pump();
  }

  /**
   * Sends one packet as one DTLS record. Returns the connection below's
   * answer (`false`: wait for `'drain'`); `false` once closed.
   *
   * @throws SecureError `ERR_TLS_BAD_PACKET` for a non-Uint8Array; the
   *   endpoint's `ERR_DTLS_MESSAGE_TOO_LARGE` over 16384 bytes.
   */
  send(packet: Uint8Array): boolean {
    if (!(packet instanceof Uint8Array)) throw new SecureError('ERR_TLS_BAD_PACKET', 'a packet must be a Uint8Array');
    if (this.#closed || this.endpoint.state !== 'connected') return false;
    this.endpoint.send(packet);
    return this.#pump();
  }

  /** The Duplex view (always the same object): each write becomes records of at most 16384 bytes. */
  stream(): Duplex {
    this.#duplex ??= createPacketStream(this, {
      maxPacketSize: 16384,
      maxFrameSize: 16384,
      endClosesConnection: true,
      destroyClosesConnection: true,
    });
    return this.#duplex;
  }

  /** Sends close_notify and closes. */
  close(): void {
    if (this.#closed) return;
    this.endpoint.close();
    this.#pump();
    this.#finish();
  }

  /** Closes without close_notify. */
  destroy(error?: Error): void {
    if (this.#closed) return;
    if (error) this.#error = error;
    this.#finish();
  }

  /** RFC 5705 keying material, e.g. `exportKeyingMaterial(60, 'EXTRACTOR-dtls_srtp')` for DTLS-SRTP (RFC 5764 §4.2). */
  exportKeyingMaterial(length: number, label: string, context?: Uint8Array): Buffer {
    return Buffer.from(this.endpoint.exportKeyingMaterial(label, length, context));
  }

  readonly #onPacket = (packet: Buffer): void => {
    if (!isDtlsPacket(packet)) {
      this.counters.otherPacketsDropped++;
      debug('drops a %d-byte packet whose first byte %d is not DTLS (RFC 7983)', packet.length, packet[0]);
      return;
    }
    this.counters.dtlsPackets++;
    this.endpoint.handleDatagram(performance.now(), packet);
    this.#pump();
  };

  readonly #onDrain = (): void => {
    this.emit('drain');
  };

  readonly #onBelowClose = (): void => {
    if (this.#closed) return;
    this.#error ??=
      this.endpoint.state === 'connected' ? undefined : new SecureError('ERR_DTLS_TRANSPORT_CLOSED', 'the packet connection closed');
    this.#finish();
  };

  /** Moves the endpoint's output to the wire and its events to listeners; re-arms the timer. Returns the last send's answer. */
  #pump(): boolean {
    let accepted = true;
    for (let d = this.endpoint.pollTransmit(); d !== undefined; d = this.endpoint.pollTransmit()) {
      accepted = this.#below.send(d) && accepted;
    }
    for (let e = this.endpoint.pollEvent(); e !== undefined; e = this.endpoint.pollEvent()) this.#dispatch(e);
    clearTimeout(this.#timer);
    const deadline = this.endpoint.pollTimeout();
    if (deadline !== undefined && !this.#closed) {
      this.#timer = setTimeout(
        () => {
          this.endpoint.handleTimeout(performance.now());
          this.#pump();
        },
        Math.max(0, deadline - performance.now()) + 1,
      );
      this.#timer.unref?.();
    }
    return accepted;
  }

  #dispatch(event: DtlsEvent): void {
    this.#onEvent?.(event);
    switch (event.type) {
      case 'data':
        this.#deliver(Buffer.from(event.data.buffer, event.data.byteOffset, event.data.length));
        return;
      case 'closed':
        if (event.byPeer) {
          this.emit('end');
          this.#finish();
        }
        return;
      case 'failed':
        if (this.#verified) {
          this.#error ??= new SecureError('ERR_DTLS_CONNECTION_FAILED', `DTLS failed: ${event.error.message}`, { cause: event.error });
          this.#finish();
        }
        return;
      default:
        return;
    }
  }

  #deliver(packet: Buffer): void {
    if (this.#held.size === 0 && this.#readerReady()) {
      this.emit('packet', packet);
      return;
    }
    if (this.#held.offer(packet)) return;
    this.counters.unreadPacketsDropped++;
    debug('drops a %d-byte packet: %d packets (%d bytes) already held', packet.length, this.#held.size, this.#held.bytes);
  }

  #readerReady(): boolean {
    return this.#verified && !this.#paused && !this.#closed && this.listenerCount('packet') > 0;
  }

  #flushHeld(): void {
    this.#held.drain(
      () => this.#readerReady(),
      (packet) => this.emit('packet', packet),
    );
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#below.off('packet', this.#onPacket);
    this.#below.off('close', this.#onBelowClose);
    this.#below.off('drain', this.#onDrain);
    // A turn later, so that the close_notify just handed to the connection below leaves first (a UDP socket closed at once would drop it).
    if (this.#closeTransport) setImmediate(() => this.#below.close());
    if (this.#error && this.#verified && this.listenerCount('error') > 0) this.emit('error', this.#error);
    debug('DTLS %s closed%s', this.role, this.#error ? `: ${this.#error.message}` : '');
    this.emit('close', this.#verified ? this.#error : undefined);
  }
}
