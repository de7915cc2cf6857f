/**
 * `ice-tcp demo`: ICE-TCP working, offline, on one machine. Two ICE agents
 * in this process on a loopback address: A (controlling, sends) in the main
 * thread and B (controlled, echoes) in a worker thread, each a `peer`
 * session speaking the line protocol to the other through memory. UDP is
 * off unless asked for, as on a network that blocks it. Each TCP kind is
 * shown in turn (active → passive, then simultaneous open), with the
 * selected pair and a payload echoed through it, optionally inside TLS.
 */
import { isIP } from 'node:net';
import { PassThrough } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import createDebug from 'debug';
import { parseCandidate } from '../candidate/index.js';
import { parseArgs } from './args.js';
import { writeLine, type Command, type CommandIo } from './command.js';
import { ExitCode, describeError, usageError } from './cli-errors.js';
import { LineSink } from './line-sink.js';
import { candidateLabel } from './pair-labels.js';
import { DEFAULT_CHUNK, MAX_CHUNK, MIN_PACKET } from './peer-data.js';
import { LOOPBACK_SO_RETRY, PeerSession, isLoopback, type PeerOptions } from './peer-session.js';

const debug = createDebug('ice-tcp:cli');

const DEFAULT_SEND = 2 * 1024 * 1024;

const USAGE = `usage: ice-tcp demo [--udp] [--tls | --dtls] [--send N] [--chunk B] [--bind ADDR] [--timeout S] [--record DIR]

Runs two ICE agents in this process on a loopback address (A controlling
in the main thread, B controlled in a worker thread) and connects them with
each kind of ICE-TCP candidate in turn (RFC 6544): active → passive, then
simultaneous open. UDP is off, as on a network that blocks it. Each round
prints the candidates, the selected pair, and a payload A sends and B
echoes, with its throughput. Nothing leaves the machine.

The two agents signal each other with the lines of 'ice-tcp peer' (see
'ice-tcp peer --help'), carried in memory.

Options:
  --udp          also allow UDP: one more round with every transport, where
                 ICE picks (UDP is preferred, RFC 6544 §4.2)
  --tls          run TLS over each selected TCP pair (RFC 6544 §10):
                 certificates made on the spot, fingerprints exchanged in
                 memory; shows the TLS version and cipher
  --dtls         run DTLS 1.2 over each selected pair instead (one DTLS
                 datagram per RFC 4571 frame, or per UDP datagram in the
                 --udp round), with the same fingerprint/setup lines
  --send N       bytes echoed per round (default ${DEFAULT_SEND})
  --chunk B      packet size, ${MIN_PACKET}..${MAX_CHUNK} (default ${DEFAULT_CHUNK})
  --bind ADDR    loopback address to use (default 127.0.0.1; ::1 for IPv6)
  --timeout S    seconds per round before it counts as failed (default 20)
  --record DIR   write a session recording of each agent's ICE core per round
                 to DIR/round-<n>-a-controlling.json and -b-controlled.json
                 (replay one with 'ice-tcp replay FILE')
  -h, --help     this text

Exit status: 0 every round passed, 1 a round failed, 64 usage error.`;

/** One round: which candidates both agents gather. */
interface Round {
  title: string;
  explain: string;
  udp: boolean;
  tcp: PeerOptions['tcp'];
}

const ROUNDS: Round[] = [
  {
    title: 'TCP active → passive',
    explain: 'A gathers only an active candidate (it connects out), B only a passive one (it listens)',
    udp: false,
    tcp: { active: true, passive: false, so: false },
  },
  {
    title: 'TCP simultaneous open',
    explain: 'both gather only S-O candidates and connect to each other from their bound ports at once',
    udp: false,
    tcp: { active: false, passive: false, so: true },
  },
];

const ALL_ROUND: Round = {
  title: 'every transport, ICE picks',
  explain: 'UDP and all TCP kinds on both sides; UDP pairs rank first (RFC 6544 §4.2), TCP ones with --tls',
  udp: true,
  tcp: { active: true, passive: true, so: true },
};

