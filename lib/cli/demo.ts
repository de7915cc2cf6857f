/**
 * `ice-tcp demo`: ICE-TCP working, offline, on one machine. Two agents in
 * this process (A controlling, B controlled) on loopback, signalling handed
 * across in memory; UDP is off unless asked for, as on a network that blocks
 * it. Each TCP kind is shown in turn (active → passive, then simultaneous
 * open), with the selected pair and a payload echoed through it, optionally
 * inside TLS.
 */
import { isIP } from 'node:net';
import { serializeCandidate } from '../candidate/index.js';
import type { PacketConnection } from '../connection.js';
import { IceAgent } from '../net/agent.js'; // TODO(cli): lib/net/index.ts once it lands
import type { IceAgentOptions } from '../net/agent-options.js';
import { formatFingerprint, type SecureConnection } from '../secure/index.js';
import { parseArgs } from './args.js';
import { writeLine, type Command, type CommandIo } from './command.js';
import { ExitCode, describeError, usageError } from './errors.js';
import { HeldPacketConnection } from './held-connection.js';
import { candidateLabel } from './pair-labels.js';
import { DEFAULT_CHUNK, MAX_CHUNK, MIN_PACKET, type SendResult } from './peer-data.js';
import { PeerTls } from './peer-tls.js';
import { PeerTransfer } from './peer-transfer.js';

const DEFAULT_SEND = 2 * 1024 * 1024;

const USAGE = `usage: ice-tcp demo [--udp] [--tls] [--send N] [--chunk B] [--bind ADDR] [--timeout S]

Runs two ICE agents in this process on a loopback address and connects them
with each kind of ICE-TCP candidate in turn (RFC 6544): active → passive,
then simultaneous open. UDP is off, as on a network that blocks it. Each
round prints the candidates, the selected pair, and a payload echoed
through it with its throughput. Nothing leaves the machine.

Options:
  --udp          also allow UDP: one more round with every transport, where
                 ICE picks (UDP is preferred, RFC 6544 §4.2)
  --tls          run TLS over each selected TCP pair (RFC 6544 §10):
                 certificates made on the spot, fingerprints exchanged in
                 memory; shows the TLS version and cipher
  --send N       bytes echoed per round (default ${DEFAULT_SEND})
  --chunk B      packet size, ${MIN_PACKET}..${MAX_CHUNK} (default ${DEFAULT_CHUNK})
  --bind ADDR    loopback address to use (default 127.0.0.1; ::1 for IPv6)
  --timeout S    seconds per round before it counts as failed (default 10)
  -h, --help     this text

Exit status: 0 every round passed, 1 a round failed, 64 usage error.`;

/** One round: which candidates each agent gathers. */
interface Round {
  title: string;
  explain: string;
  a: Pick<IceAgentOptions, 'udp' | 'tcp'>;
  b: Pick<IceAgentOptions, 'udp' | 'tcp'>;
}

const ROUNDS: Round[] = [
  {
    title: 'TCP active → passive',
    explain: 'A gathers only an active candidate (it connects out), B only a passive one (it listens)',
    a: { udp: false, tcp: { active: true, passive: false, so: false } },
    b: { udp: false, tcp: { active: false, passive: true, so: false } },
  },
  {
    title: 'TCP simultaneous open',
    explain: 'both gather only S-O candidates: both connect to each other from their bound ports at once',
    a: { udp: false, tcp: { active: false, passive: false, so: true } },
    b: { udp: false, tcp: { active: false, passive: false, so: true } },
  },
];

const UDP_ROUND: Round = {
  title: 'every transport, ICE picks',
  explain: 'UDP and all TCP kinds on both sides; UDP pairs rank first (RFC 6544 §4.2)',
  a: { udp: true, tcp: true },
  b: { udp: true, tcp: true },
};

interface DemoOptions {
  tls: boolean;
  send: number;
  chunk: number;
  address: string;
  timeoutMs: number;
}

/** Runs `step` with a deadline; rejects with `what` when it passes. */
function withTimeout<T>(step: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms);
  });
  return Promise.race([step, deadline]).finally(() => clearTimeout(timer));
}

/** Echoes `send` bytes from A to B and back. */
function echo(a: PacketConnection, b: PacketConnection, options: DemoOptions): Promise<SendResult> {
  return new Promise((resolve, reject) => {
    const echoer = new PeerTransfer(b, { echo: true, send: 0, chunk: options.chunk }, { onComplete: () => undefined, onProblem: () => undefined });
    const sender = new PeerTransfer(
      a,
      { echo: false, send: options.send, chunk: options.chunk },
      {
        onComplete: (result) => {
          echoer.stop();
          resolve(result);
        },
        onProblem: (reason) => {
          echoer.stop();
          reject(new Error(reason));
        },
      },
    );
    if (b instanceof HeldPacketConnection) b.release();
    if (a instanceof HeldPacketConnection) a.release();
    sender.start();
  });
}

