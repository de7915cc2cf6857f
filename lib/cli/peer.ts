/**
 * `ice-tcp peer`: one ICE endpoint whose signalling is lines on stdin and
 * stdout, so that it can run over ssh, files or pipes, against another
 * `ice-tcp peer` or any implementation speaking the same lines (for example
 * test/interop/nice-peer.c, on libnice).
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parseArgs, type ParsedArgs } from './args.js';
import { writeLine, type Command, type CommandIo } from './command.js';
import { ExitCode, usageError } from './cli-errors.js';
import { DEFAULT_CHUNK, MAX_CHUNK, MAX_UNECHOED, MAX_WINDOW, MIN_PACKET } from './peer-data.js';
import { LOOPBACK_SO_RETRY, PeerSession, isLoopback, type PeerOptions } from './peer-session.js';

const USAGE = `usage: ice-tcp peer --controlling|--controlled [options]

One ICE endpoint (RFC 8445, with ICE-TCP, RFC 6544). Signalling is lines:
it prints its own on stdout and reads the peer's on stdin, so one peer's
stdout can be fed to the other's stdin as it is. Diagnostics go to stderr.

Options:
  --controlling | --controlled   ICE role (one of them is required)
  --udp on|off          UDP candidates (default on)
  --tcp on|off          TCP candidates (default on)
  --tcptypes LIST       TCP candidate kinds, comma-separated from active,
                        passive, so (default active,passive,so)
  --bind ADDR           local address to gather on; repeatable
                        (default 127.0.0.1)
  --tcp-port PORT       put the passive TCP candidate on PORT (e.g. 443 for
                        peers that may only open TCP to 80/443)
  --announced-address IP  the public address of this host behind a 1:1 NAT:
                        UDP host and passive TCP candidates carry it
  --timeout S           give up if not done within S seconds (default 20);
                        it stops counting at 'done'
  --echo                return every packet received
  --send N              send N bytes (and have them echoed by an --echo peer)
  --chunk B             packet size for --send, ${MIN_PACKET}..${MAX_CHUNK} (default ${DEFAULT_CHUNK};
                        UDP pairs need at most 65507)
  --window B            most bytes sent but not yet echoed, ${MIN_PACKET}..${MAX_WINDOW}
                        (default ${MAX_UNECHOED}; at least one chunk)
  --nomination regular|aggressive   (controlling side; default regular;
                        TCP pairs are always nominated regularly, RFC 6544 §8)
  --trickle             start checks as soon as the peer's credentials come,
                        adding its candidates as they come (default: wait
                        for its end-of-candidates)
  --ufrag U --pwd P     local ICE credentials (default: random)
  --stun URL            stun:host[:port][?transport=udp|tcp] for server-
                        reflexive candidates (no ?transport: UDP and TCP);
                        repeatable
  --turn URL            turn:host[:port][?transport=udp|tcp] or turns:host[:port]
                        (TLS) for relayed candidates (RFC 8656); repeatable;
                        needs --turn-user and --turn-pass
  --turn-user U --turn-pass P   the TURN server's long-term credentials
  --turn-ca FILE        PEM CA to verify a turns: server with (besides the
                        system's; verification is always on)
  --turn-tcp            also RFC 6062 TCP relays on ?transport=tcp and turns:
                        servers (relayed TCP candidates)
  --relay-only          relayed candidates only (iceTransportPolicy 'relay')
  --tls                 TLS over the selected TCP pair (RFC 6544 §10), with
                        self-signed certificates checked against the
                        signalled fingerprints (RFC 8122)
  --record FILE         write a session recording of the ICE core to FILE
                        when the run ends (replay it: ice-tcp replay FILE)
  --dtls                DTLS 1.2 over the selected pair, UDP or TCP (one
                        DTLS datagram per UDP datagram or RFC 4571 frame),
                        with the same fingerprint and setup lines as --tls;
                        --chunk at most 16384
  --setup ROLE          with --tls/--dtls: the setup value we signal instead
                        of the default (controlling: actpass, and also
                        active or passive; controlled: active or passive)
  -h, --help            this text

Prints, one per line: ufrag <u>, pwd <p>, (with --tls/--dtls: fingerprint sha-256
<XX:..>, setup actpass|active), a=candidate:... for each local candidate,
gathering-done, end-of-candidates, state <name> on each change,
selected <local a=candidate> <remote a=candidate>,
selected-types local=<type>/<udp|tcp-active|tcp-passive|tcp-so> remote=...,
path <udp|tcp> <local addr:port> <remote addr:port> (again when it moves),
connected-ms <ms since the peer's credentials and candidates were given>,
(with --tls: tls role=... version=... cipher=...; with --dtls: dtls role=...
version=DTLSv1.2 cipher=... transport=udp|tcp), with --send:
send-result sent=N echoed=M corrupt-chunks=K ms=T mbps=X, then done,
and last: result ok | result fail <reason>.

Reads: ufrag <u> | a=ice-ufrag:<u>, pwd <p> | a=ice-pwd:<p>,
a=candidate:... | candidate:..., end-of-candidates, done, result fail ...
(the peer gave up), and with --tls/--dtls fingerprint ... | a=fingerprint:...,
setup ... | a=setup:...; every other line is ignored.

On loopback addresses, S-O connects are retried every millisecond, so that
the two SYNs of a simultaneous open can cross (RFC 6544 §7.1).

With --tls (or --dtls) the controlling peer offers 'setup actpass' and the controlled
peer answers 'setup active': the controlled peer is the (D)TLS client
(RFC 4145, RFC 8122 §6.2), whoever opened the TCP connection. TCP
candidates are preferred, since TLS needs a TCP pair.

Data (--send/--echo): each packet starts with its 64-bit big-endian byte
offset, then bytes (offset + i) & 0xff; at most 64 KiB unechoed.

It prints 'done' once complete (connected; with --send, all data echoed;
with --tls/--dtls, (D)TLS up) and exits when the peer's 'done' arrives or stdin ends.

Exit status, one per kind of failure, alike on every kind of pair:
  0   ok: done, and the peer's 'done' came or stdin ended
  1   ICE failed to connect: the checks failed (state failed or
      ERR_ICE_CHECKLIST_FAILED before a pair was selected), gathering failed,
      a bad remote ufrag/pwd, or the peer's 'result fail' came first
  2   timeout: not done within --timeout, or the peer's 'result fail
      timeout' came first (never after 'done')
  3   data problem: corrupt echoes, echoes stalled while ICE still reports
      the path alive, the connection closed during the transfer, TLS or DTLS
      failure
  4   connection lost after a pair was selected (also after 'done'): consent
      lost (state failed), the TCP connection could not be re-established
      (ICE restart), or echoes stalled and ICE reports the path down
  64  usage error`;

const TCP_TYPES = ['active', 'passive', 'so'] as const;

function tcpTypes(args: ParsedArgs): { active: boolean; passive: boolean; so: boolean } {
  const text = args.string('tcptypes');
  if (text === undefined) return { active: true, passive: true, so: true };
  const kinds = text
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  for (const kind of kinds) {
    if (!(TCP_TYPES as readonly string[]).includes(kind)) {
      throw usageError(`--tcptypes takes a list of ${TCP_TYPES.join(', ')}, got ${JSON.stringify(kind)}`);
    }
  }
  if (kinds.length === 0) throw usageError('--tcptypes needs at least one of active, passive, so');
  return { active: kinds.includes('active'), passive: kinds.includes('passive'), so: kinds.includes('so') };
}

/** --turn, --turn-user, --turn-pass, --turn-ca, --turn-tcp, --relay-only. */
function turnOptions(args: ParsedArgs): Pick<PeerOptions, 'turn' | 'relayOnly'> {
  const urls = args.strings('turn');
  const username = args.string('turn-user');
  const credential = args.string('turn-pass');
  const caFile = args.string('turn-ca');
  const relayOnly = args.has('relay-only');
  if (urls.length === 0) {
    if (username !== undefined || credential !== undefined || caFile !== undefined || args.has('turn-tcp')) {
      throw usageError('--turn-user, --turn-pass, --turn-ca and --turn-tcp need --turn URL');
    }
    if (relayOnly) throw usageError('--relay-only needs a --turn server');
    return { relayOnly: false };
  }
  if (username === undefined || credential === undefined) throw usageError('--turn needs --turn-user and --turn-pass');
  let ca: string | undefined;
  if (caFile !== undefined) {
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (error) {
      throw usageError(`--turn-ca: cannot read ${caFile}: ${(error as Error).message}`);
    }
  }
  return { turn: { urls, username, credential, tcpRelays: args.has('turn-tcp'), ...(ca !== undefined ? { ca } : {}) }, relayOnly };
}

