import type { CloseReason, ConnectFailReason } from '../../ice/types.js';

/** The `code` of a Node system error (`ECONNREFUSED`, ...), if any. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Errno codes that mean "no route to the peer". */
const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);

/**
 * Why a connect attempt failed, from the socket error (RFC 6544 §7.1: a
 * failed connect fails the check; the core tells the reasons apart to retry
 * S-O attempts on refused/reset):
 * - `ECONNREFUSED` (a RST answered the SYN) → `'refused'`;
 * - `ECONNRESET`, `EPIPE` → `'reset'`;
 * - `ETIMEDOUT` → `'timeout'`;
 * - host/network unreachable or down, address not available → `'unreachable'`;
 * - anything else → `'error'`.
 */
export function connectFailReason(error: unknown): ConnectFailReason {
  const code = errorCode(error);
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'reset';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (code !== undefined && UNREACHABLE.has(code)) return 'unreachable';
  return 'error';
}

/**
 * Why an established connection closed, from the error it closed with:
 * none → `'end'` (the peer ended cleanly), `ECONNRESET`/`EPIPE` →
 * `'reset'`, anything else (a framing error included) → `'error'`. A close
 * the core asked for is reported as `'local'` by the caller.
 */
export function closeReason(error: Error | undefined): CloseReason {
  if (error === undefined) return 'end';
  const code = errorCode(error);
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'reset';
  return 'error';
}
