/**
 * The anti-replay window of RFC 6347 §4.1.2.6 (the sliding window of
 * RFC 4303 §3.4.3): a record is accepted at most once, and only if it is
 * not older than the window. The window is updated only after the record
 * authenticated, so forged records cannot move it.
 *
 * @module
 */

/** Default window width in records (RFC 4303 §3.4.3: at least 32, 64 recommended). */
export const DEFAULT_REPLAY_WINDOW = 64;

export class ReplayWindow {
  #highest = -1;
  /** Bit i set: `highest - i` was received. */
  #bits = 0n;
  readonly #size: number;
  readonly #mask: bigint;

  constructor(size = DEFAULT_REPLAY_WINDOW) {
    if (!Number.isInteger(size) || size < 1 || size > 1024) throw new RangeError('replay window size must be 1..1024');
    this.#size = size;
    this.#mask = (1n << BigInt(size)) - 1n;
  }

  /** True when `sequence` is new and not too old; call before decrypting. */
  check(sequence: number): boolean {
    if (sequence > this.#highest) return true;
    const age = this.#highest - sequence;
    if (age >= this.#size) return false;
    return (this.#bits & (1n << BigInt(age))) === 0n;
  }

  /** Records `sequence` as received; call after the record authenticated. */
  accept(sequence: number): void {
    if (sequence > this.#highest) {
      const shift = this.#highest < 0 ? this.#size : sequence - this.#highest;
      this.#bits = shift >= this.#size ? 1n : ((this.#bits << BigInt(shift)) | 1n) & this.#mask;
      this.#highest = sequence;
      return;
    }
    this.#bits |= 1n << BigInt(this.#highest - sequence);
  }
}
