/**
 * Announced (public) addresses for hosts behind a 1:1 NAT, such as cloud VMs
 * whose interface has a private address and whose public address maps every
 * port to it unchanged (like mediasoup's `announcedAddress` or pion's
 * `NAT1To1IPs` with host candidates). The UDP host candidates and the
 * passive TCP candidates are advertised with the public address instead of
 * the interface's; their base stays the interface address (RFC 8445
 * §5.1.1.1: the base is where the agent sends from). Peers reach the public
 * address, the NAT forwards to the interface, and the agent's checks leave
 * from the interface and appear from the public address.
 *
 * Trade-off: a peer on the same private network no longer sees the private
 * address (it reaches the public one only where the NAT hairpins).
 */
import { isIP } from 'node:net';
import { normalizeIpAddress, type Candidate } from '../../candidate/index.js';
import type { LocalCandidateInit } from '../../ice/types.js';
import { IceAgentError } from '../net-errors.js';

/** The option: one public address (for every local address of its IP family), or local address → public address. */
export type AnnouncedAddresses = string | Record<string, string>;

function ipLiteral(name: string, value: unknown): string {
  const normalized = typeof value === 'string' && isIP(value) !== 0 ? normalizeIpAddress(value) : null;
  if (normalized === null) throw new IceAgentError('ERR_AGENT_BAD_OPTION', `${name} must be an IP address, got ${JSON.stringify(value)}`);
  return normalized;
}

/**
 * Validates the option against the gathered `addresses`: local address →
 * public address, same IP family.
 *
 * @throws IceAgentError `ERR_AGENT_BAD_OPTION`
 */
export function resolveAnnouncedAddresses(option: AnnouncedAddresses | undefined, addresses: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  if (option === undefined) return map;
  if (typeof option === 'string') {
    const announced = ipLiteral('announcedAddress', option);
    for (const local of addresses) if (isIP(local) === isIP(announced)) map.set(local, announced);
    if (map.size === 0)
      throw new IceAgentError('ERR_AGENT_BAD_OPTION', `announcedAddress ${announced}: no gathered address of its IP family`);
    return map;
  }
  if (option === null || typeof option !== 'object' || Array.isArray(option)) {
    throw new IceAgentError('ERR_AGENT_BAD_OPTION', 'announcedAddress must be an IP address or an object { localAddress: publicAddress }');
  }
  for (const [localRaw, publicRaw] of Object.entries(option)) {
    const local = ipLiteral('announcedAddress key', localRaw);
    const announced = ipLiteral(`announcedAddress[${local}]`, publicRaw);
    if (isIP(local) !== isIP(announced))
      throw new IceAgentError('ERR_AGENT_BAD_OPTION', `announcedAddress: ${local} and ${announced} are of different IP families`);
    map.set(local, announced);
  }
  return map;
}

/** Whether a candidate is advertised with the announced address: UDP host and passive TCP host candidates. */
function announceable(candidate: Candidate): boolean {
  return candidate.type === 'host' && (candidate.transport === 'udp' || candidate.tcpType === 'passive');
}

/** `init` with its candidate's address replaced when `announced` names one for it. */
export function announceCandidate(init: LocalCandidateInit, announced: ReadonlyMap<string, string>): LocalCandidateInit {
  const to = announced.get(init.candidate.address);
  if (to === undefined || !announceable(init.candidate)) return init;
  return { ...init, candidate: { ...init.candidate, address: to } };
}
