/**
 * Splits the byte stream from a TURN server over TCP or TLS into STUN
 * messages and ChannelData messages by their length fields (RFC 8656 §6.2:
 * no other framing; ChannelData padded to 4 bytes, §12.5). Bounded: a
 * message is at most 20 + 65535 bytes, and the buffer never holds more than
 * one partial message.
 *
 * @module
 */
import { isChannelData } from './channel-data.js';

/** Outcome of {@link StreamSplitter.push}: whole messages, or an error for a stream that is not TURN. */
export interface SplitResult {
  messages: Buffer[];
  /** Set when the stream holds something that is neither STUN nor ChannelData: close it. */
  error?: string;
}

/** Incremental splitter for one stream. */
export class StreamSplitter {
  #buffer: Buffer = Buffer.alloc(0);

  /** Adds received bytes; returns the complete messages they finish. */
  push(chunk: Buffer): SplitResult {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const messages: Buffer[] = [];
    let offset = 0;
    const buf = this.#buffer;
    while (buf.length - offset >= 4) {
      const first = buf[offset];
      let total: number;
      if ((first & 0xc0) === 0) {
        // STUN: 20-byte header + length (a multiple of 4), RFC 8489 §5.
        total = 20 + buf.readUInt16BE(offset + 2);
      } else if (isChannelData(buf.subarray(offset, offset + 4))) {
        total = 4 + ((buf.readUInt16BE(offset + 2) + 3) & ~3);
      } else {
        this.#buffer = Buffer.alloc(0);
        return { messages, error: `byte 0x${first.toString(16)} starts neither STUN nor ChannelData` };
      }
      if (buf.length - offset < total) break;
      messages.push(buf.subarray(offset, offset + total));
      offset += total;
    }
    this.#buffer = offset === buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(offset));
    return { messages };
  }

  /** Bytes held of a partial message. */
  get buffered(): number {
    return this.#buffer.length;
  }
}
