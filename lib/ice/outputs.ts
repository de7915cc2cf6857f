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
  readonly connectionCommands = new Fifo<ConnectionCommand>();
  readonly events = new Fifo<IceEvent>();

  /** Queues a `close` of a connection reported on `transportId`. */
  close(connectionId: string, transportId: string, reason: string): void {
    this.connectionCommands.push({ type: 'close', connectionId, transportId, reason });
  }
}
