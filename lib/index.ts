/**
 * ice-tcp: ICE-TCP (RFC 6544) with RFC 4571 framing as a transport plugin
 * for a sans-IO ICE (RFC 8445) agent.
 *
 * This file is the package's main entry point, `ice-tcp`, and nothing else:
 * it only re-exports, by name. The public API comes in tiers, one entry
 * point each (package.json `exports`, README "Entry points"):
 *
 * | import                | file                    | what                                             |
 * |-----------------------|-------------------------|--------------------------------------------------|
 * | `ice-tcp`             | lib/index.ts            | IceAgent, IceConnection, candidates, errors, certificates, TLS |
 * | `ice-tcp/core`        | lib/api/core-api.ts         | the sans-IO ICE core and its contract types      |
 * | `ice-tcp/stun`        | lib/api/stun-api.ts         | the STUN codec                                   |
 * | `ice-tcp/framing`     | lib/api/framing-api.ts      | RFC 4571 framing                                 |
 * | `ice-tcp/replay`      | lib/api/replay-api.ts       | record and replay of core sessions               |
 * | `ice-tcp/stun-server` | lib/api/stun-server-api.ts  | a STUN Binding server                            |
 *
 * Adding to the API: name each export here or in its lib/api file (never
 * `export *`: the folders' own index.ts files also serve the library's
 * internals). A new entry point (for example `ice-tcp/dtls`, `ice-tcp/turn`,
 * `ice-tcp/pcap`) is a new lib/api/NAME.ts, an `exports` entry in
 * package.json (the `import` and `require` branches, each with `types`), a
 * row in the table above and in the README; the packed-tarball smoke test
 * (scripts/smoke-pack.mjs) then imports and requires it by itself. Entry
 * points of the user-facing layers on top of the agent (DTLS like TLS) also
 * belong here, in the main entry.
 *
 * @module
 */

// Errors: every error is an IceTcpError subclass with a stable `code`.
export { IceTcpError } from './errors.js';
export { IceAgentError, type IceAgentErrorCode } from './net/index.js';
export { CandidateError, type CandidateErrorCode } from './candidate/index.js';
export { IceError, type IceErrorCode } from './ice/index.js';
export { FramingError, type FramingErrorCode } from './framing/index.js';
export { StunError, type StunErrorCode } from './stun/index.js';
export { SecureError, type SecureErrorCode } from './secure/index.js';
export { TcpTransportError, type TcpTransportErrorCode } from './net/index.js';

// The agent and the selected pair.
export { IceAgent, type ConnectOptions, type GatheringState, type IceParameters } from './net/index.js';
export { type IceAgentOptions, type IceAgentTcpOptions, type IceAgentTestingOptions } from './net/index.js';
export type { IceAgentEvents, IceConnectionEvents, UnusableAddress } from './net/index.js';
export type { AnnouncedAddresses } from './net/index.js';
export { IceCandidate } from './net/index.js';
export {
  IceConnection,
  DEFAULT_MAX_QUEUED_PACKETS,
  DEFAULT_MAX_HELD_BYTES,
  MAX_ICE_PACKET_SIZE,
  type IceConnectionOptions,
} from './net/index.js';
export { PacketStream, type PacketStreamOptions } from './packet-stream/packet-stream.js';
/** @deprecated `IceConnection.stream()` returns a `PacketStream`. */
export { IceConnectionStream, type IceConnectionStreamOptions } from './net/index.js';
export type { PacketConnection } from './connection.js';
export type { PacketConnectionEvents } from './connection-events.js';
export type { ListenerEvents } from './emitter-events.js';
export type { UdpTransportOptions } from './net/index.js';
export type { TcpTransportOptions } from './net/index.js';
export { listInterfaceAddresses, type InterfaceAddressOptions } from './net/index.js';
export { DEFAULT_STUN_PORT, parseStunUrl } from './net/index.js';
export {
  SharedPassiveListener,
  DEFAULT_FIRST_FRAME_TIMEOUT_MS,
  DEFAULT_MAX_FIRST_FRAME_SIZE,
  DEFAULT_MAX_PENDING_CONNECTIONS,
  MIN_FIRST_FRAME_SIZE,
  type SharedPassiveListenerEvents,
  type SharedPassiveListenerOptions,
  type SharedPassiveListenerStats,
  type PassiveConnectionHandler,
  type PassiveRejectReason,
  type PassiveRejection,
} from './net/index.js';
// What the agent's events and options carry (the core's contract types).
export type { Address, IceCredentials, IceState, PairInfo, PairState, RandomSource, Route } from './ice/index.js';
// Transport plugins beside UDP and TCP (IceAgentOptions.plugins), for plugin authors.
export type { GatherContext, StunServerAddress, TransportHost, TransportPlugin } from './net/index.js';

