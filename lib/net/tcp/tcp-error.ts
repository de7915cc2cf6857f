import { IceTcpError } from '../../errors.js';

/**
 * Stable codes of {@link TcpTransportError}.
 *
 * - `ERR_TCP_BAD_OPTION`: an option of the TCP plugin or of the shared
 *   passive listener is out of range or of the wrong type.
 * - `ERR_TCP_STATE`: a method was called in the wrong state (gathering
 *   before `attach`, attaching twice, using a closed plugin or listener).
 * - `ERR_TCP_UFRAG_IN_USE`: a ufrag is already registered with the shared
 *   passive listener by another agent.
 * - `ERR_TCP_LISTEN_FAILED`: a listening socket could not be opened.
 * - `ERR_TCP_STUN_FAILED`: a STUN Binding over TCP (server-reflexive
 *   candidate) failed: connect error, timeout, error response, bad answer.
 */
export type TcpTransportErrorCode =
  'ERR_TCP_BAD_OPTION' | 'ERR_TCP_STATE' | 'ERR_TCP_UFRAG_IN_USE' | 'ERR_TCP_LISTEN_FAILED' | 'ERR_TCP_STUN_FAILED';

/** An error of the ICE-TCP transport plugin (lib/net/tcp). */
export class TcpTransportError extends IceTcpError {
  declare readonly code: TcpTransportErrorCode;

  constructor(code: TcpTransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * Returns `value` when it is an integer in `min..max`, `fallback` when it is
 * `undefined`.
 *
 * @throws TcpTransportError `ERR_TCP_BAD_OPTION` otherwise.
 */
export function integerOption(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TcpTransportError('ERR_TCP_BAD_OPTION', `${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/**
 * Returns `value` when it is a boolean, `fallback` when it is `undefined`.
 *
 * @throws TcpTransportError `ERR_TCP_BAD_OPTION` otherwise.
 */
export function booleanOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    throw new TcpTransportError('ERR_TCP_BAD_OPTION', `${name} must be a boolean, got ${String(value)}`);
  }
  return value;
}
