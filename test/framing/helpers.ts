// Shared test helpers for the framing tests (not a test file itself).
import { IceTcpError } from '../../lib/errors.js';

export * from '../../lib/framing/index.js';

/** True when `e` is one of our typed errors with a stable code. */
export function IceTcpErrorLike(e: unknown): boolean {
  return e instanceof IceTcpError && typeof e.code === 'string' && e.code.startsWith('ERR_');
}

/** Deterministic PRNG (xorshift32) for reproducible random data in tests. */
export function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}
