/**
 * The core's output queues, drained by the runtime through the poll
 * methods (ARCHITECTURE.md "The sans-IO boundary").
 */
import type { ConnectionCommand, IceEvent, Transmit } from './types.js';

/** A FIFO that hands out its items once and never keeps drained ones alive. */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined as T;
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  get length(): number {
    return this.items.length - this.head;
  }
}

/** Transmits, connection commands and events waiting to be polled. */
export class OutputQueues {
  readonly transmits = new Fifo<Transmit>();
  readonly connects = new Fifo<ConnectionCommand>();
  readonly events = new Fifo<IceEvent>();
}
