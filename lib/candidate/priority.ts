import { CandidateError } from './candidate-errors.js';
import type { CandidateType, TcpType, TransportProtocol } from './model.js';

/**
 * Options of {@link candidatePriority}.
 *
 * Type preferences are 0..126 (RFC 8445 §5.1.2.1). By default TCP candidates
 * get one less than UDP candidates of the same type, the RFC 6544 §4.2 way of
 * preferring UDP for RTP while keeping the type order (RFC 6544 App. C second
 * example: 125 for TCP host, 99 for TCP srflx). With `preferTcp`, TCP keeps
 * the configured values and UDP gets one less instead. The one-less
 * adjustment never goes below 0, so relayed UDP and TCP candidates with the
 * default relay preference 0 share type preference 0 (RFC 6544 §4.2 still
 * wants relayed candidates lowest); their local preferences keep the
 * priorities distinct.
 */
export interface PriorityOptions {
  /** Per-type overrides of {@link DEFAULT_TYPE_PREFERENCES}, each an integer 0..126. */
  typePreferences?: Partial<Record<CandidateType, number>>;
  /** Prefer TCP over UDP (UDP one below TCP) instead of the default UDP over TCP. */
  preferTcp?: boolean;
}

/**
 * Recommended type preferences of RFC 8445 §5.1.2.2: host 126, prflx 110,
 * srflx 100, relay 0 (prflx must be above srflx).
 */
export const DEFAULT_TYPE_PREFERENCES: Readonly<Record<CandidateType, number>> = Object.freeze({
  host: 126,
  prflx: 110,
  srflx: 100,
  relay: 0,
});

/** Largest type preference (RFC 8445 §5.1.2.1). */
export const MAX_TYPE_PREFERENCE = 126;
/** Largest local preference (RFC 8445 §5.1.2.1); the default for a single-homed UDP candidate. */
export const MAX_LOCAL_PREFERENCE = 65535;
/** Largest RFC 6544 §4.2 direction-pref. */
export const MAX_DIRECTION_PREFERENCE = 7;
/** Largest RFC 6544 §4.2 other-pref; the default for a single-homed TCP candidate. */
export const MAX_OTHER_PREFERENCE = 8191;
/** Largest component id (RFC 8839 §5.1). */
export const MAX_COMPONENT = 256;

/** Input of {@link candidatePriority}. */
export interface CandidatePriorityInput {
  /** Candidate type. */
  type: CandidateType;
  /** Transport protocol. */
  transport: TransportProtocol;
  /** TCP candidate kind; required when `transport` is `tcp`. */
  tcpType?: TcpType;
  /** Component id, 1..256. */
  component: number;
  /** UDP local preference 0..65535 (default 65535); ignored for TCP. */
  localPreference?: number;
  /** TCP other-pref 0..8191 (default 8191), unique per interface; ignored for UDP. */
  otherPreference?: number;
}

function checkInteger(
  name: string,
  value: number,
  min: number,
  max: number,
  code: 'ERR_CANDIDATE_BAD_VALUE' | 'ERR_CANDIDATE_BAD_OPTION' = 'ERR_CANDIDATE_BAD_VALUE',
): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new CandidateError(code, `${name} must be an integer in ${min}..${max}, got ${String(value)}`);
  }
}

function checkCandidateType(type: unknown): asserts type is CandidateType {
  if (type !== 'host' && type !== 'srflx' && type !== 'prflx' && type !== 'relay') {
    throw new CandidateError('ERR_CANDIDATE_BAD_VALUE', `unknown candidate type ${String(type)}`);
  }
}

/**
 * RFC 6544 §4.2 direction-pref table.
 *
 * | type                       | active | passive | so |
 * |----------------------------|--------|---------|----|
 * | host, relay (UDP-tunneled) | 6      | 4       | 2  |
 * | srflx, prflx (NAT-assisted)| 4      | 2       | 6  |
 *
 * RFC 6544 names host, UDP-tunneled and relayed candidates for the first row
 * and NAT-assisted and server-reflexive ones for the second. Peer-reflexive
 * candidates are reflexive addresses learned from checks; they are given the
 * server-reflexive row here (our choice; the RFC does not name them).
 *
 * @throws CandidateError `ERR_CANDIDATE_BAD_VALUE` for an unknown type or tcptype
 */
