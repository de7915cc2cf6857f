/**
 * After gathering: which of the addresses the caller named produced no
 * candidate, and why as far as the transports said. A named address that
 * yields nothing (not on this host, every port taken) is reported, never
 * silently skipped.
 *
 * @module
 */
import type { Candidate } from '../../candidate/index.js';
import type { UnusableAddress } from './agent-events.js';

/**
 * The named addresses no gathered candidate stands on (a host candidate's
 * address, or a reflexive candidate's base), each with the first warning
 * message that names it, else whether it is an interface address at all. A TCP active candidate binds
 * nothing while gathering (RFC 6544 §5.1: its port is 9), so it only counts
 * on an address in `interfaceAddresses`.
 */
export function findUnusableAddresses(
  named: readonly string[],
  candidates: readonly Candidate[],
  warnings: readonly string[],
  interfaceAddresses: ReadonlySet<string>,
): UnusableAddress[] {
  const used = new Set<string>();
  for (const candidate of candidates) {
    const address = candidate.type === 'host' ? candidate.address : (candidate.relatedAddress ?? candidate.address);
    if (candidate.tcpType === 'active' && !interfaceAddresses.has(address)) continue;
    used.add(address);
  }
  const unusable: UnusableAddress[] = [];
  for (const address of named) {
    if (used.has(address)) continue;
    const said = warnings.find((message) => message.includes(address));
    const reason =
      said ??
      (interfaceAddresses.has(address)
        ? 'every transport failed to bind on it (DEBUG=ice-tcp:* says why)'
        : 'it is not an address of any interface of this host');
    unusable.push({ address, reason });
  }
  return unusable;
}
