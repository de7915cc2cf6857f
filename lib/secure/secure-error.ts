import { IceTcpError } from '../errors.js';

/**
 * Stable codes of {@link SecureError}.
 *
 * - `ERR_SECURE_BAD_OPTION`: an option of a certificate, fingerprint or TLS
 *   function is out of range or of the wrong type.
 * - `ERR_FINGERPRINT_SYNTAX`: a fingerprint or `a=fingerprint` line is
 *   malformed (RFC 8122 §5 ABNF), or its length does not fit its hash.
 * - `ERR_FINGERPRINT_HASH_FORBIDDEN`: `md5` or `md2` (RFC 8122 §5: MUST NOT be
 *   used to compute or verify fingerprints).
 * - `ERR_FINGERPRINT_UNKNOWN_HASH`: a hash name that is neither one of the
 *   RFC 8122 §5 names nor forbidden (a future token we cannot compute).
 * - `ERR_FINGERPRINT_NONE_USABLE`: no fingerprint was given to check a
 *   certificate against.
 * - `ERR_SETUP_SYNTAX`: a malformed `a=setup` line (RFC 4145 §4).
 * - `ERR_SETUP_INVALID_ANSWER`: an offer/answer pair of setup values that
 *   RFC 4145 §4.1 does not allow (e.g. active answered by active).
 * - `ERR_SETUP_HOLDCONN`: one side said `holdconn`: no connection, so no TLS
 *   role, for now (RFC 4145 §4).
 * - `ERR_TLS_FINGERPRINT_MISMATCH`: the peer's certificate matches none of the
 *   signalled fingerprints (RFC 8122 §5.1, §6.2).
 * - `ERR_TLS_NO_PEER_CERTIFICATE`: the peer presented no certificate
 *   (RFC 8122 §6.2: both sides must).
 * - `ERR_TLS_HANDSHAKE_FAILED`: node:tls failed the handshake (the cause is
 *   attached).
 * - `ERR_TLS_HANDSHAKE_TIMEOUT`: the handshake (and fingerprint check) did not
 *   finish in time.
 * - `ERR_TLS_ABORTED`: the caller's `AbortSignal` fired before the handshake
 *   finished.
 * - `ERR_TLS_TRANSPORT_CLOSED`: the packet connection underneath closed
 *   before the handshake finished.
 * - `ERR_TLS_CONNECTION_FAILED`: a TLS error after the handshake (bad record,
 *   truncation, ...; the cause is attached).
 * - `ERR_TLS_RECEIVE_OVERFLOW`: more ciphertext was queued than
 *   `maxBufferedBytes` while TLS was not reading, and the connection below
 *   cannot be paused.
 * - `ERR_TLS_PACKET_TOO_LARGE`: a packet over 65535 bytes sent on a secure
 *   connection that frames packets inside TLS.
 * - `ERR_TLS_BAD_PACKET`: `send()` was given something that is not a
 *   `Uint8Array`.
 * - `ERR_TLS_INNER_FRAMING`: the peer's inner RFC 4571 framing (inside TLS)
 *   ended mid-frame.
 * - `ERR_DTLS_FINGERPRINT_MISMATCH`: the DTLS peer's certificate matches none
 *   of the signalled fingerprints (RFC 8122 §5.1, §6.2).
 * - `ERR_DTLS_NO_PEER_CERTIFICATE`: the DTLS peer presented no certificate.
 * - `ERR_DTLS_HANDSHAKE_FAILED`: the DTLS handshake failed (the
 *   lib/dtls `DtlsError` is the cause).
 * - `ERR_DTLS_HANDSHAKE_TIMEOUT`: no verified DTLS handshake in time.
 * - `ERR_DTLS_ABORTED`: the caller's `AbortSignal` fired during the handshake.
 * - `ERR_DTLS_TRANSPORT_CLOSED`: the packet connection closed during the handshake.
 * - `ERR_DTLS_CONNECTION_FAILED`: a fatal DTLS error after the handshake (a
 *   fatal alert from the peer; the cause is attached).
 */
export type SecureErrorCode =
  | 'ERR_SECURE_BAD_OPTION'
  | 'ERR_FINGERPRINT_SYNTAX'
  | 'ERR_FINGERPRINT_HASH_FORBIDDEN'
  | 'ERR_FINGERPRINT_UNKNOWN_HASH'
  | 'ERR_FINGERPRINT_NONE_USABLE'
  | 'ERR_SETUP_SYNTAX'
  | 'ERR_SETUP_INVALID_ANSWER'
  | 'ERR_SETUP_HOLDCONN'
  | 'ERR_TLS_FINGERPRINT_MISMATCH'
  | 'ERR_TLS_NO_PEER_CERTIFICATE'
  | 'ERR_TLS_HANDSHAKE_FAILED'
  | 'ERR_TLS_HANDSHAKE_TIMEOUT'
  | 'ERR_TLS_ABORTED'
  | 'ERR_TLS_TRANSPORT_CLOSED'
  | 'ERR_TLS_CONNECTION_FAILED'
  | 'ERR_TLS_RECEIVE_OVERFLOW'
  | 'ERR_TLS_PACKET_TOO_LARGE'
  | 'ERR_TLS_BAD_PACKET'
  | 'ERR_TLS_INNER_FRAMING'
  | 'ERR_DTLS_FINGERPRINT_MISMATCH'
  | 'ERR_DTLS_NO_PEER_CERTIFICATE'
  | 'ERR_DTLS_HANDSHAKE_FAILED'
  | 'ERR_DTLS_HANDSHAKE_TIMEOUT'
  | 'ERR_DTLS_ABORTED'
  | 'ERR_DTLS_TRANSPORT_CLOSED'
  | 'ERR_DTLS_CONNECTION_FAILED';

/**
 * Every error of lib/secure: certificates, fingerprints (RFC 8122), setup
 * roles (RFC 4145) and TLS over a packet connection (RFC 6544 §10).
 */
export class SecureError extends IceTcpError {
  declare readonly code: SecureErrorCode;

  constructor(code: SecureErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
