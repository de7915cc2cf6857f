import { IceTcpError } from '../errors.js';

/**
 * Stable codes of {@link TurnError}:
 * - `ERR_TURN_BAD_URL`: a `turn:`/`turns:` URL is not
 *   `turn[s]:host[:port][?transport=udp|tcp]` (RFC 7065 §3);
 * - `ERR_TURN_BAD_OPTION`: a TURN option (credentials, `iceServers` entry) is invalid;
 * - `ERR_TURN_UNAUTHORIZED`: the server refused the credentials (401 after
 *   authenticating, or 441); the client does not retry (RFC 8489 §9.2.5);
 * - `ERR_TURN_REJECTED`: the server answered a request with another error
 *   (the message has its code and reason);
 * - `ERR_TURN_TIMEOUT`: a request got no answer (RFC 8489 §6.2.1, §6.2.2);
 * - `ERR_TURN_NO_ALLOCATION`: an operation needs an allocation and there is none;
 * - `ERR_TURN_TOO_MANY`: a bound (permissions, channels, connections, queued sends) is reached;
 * - `ERR_TURN_CONNECTION`: the connection to the TURN server failed or closed;
 * - `ERR_TURN_CLOSED`: the client is closed.
 */
export type TurnErrorCode =
  | 'ERR_TURN_BAD_URL'
  | 'ERR_TURN_BAD_OPTION'
  | 'ERR_TURN_UNAUTHORIZED'
  | 'ERR_TURN_REJECTED'
  | 'ERR_TURN_TIMEOUT'
  | 'ERR_TURN_NO_ALLOCATION'
  | 'ERR_TURN_TOO_MANY'
  | 'ERR_TURN_CONNECTION'
  | 'ERR_TURN_CLOSED';

/** Errors of the TURN client (lib/turn). */
export class TurnError extends IceTcpError {
  declare readonly code: TurnErrorCode;
  /** The STUN error code the server answered with, when there was one. */
  readonly stunCode: number | undefined;

  constructor(code: TurnErrorCode, message: string, options?: { cause?: unknown; stunCode?: number }) {
    super(code, message, options);
    this.stunCode = options?.stunCode;
  }
}
