/**
 * Forming, ordering and pruning candidate pairs for one checklist
 * (RFC 8445 §6.1.2.2–§6.1.2.5, RFC 6544 §6.2).
 */
import createDebug from 'debug';
import { CandidateError } from './candidate-errors.js';
import { normalizeIpAddress } from './ip-address.js';
import type { Candidate } from './model.js';
import { pairPriority } from './pair-priority.js';
import { pairingRejection } from './pairing-rules.js';

const debug = createDebug('ice-tcp:candidate');

/** Default limit on the number of pairs (RFC 8445 §6.1.2.5). */
export const DEFAULT_MAX_PAIRS = 100;

/** A local candidate paired with a remote one. */
export interface CandidatePair {
  /** The local candidate checks are sent from (a base, never a reflexive candidate, after {@link formPairs}). */
  local: Candidate;
  /** The remote candidate. */
  remote: Candidate;
  /** RFC 8445 §6.1.2.3 pair priority, exact. */
  priority: bigint;
  /** Pair foundation: `${local.foundation}:${remote.foundation}` (RFC 8445 §6.1.2.6). */
  foundation: string;
}

/** Options of {@link formPairs}. */
export interface FormPairsOptions {
  /** Whether the local agent is controlling (its candidates give G in the pair priority). */
  controlling: boolean;
  /** Largest number of pairs kept, the highest-priority ones (default 100, RFC 8445 §6.1.2.5). */
  maxPairs?: number;
}

/** The pair foundation of RFC 8445 §6.1.2.6: local and remote foundations joined by `:`. */
export function pairFoundation(local: Candidate, remote: Candidate): string {
  return `${local.foundation}:${remote.foundation}`;
}

/**
 * Builds one pair with its priority for the given role.
 *
 * @throws CandidateError `ERR_CANDIDATE_BAD_VALUE` for an out-of-range priority
 */
export function makePair(local: Candidate, remote: Candidate, controlling: boolean): CandidatePair {
  const priority = controlling ? pairPriority(local.priority, remote.priority) : pairPriority(remote.priority, local.priority);
  return { local, remote, priority, foundation: pairFoundation(local, remote) };
}

/** Identity of a transport address as a check sees it. */
function addressKey(c: Candidate): string {
  const address = normalizeIpAddress(c.address) ?? c.address;
  return `${c.component}/${c.transport}/${c.tcpType ?? ''}/${address}/${c.port}`;
}

function isReflexive(c: Candidate): boolean {
  return c.type === 'srflx' || c.type === 'prflx';
}

