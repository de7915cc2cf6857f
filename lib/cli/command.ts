/**
 * What every `ice-tcp` command looks like to the dispatcher in main.ts.
 */
import type { Readable, Writable } from 'node:stream';

/** The process streams a command works with (the real ones, or test doubles). */
export interface CommandIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

/** One `ice-tcp` command. */
export interface Command {
  /** The word after `ice-tcp`. */
  name: string;
  /** The full `--help` text. */
  usage: string;
  /**
   * Runs the command with the arguments after its name and resolves with the
   * exit code. Usage mistakes are thrown as `CliError` `ERR_CLI_USAGE`.
   */
  run(argv: string[], io: CommandIo): Promise<number>;
}

/** Writes one line (a `\n` is added). */
export function writeLine(stream: Writable, line: string): void {
  stream.write(`${line}\n`);
}
