/**
 * Random sources for record and replay: one that passes draws through from
 * a real source and reports each to the recorder, and one that serves
 * recorded draws back, refusing any draw the recording does not have.
 */
import type { RandomSource } from '../ice/types.js';
import { ReplayError } from './replay-errors.js';

/** Wraps a {@link RandomSource} and hands a copy of every draw to `sink`. */
export class RecordingRandomSource implements RandomSource {
  constructor(
    private readonly inner: RandomSource,
    private readonly sink: (draw: Uint8Array) => void,
  ) {}

  bytes(length: number): Uint8Array {
    const draw = this.inner.bytes(length);
    this.sink(Uint8Array.from(draw));
    return draw;
  }
}

/** Thrown inside a replayed core when it asks for a draw the recording does not have there. */
export class ReplayDrawMismatch extends ReplayError {
  constructor(message: string) {
    super('ERR_REPLAY_DIVERGENCE', message);
  }
}

/** Serves recorded draws (base64) in order, for the call being replayed. */
export class ReplayRandomSource implements RandomSource {
  private queue: string[] = [];
  private served = 0;

  /** Loads the draws of the next call (replacing what was left). */
  load(draws: readonly string[]): void {
    this.queue = [...draws];
    this.served = 0;
  }

  /** Draws loaded but not yet taken. */
  get remaining(): number {
    return this.queue.length;
  }

  bytes(length: number): Uint8Array {
    const next = this.queue.shift();
    if (next === undefined) {
      throw new ReplayDrawMismatch(
        `the core drew ${length} random bytes (draw #${this.served + 1} of this call); the recording has no such draw`,
      );
    }
    const bytes = Buffer.from(next, 'base64');
    if (bytes.length !== length) {
      throw new ReplayDrawMismatch(
        `the core drew ${length} random bytes (draw #${this.served + 1} of this call); the recording has ${bytes.length}`,
      );
    }
    this.served++;
    return Uint8Array.from(bytes);
  }
}
