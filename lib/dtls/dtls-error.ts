import { IceTcpError } from '../errors.js';

/**
 * Stable codes of {@link DtlsError}.
 *
 * - `ERR_DTLS_BAD_OPTION`: an option of the endpoint is missing or out of range.
 * - `ERR_DTLS_DECODE`: a record or handshake message is malformed (a
 *   `decode_error` alert goes out when this ends a handshake).
 * - `ERR_DTLS_PROTOCOL_VERSION`: the peer offered or chose a version other
 *   than DTLS 1.2 (RFC 6347 §4.1; DTLS 1.0 is refused).
 * - `ERR_DTLS_NO_SHARED_SUITE`: no cipher suite, group, signature algorithm or
 *   SRTP profile in common (a `handshake_failure` alert).
 * - `ERR_DTLS_NO_EXTENDED_MASTER_SECRET`: the peer did not negotiate RFC 7627
 *   extended_master_secret, which we require.
 * - `ERR_DTLS_RENEGOTIATION`: a renegotiation_info that is not empty
 *   (RFC 5746 §3.4, §3.6) on an initial handshake.
 * - `ERR_DTLS_BAD_SIGNATURE`: a ServerKeyExchange or CertificateVerify
 *   signature does not verify, or is missing (`decrypt_error`).
 * - `ERR_DTLS_BAD_CERTIFICATE`: the peer's certificate is unreadable, not
 *   ECDSA P-256, or rejected by the certificate check (fingerprint).
 * - `ERR_DTLS_NO_PEER_CERTIFICATE`: the peer sent no certificate (RFC 8122 §6.2:
 *   both sides must).
 * - `ERR_DTLS_BAD_FINISHED`: the peer's Finished does not match the transcript.
 * - `ERR_DTLS_UNEXPECTED_MESSAGE`: a handshake message out of order.
 * - `ERR_DTLS_ALERT`: the peer sent a fatal alert.
 * - `ERR_DTLS_HANDSHAKE_TIMEOUT`: the flight was retransmitted the maximum number of times without an answer.
 * - `ERR_DTLS_NOT_CONNECTED`: application data sent before the handshake finished or after close.
 * - `ERR_DTLS_MESSAGE_TOO_LARGE`: application data larger than one record can carry.
 * - `ERR_DTLS_HANDSHAKE_TOO_LARGE`: a handshake message larger than `maxHandshakeMessageSize`.
 */
export type DtlsErrorCode =
  | 'ERR_DTLS_BAD_OPTION'
  | 'ERR_DTLS_DECODE'
  | 'ERR_DTLS_PROTOCOL_VERSION'
  | 'ERR_DTLS_NO_SHARED_SUITE'
  | 'ERR_DTLS_NO_EXTENDED_MASTER_SECRET'
  | 'ERR_DTLS_RENEGOTIATION'
  | 'ERR_DTLS_BAD_SIGNATURE'
  | 'ERR_DTLS_BAD_CERTIFICATE'
  | 'ERR_DTLS_NO_PEER_CERTIFICATE'
  | 'ERR_DTLS_BAD_FINISHED'
  | 'ERR_DTLS_UNEXPECTED_MESSAGE'
  | 'ERR_DTLS_ALERT'
  | 'ERR_DTLS_HANDSHAKE_TIMEOUT'
  | 'ERR_DTLS_NOT_CONNECTED'
  | 'ERR_DTLS_MESSAGE_TOO_LARGE'
  | 'ERR_DTLS_HANDSHAKE_TOO_LARGE';

/** Every error of lib/dtls. `alert` is the TLS alert description it maps to, when one is sent. */
export class DtlsError extends IceTcpError {
  declare readonly code: DtlsErrorCode;
  /** The alert description sent to the peer (RFC 5246 §7.2), if any. */
  readonly alert: number | undefined;

  constructor(code: DtlsErrorCode, message: string, options?: { cause?: unknown; alert?: number }) {
    super(code, message, options);
    this.alert = options?.alert;
  }
}
