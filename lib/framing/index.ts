/**
 * RFC 4571 framing: a 16-bit big-endian LENGTH before each packet on a byte
 * stream. A sans-IO incremental decoder, an encoder, a tick-batching writer
 * and a packet connection over any `stream.Duplex`.
 */
export { MAX_FRAME_SIZE, FRAME_HEADER_SIZE } from './frame-size.js';
export { FramingError, type FramingErrorCode } from './framing-error.js';
export { FrameDecoder, type FrameDecoderOptions } from './decoder.js';
export { encodeFrame, frameHeader } from './encoder.js';
export { BatchingFrameWriter, type BatchingFrameWriterEvents, type BatchingFrameWriterOptions } from './batching-writer.js';
export {
  FramedConnection,
  DEFAULT_MAX_BUFFERED_PACKETS,
  DEFAULT_MAX_BUFFERED_BYTES,
  type FramedConnectionOptions,
} from './framed-connection.js';
