import { CandidateError } from './candidate-errors.js';

const MAX_PRIORITY = 4294967295;

function checkPriority(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_PRIORITY) {
    throw new CandidateError('ERR_CANDIDATE_BAD_VALUE', `${name} priority must be an integer in 0..2^32-1, got ${String(value)}`);
  }
}

/**
 * Candidate pair priority, RFC 8445 §6.1.2.3:
 * `2^32 * MIN(G,D) + 2 * MAX(G,D) + (G > D ? 1 : 0)`, where G is the
 * priority of the controlling agent's candidate and D the controlled one's.
 *
 * The result reaches about 2^63, far beyond `Number.MAX_SAFE_INTEGER`, so it
 * is computed exactly as a `bigint`.
 *
 * @param controllingPriority - G, an integer 0..2^32-1
 * @param controlledPriority - D, an integer 0..2^32-1
 * @throws CandidateError `ERR_CANDIDATE_BAD_VALUE` for a non-integer or out-of-range priority
 */
export function pairPriority(controllingPriority: number, controlledPriority: number): bigint {
  checkPriority('controlling', controllingPriority);
  checkPriority('controlled', controlledPriority);
  const g = BigInt(controllingPriority);
  const d = BigInt(controlledPriority);
  const [min, max] = g < d ? [g, d] : [d, g];
  return (min << 32n) + 2n * max + (g > d ? 1n : 0n);
}
