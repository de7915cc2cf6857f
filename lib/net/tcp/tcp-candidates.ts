import {
  ACTIVE_TCP_PORT,
  candidatePriority,
  computeFoundation,
  type Candidate,
  type PriorityOptions,
  type TcpType,
} from '../../candidate/index.js';

/** What a TCP host candidate is made of. */
export interface TcpHostCandidateInput {
  tcpType: TcpType;
  /** Interface address (canonical IP literal). */
  address: string;
  /** The bound port (passive, S-O); ignored for active (advertised as 9). */
  port: number;
  component: number;
  /** RFC 6544 §4.2 other-pref, unique per interface address (8191 for the first). */
  otherPreference: number;
  priority: PriorityOptions;
}

/**
 * A TCP host candidate (RFC 6544 §4.1, §5.1): priority with the §4.2 local
 * preference (direction-pref of its tcptype, other-pref per interface), the
 * RFC 8445 §5.1.1.3 foundation (type, base IP, transport: shared by the
 * active, passive and S-O candidates of one interface), and for an active
 * candidate the discard port 9 (RFC 6544 §4.5).
 */
export function tcpHostCandidate(input: TcpHostCandidateInput): Candidate {
  const { tcpType, address, component } = input;
  return {
    foundation: computeFoundation({ type: 'host', baseAddress: address, transport: 'tcp' }),
    component,
    transport: 'tcp',
    priority: candidatePriority(
      { type: 'host', transport: 'tcp', tcpType, component, otherPreference: input.otherPreference },
      input.priority,
    ),
    address,
    // RFC 6544 §4.5: active candidates carry port 9; the real one is ephemeral.
    port: tcpType === 'active' ? ACTIVE_TCP_PORT : input.port,
    type: 'host',
    tcpType,
    extensions: [],
  };
}

/** What a server-reflexive TCP candidate is made of. */
export interface TcpSrflxCandidateInput {
  tcpType: TcpType;
  /** The base (the bound port the STUN request left from). */
  base: { address: string; port: number };
  /** The mapped address the STUN server saw. */
  mapped: { address: string; port: number };
  /** The STUN server's host, for the foundation. */
  server: string;
  component: number;
  otherPreference: number;
  priority: PriorityOptions;
}

/**
 * A server-reflexive TCP candidate (RFC 6544 §5.2) with raddr/rport set to
 * its base (RFC 8839 §5.1) and the srflx direction preferences of RFC 6544
 * §4.2 (S-O 6, active 4, passive 2).
 */
export function tcpSrflxCandidate(input: TcpSrflxCandidateInput): Candidate {
  const { tcpType, base, mapped, component } = input;
  return {
    foundation: computeFoundation({ type: 'srflx', baseAddress: base.address, serverAddress: input.server, transport: 'tcp' }),
    component,
    transport: 'tcp',
    priority: candidatePriority(
      { type: 'srflx', transport: 'tcp', tcpType, component, otherPreference: input.otherPreference },
      input.priority,
    ),
    address: mapped.address,
    port: mapped.port,
    type: 'srflx',
    relatedAddress: base.address,
    relatedPort: base.port,
    tcpType,
    extensions: [],
  };
}