async function secureBoth(
  out: (line: string) => void,
  a: HeldPacketConnection,
  b: HeldPacketConnection,
  signal: AbortSignal,
): Promise<[SecureConnection, SecureConnection]> {
  // A offers actpass, B answers active: B is the TLS client (RFC 4145 §4.1).
  const tlsA = new PeerTls(true);
  const tlsB = new PeerTls(false);
  tlsA.addRemoteFingerprint(formatFingerprint(tlsB.fingerprint));
  tlsB.addRemoteFingerprint(formatFingerprint(tlsA.fingerprint));
  tlsA.setRemoteSetup(tlsB.localSetup);
  tlsB.setRemoteSetup(tlsA.localSetup);
  out(`  fingerprints  A ${formatFingerprint(tlsA.fingerprint).slice(0, 31)}…  B ${formatFingerprint(tlsB.fingerprint).slice(0, 31)}…`);
  const [roleA, roleB] = await Promise.all([tlsA.role(), tlsB.role()]);
  const pending = Promise.all([tlsA.secure(a, roleA, signal), tlsB.secure(b, roleB, signal)]);
  a.release();
  b.release();
  const [secureA, secureB] = await pending;
  const cipher = secureA.tlsSocket.getCipher();
  out(`  tls           ${secureA.protocol} ${cipher.name}, A is the ${roleA}, B the ${roleB}; certificates match the fingerprints`);
  return [secureA, secureB];
}

async function runRound(out: (line: string) => void, round: Round, options: DemoOptions): Promise<void> {
  const common = { addresses: [options.address], software: 'ice-tcp demo' };
  const a = new IceAgent({ controlling: true, ...common, ...round.a });
  const b = new IceAgent({ controlling: false, ...common, ...round.b });
  const abort = new AbortController();
  const secured: SecureConnection[] = [];
  try {
    // Signalling, in memory: parameters first, then candidates as they are gathered.
    a.setRemoteParameters(b.localParameters);
    b.setRemoteParameters(a.localParameters);
    a.on('candidate', (c) => {
      out(`  A  a=${c.toSdp()}`);
      b.addRemoteCandidate(c.toSdp());
    });
    b.on('candidate', (c) => {
      out(`  B  a=${c.toSdp()}`);
      a.addRemoteCandidate(c.toSdp());
    });
    const heldA = new HeldPacketConnection(a.connection(1));
    const heldB = new HeldPacketConnection(b.connection(1));
    const started = performance.now();
    await Promise.all([a.gather(), b.gather()]);
    a.endOfRemoteCandidates();
    b.endOfRemoteCandidates();
    out('  checking …');
    const [connA] = await withTimeout(
      Promise.all([a.connect({ signal: abort.signal }), b.connect({ signal: abort.signal })]),
      options.timeoutMs,
      'ICE',
    );
    const pair = connA.selectedPair!;
    out(`  connected     in ${Math.round(performance.now() - started)} ms (gathering included)`);
    out(`  selected      A ${candidateLabel(pair.local)}  ⇄  B ${candidateLabel(pair.remote)}`);
    out(`                a=${serializeCandidate(pair.local)}`);
    out(`                a=${serializeCandidate(pair.remote)}`);
    let ends: [PacketConnection, PacketConnection] = [heldA, heldB];
    if (options.tls) {
      if (pair.local.transport === 'tcp') {
        const both = await withTimeout(secureBoth(out, heldA, heldB, abort.signal), options.timeoutMs, 'TLS');
        secured.push(...both);
        ends = both;
      } else {
        out('  tls           skipped: TLS needs a TCP pair and ICE picked UDP (DTLS is not available)');
      }
    }
    const result = await withTimeout(echo(ends[0], ends[1], options), options.timeoutMs, 'echo');
    const via = secured.length > 0 ? ' through TLS' : '';
    out(`  echo          ${result.sent} bytes${via} in ${Math.round(result.ms)} ms: ${result.mbps.toFixed(1)} Mbit/s, ${result.corruptChunks} corrupt packets`);
    if (result.corruptChunks > 0) throw new Error(`${result.corruptChunks} echoed packets were corrupt`);
  } finally {
    abort.abort();
    for (const s of secured) s.close();
    await Promise.all([a.close(), b.close()]);
  }
}

/** The `demo` command. */
export const demoCommand: Command = {
  name: 'demo',
  usage: USAGE,
  async run(argv: string[], io: CommandIo): Promise<number> {
    const args = parseArgs(argv, { udp: 'flag', tls: 'flag', send: 'value', chunk: 'value', bind: 'value', timeout: 'value' });
    if (args.has('help')) {
      writeLine(io.stdout, USAGE);
      return ExitCode.Ok;
    }
    const address = args.string('bind', '127.0.0.1');
    if (isIP(address) === 0) throw usageError(`--bind must be an IP address, got ${JSON.stringify(address)}`);
    const options: DemoOptions = {
      tls: args.has('tls'),
      send: args.integer('send', { min: 1, max: 1024 * 1024 * 1024 }, DEFAULT_SEND),
      chunk: args.integer('chunk', { min: MIN_PACKET, max: MAX_CHUNK }, DEFAULT_CHUNK),
      address,
      timeoutMs: Math.round(args.positiveNumber('timeout', 10) * 1000),
    };
    const rounds = args.has('udp') ? [...ROUNDS, UDP_ROUND] : ROUNDS;
    const out = (line: string): void => writeLine(io.stdout, line);
    out(`ice-tcp demo: two ICE agents in this process, A controlling and B controlled, on ${address}`);
    out(args.has('udp') ? 'UDP is allowed in the last round.' : 'UDP is off, as on a network that blocks it (--udp allows it).');
    let passed = 0;
    for (const [index, round] of rounds.entries()) {
      out('');
      out(`[${index + 1}/${rounds.length}] ${round.title}: ${round.explain}`);
      try {
        await runRound(out, round, options);
        passed++;
      } catch (error) {
        out(`  FAILED        ${describeError(error)}`);
      }
    }
    out('');
    out(`demo ${passed === rounds.length ? 'ok' : 'failed'}: ${passed} of ${rounds.length} rounds passed`);
    return passed === rounds.length ? ExitCode.Ok : ExitCode.Failed;
  },
};