/** B's TCP kinds for a round: in the active → passive round, B is the passive side. */
function peerTcp(round: Round): PeerOptions['tcp'] {
  if (round.tcp !== false && round.tcp.active && !round.tcp.passive && !round.tcp.so) {
    return { active: false, passive: true, so: false };
  }
  return round.tcp;
}

interface DemoSettings {
  tls: boolean;
  dtls: boolean;
  send: number;
  chunk: number;
  address: string;
  timeoutMs: number;
  /** Directory for the session recordings, if any. */
  record?: string;
}

/** What one side's lines told, for the progress output. */
class Progress {
  readonly #out: (line: string) => void;
  result: { a?: string; b?: string } = {};

  constructor(out: (line: string) => void) {
    this.#out = out;
  }

  /** Shows the interesting lines of side `who` as they come. */
  line(who: 'A' | 'B', line: string): void {
    const [word, ...rest] = line.split(' ');
    const text = rest.join(' ');
    switch (word) {
      case 'fingerprint':
        this.#out(`  ${who}  fingerprint   ${text.slice(0, 38)}…`);
        break;
      case 'state':
        if (who === 'A' && text === 'checking') this.#out('  checking …');
        break;
      case 'connected-ms':
        if (who === 'A') this.#out(`  connected     ${text} ms after the candidates were exchanged`);
        break;
      case 'selected':
        if (who === 'A') this.#selected(text);
        break;
      case 'tls':
        if (who === 'A') this.#out(`  tls           ${text} (A's view; B is the other role)`);
        break;
      case 'dtls':
        if (who === 'A') this.#out(`  dtls          ${text} (A's view; B is the other role)`);
        break;
      case 'send-result':
        this.#echo(text);
        break;
      case 'result':
        this.result[who === 'A' ? 'a' : 'b'] = text;
        break;
      default:
        if (line.startsWith('a=candidate:')) this.#out(`  ${who}  ${line}`);
    }
  }

  #selected(text: string): void {
    const [local, remote] = text.split(' a=').map((s) => s.replace(/^a=/, ''));
    try {
      const l = parseCandidate(local);
      const r = parseCandidate(remote);
      this.#out(`  selected      A ${candidateLabel(l)}  ⇄  B ${candidateLabel(r)}`);
    } catch (error) {
      this.#out(`  selected      ${text} (${describeError(error)})`);
    }
  }

  #echo(text: string): void {
    const fields = Object.fromEntries(text.split(' ').map((kv) => kv.split('=') as [string, string]));
    this.#out(
      `  echo          ${fields.sent} bytes sent, ${fields.echoed} echoed in ${fields.ms} ms: ` +
        `${Number(fields.mbps).toFixed(1)} Mbit/s, ${fields['corrupt-chunks']} corrupt packets`,
    );
  }
}

/** Runs one round; resolves with a failure reason, or undefined on success. */
async function runRound(out: (line: string) => void, round: Round, settings: DemoSettings, index: number): Promise<string | undefined> {
  const recordAs = (side: string): Partial<PeerOptions> =>
    settings.record === undefined
      ? {}
      : {
          record: join(settings.record, `round-${index + 1}-${side}.json`),
          recordDescription: `ice-tcp demo round ${index + 1} (${round.title}), ${side}`,
        };
  const common = {
    addresses: [settings.address],
    timeoutMs: settings.timeoutMs,
    chunk: settings.chunk,
    nomination: 'regular' as const,
    trickle: true,
    stunServers: [],
    tls: settings.tls,
    dtls: settings.dtls,
    ...(isLoopback(settings.address) ? { soRetry: LOOPBACK_SO_RETRY } : {}),
  };
  const optionsA: PeerOptions = {
    ...common,
    controlling: true,
    udp: round.udp,
    tcp: round.tcp,
    echo: false,
    send: settings.send,
    ...recordAs('a-controlling'),
  };
  const optionsB: PeerOptions = {
    ...common,
    controlling: false,
    udp: round.udp,
    tcp: peerTcp(round),
    echo: true,
    send: 0,
    ...recordAs('b-controlled'),
  };
  const progress = new Progress(out);

  const worker = new Worker(new URL('./demo-worker.js', import.meta.url), { workerData: optionsB });
  const stdinA = new PassThrough();
  const exitB = new Promise<number>((resolve) => {
    worker.on('message', (message: { line?: string; diag?: string; exit?: number }) => {
      if (message.line !== undefined) {
        progress.line('B', message.line);
        stdinA.write(`${message.line}\n`);
      }
      if (message.diag !== undefined) debug('B: %s', message.diag);
      if (message.exit !== undefined) resolve(message.exit);
    });
    worker.on('error', (error) => {
      debug('B worker failed: %O', error);
      resolve(ExitCode.Failed);
    });
    worker.on('exit', () => resolve(ExitCode.Failed));
  });
  const sessionA = new PeerSession(optionsA, {
    stdin: stdinA,
    stdout: new LineSink((line) => {
      progress.line('A', line);
      worker.postMessage({ line });
    }),
    stderr: new LineSink((line) => debug('A: %s', line)),
  });
  try {
    const [codeA, codeB] = await Promise.all([
      sessionA.run().then((code) => {
        worker.postMessage({ end: true }); // A's output ended: B's stdin ends
        return code;
      }),
      exitB.then((code) => {
        stdinA.end();
        return code;
      }),
    ]);
    if (codeA === ExitCode.Ok && codeB === ExitCode.Ok) return undefined;
    return `A: ${progress.result.a ?? `exit ${codeA}`}; B: ${progress.result.b ?? `exit ${codeB}`}`;
  } finally {
    await worker.terminate();
  }
}

