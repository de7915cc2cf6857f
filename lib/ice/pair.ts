/**
 * A candidate pair as the agent tracks it (RFC 8445 §6.1.2), and its
 * read-only {@link PairInfo} view.
 */
import { pairPriority, type Candidate } from '../candidate/index.js';
import { candidateKey } from './address-keys.js';
import { flat } from '../flat-string.js';
import type { LocalCandidate } from './candidates.js';
import type { CredentialGeneration } from './ice-credentials.js';
import type { PairInfo, PairState } from './types.js';

/** The pair id of {@link PairInfo}: `component:localKey>remoteKey`. */
export function pairId(component: number, local: Candidate, remote: Candidate): string {
  return flat(`${component}:${candidateKey(local)}>${candidateKey(remote)}`);
}

/**
 * RFC 8445 §6.1.2.3: G is the controlling agent's candidate, D the
 * controlled agent's.
 */
export function computePairPriority(controlling: boolean, local: Candidate, remote: Candidate): bigint {
  return controlling ? pairPriority(local.priority, remote.priority) : pairPriority(remote.priority, local.priority);
}

/** One candidate pair. Its state changes only through its methods. */
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
  #state: PairState = 'frozen';
  #valid = false;
  #nominated = false;
  #nominating = false;
  #nominateOnSuccess = false;
  #validPair: Pair | undefined;
  #generatedBy: Pair | undefined;
  #transactionKey: string | undefined;
  #triggered = false;
  #connectionId: string | undefined;
  #attemptId: string | undefined;
  #removed = false;
  #firstCheckAt: number | undefined;
  #failureReason: string | undefined;

  constructor(component: number, local: LocalCandidate, remote: Candidate, controlling: boolean, generation: CredentialGeneration) {
    this.component = component;
    this.local = local;
    this.remote = remote;
    this.generation = generation;
    this.id = pairId(component, local.candidate, remote);
    this.foundation = flat(`${local.candidate.foundation}:${remote.foundation}`);
    this.priority = computePairPriority(controlling, local.candidate, remote);
  }

  /** The pair state (RFC 8445 §6.1.2.6). */
  get state(): PairState {
    return this.#state;
  }

  /** In the valid list (RFC 8445 §7.2.5.3.2). */
  get valid(): boolean {
    return this.#valid;
  }

  /** The nominated flag (RFC 8445 §8.1.1). */
  get nominated(): boolean {
    return this.#nominated;
  }

  /** The next check of this pair carries USE-CANDIDATE (controlling side, RFC 8445 §8.1.1). */
  get nominating(): boolean {
    return this.#nominating;
  }

  /** Controlled side: a USE-CANDIDATE request asked for this pair; nominate when its check succeeds (RFC 8445 §7.3.1.5). */
  get nominateOnSuccess(): boolean {
    return this.#nominateOnSuccess;
  }

  /** The valid pair a successful check of this pair produced (RFC 8445 §7.2.5.3.2). */
  get validPair(): Pair | undefined {
    return this.#validPair;
  }

  /** The pair whose check produced this valid pair. */
  get generatedBy(): Pair | undefined {
    return this.#generatedBy;
  }

  /** Key of the live (non-cancelled) check transaction. */
  get transactionKey(): string | undefined {
    return this.#transactionKey;
  }

  /** Queued in the triggered-check FIFO (RFC 8445 §6.1.4.1). */
  get triggered(): boolean {
    return this.#triggered;
  }

  /** The TCP connection the pair is checked and used on (RFC 6544 §7). */
  get connectionId(): string | undefined {
    return this.#connectionId;
  }

  /** A pending TCP connect for this pair (RFC 6544 §7.1). */
  get attemptId(): string | undefined {
    return this.#attemptId;
  }

  /** Removed from its checklist (nomination, RFC 8445 §8.1.2). */
  get removed(): boolean {
    return this.#removed;
  }

  /** When the pair's first check (or its connect) started: the nomination wait counts from it. */
  get firstCheckAt(): number | undefined {
    return this.#firstCheckAt;
  }

  /** Why the pair failed, for events. */
  get failureReason(): string | undefined {
    return this.#failureReason;
  }

  /**
   * Moves to `state` and returns the previous one. A failed pair leaves
   * the valid list (RFC 8445 §7.2.5.3.4) and keeps `reason`.
   */
  moveTo(state: PairState, reason?: string): PairState {
    const previous = this.#state;
    this.#state = state;
    if (state === 'failed') {
      this.#failureReason = reason;
      this.#valid = false;
    }
    return previous;
  }

  /** Enters the valid list (RFC 8445 §7.2.5.3.2). */
  markValid(): void {
    this.#valid = true;
  }

  /** Sets the nominated flag (RFC 8445 §8.1.1, §7.3.1.5). */
  markNominated(): void {
    this.#nominated = true;
  }

  setNominating(nominating: boolean): void {
    this.#nominating = nominating;
  }

  setNominateOnSuccess(nominate: boolean): void {
    this.#nominateOnSuccess = nominate;
  }

  /** A check of this pair produced `valid` (RFC 8445 §7.2.5.3.2): links both ways. */
  produced(valid: Pair): void {
    valid.#generatedBy = this;
    this.#validPair = valid;
  }

  /** The live check transaction of the pair, or none. */
  useTransaction(key: string | undefined): void {
    this.#transactionKey = key;
  }

  /** The TCP connection the pair is checked and used on, or none. */
  useConnection(connectionId: string | undefined): void {
    this.#connectionId = connectionId;
  }

  /** The pending TCP connect of the pair, or none. */
  awaitConnect(attemptId: string | undefined): void {
    this.#attemptId = attemptId;
  }

  /** The first check (or connect) of the pair starts at `now`, unless one did before. */
  noteFirstCheck(now: number): void {
    this.#firstCheckAt ??= now;
  }

  /** Checklist bookkeeping (checklist.ts): in the triggered queue or not. */
  setTriggered(triggered: boolean): void {
    this.#triggered = triggered;
  }

  /** Checklist bookkeeping (checklist.ts): removed from its checklist or back in it. */
  setRemoved(removed: boolean): void {
    this.#removed = removed;
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
    this.foundation = flat(`${this.local.candidate.foundation}:${this.remote.foundation}`);
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
