/**
 * `ice-tcp decode --pcap FILE`: the ICE session in a packet capture, as a
 * per-5-tuple timeline (text) or as JSON (`--json`). The capture is read by
 * lib/capture (our own bounded pcap/pcapng reader).
 */
import { readFile, stat } from 'node:fs/promises';
import {
  captureFlows,
  iceTimeline,
  readCapture,
  type CaptureCredentials,
  type IceTimeline,
  type StunEvent,
  type TcpDirectionReport,
} from '../capture/index.js';
import { endpointText } from '../capture/packet-flows.js';
import { writeLine, type CommandIo } from './command.js';
import { CliError, ExitCode, usageError } from './cli-errors.js';
import { methodLabel } from './stun-format.js';

/** Largest capture read (256 MiB). */
export const MAX_CAPTURE_BYTES = 256 * 1024 * 1024;

/** Everything `decode --pcap` found, as `--json` prints it. */
export interface PcapReport {
  format: 'pcap' | 'pcapng';
  packets: number;
  truncated?: string;
  skipped: Record<string, number>;
  tcp: Array<Omit<TcpDirectionReport, 'from' | 'to' | 'firstTimeUs'> & { from: string; to: string }>;
  timeline: IceTimeline;
}

/**
 * Parses `--creds ufrag:pwd` values.
 *
 * @throws CliError `ERR_CLI_USAGE`
 */
export function parseCreds(values: string[], passwords: string[]): CaptureCredentials {
  const byUfrag: Record<string, string> = {};
  for (const v of values) {
    const colon = v.indexOf(':');
    if (colon <= 0 || colon === v.length - 1) throw usageError(`--creds takes ufrag:pwd, got ${JSON.stringify(v)}`);
    byUfrag[v.slice(0, colon)] = v.slice(colon + 1);
  }
  return { byUfrag, passwords };
}

/** Reads and analyses a capture file. */
export async function analyseCaptureFile(path: string, creds: CaptureCredentials): Promise<PcapReport> {
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new CliError('ERR_CLI_INPUT', `${path}: not a regular file`);
    if (info.size > MAX_CAPTURE_BYTES) throw new CliError('ERR_CLI_INPUT', `${path}: more than ${MAX_CAPTURE_BYTES} bytes`);
    bytes = await readFile(path);
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError('ERR_CLI_INPUT', `${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`, { cause: error });
  }
  const capture = readCapture(bytes);
  const flows = captureFlows(capture);
  return {
    format: capture.format,
    packets: capture.packets.length,
    ...(capture.truncated !== undefined ? { truncated: capture.truncated } : {}),
    skipped: flows.skipped,
    tcp: flows.tcp.map(({ from, to, firstTimeUs: _t, ...rest }) => ({ from: endpointText(from), to: endpointText(to), ...rest })),
    timeline: iceTimeline(flows, creds),
  };
}

function eventLine(e: StunEvent): string {
  const parts = [
    `${e.timeMs.toFixed(3).padStart(10)} ms`,
    `${e.from} → ${e.to}`,
    `${methodLabel(e.method).split(' ')[0]} ${e.class}`,
    `tx ${e.transactionId}`,
  ];
  if (e.retransmission !== undefined) parts.push(`retransmission ${e.retransmission}`);
  if (e.username !== undefined) parts.push(`USERNAME ${e.username}`);
  if (e.priority !== undefined) parts.push(`PRIORITY ${e.priority}`);
  if (e.role !== undefined) parts.push(`ICE-${e.role.toUpperCase()} ${e.tieBreaker}`);
  if (e.useCandidate) parts.push('USE-CANDIDATE');
  if (e.errorCode !== undefined)
    parts.push(`ERROR ${e.errorCode} ${JSON.stringify(e.errorReason)}${e.errorCode === 487 ? ' (role conflict)' : ''}`);
  if (e.mapped !== undefined) parts.push(`mapped ${e.mapped}`);
  if (e.rttMs !== undefined && e.class !== 'request') parts.push(`rtt ${e.rttMs.toFixed(3)} ms`);
  if (e.unmatched) parts.push('no request captured');
  parts.push(`integrity ${e.integrity === 'ok' ? `ok (${e.integrityKey})` : e.integrity}`);
  if (e.fingerprint === 'failed') parts.push('FINGERPRINT FAILED');
  return `  ${parts.join('  ')}`;
}

