import { IceTcpError } from '../errors.js';

/**
 * Stable codes of {@link ReplayError}:
 * - `ERR_REPLAY_BAD_FORMAT`: a recording that is not valid JSON or not shaped
 *   like a session recording;
 * - `ERR_REPLAY_UNSUPPORTED_VERSION`: a recording of a format version this
 *   library cannot read;
 * - `ERR_REPLAY_DIVERGENCE`: a replayed core produced something other than
 *   what was recorded (thrown by `assertReplays`).
 */
export type ReplayErrorCode = 'ERR_REPLAY_BAD_FORMAT' | 'ERR_REPLAY_UNSUPPORTED_VERSION' | 'ERR_REPLAY_DIVERGENCE';

/** An error of the record/replay module. */
export class ReplayError extends IceTcpError {
  declare readonly code: ReplayErrorCode;

  constructor(code: ReplayErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
