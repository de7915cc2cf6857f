/**
 * One timer for every ICE runtime of the process: each runtime keeps one
 * {@link TimerSlot} (its core's `pollTimeout()`), the slots sit in one binary
 * min-heap ordered by deadline, and one Node `setTimeout` is armed for the
 * earliest. With 10,000 agents this replaces 10,000 Node timers, each with
 * its own `Timeout` object and, for distinct delays, its own timer list in
 * Node's priority queue, by one heap entry per agent and one Node timer.
 *
 * Deadlines keep their millisecond precision (no buckets): a slot fires at
 * the first timer tick at or after its deadline, as its own `setTimeout`
 * did. Slots due at the same tick fire in deadline order; a slot re-armed
 * by a callback for a time already past fires on the next tick, never in
 * the same pass (no starvation). An exception from a callback does not stop
 * the others; it is rethrown on its own tick, as from a `setTimeout`.
 */
import { performance } from 'node:perf_hooks';

/** The longest delay `setTimeout` honours (2^31-1 ms, about 24.8 days). */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/** One runtime's deadline in the shared heap. */
export class TimerSlot {
  /** The deadline (on `performance.now()`'s clock), or `undefined` when not armed. */
  at: number | undefined = undefined;
  /** Position in the heap; -1 when not in it. */
  index = -1;
  readonly callback: () => void;

  constructor(callback: () => void) {
    this.callback = callback;
  }
}

/** The process-wide heap of {@link TimerSlot}s and the one Node timer over it. */
export class TimerWheel {
  readonly #heap: TimerSlot[] = [];
  #timer: NodeJS.Timeout | undefined;
  /** When the Node timer fires; `undefined` when none is armed. */
  #timerAt: number | undefined;

  /** How many slots are armed. */
  get size(): number {
    return this.#heap.length;
  }

  /** Arms (or moves) `slot` to fire at `at`. */
  schedule(slot: TimerSlot, at: number): void {
    if (slot.index >= 0) {
      const old = slot.at!;
      slot.at = at;
      if (at < old) this.#up(slot.index);
      else if (at > old) this.#down(slot.index);
    } else {
      slot.at = at;
      slot.index = this.#heap.length;
      this.#heap.push(slot);
      this.#up(slot.index);
    }
    this.#arm();
  }

  /** Disarms `slot` (nothing when it is not armed). */
  cancel(slot: TimerSlot): void {
    const i = slot.index;
    if (i < 0) return;
    slot.index = -1;
    slot.at = undefined;
    const last = this.#heap.pop()!;
    if (i < this.#heap.length) {
      this.#heap[i] = last;
      last.index = i;
      this.#up(i);
      this.#down(last.index);
    }
    this.#arm();
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#timerAt = undefined;
    const now = performance.now();
    const due: TimerSlot[] = [];
    // Take every due slot out first: callbacks re-arm their slots, maybe for "now" again.
    while (this.#heap.length > 0 && this.#heap[0].at! <= now) {
      const slot = this.#heap[0];
      this.#takeTop();
      due.push(slot);
    }
    for (const slot of due) {
      try {
        slot.callback();
      } catch (error) {
        process.nextTick(() => {
          throw error;
        });
      }
    }
    this.#arm();
  };

  /** Removes the earliest slot without re-arming the Node timer. */
  #takeTop(): void {
    const top = this.#heap[0];
    top.index = -1;
    top.at = undefined;
    const last = this.#heap.pop()!;
    if (this.#heap.length > 0) {
      this.#heap[0] = last;
      last.index = 0;
      this.#down(0);
    }
  }

  /** Keeps one Node timer armed for the earliest deadline (moved only when that moves earlier, or fired). */
  #arm(): void {
    if (this.#heap.length === 0) {
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#timerAt = undefined;
      return;
    }
    const at = this.#heap[0].at!;
    // A timer armed for a later time is moved; one armed earlier fires and re-arms (a harmless early wake-up).
    if (this.#timer !== undefined && this.#timerAt! <= at) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerAt = at;
    // Node fires a delay over 2^31-1 ms after 1 ms; an early wake-up is harmless, so cap it instead.
    this.#timer = setTimeout(this.#onTimer, Math.min(MAX_TIMER_DELAY_MS, Math.max(0, Math.ceil(at - performance.now()))));
  }

  #up(i: number): void {
    const heap = this.#heap;
    const slot = heap[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heap[p].at! <= slot.at!) break;
      heap[i] = heap[p];
      heap[i].index = i;
      i = p;
    }
    heap[i] = slot;
    slot.index = i;
  }

  #down(i: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const slot = heap[i];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && heap[r].at! < heap[l].at! ? r : l;
      if (heap[c].at! >= slot.at!) break;
      heap[i] = heap[c];
      heap[i].index = i;
      i = c;
    }
    heap[i] = slot;
    slot.index = i;
  }
}

/** The wheel every {@link IceRuntime} of this process shares. */
export const processTimerWheel = new TimerWheel();
