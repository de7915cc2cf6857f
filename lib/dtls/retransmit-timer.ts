/**
 * The flight retransmission timer of RFC 6347 §4.2.4: start at 1 s,
 * double on every expiry up to a cap (§4.2.4.1: 60 s), give up after a
 * number of retransmissions.
 *
 * @module
 */

export class RetransmitTimer {
  #current: number;
  #deadline: number | undefined;
  #count = 0;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
    private readonly maxRetransmits: number,
  ) {
    this.#current = initialMs;
  }

  /** When the timer fires, or `undefined` when stopped. */
  get deadline(): number | undefined {
    return this.#deadline;
  }

  /** Retransmissions of the current flight so far. */
  get count(): number {
    return this.#count;
  }

  /** Arms the timer for a new flight (the value is reset, RFC 6347 §4.2.4.1 lets it be kept; a fresh flight starts fresh). */
  start(now: number): void {
    this.#count = 0;
    this.#current = this.initialMs;
    this.#deadline = now + this.#current;
  }

  stop(): void {
    this.#deadline = undefined;
  }

  /**
   * Called when the deadline passed: `'retransmit'` (the timer is re-armed
   * with double the value, capped), or `'give-up'` once the limit is hit.
   */
  expire(now: number): 'retransmit' | 'give-up' {
    if (this.#count >= this.maxRetransmits) {
      this.#deadline = undefined;
      return 'give-up';
    }
    this.#count++;
    this.#current = Math.min(this.#current * 2, this.maxMs);
    this.#deadline = now + this.#current;
    return 'retransmit';
  }
}
