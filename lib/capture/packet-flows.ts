/**
 * From captured frames to the packets each endpoint sent: UDP datagrams as
 * they are, TCP connections reassembled per direction and cut into RFC 4571
 * frames (or plain STUN messages), every packet classified by RFC 7983.
 * Bounded: at most `maxConnections` TCP connections are followed.
 */
import createDebug from 'debug';
import { classifyPacket, type PacketKind } from './classify.js';
import { ipFromFrame } from './link-layer.js';
import { segmentFromIp } from './ip-packet.js';
import type { Capture } from './pcap-reader.js';
import { TcpFramer, type FramingProblem, type TcpFraming } from './tcp-framing.js';
import { TcpDirection, type DirectionStats } from './tcp-reassembly.js';

const debug = createDebug('ice-tcp:capture');

/** An IP address and port. */
export interface Endpoint {
  address: string;
  port: number;
}

/** One packet an endpoint sent: a UDP datagram, or one frame of a TCP stream. */
export interface FlowPacket {
  /** Index of the captured packet that completed it. */
  packetIndex: number;
  timeUs: number;
  transport: 'udp' | 'tcp';
  from: Endpoint;
  to: Endpoint;
  kind: PacketKind;
  data: Buffer;
}

/** One direction of a TCP connection, as reassembled. */
export interface TcpDirectionReport {
  from: Endpoint;
  to: Endpoint;
  framing: TcpFraming | 'empty';
  stats: DirectionStats;
  problems: FramingProblem[];
  /** Bytes not cut into packets (unknown or unframed TLS streams). */
  opaqueBytes: number;
  /** Time of the first segment (the SYN, if captured). */
  firstTimeUs: number;
  /** The first segment of this direction was a SYN (no ACK: the connecting side). */
  openedConnection: boolean;
}

/** What the capture held, packet by packet. */
export interface CaptureFlows {
  packets: FlowPacket[];
  tcp: TcpDirectionReport[];
  /** Frames that were not TCP/UDP over IP, by reason. */
  skipped: Record<string, number>;
  /** Time of the first captured packet (µs). */
  startUs: number;
}

/** Bounds of {@link captureFlows}. */
export interface FlowLimits {
  maxConnections?: number;
}

/** `address:port`, with brackets for IPv6. */
export function endpointText(e: Endpoint): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

interface DirectionState {
  report: TcpDirectionReport;
  reassembly: TcpDirection;
  framer: TcpFramer;
}

/** Follows every flow of a capture. */
export function captureFlows(capture: Capture, limits: FlowLimits = {}): CaptureFlows {
  const maxConnections = limits.maxConnections ?? 10_000;
  const packets: FlowPacket[] = [];
  const skipped: Record<string, number> = {};
  const directions = new Map<string, DirectionState>();
  const skip = (why: string): void => {
    if (skipped[why] === undefined) debug('skips frames: %s (counted in the report)', why);
    skipped[why] = (skipped[why] ?? 0) + 1;
  };
  const first = capture.packets[0];
  let lastIndex = 0;
  let lastTime = first?.timeUs ?? 0;

  const direction = (from: Endpoint, to: Endpoint, timeUs: number, syn: boolean, ack: boolean): DirectionState | undefined => {
    const key = `${endpointText(from)}>${endpointText(to)}`;
    let state = directions.get(key);
    if (state !== undefined) return state;
    if (directions.size >= maxConnections * 2) return undefined;
    const report: TcpDirectionReport = {
      from,
      to,
      framing: 'empty',
      stats: undefined as unknown as DirectionStats,
      problems: [],
      opaqueBytes: 0,
      firstTimeUs: timeUs,
      openedConnection: syn && !ack,
    };
    // RFC 6544 §10: once TLS runs over the connection, its records need not line up with the frames, so a
    // frame that continues a record starts with any byte: every non-STUN frame after the first TLS one is TLS.
    let tls = false;
    const framer = new TcpFramer((p) => {
      let kind = classifyPacket(p.data, true);
      if (kind === 'tls') tls = true;
      else if (tls && kind !== 'stun') kind = 'tls';
      packets.push({ packetIndex: p.packetIndex, timeUs: p.timeUs, transport: 'tcp', from, to, kind, data: p.data });
    });
    const reassembly = new TcpDirection({ bytes: (c) => framer.push(c), gap: (o, l, t, i) => framer.gap(o, l, t, i) });
    report.stats = reassembly.stats;
    state = { report, reassembly, framer };
    directions.set(key, state);
    return state;
  };

  for (const captured of capture.packets) {
    lastIndex = captured.index;
    lastTime = captured.timeUs;
    const link = ipFromFrame(captured.linkType, captured.data);
    if ('skip' in link) {
      skip(link.skip);
      continue;
    }
    const ip = segmentFromIp(link.ip);
    if ('skip' in ip) {
      skip(ip.skip);
      continue;
    }
    const s = ip.segment;
    const from = { address: s.src, port: s.srcPort };
    const to = { address: s.dst, port: s.dstPort };
    if (s.protocol === 'udp') {
      packets.push({
        packetIndex: captured.index,
        timeUs: captured.timeUs,
        transport: 'udp',
        from,
        to,
        kind: classifyPacket(s.payload, false),
        data: s.payload,
      });
      continue;
    }
    const tcp = s.tcp!;
    const state = direction(from, to, captured.timeUs, tcp.syn, tcp.ackFlag);
    if (state === undefined) {
      skip(`more than ${maxConnections} TCP connections`);
      continue;
    }
    state.reassembly.segment(tcp, s.payload, captured.timeUs, captured.index);
    if (tcp.ackFlag) directions.get(`${endpointText(to)}>${endpointText(from)}`)?.reassembly.acknowledged(tcp.ack);
  }
  for (const state of directions.values()) {
    state.reassembly.finish(lastTime, lastIndex);
    state.framer.finish();
    state.report.framing = state.framer.framing ?? 'empty';
    state.report.problems = state.framer.problems;
    state.report.opaqueBytes = state.framer.opaqueBytes;
  }
  packets.sort((a, b) => a.timeUs - b.timeUs || a.packetIndex - b.packetIndex);
  return { packets, tcp: [...directions.values()].map((d) => d.report), skipped, startUs: first?.timeUs ?? 0 };
}