function isUnspecified(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/**
 * The base of a reflexive local candidate (RFC 8445 §6.1.2.4): the non-reflexive
 * local candidate at its related address and port, else a host candidate made
 * from the related address and port (keeping foundation, priority and
 * extensions), or `null` when the related address is missing or hidden.
 */
function baseOf(reflexive: Candidate, locals: readonly Candidate[]): Candidate | null {
  if (reflexive.relatedAddress === undefined || reflexive.relatedPort === undefined) return null;
  const related = normalizeIpAddress(reflexive.relatedAddress);
  // RFC 8839 §5.1: 0.0.0.0 / :: hide the related address for privacy.
  if (related === null || isUnspecified(related)) return null;
  const wanted = addressKey({ ...reflexive, address: related, port: reflexive.relatedPort });
  const existing = locals.find((c) => !isReflexive(c) && addressKey(c) === wanted);
  if (existing !== undefined) return existing;
  const { relatedAddress: _address, relatedPort: _port, ...rest } = reflexive;
  return { ...rest, type: 'host', address: related, port: reflexive.relatedPort };
}

function checkCandidates(name: string, list: unknown): asserts list is Candidate[] {
  if (!Array.isArray(list) || list.some((c) => typeof c !== 'object' || c === null)) {
    throw new CandidateError('ERR_CANDIDATE_BAD_VALUE', `${name} must be an array of candidates`);
  }
}

/**
 * Forms the checklist of one data stream:
 *
 * 1. pairs every local with every remote candidate that {@link pairingRejection}
 *    allows (RFC 8445 §6.1.2.2, RFC 6544 §6.2), with the pair priority of
 *    RFC 8445 §6.1.2.3 for the given role;
 * 2. sorts by priority, highest first (ties keep the input order);
 * 3. replaces each reflexive (srflx, prflx) local candidate by its base
 *    (RFC 8445 §6.1.2.4): the local candidate at its related address and port,
 *    else a host candidate built from them; a reflexive candidate without a
 *    usable related address has no known base and its pairs are dropped;
 * 4. drops pairs whose local candidate is TCP passive: a passive candidate
 *    never starts checks (RFC 6544 §6.2);
 * 5. drops a pair redundant with a higher-priority one: same local base and
 *    same remote transport address (RFC 8445 §6.1.2.4);
 * 6. keeps at most `maxPairs` pairs, the highest-priority ones (RFC 8445 §6.1.2.5).
 *
 * Every dropped pair is logged on the `ice-tcp:candidate` debug namespace.
 *
 * @throws CandidateError `ERR_CANDIDATE_BAD_OPTION` for bad options,
 *   `ERR_CANDIDATE_BAD_VALUE` for malformed lists or priorities
 */
export function formPairs(locals: Candidate[], remotes: Candidate[], options: FormPairsOptions): CandidatePair[] {
  if (typeof options !== 'object' || options === null || typeof options.controlling !== 'boolean') {
    throw new CandidateError('ERR_CANDIDATE_BAD_OPTION', 'options.controlling must be a boolean');
  }
  const maxPairs = options.maxPairs ?? DEFAULT_MAX_PAIRS;
  if (!Number.isInteger(maxPairs) || maxPairs < 1) {
    throw new CandidateError('ERR_CANDIDATE_BAD_OPTION', `maxPairs must be a positive integer, got ${String(maxPairs)}`);
  }
  checkCandidates('locals', locals);
  checkCandidates('remotes', remotes);
  const pairs: CandidatePair[] = [];
  for (const local of locals) {
    for (const remote of remotes) {
      const rejection = pairingRejection(local, remote);
      if (rejection !== null) {
        debug('not pairing %s with %s: %s', local.foundation, remote.foundation, rejection);
        continue;
      }
      pairs.push(makePair(local, remote, options.controlling));
    }
  }
  // RFC 8445 §6.1.2.3: decreasing pair priority (Array.prototype.sort is stable).
  pairs.sort((a, b) => (a.priority === b.priority ? 0 : a.priority > b.priority ? -1 : 1));
  const kept: CandidatePair[] = [];
  const seen = new Set<string>();
  for (const pair of pairs) {
    let local = pair.local;
    if (isReflexive(local)) {
      // RFC 8445 §6.1.2.4: checks are sent from the base, not the reflexive candidate.
      const base = baseOf(local, locals);
      if (base === null) {
        debug('dropping pair %s: reflexive local candidate without a known base', pair.foundation);
        continue;
      }
      local = base;
    }
    if (local.transport === 'tcp' && local.tcpType === 'passive') {
      // RFC 6544 §6.2: remove pairs whose local candidate is passive.
      debug('dropping pair %s: local candidate is TCP passive', pair.foundation);
      continue;
    }
    const key = `${addressKey(local)}>${addressKey(pair.remote)}`;
    if (seen.has(key)) {
      // RFC 8445 §6.1.2.4: redundant with a higher-priority pair.
      debug('dropping pair %s: redundant with a higher-priority pair', pair.foundation);
      continue;
    }
    seen.add(key);
    kept.push(local === pair.local ? pair : { ...pair, local, foundation: pairFoundation(local, pair.remote) });
  }
  if (kept.length > maxPairs) {
    // RFC 8445 §6.1.2.5: discard the lowest-priority pairs.
    debug('dropping %d lowest-priority pairs over the limit of %d', kept.length - maxPairs, maxPairs);
    kept.length = maxPairs;
  }
  return kept;
}
