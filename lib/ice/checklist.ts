/**
 * A checklist: the pairs of one component, its triggered-check FIFO, its
 * valid list and its state (RFC 8445 §6.1.2, §6.1.4.1, §7.2.5.4).
 */
import { comparePairs, type Pair } from './pair.js';
import { PeerTcpNominations } from './peer-tcp-nominations.js';
import { appendTo } from './append.js';

/** Checklist states (RFC 8445 §6.1.2.1). */
export type ChecklistState = 'running' | 'completed' | 'failed';

/** The pairs of one component. */
export class Checklist {
  readonly component: number;
  #pairs: Pair[] = [];
  /** The triggered-check queue, FIFO (RFC 8445 §6.1.4.1). */
  readonly triggered: Pair[] = [];
  #state: ChecklistState = 'running';
  #selected: Pair | undefined;
  #firstValidAt: number | undefined;
  /** Controlled side: the peer's TCP nominations as we answered them (tcp-nomination.ts). */
  readonly peerTcp = new PeerTcpNominations();

  constructor(component: number) {
    this.component = component;
  }

  /** Pairs, highest priority first. */
  get pairs(): Pair[] {
    return this.#pairs;
  }

  /** Running, Completed or Failed (RFC 8445 §6.1.2.1). */
  get state(): ChecklistState {
    return this.#state;
  }

  /** The selected pair: nominated, RFC 8445 §8.1.1. */
  get selected(): Pair | undefined {
    return this.#selected;
  }

  /** When the first valid pair appeared (controlling side's nomination timer). */
  get firstValidAt(): number | undefined {
    return this.#firstValidAt;
  }

  /** Records the selected pair (RFC 8445 §8.1.1). */
  select(pair: Pair): void {
    this.#selected = pair;
  }

  /** A pair was selected: the checklist is Completed (RFC 8445 §8.1.2). */
  complete(): void {
    this.#state = 'completed';
  }

  /** Sets the state to Failed; `false` when it already was. */
  fail(): boolean {
    if (this.#state === 'failed') return false;
    this.#state = 'failed';
    return true;
  }

  /** A Failed checklist gets a pair that can succeed again (trickle, a triggered check): Running. */
  reopen(): void {
    if (this.#state === 'failed') this.#state = 'running';
  }

  /** A pair became valid at `now`: the first one starts the nomination timer. */
  noteValid(now: number): void {
    this.#firstValidAt ??= now;
  }

  /** Inserts a pair by priority (RFC 8445 §6.1.2.5; §7.3.1.4 "inserted based on its priority"). */
  add(pair: Pair): void {
    if (this.#pairs.length === 0) return appendTo(this.#pairs, pair, (one) => (this.#pairs = one));
    let i = this.#pairs.length;
    while (i > 0 && comparePairs(pair, this.#pairs[i - 1]) < 0) i--;
    this.#pairs.splice(i, 0, pair);
  }

  /** Re-sorts after priorities changed (role switch, RFC 8445 §7.2.5.1). */
  sort(): void {
    this.pairs.sort(comparePairs);
  }

  /** The pair with this id, if still in the list. */
  find(id: string): Pair | undefined {
    return this.pairs.find((p) => p.id === id);
  }

  /** Removes a pair from the list and from the triggered queue (RFC 8445 §8.1.2). */
  remove(pair: Pair): void {
    const i = this.pairs.indexOf(pair);
    if (i >= 0) this.pairs.splice(i, 1);
    this.dequeue(pair);
    pair.setRemoved(true);
  }

  /** Appends a pair to the triggered queue unless it is there (RFC 8445 §7.3.1.4). */
  enqueueTriggered(pair: Pair): void {
    if (pair.triggered) return;
    pair.setTriggered(true);
    this.triggered.push(pair);
  }

  /** Takes a pair out of the triggered queue. */
  dequeue(pair: Pair): void {
    if (!pair.triggered) return;
    pair.setTriggered(false);
    const i = this.triggered.indexOf(pair);
    if (i >= 0) this.triggered.splice(i, 1);
  }

  /** Pairs in the valid list (RFC 8445 §7.2.5.3.2). */
  validPairs(): Pair[] {
    return this.pairs.filter((p) => p.valid);
  }

  /** The highest-priority valid pair. */
  bestValid(): Pair | undefined {
    return this.pairs.find((p) => p.valid);
  }

  /** Whether any pair may still produce a result: Frozen, Waiting or In-Progress. */
  hasPending(): boolean {
    return this.pairs.some((p) => p.state === 'frozen' || p.state === 'waiting' || p.state === 'in-progress');
  }

  /** Counts pairs by state. */
  count(state: Pair['state']): number {
    let n = 0;
    for (const p of this.pairs) if (p.state === state) n++;
    return n;
  }
}
