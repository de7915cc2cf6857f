import { IceTcpError } from '../errors.js';

/**
 * Exit codes of the `ice-tcp` command (sysexits.h for usage, the rest as the
 * `peer` line protocol defines them).
 */
export const ExitCode = {
  /** Success. */
  Ok: 0,
  /** `peer`: ICE failed to connect. `decode`: malformed input. Other commands: a runtime failure. */
  Failed: 1,
  /** `peer`: not done within `--timeout` (never after done). `decode`: a check (integrity, fingerprint) failed. */
  Timeout: 2,
  /** `peer`: a data problem (corrupt or stalled echoes while ICE reports the path alive, TLS failure). */
  DataProblem: 3,
  /** `peer`: the connection was lost after it was established (consent lost, reconnect failed, ICE restart needed). */
  ConnectionLost: 4,
  /** Command-line usage error (EX_USAGE). */
  Usage: 64,
} as const;

/**
 * Stable codes of {@link CliError}:
 * - `ERR_CLI_USAGE`: a bad command line (unknown option, missing value,
 *   value out of range); the command exits 64;
 * - `ERR_CLI_INPUT`: input the command cannot use (unreadable file, bad hex,
 *   too much data); the command exits 1.
 */
export type CliErrorCode = 'ERR_CLI_USAGE' | 'ERR_CLI_INPUT';

/** Errors of the `ice-tcp` command line. */
export class CliError extends IceTcpError {
  declare readonly code: CliErrorCode;

  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }

  /** The process exit code this error maps to. */
  get exitCode(): number {
    return this.code === 'ERR_CLI_USAGE' ? ExitCode.Usage : ExitCode.Failed;
  }
}

/** Shorthand for a usage error (exit 64). */
export function usageError(message: string): CliError {
  return new CliError('ERR_CLI_USAGE', message);
}

/** `CODE: message` for our errors, the message for others: one line for the user. */
export function describeError(error: unknown): string {
  if (error instanceof IceTcpError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
