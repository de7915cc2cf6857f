/**
 * ChannelData messages (RFC 8656 §12.4): a 4-byte header (channel number,
 * length) and the application data; over TCP and TLS the message is padded
 * to a multiple of 4 bytes (RFC 8656 §12.5), over UDP it is not.
 *
 * @module
 */
import { MAX_CHANNEL, MIN_CHANNEL } from './turn-constants.js';

/** One decoded ChannelData message. */
export interface ChannelData {
  channel: number;
  data: Buffer;
}

/** True when the first byte starts a ChannelData message (0b01, RFC 8656 §12: 0x4000..0x4FFF; RFC 7983 §7). */
export function isChannelData(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] >= 0x40 && bytes[0] <= 0x4f;
}

/** Encodes data for a channel; `pad` over a stream transport (RFC 8656 §12.5). */
export function encodeChannelData(channel: number, data: Uint8Array, pad: boolean): Buffer {
  const length = data.length;
  const total = 4 + (pad ? (length + 3) & ~3 : length);
  const out = Buffer.alloc(total);
  out.writeUInt16BE(channel, 0);
  out.writeUInt16BE(length, 2);
  out.set(data, 4);
  return out;
}

/**
 * Decodes one ChannelData message; undefined when malformed (a channel
 * number outside 0x4000..0x4FFF, or fewer bytes than the length says:
 * RFC 8656 §12.6 says to discard those). Trailing bytes (padding) are ignored.
 */
export function decodeChannelData(bytes: Buffer): ChannelData | undefined {
  if (bytes.length < 4) return undefined;
  const channel = bytes.readUInt16BE(0);
  const length = bytes.readUInt16BE(2);
  if (channel < MIN_CHANNEL || channel > MAX_CHANNEL || 4 + length > bytes.length) return undefined;
  return { channel, data: bytes.subarray(4, 4 + length) };
}