function tcpLine(d: PcapReport['tcp'][number]): string {
  const s = d.stats;
  const missing = s.missing.length === 0 ? 'none' : s.missing.map(([o, l]) => `${l} bytes at offset ${o}`).join(', ');
  const framing =
    d.framing === 'tls-unframed'
      ? 'TLS records not inside RFC 4571 frames'
      : d.framing === 'stun-unframed'
        ? 'plain STUN over TCP (no RFC 4571 framing)'
        : d.framing;
  return (
    `tcp ${d.from} → ${d.to}: ${framing}, ${s.delivered} bytes${d.openedConnection ? ', opened the connection' : ''}` +
    `${s.midStream ? ', capture starts mid-stream' : ''}${s.fin ? ', FIN' : ''}${s.rst ? ', RST' : ''}; ` +
    `retransmitted ${s.retransmittedBytes} bytes, ${s.outOfOrderSegments} segments out of order, missing: ${missing}`
  );
}

/** Prints a report as text; returns the exit code. */
export function printPcapReport(io: CommandIo, r: PcapReport): number {
  const out = (line: string): void => writeLine(io.stdout, line);
  const t = r.timeline;
  out(`capture ${r.format}: ${r.packets} packets`);
  const skipped = Object.entries(r.skipped);
  if (skipped.length > 0) out(`skipped: ${skipped.map(([why, n]) => `${n} × ${why}`).join('; ')}`);
  for (const d of r.tcp) out(tcpLine(d));
  for (const pair of t.pairs) {
    out('');
    const data =
      pair.data.packets[0] + pair.data.packets[1] > 0
        ? `data ${pair.data.packets[0]}/${pair.data.packets[1]} packets, ${pair.data.bytes[0]}/${pair.data.bytes[1]} bytes (${Object.entries(
            pair.data.kinds,
          )
            .map(([k, n]) => `${n} ${k}`)
            .join(', ')})`
        : 'no data';
    out(
      `pair ${pair.id}: ${pair.checks.sent} checks, ${pair.checks.answered} answered, ${pair.checks.errors} errors` +
        `${pair.nominated ? `; nominated by ${pair.nominatedBy} at ${pair.nominatedAtMs} ms` : ''}` +
        `${pair.roleConflicts > 0 ? `; ${pair.roleConflicts} role conflicts (487)` : ''}; ${data}`,
    );
    for (const e of t.stun) {
      if (e.transport === pair.transport && ((e.from === pair.a && e.to === pair.b) || (e.from === pair.b && e.to === pair.a)))
        out(eventLine(e));
    }
  }
  out('');
  const x = t.totals;
  out(
    `stun: ${x.stun} messages (${x.requests} requests, ${x.success} success, ${x.errors} error, ${x.indications} indications); ` +
      `integrity ok ${x.integrityOk}, failed ${x.integrityFailed}, unchecked ${t.stun.filter((e) => e.integrity === 'unchecked').length}; ` +
      `${x.unanswered} transactions unanswered`,
  );
  out(
    `selected pair: ${t.selected === undefined ? 'none (no USE-CANDIDATE check was answered)' : `${t.selected.id} (${t.selected.reason})`}`,
  );
  const problems: string[] = [];
  if (r.truncated !== undefined) problems.push(`capture truncated: ${r.truncated}`);
  for (const d of r.tcp) for (const p of d.problems) problems.push(`tcp ${d.from} → ${d.to}: ${p.message} (packet ${p.packetIndex + 1})`);
  for (const p of t.decodeProblems)
    problems.push(`${p.transport} ${p.from} → ${p.to}: STUN does not decode (packet ${p.packetIndex + 1}): ${p.error}`);
  problems.push(...t.problems);
  for (const e of t.stun)
    if (e.integrity === 'failed' || e.fingerprint === 'failed')
      problems.push(
        `${e.transport} ${e.from} → ${e.to}: ${e.class} tx ${e.transactionId}: ${e.integrity === 'failed' ? 'MESSAGE-INTEGRITY failed' : 'FINGERPRINT failed'}`,
      );
  out(problems.length === 0 ? 'problems: none' : `problems: ${problems.length}`);
  for (const p of problems) out(`  ${p}`);
  return x.integrityFailed > 0 || t.stun.some((e) => e.fingerprint === 'failed') ? 2 : ExitCode.Ok;
}

/** Exit code of a report printed as JSON. */
export function jsonExitCode(r: PcapReport): number {
  return r.timeline.totals.integrityFailed > 0 || r.timeline.stun.some((e) => e.fingerprint === 'failed') ? 2 : ExitCode.Ok;
}