/** The `demo` command. */
export const demoCommand: Command = {
  name: 'demo',
  usage: USAGE,
  async run(argv: string[], io: CommandIo): Promise<number> {
    const args = parseArgs(argv, {
      udp: 'flag',
      tls: 'flag',
      dtls: 'flag',
      send: 'value',
      chunk: 'value',
      bind: 'value',
      timeout: 'value',
      record: 'value',
    });
    if (args.has('help')) {
      writeLine(io.stdout, USAGE);
      return ExitCode.Ok;
    }
    const address = args.string('bind', '127.0.0.1');
    if (isIP(address) === 0) throw usageError(`--bind must be an IP address, got ${JSON.stringify(address)}`);
    const settings: DemoSettings = {
      tls: args.has('tls'),
      dtls: args.has('dtls'),
      send: args.integer('send', { min: 1, max: 1024 * 1024 * 1024 }, DEFAULT_SEND),
      chunk: args.integer('chunk', { min: MIN_PACKET, max: MAX_CHUNK }, DEFAULT_CHUNK),
      address,
      timeoutMs: Math.round(args.positiveNumber('timeout', 20) * 1000),
      ...(args.string('record') !== undefined ? { record: args.string('record') } : {}),
    };
    if (settings.tls && settings.dtls) throw usageError('--tls and --dtls exclude each other');
    if (settings.dtls && settings.chunk > 16384)
      throw usageError('--dtls carries at most 16384 bytes per packet: --chunk must be at most 16384');
    if (settings.record !== undefined) mkdirSync(settings.record, { recursive: true });
    const rounds = args.has('udp') ? [...ROUNDS, ALL_ROUND] : ROUNDS;
    const out = (line: string): void => writeLine(io.stdout, line);
    out(`ice-tcp demo: two ICE agents in this process on ${address}: A (controlling) sends, B (controlled) echoes`);
    out(args.has('udp') ? 'UDP is allowed in the last round.' : 'UDP is off, as on a network that blocks it (--udp allows it).');
    if (settings.tls) out('TLS runs over each selected TCP pair; B answers setup:active, so B is the TLS client.');
    if (settings.dtls) out('DTLS runs over each selected pair; B answers setup:active, so B is the DTLS client.');
    let passed = 0;
    for (const [index, round] of rounds.entries()) {
      out('');
      out(`[${index + 1}/${rounds.length}] ${round.title}: ${round.explain}`);
      const failure = await runRound(out, round, settings, index);
      if (failure === undefined) passed++;
      else out(`  FAILED        ${failure}`);
    }
    out('');
    out(`demo ${passed === rounds.length ? 'ok' : 'failed'}: ${passed} of ${rounds.length} rounds passed`);
    return passed === rounds.length ? ExitCode.Ok : ExitCode.Failed;
  },
};