/**
 * The peer's options from its command line.
 *
 * @throws CliError `ERR_CLI_USAGE`
 */
export function peerOptions(args: ParsedArgs): PeerOptions {
  const controlling = args.has('controlling');
  if (controlling === args.has('controlled')) throw usageError('give exactly one of --controlling and --controlled');
  const udp = args.onOff('udp', true);
  const tcpOn = args.onOff('tcp', true);
  const types = tcpTypes(args);
  if (!tcpOn && args.has('tcptypes')) throw usageError('--tcptypes needs --tcp on');
  if (!udp && !tcpOn) throw usageError('--udp off and --tcp off leave no transport');
  const addresses = args.strings('bind');
  for (const address of addresses) {
    if (isIP(address) === 0) throw usageError(`--bind must be an IP address, got ${JSON.stringify(address)}`);
  }
  const echo = args.has('echo');
  const send = args.integer('send', { min: 1, max: Number.MAX_SAFE_INTEGER }) ?? 0;
  if (echo && send > 0) throw usageError('--echo and --send exclude each other: one side sends, the other echoes');
  const ufrag = args.string('ufrag');
  const pwd = args.string('pwd');
  if ((ufrag === undefined) !== (pwd === undefined)) throw usageError('--ufrag and --pwd go together');
  const bind = addresses.length > 0 ? addresses : ['127.0.0.1'];
  const tcpPort = args.integer('tcp-port', { min: 1, max: 65535 });
  if (tcpPort !== undefined && (!tcpOn || !types.passive))
    throw usageError('--tcp-port needs passive TCP candidates (--tcp on, passive in --tcptypes)');
  const announced = args.string('announced-address');
  if (announced !== undefined && isIP(announced) === 0)
    throw usageError(`--announced-address must be an IP address, got ${JSON.stringify(announced)}`);
  return {
    controlling,
    udp,
    tcp: tcpOn ? { ...types, ...(tcpPort !== undefined ? { passivePort: tcpPort } : {}) } : false,
    ...(announced !== undefined ? { announcedAddress: announced } : {}),
    addresses: bind,
    timeoutMs: Math.round(args.positiveNumber('timeout', 20) * 1000),
    echo,
    send,
    chunk: args.integer('chunk', { min: MIN_PACKET, max: MAX_CHUNK }, DEFAULT_CHUNK),
    window: args.integer('window', { min: MIN_PACKET, max: MAX_WINDOW }, MAX_UNECHOED),
    nomination: args.choice('nomination', ['regular', 'aggressive'] as const, 'regular'),
    trickle: args.has('trickle'),
    ...(ufrag !== undefined ? { ufrag, pwd } : {}),
    stunServers: args.strings('stun'),
    ...turnOptions(args),
    tls: args.has('tls'),
    ...(args.string('record') !== undefined ? { record: args.string('record') } : {}),
    dtls: args.has('dtls'),
    ...(args.has('setup') ? { setup: args.choice('setup', ['actpass', 'active', 'passive'] as const, 'actpass') } : {}),
    ...(bind.every(isLoopback) ? { soRetry: LOOPBACK_SO_RETRY } : {}),
  };
}

