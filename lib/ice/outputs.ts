/**
 * The core's output queues, drained by the runtime through the poll
 * methods (ARCHITECTURE.md "The sans-IO boundary").
 */
import { Fifo } from '../fifo.js';
import type { ConnectionCommand, IceEvent, Transmit } from './types.js';

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
