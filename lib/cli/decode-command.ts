/**
 * `ice-tcp decode`: prints STUN messages (RFC 8489), or with `--framed` an
 * RFC 4571 byte stream, one block per message.
 */
import createDebug from 'debug';
import { FrameDecoder } from '../framing/index.js';
import { MAGIC_COOKIE, STUN_HEADER_SIZE, StunError, decodeStun } from '../stun/index.js';
import { parseArgs } from './args.js';
import { writeLine, type Command, type CommandIo } from './command.js';
import { ExitCode, usageError } from './cli-errors.js';
import { readDecodeInput, type DecodeSource } from './decode-input.js';
import { byteCount, describeMessage } from './stun-format.js';

const debug = createDebug('ice-tcp:cli');

/** Exit status when every message decoded but an integrity or fingerprint check failed. */
const CHECK_FAILED = 2;

const USAGE = `usage: ice-tcp decode [--framed] [--pwd P] [--binary] (--hex STRING | FILE | -)
       ice-tcp decode --pcap FILE [--pwd P]... [--creds UFRAG:PWD]... [--json]

Decodes STUN messages (RFC 8489) and prints one block per message: class,
method, transaction id, each attribute decoded, and the FINGERPRINT status;
with --pwd, the MESSAGE-INTEGRITY status too.

Input (exactly one):
  --hex STRING   the bytes as hex (blanks, colons and a leading 0x are ignored)
  FILE           a file of raw bytes, or of hex text
  -              stdin, raw bytes or hex text

Options:
  --framed       the input is an RFC 4571 stream: 16-bit length + packet, repeated
                 (what ICE-TCP sends); frames that are not STUN are listed as data
  --pwd P        check MESSAGE-INTEGRITY(-SHA256) with this password: short-term
                 key (RFC 8489 §9.1), or long-term (§9.2) when the message has REALM
  --binary       FILE or stdin is raw bytes even if it looks like hex text
  -h, --help     this text

Without --framed, the input is one STUN message or several back to back.

With --pcap FILE (pcap or pcapng: Ethernet, Linux SLL/SLL2, raw IP, BSD
loopback; IPv4 and IPv6), prints the ICE session in the capture: each TCP
direction reassembled (retransmitted, out-of-order and missing segments
reported) and cut into RFC 4571 frames, every packet classified by
RFC 7983, every STUN message in a timeline per 5-tuple with responses
matched to requests (RTT), roles, USE-CANDIDATE, errors and role conflicts,
the data each pair carried, and the selected pair.
  --pwd P            a password to check MESSAGE-INTEGRITY with; repeatable
  --creds U:P        ufrag U has password P (from the signalling); repeatable
  --json             the whole analysis as JSON
Exit status with --pcap: 0 read, 1 not a readable capture, 2 an integrity
or fingerprint check failed, 64 usage error.

Exit status: 0 every message decoded (and every check made passed),
1 malformed input, 2 an integrity or fingerprint check failed, 64 usage error.`;

/** Outcome of the whole input. */
interface DecodeTally {
  malformed: boolean;
  firstError?: string;
  checkFailed: boolean;
}

function printMessage(io: CommandIo, heading: string, bytes: Buffer, password: string | undefined, tally: DecodeTally): boolean {
  try {
    const msg = decodeStun(bytes);
    const { lines, failed } = describeMessage(msg, password);
    writeLine(io.stdout, heading);
    for (const line of lines) writeLine(io.stdout, line);
    if (failed) tally.checkFailed = true;
    return true;
  } catch (error) {
    if (!(error instanceof StunError)) throw error;
    tally.malformed = true;
    tally.firstError ??= `${heading}: ${error.code}: ${error.message}`;
    writeLine(io.stdout, heading);
    writeLine(io.stdout, `  error: ${error.code}: ${error.message}`);
    return false;
  }
}

/** STUN messages back to back (as in plain STUN over TCP, RFC 8489 §6.2.2). */
function decodeSequence(io: CommandIo, input: Buffer, password: string | undefined, tally: DecodeTally): void {
  let offset = 0;
  let index = 1;
  while (offset < input.length) {
    const left = input.length - offset;
    // Header LENGTH (RFC 8489 §5) tells where the next message starts.
    const size = left >= STUN_HEADER_SIZE ? STUN_HEADER_SIZE + input.readUInt16BE(offset + 2) : left;
    const bytes = input.subarray(offset, offset + Math.min(size, left));
    if (index > 1) writeLine(io.stdout, '');
    const ok = printMessage(io, `message ${index} (${byteCount(bytes.length)} at offset ${offset})`, bytes, password, tally);
    if (!ok) {
      // RFC 4571 §2: a 2-byte length before a STUN header puts the cookie at offset 6.
      if (left >= 10 && input.readUInt32BE(offset + 6) === MAGIC_COOKIE) {
        writeLine(io.stdout, '  hint: this looks like an RFC 4571 framed stream: try --framed');
      }
      if (offset + bytes.length < input.length) {
        writeLine(io.stdout, `  stopped: ${input.length - offset - bytes.length} bytes after it cannot be delimited`);
      }
      return;
    }
    offset += bytes.length;
    index++;
  }
}

