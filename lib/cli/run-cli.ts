/**
 * The dispatcher of the `ice-tcp` command: finds the command, loads its
 * module, runs it, and maps what it throws to exit codes (64 for usage
 * errors, 1 otherwise) with a clear one-line message on stderr, never a
 * stack trace (`DEBUG=ice-tcp:*` shows the details, and the library's debug
 * output, on stderr). main.ts runs it on the process.
 */
import { readFileSync } from 'node:fs';
import createDebug from 'debug';
import { IceTcpError } from '../errors.js';
import { writeLine, type Command, type CommandIo } from './command.js';
import { CliError, ExitCode } from './cli-errors.js';

const debug = createDebug('ice-tcp:cli');

/** A command as the dispatcher knows it: loaded only when run (decode need not load TLS). */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'demo',
    summary: 'two agents on loopback connect over each kind of ICE-TCP candidate (offline)',
    load: async () => (await import('./demo.js')).demoCommand,
  },
  {
    name: 'peer',
    summary: 'one ICE endpoint with line signalling on stdin/stdout (like iperf, over ICE)',
    load: async () => (await import('./peer.js')).peerCommand,
  },
  {
    name: 'stun-server',
    summary: 'a STUN Binding server on UDP and TCP (plain and RFC 4571 framed)',
    load: async () => (await import('./stun-server-command.js')).stunServerCommand,
  },
  {
    name: 'replay',
    summary: 'replay a session recording on a fresh ICE core: identical, or the first divergence',
    load: async () => (await import('./replay-command.js')).replayCommand,
  },
  {
    name: 'decode',
    summary: 'print STUN messages or an RFC 4571 stream, with integrity and fingerprint checks',
    load: async () => (await import('./decode-command.js')).decodeCommand,
  },
];

function version(): string {
  // dist/cli/main.js is two levels below package.json; a test build (build/lib/cli) three.
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'ice-tcp' && pkg.version !== undefined) return pkg.version;
    } catch {
      // not there: try the next level
    }
  }
  return 'unknown';
}

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: ice-tcp <command> [options]',
    '',
    'ICE-TCP (RFC 6544) and RFC 4571 framing for a sans-IO ICE (RFC 8445) agent.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'ice-tcp <command> --help' for a command's options.",
    'DEBUG=ice-tcp:* shows the library debug output on stderr.',
  ].join('\n');
}

/**
 * Runs `ice-tcp` with `argv` (the arguments after the program name) and
 * resolves with the exit code.
 */
export async function runCli(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    writeLine(name === undefined ? io.stderr : io.stdout, topic !== undefined ? (await topic.load()).usage : overview());
    return name === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  if (name === '--version' || name === '-V') {
    writeLine(io.stdout, version());
    return ExitCode.Ok;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (entry === undefined) {
    writeLine(io.stderr, `ice-tcp: unknown command ${JSON.stringify(name)} (commands: ${COMMANDS.map((c) => c.name).join(', ')})`);
    return ExitCode.Usage;
  }
  try {
    const command = await entry.load();
    return await command.run(rest, io);
  } catch (error) {
    debug('%s failed: %O', name, error);
    if (error instanceof CliError) {
      writeLine(io.stderr, `ice-tcp ${name}: ${error.message}`);
      if (error.code === 'ERR_CLI_USAGE') writeLine(io.stderr, `(see 'ice-tcp ${name} --help')`);
      return error.exitCode;
    }
    const text = error instanceof IceTcpError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
    writeLine(io.stderr, `ice-tcp ${name}: ${text}`);
    return ExitCode.Failed;
  }
}
