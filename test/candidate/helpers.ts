import type { ExecutionContext } from 'ava';
import { CandidateError, type CandidateErrorCode } from '../../lib/candidate/index.js';

/** Asserts that `fn` throws a CandidateError with `code`. */
export function throwsCandidateError(t: ExecutionContext, fn: () => unknown, code: CandidateErrorCode): void {
  const error = t.throws(fn, { instanceOf: CandidateError });
  t.is(error?.code, code);
}
