/**
 * One timer for every ICE runtime of the process: each runtime keeps one
 * {@link TimerSlot} (its core's `pollTimeout()`), the slots sit in one binary
 * min-heap ordered by when they fire, and one Node `setTimeout` is armed for
 * the earliest. With 10,000 agents this replaces 10,000 Node timers, each with
 * its own `Timeout` object and, for distinct delays, its own timer list in
 * Node's priority queue, by one heap entry per agent and one Node timer.
 *
 * A slot never fires before its deadline. A deadline less than 1 s ahead
 * when scheduled keeps millisecond precision: the slot fires at the first
 * timer tick at or after it, as its own `setTimeout` would. A deadline
 * further ahead (consent checks every 4-6 s, RFC 7675 §5.1; expiries) is
 * rounded up to a grid of 32 ms (1-2 s ahead) or 64 ms (2 s and more), at
 * most 1/32 of the wait: deadlines of many agents that fall in one grid cell
 * fire in one pass, one wake-up of the process instead of one each. At
 * 10,000 sessions that turns about 2,000 wake-ups a second into at most 16;
 * the core accepts a late `handleTimeout` (ice-core.ts), and what waits
 * seconds does not notice tens of milliseconds. For consent (RFC 7675 §5.1)
 * this means: checks never closer than the core's randomized 4-6 s (a slot
 * never fires early), at most 64 ms more; an expiry acted on at most 64 ms
 * after the 30 s.
 *
 * Slots firing in one pass fire in the order of when they fire, then of
 * their deadlines; a slot re-armed by a callback for a time already past
 * fires on the next tick, never in the same pass (no starvation). An
 * exception from a callback does not stop the others; it is rethrown on its
 * own tick, as from a `setTimeout`.
 */
import { performance } from 'node:perf_hooks';

/** The longest delay `setTimeout` honours (2^31-1 ms, about 24.8 days). */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * When a slot scheduled for `at` at time `now` fires: `at` itself below 1 s
 * ahead; else `at` rounded up to the next multiple of 32 ms (below 2 s
 * ahead) or 64 ms, so that deadlines close to each other share a wake-up.
 */
export function fireTime(at: number, now: number): number {
  const ahead = at - now;
  if (ahead < 1000) return at;
  const grid = ahead < 2000 ? 32 : 64;
  return Math.ceil(at / grid) * grid;
}

/** One runtime's deadline in the shared heap. */
export class TimerSlot {
  /** The deadline (on `performance.now()`'s clock), or `undefined` when not armed. */
  at: number | undefined = undefined;
  /** When the slot fires: the deadline, or later on the grid (see {@link fireTime}); the heap's order. */
  fireAt = 0;
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
    const fireAt = fireTime(at, performance.now());
    if (slot.index >= 0) {
      const old = slot.fireAt;
      const oldAt = slot.at!;
      slot.at = at;
      slot.fireAt = fireAt;
      if (fireAt < old || (fireAt === old && at < oldAt)) this.#up(slot.index);
      else this.#down(slot.index);
    } else {
      slot.at = at;
      slot.fireAt = fireAt;
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
    while (this.#heap.length > 0 && this.#heap[0].fireAt <= now) {
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
    const at = this.#heap[0].fireAt;
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
      if (!before(slot, heap[p])) break;
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
      const c = r < n && before(heap[r], heap[l]) ? r : l;
      if (!before(heap[c], slot)) break;
      heap[i] = heap[c];
      heap[i].index = i;
      i = c;
    }
    heap[i] = slot;
    slot.index = i;
  }
}

/** Heap order: `a` fires before `b` (by fire time, then by deadline). */
function before(a: TimerSlot, b: TimerSlot): boolean {
  return a.fireAt < b.fireAt || (a.fireAt === b.fireAt && a.at! < b.at!);
}

/** The wheel every {@link IceRuntime} of this process shares. */
export const processTimerWheel = new TimerWheel();
