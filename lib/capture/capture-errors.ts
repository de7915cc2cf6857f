import { IceTcpError } from '../errors.js';

/**
 * Stable codes of {@link CaptureError}:
 * - `ERR_CAPTURE_BAD_FORMAT`: not a pcap or pcapng file, or a header or
 *   block that contradicts the format (bad magic, a block length that is
 *   not a multiple of 4 or does not match its trailer);
 * - `ERR_CAPTURE_TOO_LARGE`: a record, block, file or packet count beyond
 *   the reader's bounds (hostile or corrupt lengths);
 * - `ERR_CAPTURE_UNSUPPORTED`: a link type or format version the reader
 *   does not decode.
 *
 * A file cut short is not an error: the reader returns what it read and a
 * `truncated` note (captures are often cut).
 */
export type CaptureErrorCode = 'ERR_CAPTURE_BAD_FORMAT' | 'ERR_CAPTURE_TOO_LARGE' | 'ERR_CAPTURE_UNSUPPORTED';

/** An error reading a packet capture. */
export class CaptureError extends IceTcpError {
  declare readonly code: CaptureErrorCode;

  constructor(code: CaptureErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