/** The `peer` command. */
export const peerCommand: Command = {
  name: 'peer',
  usage: USAGE,
  async run(argv: string[], io: CommandIo): Promise<number> {
    const args = parseArgs(argv, {
      controlling: 'flag',
      controlled: 'flag',
      udp: 'value',
      tcp: 'value',
      tcptypes: 'value',
      bind: 'values',
      timeout: 'value',
      echo: 'flag',
      send: 'value',
      chunk: 'value',
      window: 'value',
      nomination: 'value',
      trickle: 'flag',
      ufrag: 'value',
      pwd: 'value',
      stun: 'values',
      turn: 'values',
      'turn-user': 'value',
      'turn-pass': 'value',
      'turn-ca': 'value',
      'turn-tcp': 'flag',
      'relay-only': 'flag',
      tls: 'flag',
      record: 'value',
      dtls: 'flag',
      setup: 'value',
      'tcp-port': 'value',
      'announced-address': 'value',
    });
    if (args.has('help')) {
      writeLine(io.stdout, USAGE);
      return ExitCode.Ok;
    }
    const options = peerOptions(args);
    if (options.tls && options.dtls === true) throw usageError('--tls and --dtls exclude each other');
    if (options.setup !== undefined && !options.tls && options.dtls !== true) throw usageError('--setup needs --tls or --dtls');
    if (options.setup === 'actpass' && !options.controlling)
      throw usageError('--setup actpass is for the offer (--controlling); an answer says active or passive');
    if (options.tls && options.tcp === false) throw usageError('--tls needs TCP candidates (--tcp on); over UDP use --dtls');
    if (options.dtls === true && options.chunk > 16384)
      throw usageError('--dtls carries at most 16384 bytes per packet: --chunk must be at most 16384');
    return new PeerSession(options, io).run();
  },
};
