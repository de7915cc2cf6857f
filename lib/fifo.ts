/**
 * A first-in first-out queue that hands out each item once and keeps no
 * drained item alive: the one queue under every buffer of this package
 * that holds things until their reader takes them (the core's output
 * queues, {@link HoldBuffer}).
 *
 * @module
 */

/** A FIFO over an array with a moving head (`shift()` is O(1) amortised, unlike `Array#shift`). */
export class Fifo<T> {
  #items: Array<T | undefined> = [];
  #head = 0;

  /** Items waiting. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Appends one item. */
  push(item: T): void {
    this.#items.push(item);
  }

  /** The oldest item, without taking it; `undefined` when empty. */
  peek(): T | undefined {
    return this.#head < this.#items.length ? this.#items[this.#head] : undefined;
  }

  /** Takes the oldest item; `undefined` when empty. */
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head++;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Forgets every item; returns how many there were. */
  clear(): number {
    const count = this.length;
    this.#items = [];
    this.#head = 0;
    return count;
  }
}
