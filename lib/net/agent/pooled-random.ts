/**
 * Randomness for the ICE cores of a process from `crypto.randomFillSync`,
 * drawn 4 KiB at a time: a consent check (RFC 7675 §5.1) needs 16 random
 * bytes (a transaction id and the jitter of the next interval), and one
 * `randomBytes` call per draw costs more than the bytes. The pool is the
 * same CSPRNG output, and every byte is handed out once: a draw is copied
 * out of the pool, which is then refilled, never reused. Draws larger than
 * {@link MAX_POOLED_DRAW} come straight from `randomBytes`.
 */
import { randomBytes, randomFillSync } from 'node:crypto';
import type { RandomSource } from '../../ice/types.js';

const POOL_SIZE = 4096;
/** Larger draws bypass the pool. */
export const MAX_POOLED_DRAW = 64;

let pool = Buffer.alloc(0);
let offset = 0;

/** A {@link RandomSource} over crypto randomness, pooled for small draws. */
export const pooledCryptoRandom: RandomSource = {
  bytes(length: number): Uint8Array {
    if (length > MAX_POOLED_DRAW) return randomBytes(length);
    if (offset + length > pool.length) {
      pool = randomFillSync(Buffer.allocUnsafeSlow(POOL_SIZE));
      offset = 0;
    }
    // Copied out, and the offset moves past them: no byte is handed out twice.
    const out = Buffer.from(pool.subarray(offset, offset + length));
    offset += length;
    return out;
  },
};
