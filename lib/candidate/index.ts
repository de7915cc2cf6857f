/**
 * Candidates (RFC 8445 §5.1, RFC 6544 §4, RFC 8839 §5.1): the model,
 * priorities, foundations, `a=candidate` parsing and printing,
 * `RTCIceCandidateInit`, pairing rules, pair priority and checklist forming.
 * Pure: no I/O.
 */
export { CandidateError, type CandidateErrorCode } from './candidate-errors.js';
export {
  ACTIVE_TCP_PORT,
  CANDIDATE_TYPES,
  TCP_TYPES,
  type Candidate,
  type CandidateType,
  type TcpType,
  type TransportProtocol,
} from './model.js';
export {
  formatIPv6,
  ipFamily,
  isHostName,
  isLinkLocalAddress,
  isMdnsName,
  normalizeIpAddress,
  parseIPv4,
  parseIPv6,
  type IpAddressFamily,
} from './ip-address.js';
export {
  DEFAULT_TYPE_PREFERENCES,
  MAX_COMPONENT,
  MAX_DIRECTION_PREFERENCE,
  MAX_LOCAL_PREFERENCE,
  MAX_OTHER_PREFERENCE,
  MAX_TYPE_PREFERENCE,
  candidatePriority,
  tcpDirectionPreference,
  tcpLocalPreference,
  typePreference,
  type CandidatePriorityInput,
  type PriorityOptions,
} from './priority.js';
export { FOUNDATION_LENGTH, computeFoundation, type FoundationInput } from './foundation.js';
export {
  MAX_CANDIDATE_LINE_LENGTH,
  MAX_WIRE_PRIORITY,
  parseCandidate,
  serializeCandidate,
  type SerializeCandidateOptions,
} from './candidate-sdp.js';
export {
  candidateFromInit,
  candidateToInit,
  type IceCandidateContext,
  type ParsedIceCandidateInit,
  type RTCIceCandidateInit,
} from './ice-candidate-init.js';
export { pairPriority } from './pair-priority.js';
export { canPair, pairingRejection, type PairingRejection } from './pairing-rules.js';
