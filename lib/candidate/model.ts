/**
 * The candidate model shared by the parser, the serializer, the priority
 * helpers and the pairing rules (RFC 8445 §5.1, RFC 6544 §4, RFC 8839 §5.1).
 */

/** Candidate types of RFC 8445 §5.1.1 (RFC 8839 §5.1 `typ`). */
export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay';

/** Transport protocols this library models (RFC 8839 §5.1, RFC 6544 §4.5). */
export type TransportProtocol = 'udp' | 'tcp';

/** TCP candidate kinds of RFC 6544 §3: active, passive, simultaneous-open. */
export type TcpType = 'active' | 'passive' | 'so';

/** Every value of {@link CandidateType}, in preference order of RFC 8445 §5.1.2.2. */
export const CANDIDATE_TYPES: readonly CandidateType[] = ['host', 'prflx', 'srflx', 'relay'];

/** Every value of {@link TcpType}. */
export const TCP_TYPES: readonly TcpType[] = ['active', 'passive', 'so'];

/**
 * The port an active TCP candidate advertises: 9, "discard" (RFC 6544 §4.5).
 * The peer ignores it; the real port is an ephemeral one chosen at connect time.
 */
export const ACTIVE_TCP_PORT = 9;

/**
 * One ICE candidate, as signalled in an `a=candidate` line or gathered locally.
 *
 * Addresses are kept in a canonical textual form: IPv4 dotted quad, IPv6
 * compressed lower-case exactly as `node:net` prints it; an FQDN or mDNS
 * (`.local`) name is kept as written and flagged `unresolved`.
 */
export interface Candidate {
  /** 1–32 ice-chars (`[A-Za-z0-9+/]`), RFC 8839 §5.1. */
  foundation: string;
  /** Component id, 1..256 (1 = RTP, 2 = RTCP). */
  component: number;
  /** `udp` or `tcp`; serialized upper-case. */
  transport: TransportProtocol;
  /** Candidate priority (RFC 8445 §5.1.2); parsed from 1..2^32-1, see `parseCandidate`. */
  priority: number;
  /** Connection address: IPv4, IPv6 (canonical form) or an unresolved host name. */
  address: string;
  /** Port 0..65535; active TCP candidates advertise 9 (RFC 6544 §4.5). */
  port: number;
  /** Candidate type. */
  type: CandidateType;
  /** `raddr`: the base (srflx/prflx) or the Allocate mapped address (relay). */
  relatedAddress?: string;
  /** `rport`, 0..65535. */
  relatedPort?: number;
  /** `tcptype`; present exactly when `transport` is `tcp`. */
  tcpType?: TcpType;
  /** `generation` extension (a non-negative integer; WebRTC stacks emit it). */
  generation?: number;
  /** `ufrag` extension: the ICE username fragment the candidate belongs to. */
  ufrag?: string;
  /** `network-id` extension (non-negative integer, Chrome). */
  networkId?: number;
  /** `network-cost` extension (non-negative integer, Chrome). */
  networkCost?: number;
  /** Unknown extension attributes, name and value, in the order they came. */
  extensions: Array<[string, string]>;
  /** True when `address` is an FQDN or an mDNS `.local` name, not an IP literal. */
  unresolved?: boolean;
}
