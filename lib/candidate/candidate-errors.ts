import { IceTcpError } from '../errors.js';

/**
 * Stable codes carried by {@link CandidateError}.
 *
 * - `ERR_CANDIDATE_SYNTAX`: the line does not follow the RFC 8839 §5.1
 *   grammar (missing fields, a dangling extension name, a duplicated known
 *   attribute, a bad token).
 * - `ERR_CANDIDATE_MISSING_TCPTYPE`: a TCP candidate without the `tcptype`
 *   extension that RFC 6544 §4.5 requires.
 * - `ERR_CANDIDATE_BAD_VALUE`: a field is well-formed but out of range
 *   (component, priority, port, address, a typed extension's value), or an
 *   argument of a helper function is out of range.
 * - `ERR_CANDIDATE_UNSUPPORTED`: a grammatically valid transport or candidate
 *   type this library does not model (for example `ssltcp`, or a future
 *   `typ` token). RFC 8839 §5.1 says such lines are to be ignored.
 * - `ERR_CANDIDATE_BAD_OPTION`: an option object holds a bad value.
 */
export type CandidateErrorCode =
  | 'ERR_CANDIDATE_SYNTAX'
  | 'ERR_CANDIDATE_MISSING_TCPTYPE'
  | 'ERR_CANDIDATE_BAD_VALUE'
  | 'ERR_CANDIDATE_UNSUPPORTED'
  | 'ERR_CANDIDATE_BAD_OPTION';

/**
 * The only error kind thrown by the candidate module: parsing, serializing,
 * priority computation and pairing all report bad input with it.
 */
export class CandidateError extends IceTcpError {
  /** One of {@link CandidateErrorCode}. */
  declare readonly code: CandidateErrorCode;

  /**
   * @param code - stable error code
   * @param message - human-readable detail (may quote a bounded part of the input)
   */
  constructor(code: CandidateErrorCode, message: string) {
    super(code, message);
  }
}
