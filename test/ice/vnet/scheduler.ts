/**
 * The virtual clock of the network: a priority queue of tasks ordered by
 * (time, insertion order), so that two runs with the same seed do exactly
 * the same things in the same order. Nothing here reads a real clock.
 */

/** A scheduled task; `cancelled` tasks are skipped when they come due. */
export interface ScheduledTask {
  readonly at: number;
  readonly seq: number;
  readonly label: string;
  readonly run: () => void;
  cancelled: boolean;
}

/** A binary min-heap of tasks plus the current virtual time. */
export class Scheduler {
  private heap: ScheduledTask[] = [];
  private seq = 0;
  /** The current virtual time in milliseconds. */
  now = 0;

  /** Runs `run` at `at` (never earlier than now). Returns a handle for {@link cancel}. */
  at(at: number, label: string, run: () => void): ScheduledTask {
    const task: ScheduledTask = { at: Math.max(at, this.now), seq: this.seq++, label, run, cancelled: false };
    this.push(task);
    return task;
  }

  /** Runs `run` `delay` ms from now. */
  after(delay: number, label: string, run: () => void): ScheduledTask {
    return this.at(this.now + Math.max(0, delay), label, run);
  }

  /** Cancels a task (no-op when it already ran). */
  cancel(task: ScheduledTask | undefined): void {
    if (task) task.cancelled = true;
  }

  /** The time of the next live task, or undefined. */
  peekTime(): number | undefined {
    this.dropCancelled();
    return this.heap[0]?.at;
  }

  /** Number of queued (possibly cancelled) tasks. */
  get size(): number {
    return this.heap.length;
  }

  /** Pops and runs the next live task, advancing `now`. Returns false when empty. */
  runNext(): boolean {
    this.dropCancelled();
    const task = this.pop();
    if (!task) return false;
    if (task.at > this.now) this.now = task.at;
    task.run();
    return true;
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && this.heap[0].cancelled) this.pop();
  }

  private less(x: ScheduledTask, y: ScheduledTask): boolean {
    return x.at < y.at || (x.at === y.at && x.seq < y.seq);
  }

  private push(task: ScheduledTask): void {
    const h = this.heap;
    h.push(task);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private pop(): ScheduledTask | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
