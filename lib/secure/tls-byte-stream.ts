/**
 * The byte stream TLS runs over in {@link secureTls}: the {@link PacketStream}
 * of a packet connection, set up for TLS (RFC 6544 §10.1–10.2).
 *
 * @module
 */
import createDebug from 'debug';
import type { PacketConnection } from '../connection.js';
import { createPacketStream, type PacketStream, type PacketStreamErrors } from '../packet-stream/packet-stream.js';
import { isStun } from '../stun/index.js';
import { SecureError } from './secure-error.js';
import { TLS_RECORD_FRAME_SIZE, TlsRecordBoundaries } from './tls-record-cut.js';
import { TlsStartGate } from './tls-start-gate.js';

const debug = createDebug('ice-tcp:secure');

/**
 * Default largest payload of the frames that carry TLS bytes: one whole TLS
 * 1.3 record, 16645 bytes (RFC 8446 §5.2: 2^14 + 256 bytes of ciphertext,
 * plus the 5-byte header). Frames end at record boundaries, so each holds
 * whole records (lib/secure/tls-record-cut.ts). Frames far larger than a
 * record would cost the receiver more: a frame cut by a socket read is
 * copied whole into a new buffer, and a 65535-byte frame is cut by nearly
 * every 64 KiB read.
 */
export const DEFAULT_TLS_FRAME_SIZE = TLS_RECORD_FRAME_SIZE;

/**
 * Bytes of one TLS write sent on after the connection pushed back: a TLS
 * write is one flight of records (node hands over at most about ten 16 KiB
 * buffers of output at a time), so this lets each go out whole.
 */
const TLS_WRITE_AHEAD_BYTES = 256 * 1024;

/** The errors of the byte stream under TLS. */
export const TLS_BYTE_STREAM_ERRORS: PacketStreamErrors = {
  badOption: (message) => new SecureError('ERR_SECURE_BAD_OPTION', message),
  closed: (message) => new SecureError('ERR_TLS_TRANSPORT_CLOSED', message),
  overflow: (message) => new SecureError('ERR_TLS_RECEIVE_OVERFLOW', message),
};

/** Options of {@link createTlsByteStream}. */
export interface TlsByteStreamOptions {
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
   * Unread ciphertext beyond which the connection fails with
   * `ERR_TLS_RECEIVE_OVERFLOW` although it was paused (a connection whose
   * `pause()` cannot stop deliveries); default 4 MiB, at least 65536.
   */
  maxBufferedBytes?: number;
  /** Drop cleartext sent by the peer before its first TLS record ({@link TlsStartGate}); default true. */
  gate?: boolean;
  /** Close the packet connection once our side of the byte stream has ended (default true). */
  closeTransportOnEnd?: boolean;
}

/** What the byte stream kept out of TLS: STUN, and cleartext sent before TLS. */
export class TlsInbound {
  readonly #requireFingerprint: boolean;
  readonly #gate: TlsStartGate | undefined;
  #stunSkipped = 0;

  constructor(requireFingerprint: boolean, gate: boolean) {
    this.#requireFingerprint = requireFingerprint;
    this.#gate = gate ? new TlsStartGate() : undefined;
  }

  /** STUN packets kept out of the byte stream so far. */
  get stunPacketsSkipped(): number {
    return this.#stunSkipped;
  }

  /** Cleartext packets dropped because they came before the peer's first TLS record. */
  get preTlsPacketsDropped(): number {
    return this.#gate?.droppedPackets ?? 0;
  }

  /** The {@link PacketStream} inbound filter. */
  readonly filter = (packet: Buffer, deliver: (bytes: Buffer) => void): void => {
    // RFC 6544 §10.2: STUN is told apart from application data by ICE's rules.
    if (isStun(packet, { requireFingerprint: this.#requireFingerprint })) {
      this.#stunSkipped += 1;
      debug('keeps a %d-byte STUN packet out of TLS', packet.length);
      return;
    }
    if (this.#gate !== undefined) this.#gate.push(packet, deliver);
    else deliver(packet);
  };
}

/**
 * The byte stream TLS runs over:
 *
 * - reading: the payload of every packet that is not STUN, appended in order
 *   (RFC 6544 §10.2: records need not line up with frames); STUN packets
 *   (checks, consent, keepalives) are skipped, as are cleartext packets sent
 *   before the peer's first TLS record ({@link TlsStartGate});
 * - writing: TLS's output cut into frames of whole records (at most
 *   `maxFrameSize`), none of which looks like STUN (RFC 6544 §10.1); node
 *   hands every TLS write over in a new Buffer, so nothing is copied;
 * - ending our side closes the packet connection (unless
 *   `closeTransportOnEnd` is false); the connection's end or close ends the
 *   readable side.
 *
 * @throws SecureError `ERR_SECURE_BAD_OPTION` for a bad option.
 */
export function createTlsByteStream(conn: PacketConnection, options?: TlsByteStreamOptions): { stream: PacketStream; inbound: TlsInbound } {
  const inbound = new TlsInbound(options?.requireStunFingerprint ?? true, options?.gate ?? true);
  const maxFrameSize = options?.maxFrameSize ?? DEFAULT_TLS_FRAME_SIZE;
  const stream = createPacketStream(conn, {
    maxFrameSize,
    maxPacketSize: maxFrameSize,
    maxBufferedBytes: options?.maxBufferedBytes,
    endClosesConnection: options?.closeTransportOnEnd ?? true,
    copyWrites: false,
    // node:tls writes one output flight at a time (a few records): send it whole, then wait for 'drain'.
    writeAheadBytes: TLS_WRITE_AHEAD_BYTES,
    boundaries: new TlsRecordBoundaries(),
    inbound: inbound.filter,
    errors: TLS_BYTE_STREAM_ERRORS,
  });
  return { stream, inbound };
}
