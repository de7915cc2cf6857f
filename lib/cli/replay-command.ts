/**
 * `ice-tcp replay FILE`: replays a session recording (lib/replay format) on
 * a fresh core and prints `identical` or the first divergence.
 */
import { readFile } from 'node:fs/promises';
import { parseRecording, replaySession } from '../replay/index.js';
import { parseArgs } from './args.js';
import { writeLine, type Command, type CommandIo } from './command.js';
import { CliError, ExitCode, usageError } from './cli-errors.js';

/** Largest recording read (64 MiB): a long session is a few MiB. */
const MAX_RECORDING = 64 * 1024 * 1024;

const USAGE = `usage: ice-tcp replay [--ignore KEY]... FILE

Replays a session recording (made by 'ice-tcp peer --record FILE', 'ice-tcp
demo --record DIR' or recordSession() in the library) on a fresh ICE core of
this version: the same inputs at the same times, the same random draws.
Every output is compared with the recording: packets byte for byte, events,
connect commands, timeouts, dispositions and errors.

Prints 'identical (N calls, M packets compared)', or the first divergence:
the call number, the call and its time, the path of the value that differs
(down to the byte of a packet) and both sides.

Options:
  --ignore KEY   do not compare values under this object key, at any depth
                 (e.g. --ignore reason --ignore message for log texts); repeatable
  -h, --help     this text

Exit status: 0 identical, 1 diverged or the file is not a recording of a
format version this library reads (a clear error names both versions),
64 usage error.`;

/** The `replay` command. */
export const replayCommand: Command = {
  name: 'replay',
  usage: USAGE,
  async run(argv: string[], io: CommandIo): Promise<number> {
    const args = parseArgs(argv, { ignore: 'values' }, { maxPositionals: 1 });
    if (args.has('help')) {
      writeLine(io.stdout, USAGE);
      return ExitCode.Ok;
    }
    const path = args.positionals[0];
    if (path === undefined) throw usageError('no recording: give a FILE');
    let text: string;
    try {
      const bytes = await readFile(path);
      if (bytes.length > MAX_RECORDING) throw new CliError('ERR_CLI_INPUT', `${path}: more than ${MAX_RECORDING} bytes`);
      text = bytes.toString('utf8');
    } catch (error) {
      if (error instanceof CliError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      throw new CliError('ERR_CLI_INPUT', `${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`, { cause: error });
    }
    const recording = parseRecording(text); // ReplayError → exit 1 with its code
    const result = replaySession(recording, { ignoreKeys: args.strings('ignore') });
    const producer = `${recording.producer.name} ${recording.producer.version}`;
    if (result.ok) {
      writeLine(
        io.stdout,
        `identical (${result.callsReplayed} calls, ${result.transmitsCompared} packets compared; recorded by ${producer})`,
      );
      return ExitCode.Ok;
    }
    const d = result.divergence!;
    writeLine(io.stdout, `diverged at call #${d.index} ${d.call}${d.now === undefined ? '' : ` (now=${d.now})`}`);
    writeLine(io.stdout, `  at: ${d.path}`);
    writeLine(io.stdout, `  recorded: ${d.expected}`);
    writeLine(io.stdout, `  replayed: ${d.actual}`);
    writeLine(io.stdout, `  (${result.callsReplayed - 1} calls identical before it; recorded by ${producer})`);
    return ExitCode.Failed;
  },
};
