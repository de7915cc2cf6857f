import { IceTcpError } from '../errors.js';

/**
 * Stable codes of {@link FramingError}.
 *
 * - `ERR_FRAME_TOO_LARGE`: a received header announces more than the decoder's
 *   `maxFrameSize`, or a payload to send is longer than 65535 bytes
 *   (RFC 4571 §2: LENGTH is a 16-bit field).
 * - `ERR_FRAME_TRUNCATED`: the byte stream ended in the middle of a frame.
 * - `ERR_FRAMING_BAD_OPTION`: an option is out of range or of the wrong type.
 * - `ERR_FRAMING_BAD_PAYLOAD`: a payload to send is not a `Uint8Array`.
 */
export type FramingErrorCode = 'ERR_FRAME_TOO_LARGE' | 'ERR_FRAME_TRUNCATED' | 'ERR_FRAMING_BAD_OPTION' | 'ERR_FRAMING_BAD_PAYLOAD';

/** An RFC 4571 framing error: bad frame length, truncated stream or bad option. */
export class FramingError extends IceTcpError {
  declare readonly code: FramingErrorCode;

  constructor(code: FramingErrorCode, message: string) {
    super(code, message);
  }
}
