/**
 * The core's output queues, drained by the runtime through the poll
 * methods (ARCHITECTURE.md "The sans-IO boundary").
 */
import { Fifo } from '../fifo.js';
import type { ConnectionCommand, IceEvent, Transmit } from './types.js';

/** Transmits, connection commands and events waiting to be polled. */
export class OutputQueues {
  readonly transmits = new Fifo<Transmit>();
  readonly connects = new Fifo<ConnectionCommand>();
  readonly events = new Fifo<IceEvent>();
}
