/**
 * `ice-tcp stun-server`: the net layer's STUN Binding responder (RFC 8489)
 * on UDP and TCP (plain and RFC 4571 framed), until SIGINT or SIGTERM.
 */
import { isIP } from 'node:net';
import { StunServer } from '../net/index.js';
import { parseArgs, parseInteger } from './args.js';
import { writeLine, type Command, type CommandIo } from './command.js';
import { ExitCode, usageError } from './cli-errors.js';
import { formatAddress } from './stun-format.js';

const USAGE = `usage: ice-tcp stun-server [--udp PORT|off] [--tcp PORT|off] [--bind ADDR]

Answers STUN Binding requests (RFC 8489) with the address they came from
(XOR-MAPPED-ADDRESS), on UDP and on TCP. The TCP port takes both plain STUN
over TCP (RFC 8489 §6.2.2) and RFC 4571 framed STUN (what ICE-TCP agents
send, RFC 6544 §3). Runs until SIGINT (Ctrl-C) or SIGTERM, then closes.

Options:
  --udp PORT|off   UDP port (default 3478; 0 picks a free port; off: no UDP)
  --tcp PORT|off   TCP port (default 3478; 0 picks a free port; off: no TCP)
  --bind ADDR      address to listen on (default 127.0.0.1; 0.0.0.0 or :: to
                   serve a network)
  -h, --help       this text

Prints one line per bound socket, then 'ready':
  listening udp 127.0.0.1:3478
  listening tcp 127.0.0.1:3478
  ready
and on shutdown the counters on stderr.

Exit status: 0 closed on a signal, 1 cannot listen, 64 usage error.`;

function portOption(name: string, text: string | undefined): number | false {
  if (text === undefined) return 3478; // RFC 8489 §18.1 default port
  if (text === 'off') return false;
  return parseInteger(`--${name}`, text, { min: 0, max: 65535 });
}

/** Resolves on the first SIGINT or SIGTERM (the handlers are removed after). */
function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** The `stun-server` command. */
export const stunServerCommand: Command = {
  name: 'stun-server',
  usage: USAGE,
  async run(argv: string[], io: CommandIo): Promise<number> {
    const args = parseArgs(argv, { udp: 'value', tcp: 'value', bind: 'value' });
    if (args.has('help')) {
      writeLine(io.stdout, USAGE);
      return ExitCode.Ok;
    }
    const udpPort = portOption('udp', args.string('udp'));
    const tcpPort = portOption('tcp', args.string('tcp'));
    if (udpPort === false && tcpPort === false) throw usageError('--udp off and --tcp off leave nothing to serve');
    const address = args.string('bind', '127.0.0.1');
    if (isIP(address) === 0) throw usageError(`--bind must be an IP address, got ${JSON.stringify(address)}`);
    const server = new StunServer();
    const bound = await server.listen({ udpPort, tcpPort, address });
    const signal = nextSignal();
    if (bound.udp !== undefined) writeLine(io.stdout, `listening udp ${formatAddress(bound.udp)}`);
    if (bound.tcp !== undefined) writeLine(io.stdout, `listening tcp ${formatAddress(bound.tcp)}`);
    writeLine(io.stdout, 'ready');
    const received = await signal;
    await server.close();
    const s = server.stats;
    writeLine(
      io.stderr,
      `stun-server: ${received}: closed; answered udp=${s.udpAnswered} tcp=${s.tcpAnswered} ` +
        `(plain=${s.tcpPlain} framed=${s.tcpFramed}) udp-rfc3489=${s.udpClassicAnswered} errors=${s.errorsSent} ignored=${s.ignored} rejected=${s.tcpRejected}`,
    );
    return ExitCode.Ok;
  },
};
