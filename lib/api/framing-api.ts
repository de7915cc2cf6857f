/**
 * `ice-tcp/framing`: RFC 4571 framing (a 16-bit big-endian length before
 * each packet on a byte stream): a sans-IO incremental decoder, an encoder,
 * a tick-batching writer and a packet connection over any `stream.Duplex`.
 * Exports are named one by one (see lib/index.ts).
 *
 * @module
 */
export {
  MAX_FRAME_SIZE,
  FRAME_HEADER_SIZE,
  FramingError,
  type FramingErrorCode,
  FrameDecoder,
  type FrameDecoderOptions,
  encodeFrame,
  frameHeader,
  BatchingFrameWriter,
  type BatchingFrameWriterEvents,
  FramedConnection,
  DEFAULT_MAX_BUFFERED_PACKETS,
  DEFAULT_MAX_BUFFERED_BYTES,
  type FramedConnectionOptions,
} from '../framing/index.js';
export type { PacketConnection } from '../connection.js';
export type { PacketConnectionEvents } from '../connection-events.js';
