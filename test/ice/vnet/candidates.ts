/**
 * Making local candidates the way a runtime would (RFC 8445 §5.1, RFC 6544
 * §4): priorities from `candidatePriority`, foundations from
 * `computeFoundation`, active TCP candidates on port 9.
 */
import {
  ACTIVE_TCP_PORT,
  candidatePriority,
  computeFoundation,
  type Candidate,
  type PriorityOptions,
  type TcpType,
} from '../../../lib/candidate/index.js';
import type { Address } from '../../../lib/ice/types.js';

/** What a local candidate is made from. */
export interface LocalCandidateSpec {
  type: 'host' | 'srflx';
  transport: 'udp' | 'tcp';
  tcpType?: TcpType;
  component: number;
  /** The candidate's address (srflx: the mapped address; active TCP: the interface, port ignored). */
  address: Address;
  /** The base (srflx only). */
  base?: Address;
  /** The STUN server (srflx only), for the foundation. */
  server?: Address;
  /** Index of the interface address on its host: keeps local preferences unique (RFC 8445 §5.1.2.1). */
  interfaceIndex: number;
  priority?: PriorityOptions;
}

/** Builds a local candidate. */
export function makeLocalCandidate(spec: LocalCandidateSpec): Candidate {
  const { type, transport, tcpType, component } = spec;
  const baseAddress = spec.base?.address ?? spec.address.address;
  const priority = candidatePriority(
    {
      type,
      transport,
      tcpType,
      component,
      localPreference: 65535 - spec.interfaceIndex,
      otherPreference: 8191 - spec.interfaceIndex,
    },
    spec.priority,
  );
  const candidate: Candidate = {
    foundation: computeFoundation({
      type,
      baseAddress,
      serverAddress: spec.server ? `${spec.server.address}:${spec.server.port}` : undefined,
      transport,
    }),
    component,
    transport,
    priority,
    address: spec.address.address,
    // RFC 6544 §4.5: an active candidate advertises port 9.
    port: tcpType === 'active' ? ACTIVE_TCP_PORT : spec.address.port,
    type,
    extensions: [],
  };
  if (transport === 'tcp') candidate.tcpType = tcpType;
  if (spec.base) {
    candidate.relatedAddress = spec.base.address;
    candidate.relatedPort = tcpType === 'active' ? ACTIVE_TCP_PORT : spec.base.port;
  }
  return candidate;
}

/** A short human-readable name for a candidate, for logs and assertions. */
export function describeCandidate(c: Candidate): string {
  const tcp = c.transport === 'tcp' ? `/${c.tcpType}` : '';
  const addr = c.address.includes(':') ? `[${c.address}]` : c.address;
  return `${c.type}/${c.transport}${tcp} ${addr}:${c.port}`;
}