/** An RFC 4571 stream: each frame is a STUN message or application data (RFC 6544 §3). */
function decodeFramed(io: CommandIo, input: Buffer, password: string | undefined, tally: DecodeTally): void {
  const decoder = new FrameDecoder();
  let offset = 0;
  let index = 1;
  decoder.push(input, (frame) => {
    if (index > 1) writeLine(io.stdout, '');
    const heading = `frame ${index} (${byteCount(frame.length)} at offset ${offset})`;
    // RFC 7983 §7: STUN starts with 0b00 and carries the magic cookie; the rest is data.
    if (frame.length < STUN_HEADER_SIZE || (frame[0] & 0xc0) !== 0 || frame.readUInt32BE(4) !== MAGIC_COOKIE) {
      const first = frame.length === 0 ? 'empty' : `first byte 0x${frame[0].toString(16).padStart(2, '0')}`;
      writeLine(io.stdout, `${heading}: not STUN (${first}): application data`);
      debug('frame %d is not STUN', index);
    } else {
      printMessage(io, `${heading}: STUN`, frame, password, tally);
    }
    offset += 2 + frame.length;
    index++;
  });
  if (decoder.bufferedBytes > 0) {
    tally.malformed = true;
    const message = `ERR_FRAME_TRUNCATED: the stream ends inside a frame (${byteCount(decoder.bufferedBytes)} at offset ${offset}, RFC 4571 §2)`;
    tally.firstError ??= message;
    if (index > 1) writeLine(io.stdout, '');
    writeLine(io.stdout, `error: ${message}`);
  }
}

/** The `decode` command. */
export const decodeCommand: Command = {
  name: 'decode',
  usage: USAGE,
  async run(argv: string[], io: CommandIo): Promise<number> {
    const args = parseArgs(
      argv,
      { framed: 'flag', pwd: 'values', hex: 'value', binary: 'flag', pcap: 'value', creds: 'values', json: 'flag' },
      { maxPositionals: 1 },
    );
    if (args.has('help')) {
      writeLine(io.stdout, USAGE);
      return ExitCode.Ok;
    }
    const pcap = args.string('pcap');
    if (pcap !== undefined) {
      for (const other of ['hex', 'framed', 'binary']) if (args.has(other)) throw usageError(`--pcap and --${other} exclude each other`);
      if (args.positionals.length > 0) throw usageError('--pcap takes the capture file; no other input');
      const { analyseCaptureFile, jsonExitCode, parseCreds, printPcapReport } = await import('./decode-pcap.js');
      const report = await analyseCaptureFile(pcap, parseCreds(args.strings('creds'), args.strings('pwd')));
      if (!args.has('json')) return printPcapReport(io, report);
      writeLine(io.stdout, JSON.stringify(report, null, 2));
      return jsonExitCode(report);
    }
    for (const only of ['creds', 'json']) if (args.has(only)) throw usageError(`--${only} needs --pcap`);
    if (args.strings('pwd').length > 1) throw usageError('--pwd given more than once (only --pcap takes several)');
    const hex = args.string('hex');
    const positional = args.positionals[0];
    if (hex !== undefined && positional !== undefined) throw usageError('give either --hex or an input file, not both');
    let source: DecodeSource;
    if (hex !== undefined) source = { kind: 'hex', text: hex };
    else if (positional === '-') source = { kind: 'stdin' };
    else if (positional !== undefined) source = { kind: 'file', path: positional };
    else throw usageError('no input: give --hex STRING, a FILE, or - for stdin');

    const input = await readDecodeInput(source, io.stdin, args.has('binary'));
    const password = args.string('pwd');
    const tally: DecodeTally = { malformed: false, checkFailed: false };
    if (args.has('framed')) decodeFramed(io, input, password, tally);
    else decodeSequence(io, input, password, tally);
    if (tally.malformed) {
      writeLine(io.stderr, `ice-tcp decode: malformed input: ${tally.firstError ?? 'see the error above'}`);
      return ExitCode.Failed;
    }
    return tally.checkFailed ? CHECK_FAILED : ExitCode.Ok;
  },
};
