/**
 * DTLS 1.2 (RFC 6347) for WebRTC-style peers, sans-IO, over node:crypto:
 * ECDHE-ECDSA with AES-GCM or ChaCha20-Poly1305, extended master secret
 * required, use_srtp and RFC 5705 export. See README.md in this folder.
 */
export { DtlsEndpoint, MIN_RETRANSMIT_GAP_MS, type DtlsEvent, type DtlsState } from './endpoint.js';
export { DtlsError, type DtlsErrorCode } from './dtls-error.js';
export {
  DEFAULT_MTU,
  DEFAULT_RETRANSMIT_INITIAL_MS,
  DEFAULT_RETRANSMIT_MAX_MS,
  DEFAULT_MAX_RETRANSMITS,
  type DtlsEndpointOptions,
  type DtlsGroupName,
} from './dtls-options.js';
export { CipherSuite, DEFAULT_CIPHER_SUITES, type CipherSuiteName } from './cipher-suites.js';
export { SrtpProfile, SRTP_EXPORTER_LABEL, srtpKeyingMaterialLength, type SrtpProfileName } from './srtp-profiles.js';
export { AlertDescription, AlertLevel } from './alert.js';
