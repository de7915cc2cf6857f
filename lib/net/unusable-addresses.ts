/**
 * After gathering: which of the addresses the caller named produced no
 * candidate, and why as far as the transports said. A named address that
 * yields nothing (not on this host, every port taken) is reported, never
 * silently skipped.
 *
 * @module
 */
import type { Candidate } from '../candidate/index.js';
import type { UnusableAddress } from './events.js';

/**
 * The named addresses no gathered candidate stands on (a host candidate's
 * address, or a reflexive candidate's base), each with the first warning
 * message that names it, or a generic reason.
 */
export function findUnusableAddresses(named: readonly string[], candidates: readonly Candidate[], warnings: readonly string[]): UnusableAddress[] {
  const used = new Set<string>();
  for (const candidate of candidates) {
    used.add(candidate.type === 'host' ? candidate.address : (candidate.relatedAddress ?? candidate.address));
  }
  const unusable: UnusableAddress[] = [];
  for (const address of named) {
    if (used.has(address)) continue;
    const said = warnings.find((message) => message.includes(address));
    unusable.push({ address, reason: said ?? 'no transport could gather a candidate on it (is it an address of this host?)' });
  }
  return unusable;
}
