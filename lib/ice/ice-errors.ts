import { IceTcpError } from '../errors.js';

/**
 * Stable codes of {@link IceError}:
 * - `ERR_ICE_BAD_OPTION`: an option of the core is out of range;
 * - `ERR_ICE_BAD_CREDENTIALS`: a ufrag/pwd does not follow RFC 8839 §5.4;
 * - `ERR_ICE_BAD_CANDIDATE`: a candidate the core cannot use (component out of range, ...);
 * - `ERR_ICE_CLOSED`: a command on a closed agent;
 * - `ERR_ICE_TCP_RECONNECT_FAILED`: (event) the selected TCP connection could not be re-established (RFC 6544 §11.1);
 * - `ERR_ICE_CONSENT_EXPIRED`: (event) consent to send expired or was revoked (RFC 7675 §5);
 * - `ERR_ICE_CHECKLIST_FAILED`: (event) once both sides' candidates are complete, no pair of a component can succeed (all failed, or none could be formed).
 */
export type IceErrorCode =
  | 'ERR_ICE_BAD_OPTION'
  | 'ERR_ICE_BAD_CREDENTIALS'
  | 'ERR_ICE_BAD_CANDIDATE'
  | 'ERR_ICE_CLOSED'
  | 'ERR_ICE_TCP_RECONNECT_FAILED'
  | 'ERR_ICE_CONSENT_EXPIRED'
  | 'ERR_ICE_CHECKLIST_FAILED';

/** An error of the ICE core, with a stable {@link IceErrorCode}. */
export class IceError extends IceTcpError {
  declare readonly code: IceErrorCode;

  constructor(code: IceErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
