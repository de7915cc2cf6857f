/**
 * Secure layering over the selected ICE pair: self-signed certificates,
 * RFC 8122 fingerprints, RFC 4145 setup roles, and TLS over an ICE-TCP
 * packet connection (RFC 6544 §10), and DTLS 1.2 over a UDP or ICE-TCP pair
 * (lib/dtls; see DTLS.md in this folder).
 */
export { SecureError, type SecureErrorCode } from './secure-error.js';
export {
  generateCertificate,
  loadCertificate,
  DEFAULT_COMMON_NAME,
  DEFAULT_VALIDITY_DAYS,
  type CertificateKeyType,
  type CertificateOptions,
  type TlsCertificate,
} from './certificate.js';
export {
  computeFingerprint,
  normalizeFingerprintHash,
  parseFingerprint,
  parseFingerprintLine,
  formatFingerprint,
  formatFingerprintAttribute,
  formatFingerprintLine,
  selectFingerprints,
  matchCertificate,
  toFingerprints,
  FINGERPRINT_HASH_PREFERENCE,
  DEFAULT_FINGERPRINT_HASH,
  type FingerprintHash,
  type CertificateFingerprint,
  type FingerprintMatch,
} from './fingerprint.js';
export {
  parseSetupRole,
  parseSetupLine,
  formatSetupAttribute,
  formatSetupLine,
  validateSetupAnswer,
  chooseAnswerSetup,
  negotiateTlsRoles,
  tlsRoleFor,
  DEFAULT_OFFER_SETUP,
  DEFAULT_ANSWER_SETUP,
  type SetupRole,
  type TlsRole,
  type OfferAnswerSide,
  type NegotiatedTlsRoles,
} from './setup-role.js';
export { TlsStartGate } from './tls-start-gate.js';
export { TlsRecordBoundaries, TLS_RECORD_FRAME_SIZE } from './tls-record-cut.js';
export {
  createTlsByteStream,
  DEFAULT_TLS_FRAME_SIZE,
  TLS_BYTE_STREAM_ERRORS,
  TlsInbound,
  type TlsByteStreamOptions,
} from './tls-byte-stream.js';
export { SecureConnection, type InnerFraming, type SecureConnectionInfo } from './secure-connection.js';
export {
  secureTls,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_SEND_HIGH_WATER_MARK,
  type SecureTlsOptions,
  type TlsCredentials,
  type FingerprintList,
} from './secure-tls.js';
export { secureDtls, type SecureDtlsOptions } from './secure-dtls.js';
export { DtlsConnection, isDtlsPacket, MAX_HELD_DTLS_PACKETS, MAX_HELD_DTLS_BYTES } from './dtls-connection.js';
