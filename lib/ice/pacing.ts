/**
 * The pacer (RFC 8445 §6.1.4.2, §14.2): one check per Ta, which check goes
 * out when Ta fires, and the RTO of a new check (RFC 8445 §14.3). The
 * {@link Pacer} owns its timer state; other modules wake it.
 */
import type { Checklist } from './checklist.js';
import type { Pair } from './pair.js';
import type { PairState } from './types.js';

/** Lower bound of the check RTO (RFC 8445 §14.3). */
export const MIN_CHECK_RTO_MS = 500;

/** What {@link pickNextCheck} chose. */
export interface NextCheck {
  pair: Pair;
  /** Taken from the triggered-check queue. */
  triggered: boolean;
  /** The checklist index to start from at the next Ta. */
  nextIndex: number;
}

/** The check pacer of one agent: when the next Ta tick is, and where the round-robin stands. */
export class Pacer {
  private nextAt: number | undefined;
  private lastCheckAt: number | undefined;
  private firstAt: number | undefined;
  private roundRobin = 0;
  private halted = false;

  /**
   * @param ta the pacing interval Ta in ms (RFC 8445 §14.2)
   * @param lite an ICE-lite agent never sends checks (RFC 8445 §2.5)
   */
  constructor(
    private readonly ta: number,
    private readonly lite: boolean,
  ) {}

  /** When the first connectivity check went out, if one did. */
  get firstCheckAt(): number | undefined {
    return this.firstAt;
  }

  /** The next Ta tick, or undefined while idle. */
  deadline(): number | undefined {
    return this.nextAt;
  }

  /** Starts the pacer if idle: the first check at once, then one per Ta (RFC 8445 §6.1.4.2, §14.2). */
  wake(now: number): void {
    if (this.lite || this.halted || this.nextAt !== undefined) return;
    this.nextAt = this.lastCheckAt === undefined ? now : Math.max(now, this.lastCheckAt + this.ta);
  }

  /**
   * At a due Ta tick, the pair to check now ({@link pickNextCheck}), with
   * the tick after it scheduled; the pacer goes idle when nothing is left.
   */
  tick(
    now: number,
    checklists: readonly Checklist[],
    eligible: (pair: Pair) => boolean,
    setState: (pair: Pair, state: PairState, reason: string) => void,
  ): Pair | undefined {
    if (this.nextAt === undefined || now < this.nextAt) return undefined;
    const next = pickNextCheck(checklists, this.roundRobin, eligible, setState);
    if (next === undefined) {
      this.nextAt = undefined;
      return undefined;
    }
    this.roundRobin = next.nextIndex;
    this.lastCheckAt = now;
    this.firstAt ??= now;
    this.nextAt = now + this.ta;
    return next.pair;
  }

  /** ICE restart: idle, the round-robin from the first checklist again (the last check's time still spaces the next). */
  restart(): void {
    this.nextAt = undefined;
    this.roundRobin = 0;
  }

  /** The agent closed: never again. */
  halt(): void {
    this.nextAt = undefined;
    this.halted = true;
  }
}

/**
 * RFC 8445 §6.1.4.2: starting at checklist `start` (round-robin), take
 * the head of the triggered queue; else unfreeze pairs whose foundation has
 * nothing Waiting or In-Progress in any checklist; else the highest-priority
 * Waiting pair; else move on to the next checklist without waiting for Ta.
 *
 * `eligible` filters pairs that cannot be checked right now (a TCP connect
 * over the per-address limit, RFC 6544 §12). Triggered checks are served
 * in Completed checklists too (nominations, a peer's late USE-CANDIDATE, TCP
 * reconnects); ordinary checks only in Running ones.
 */
export function pickNextCheck(
  checklists: readonly Checklist[],
  start: number,
  eligible: (pair: Pair) => boolean,
  setState: (pair: Pair, state: PairState, reason: string) => void,
): NextCheck | undefined {
  const n = checklists.length;
  for (let k = 0; k < n; k++) {
    const index = (start + k) % n;
    const list = checklists[index];
    if (list.state === 'failed') continue;
    // Step 1: the triggered-check queue.
    for (const pair of list.triggered) {
      if (eligible(pair)) {
        list.dequeue(pair);
        return { pair, triggered: true, nextIndex: (index + 1) % n };
      }
    }
    if (list.state !== 'running') continue;
    // Step 2: unfreeze when nothing waits.
    if (!list.pairs.some((p) => p.state === 'waiting')) {
      for (const pair of list.pairs) {
        if (pair.state !== 'frozen') continue;
        if (!foundationBusy(checklists, pair.foundation))
          setState(pair, 'waiting', 'unfrozen: no check of its foundation pending (RFC 8445 §6.1.4.2)');
      }
    }
    // Step 3: the highest-priority Waiting pair (pairs are kept sorted).
    for (const pair of list.pairs) {
      if (pair.state === 'waiting' && eligible(pair)) return { pair, triggered: false, nextIndex: (index + 1) % n };
    }
    // Step 4: next checklist.
  }
  return undefined;
}

/** Whether a pair of this foundation is Waiting or In-Progress in any checklist. */
export function foundationBusy(checklists: readonly Checklist[], foundation: string): boolean {
  for (const list of checklists) {
    for (const p of list.pairs) {
      if (p.foundation === foundation && (p.state === 'waiting' || p.state === 'in-progress')) return true;
    }
  }
  return false;
}

/**
 * The initial unfreezing (RFC 8445 §6.1.2.6 step 4), also applied to pairs
 * added later by trickle: a Frozen pair becomes Waiting when no other pair
 * of its foundation is Waiting or In-Progress. Checklists are walked in
 * component order and pairs by priority, so the first pair of each
 * foundation by (lowest component, highest priority) is the one unfrozen.
 */
export function unfreezeInitial(checklists: readonly Checklist[], setState: (pair: Pair, state: PairState, reason: string) => void): void {
  for (const list of checklists) {
    if (list.state !== 'running') continue;
    for (const pair of list.pairs) {
      if (pair.state === 'frozen' && !foundationBusy(checklists, pair.foundation)) {
        setState(pair, 'waiting', 'first pair of its foundation (RFC 8445 §6.1.2.6)');
      }
    }
  }
}

/**
 * RTO of a new connectivity check, RFC 8445 §14.3:
 * `max(500 ms, Ta * N * (Waiting + In-Progress))`. We read N as the number
 * of checklists sharing Ta round-robin (each checklist gets a slot every
 * N·Ta), which reduces to RFC 5245's `Ta * (Waiting + In-Progress)` for
 * one component.
 */
export function checkRto(ta: number, checklists: readonly Checklist[]): number {
  let pending = 0;
  for (const list of checklists) pending += list.count('waiting') + list.count('in-progress');
  return Math.max(MIN_CHECK_RTO_MS, ta * checklists.length * pending);
}