export function tcpDirectionPreference(type: CandidateType, tcpType: TcpType): number {
  checkCandidateType(type);
  const reflexive = type === 'srflx' || type === 'prflx';
  switch (tcpType) {
    case 'active':
      return reflexive ? 4 : 6;
    case 'passive':
      return reflexive ? 2 : 4;
    case 'so':
      return reflexive ? 6 : 2;
    default:
      throw new CandidateError('ERR_CANDIDATE_BAD_VALUE', `unknown tcptype ${String(tcpType)}`);
  }
}

/**
 * The type preference used for a candidate of `type` over `transport` under
 * `options` (see {@link PriorityOptions} for the TCP/UDP adjustment).
 *
 * @throws CandidateError `ERR_CANDIDATE_BAD_OPTION` for a preference outside 0..126
 */
export function typePreference(type: CandidateType, transport: TransportProtocol, options: PriorityOptions = {}): number {
  checkCandidateType(type);
  const configured = options.typePreferences?.[type] ?? DEFAULT_TYPE_PREFERENCES[type];
  checkInteger(`type preference of ${type}`, configured, 0, MAX_TYPE_PREFERENCE, 'ERR_CANDIDATE_BAD_OPTION');
  // RFC 6544 §4.2: lower the other transport's type preferences by one.
  const lowered = options.preferTcp === true ? transport === 'udp' : transport === 'tcp';
  return lowered ? Math.max(0, configured - 1) : configured;
}

/**
 * Local preference of a TCP candidate, RFC 6544 §4.2:
 * `2^13 * direction-pref + other-pref`.
 *
 * @param directionPreference - 0..7
 * @param otherPreference - 0..8191
 */
export function tcpLocalPreference(directionPreference: number, otherPreference: number = MAX_OTHER_PREFERENCE): number {
  checkInteger('direction-pref', directionPreference, 0, MAX_DIRECTION_PREFERENCE);
  checkInteger('other-pref', otherPreference, 0, MAX_OTHER_PREFERENCE);
  return 8192 * directionPreference + otherPreference;
}

/**
 * Candidate priority, RFC 8445 §5.1.2.1:
 * `2^24 * type-pref + 2^8 * local-pref + (256 - component)`, computed with
 * arithmetic (the result can exceed 2^31, beyond signed 32-bit shifts).
 *
 * For TCP the local preference is RFC 6544 §4.2's
 * `2^13 * direction-pref + other-pref` with {@link tcpDirectionPreference}.
 * With `preferTcp: true` (TCP at the RFC 8445 type preferences) this gives
 * RFC 6544 App. C's first example: host active / passive / so =
 * 2128609279 / 2124414975 / 2120220671 and srflx 1688207359 / 1684013055 /
 * 1692401663. The default (TCP one below UDP) gives its second example:
 * host active 2111832063, passive 2107637759.
 *
 * @returns an integer in 0..2^31-1
 * @throws CandidateError `ERR_CANDIDATE_BAD_VALUE` for an out-of-range input
 *   or a TCP input without `tcpType`; `ERR_CANDIDATE_BAD_OPTION` for bad options
 */
export function candidatePriority(input: CandidatePriorityInput, options: PriorityOptions = {}): number {
  checkCandidateType(input.type);
  checkInteger('component', input.component, 1, MAX_COMPONENT);
  let localPreference: number;
  if (input.transport === 'tcp') {
    if (input.tcpType === undefined) {
      throw new CandidateError('ERR_CANDIDATE_MISSING_TCPTYPE', 'a TCP candidate needs a tcpType (RFC 6544 §4.5)');
    }
    localPreference = tcpLocalPreference(tcpDirectionPreference(input.type, input.tcpType), input.otherPreference ?? MAX_OTHER_PREFERENCE);
  } else if (input.transport === 'udp') {
    localPreference = input.localPreference ?? MAX_LOCAL_PREFERENCE;
    checkInteger('local preference', localPreference, 0, MAX_LOCAL_PREFERENCE);
  } else {
    throw new CandidateError('ERR_CANDIDATE_BAD_VALUE', `unknown transport ${String(input.transport)}`);
  }
  // RFC 8445 §5.1.2.1
  return 16777216 * typePreference(input.type, input.transport, options) + 256 * localPreference + (256 - input.component);
}
