/**
 * A small command-line option parser for the `ice-tcp` commands (no
 * dependency): `--name value`, `--name=value`, boolean flags, repeatable
 * options, positionals, `--` to end options and `-` as a positional (stdin).
 * Every mistake is a {@link CliError} `ERR_CLI_USAGE` (exit 64) whose message
 * names the option.
 */
import { usageError } from './cli-errors.js';

/**
 * How an option is written:
 * - `'flag'`: no value (`--echo`);
 * - `'value'`: one value, at most once (`--timeout 20`);
 * - `'values'`: one value, repeatable (`--bind A --bind B`).
 */
export type OptionKind = 'flag' | 'value' | 'values';

/** The options a command accepts, by long name without the dashes. */
export type OptionSpec = Record<string, OptionKind>;

/** Options of {@link parseArgs}. */
export interface ParseArgsOptions {
  /** Most positionals accepted (default 0). */
  maxPositionals?: number;
  /** Short aliases, e.g. `{ h: 'help' }` (default `{ h: 'help' }`). */
  aliases?: Record<string, string>;
}

/** A parsed command line, with typed accessors that throw usage errors. */
export class ParsedArgs {
  readonly #flags: Set<string>;
  readonly #values: Map<string, string[]>;
  /** Arguments that are not options, in order. */
  readonly positionals: readonly string[];

  constructor(flags: Set<string>, values: Map<string, string[]>, positionals: string[]) {
    this.#flags = flags;
    this.#values = values;
    this.positionals = positionals;
  }

  /** Whether a flag (or a value option) was given. */
  has(name: string): boolean {
    return this.#flags.has(name) || this.#values.has(name);
  }

  /** The value of a single-value option, or `fallback`. */
  string(name: string): string | undefined;
  string(name: string, fallback: string): string;
  string(name: string, fallback?: string): string | undefined {
    return this.#values.get(name)?.[0] ?? fallback;
  }

  /** Every value of a repeatable option (empty when absent). */
  strings(name: string): string[] {
    return [...(this.#values.get(name) ?? [])];
  }

  /**
   * An integer option within `[min, max]`, or `fallback` when absent.
   *
   * @throws CliError `ERR_CLI_USAGE`
   */
  integer(name: string, range: { min: number; max: number }, fallback: number): number;
  integer(name: string, range: { min: number; max: number }): number | undefined;
  integer(name: string, range: { min: number; max: number }, fallback?: number): number | undefined {
    const text = this.string(name);
    if (text === undefined) return fallback;
    return parseInteger(`--${name}`, text, range);
  }

  /**
   * A positive number (seconds and the like), or `fallback`.
   *
   * @throws CliError `ERR_CLI_USAGE`
   */
  positiveNumber(name: string, fallback: number): number {
    const text = this.string(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value <= 0) {
      throw usageError(`--${name} must be a positive number, got ${JSON.stringify(text)}`);
    }
    return value;
  }

  /**
   * One of `choices`, or `fallback`.
   *
   * @throws CliError `ERR_CLI_USAGE`
   */
  choice<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const text = this.string(name);
    if (text === undefined) return fallback;
    if (!(choices as readonly string[]).includes(text)) {
      throw usageError(`--${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(text)}`);
    }
    return text as T;
  }

  /**
   * `on` / `off` (also `true`/`false`, `yes`/`no`, `1`/`0`), or `fallback`.
   *
   * @throws CliError `ERR_CLI_USAGE`
   */
  onOff(name: string, fallback: boolean): boolean {
    const text = this.string(name);
    if (text === undefined) return fallback;
    const lower = text.toLowerCase();
    if (['on', 'true', 'yes', '1'].includes(lower)) return true;
    if (['off', 'false', 'no', '0'].includes(lower)) return false;
    throw usageError(`--${name} must be on or off, got ${JSON.stringify(text)}`);
  }
}

/**
 * Parses a decimal integer within `[min, max]`; `label` names it in errors.
 *
 * @throws CliError `ERR_CLI_USAGE`
 */
export function parseInteger(label: string, text: string, range: { min: number; max: number }): number {
  if (!/^[+-]?\d+$/.test(text.trim())) throw usageError(`${label} must be an integer, got ${JSON.stringify(text)}`);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < range.min || value > range.max) {
    throw usageError(`${label} must be from ${range.min} to ${range.max}, got ${text}`);
  }
  return value;
}

/**
 * Parses `argv` (the arguments after the command name) against `spec`.
 * `help` is always accepted as a flag (`--help`, `-h`).
 *
 * @throws CliError `ERR_CLI_USAGE` for an unknown option, a missing value, a
 *   value given to a flag, a single-value option given twice, or too many
 *   positionals
 */
export function parseArgs(argv: readonly string[], spec: OptionSpec, options: ParseArgsOptions = {}): ParsedArgs {
  const fullSpec: OptionSpec = { help: 'flag', ...spec };
  const aliases = options.aliases ?? { h: 'help' };
  const maxPositionals = options.maxPositionals ?? 0;
  const flags = new Set<string>();
  const values = new Map<string, string[]>();
  const positionals: string[] = [];
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (onlyPositionals || arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositionals = true;
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
    } else {
      const alias = aliases[arg.slice(1)];
      if (alias === undefined) throw usageError(`unknown option ${arg}`);
      name = alias;
    }
    const kind = Object.hasOwn(fullSpec, name) ? fullSpec[name] : undefined;
    if (kind === undefined) throw usageError(`unknown option --${name}`);
    if (kind === 'flag') {
      if (inline !== undefined) throw usageError(`--${name} takes no value`);
      flags.add(name);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= argv.length) throw usageError(`--${name} needs a value`);
      value = argv[++i]!;
    }
    const list = values.get(name);
    if (list === undefined) values.set(name, [value]);
    else if (kind === 'values') list.push(value);
    else throw usageError(`--${name} given more than once`);
  }
  if (positionals.length > maxPositionals) {
    throw usageError(
      maxPositionals === 0
        ? `unexpected argument ${JSON.stringify(positionals[0])}`
        : `too many arguments: ${positionals.map((p) => JSON.stringify(p)).join(' ')}`,
    );
  }
  return new ParsedArgs(flags, values, positionals);
}