// Candidates (RFC 8445 §5.1, RFC 6544 §4, RFC 8839 §5.1).
export {
  ACTIVE_TCP_PORT,
  CANDIDATE_TYPES,
  TCP_TYPES,
  type Candidate,
  type CandidateType,
  type TcpType,
  type TransportProtocol,
} from './candidate/index.js';
export { MAX_CANDIDATE_LINE_LENGTH, parseCandidate, serializeCandidate, type SerializeCandidateOptions } from './candidate/index.js';
export {
  candidateFromInit,
  candidateToInit,
  type IceCandidateContext,
  type ParsedIceCandidateInit,
  type RTCIceCandidateInit,
} from './candidate/index.js';
export {
  DEFAULT_TYPE_PREFERENCES,
  candidatePriority,
  tcpDirectionPreference,
  tcpLocalPreference,
  typePreference,
  type CandidatePriorityInput,
  type PriorityOptions,
} from './candidate/index.js';
export { computeFoundation, type FoundationInput } from './candidate/index.js';
export { pairPriority } from './candidate/index.js';

// Certificates, fingerprints (RFC 8122), setup roles (RFC 4145) and TLS over the selected pair (RFC 6544 §10).
export {
  generateCertificate,
  loadCertificate,
  DEFAULT_COMMON_NAME,
  DEFAULT_VALIDITY_DAYS,
  type CertificateKeyType,
  type CertificateOptions,
  type TlsCertificate,
} from './secure/index.js';
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
} from './secure/index.js';
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
} from './secure/index.js';
export { SecureConnection, type InnerFraming, type SecureConnectionInfo } from './secure/index.js';
export {
  secureTls,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_SEND_HIGH_WATER_MARK,
  type SecureTlsOptions,
  type TlsCredentials,
  type FingerprintList,
} from './secure/index.js';
export { DEFAULT_TLS_FRAME_SIZE } from './secure/index.js';

// Record and replay of sessions (the full set, and captures, is in `ice-tcp/replay`).
export {
  recordSession,
  replaySession,
  replaySessionFile,
  describeReplay,
  type RecordSessionOptions,
  type RecordedAgentSession,
  type ReplayResult,
  type ReplayOptions,
} from './replay/index.js';

// Relayed candidates through a TURN server (RFC 8656, RFC 6062): IceAgentOptions.iceServers, or the plugin itself.
export { TurnError, type TurnErrorCode, parseIceServers, parseTurnUrl, type RTCIceServer, type TurnServerConfig } from './turn/index.js';
export { TurnTransport, type TurnTransportOptions } from './net/turn/index.js';
export type { IceAgentTurnOptions } from './net/index.js';

// DTLS 1.2 over the selected pair (RFC 6347, RFC 5764; lib/dtls), and its sans-IO endpoint.
export {
  secureDtls,
  type SecureDtlsOptions,
  DtlsConnection,
  isDtlsPacket,
  MAX_HELD_DTLS_PACKETS,
  MAX_HELD_DTLS_BYTES,
} from './secure/index.js';
export {
  DtlsEndpoint,
  DtlsError,
  type DtlsErrorCode,
  type DtlsEvent,
  type DtlsState,
  type DtlsEndpointOptions,
  type DtlsGroupName,
} from './dtls/index.js';
export {
  CipherSuite,
  DEFAULT_CIPHER_SUITES,
  type CipherSuiteName,
  SrtpProfile,
  SRTP_EXPORTER_LABEL,
  srtpKeyingMaterialLength,
  type SrtpProfileName,
} from './dtls/index.js';
export {
  DEFAULT_MTU,
  DEFAULT_RETRANSMIT_INITIAL_MS,
  DEFAULT_RETRANSMIT_MAX_MS,
  DEFAULT_MAX_RETRANSMITS,
  AlertDescription,
  AlertLevel,
} from './dtls/index.js';
