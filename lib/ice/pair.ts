/**
 * A candidate pair as the agent tracks it (RFC 8445 §6.1.2), and its
 * read-only {@link PairInfo} view.
 */
import { pairPriority, type Candidate } from '../candidate/index.js';
import { candidateKey } from './address-keys.js';
import type { LocalCandidate } from './candidates.js';
import type { CredentialGeneration } from './ice-credentials.js';
import type { PairInfo, PairState } from './types.js';

/** The pair id of {@link PairInfo}: `component:localKey>remoteKey`. */
export function pairId(component: number, local: Candidate, remote: Candidate): string {
  return `${component}:${candidateKey(local)}>${candidateKey(remote)}`;
}

/**
 * RFC 8445 §6.1.2.3: G is the controlling agent's candidate, D the
 * controlled agent's.
 */
export function computePairPriority(controlling: boolean, local: Candidate, remote: Candidate): bigint {
  return controlling ? pairPriority(local.priority, remote.priority) : pairPriority(remote.priority, local.priority);
}

/** One candidate pair. Mutable: the agent owns it. */
export class Pair {
  readonly id: string;
  readonly component: number;
  readonly local: LocalCandidate;
  readonly remote: Candidate;
  /** Combination of both foundations (RFC 8445 §6.1.2.6). */
  foundation: string;
  /** The credentials generation the pair belongs to (ICE restart, RFC 8445 §9). */
  readonly generation: CredentialGeneration;
  priority: bigint;
  state: PairState = 'frozen';
  /** In the valid list (RFC 8445 §7.2.5.3.2). */
  valid = false;
  /** The nominated flag (RFC 8445 §8.1.1). */
  nominated = false;
  /** The next check of this pair carries USE-CANDIDATE (controlling side, RFC 8445 §8.1.1). */
  nominating = false;
  /** Controlled side: a USE-CANDIDATE request asked for this pair; nominate when its check succeeds (RFC 8445 §7.3.1.5). */
  nominateOnSuccess = false;
  /** The valid pair a successful check of this pair produced (RFC 8445 §7.2.5.3.2). */
  validPair: Pair | undefined;
  /** The pair whose check produced this valid pair. */
  generatedBy: Pair | undefined;
  /** Key of the live (non-cancelled) check transaction. */
  transactionKey: string | undefined;
  /** Queued in the triggered-check FIFO (RFC 8445 §6.1.4.1). */
  triggered = false;
  /** The TCP connection the pair is checked and used on (RFC 6544 §7). */
  connectionId: string | undefined;
  /** A pending TCP connect for this pair (RFC 6544 §7.1). */
  attemptId: string | undefined;
  /** Removed from its checklist (nomination, RFC 8445 §8.1.2). */
  removed = false;
  /** When the pair's first check (or its connect) started: the nomination wait counts from it. */
  firstCheckAt: number | undefined;
  /** Why the pair failed, for events. */
  failureReason: string | undefined;

  constructor(component: number, local: LocalCandidate, remote: Candidate, controlling: boolean, generation: CredentialGeneration) {
    this.component = component;
    this.local = local;
    this.remote = remote;
    this.generation = generation;
    this.id = pairId(component, local.candidate, remote);
    this.foundation = `${local.candidate.foundation}:${remote.foundation}`;
    this.priority = computePairPriority(controlling, local.candidate, remote);
  }

  /** The runtime transport the pair sends from: its local candidate's base. */
  get transportId(): string {
    return this.local.base.transportId;
  }

  /** Whether the pair is TCP (RFC 6544). */
  get tcp(): boolean {
    return this.local.candidate.transport === 'tcp';
  }

  /**
   * Recomputes priority and foundation: after a role change (RFC 8445
   * §7.2.5.1), or when a peer-reflexive remote candidate is signalled with
   * its real priority and foundation (RFC 8445 §7.3.1.3).
   */
  updatePriority(controlling: boolean): void {
    this.priority = computePairPriority(controlling, this.local.candidate, this.remote);
    this.foundation = `${this.local.candidate.foundation}:${this.remote.foundation}`;
  }

  /** A snapshot for events: later changes of the pair or its candidates do not show in it. */
  info(): PairInfo {
    const info: PairInfo = {
      id: this.id,
      component: this.component,
      // Copies: a peer-reflexive candidate is upgraded in place when signalled (RFC 8445 §7.3.1.3).
      local: { ...this.local.candidate, extensions: [...this.local.candidate.extensions] },
      remote: { ...this.remote, extensions: [...this.remote.extensions] },
      priority: this.priority,
      state: this.state,
      nominated: this.nominated,
    };
    if (this.connectionId !== undefined) info.connectionId = this.connectionId;
    return info;
  }
}

/** Sort order of a checklist: priority descending, then component ascending (RFC 8445 §6.1.4.2 step 3). */
export function comparePairs(a: Pair, b: Pair): number {
  if (a.priority !== b.priority) return a.priority > b.priority ? -1 : 1;
  return a.component - b.component;
}
