/**
 * Packet captures of ICE sessions: a bounded pcap/pcapng reader and writer,
 * link/IP/TCP/UDP decoding, TCP reassembly and RFC 4571 framing, RFC 7983
 * classification, and the ICE timeline (`ice-tcp decode --pcap`).
 *
 * @module
 */
export { CaptureError, type CaptureErrorCode } from './capture-errors.js';
export { readCapture, type Capture, type CapturedPacket, type CaptureLimits } from './pcap-reader.js';
export { writePcap, writePcapng, type PacketToWrite } from './pcap-writer.js';
export { LinkType, ipFromFrame, isSupportedLinkType, type LinkResult } from './link-layer.js';
export { segmentFromIp, type TransportSegment, type IpResult } from './ip-packet.js';
export { classifyPacket, looksLikeStun, type PacketKind } from './classify.js';
export { TcpDirection, type DirectionStats, type StreamChunk, type StreamSink } from './tcp-reassembly.js';
export { TcpFramer, type TcpFraming, type FramingProblem, type FramedPacket } from './tcp-framing.js';
export {
  captureFlows,
  endpointText,
  type CaptureFlows,
  type Endpoint,
  type FlowPacket,
  type TcpDirectionReport,
  type FlowLimits,
} from './packet-flows.js';
export {
  iceTimeline,
  type CaptureCredentials,
  type IceTimeline,
  type PairTimeline,
  type StunEvent,
  type StunDecodeProblem,
  type IntegrityStatus,
} from './ice-timeline.js';
