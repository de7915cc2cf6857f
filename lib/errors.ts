/**
 * Base class of every error this library throws or emits.
 *
 * Each error carries a stable machine-readable `code` (for example
 * `ERR_FRAME_TOO_LARGE` or `ERR_STUN_TRUNCATED`) so that callers can branch on
 * it without parsing messages. Codes are part of the public API: they are only
 * ever added, never renamed.
 */
export class IceTcpError extends Error {
  /** Stable machine-readable error code. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}
