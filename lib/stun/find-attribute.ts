/**
 * Raw access to attributes this codec does not decode into
 * {@link StunAttributes}.
 *
 * @module
 */
import { STUN_HEADER_SIZE } from './stun-constants.js';
import type { StunMessage } from './message.js';

/**
 * The value (without padding) of the first attribute of `type` in a decoded
 * message, as a view of `msg.raw`, or undefined when absent. The message was
 * validated by {@link decodeStun}, so the walk cannot overrun.
 */
export function findAttribute(msg: StunMessage, type: number): Buffer | undefined {
  const raw = msg.raw;
  const end = raw.length;
  let pos = STUN_HEADER_SIZE;
  while (pos + 4 <= end) {
    const at = (raw[pos] << 8) | raw[pos + 1];
    const len = (raw[pos + 2] << 8) | raw[pos + 3];
    if (at === type) return raw.subarray(pos + 4, pos + 4 + len);
    pos += 4 + ((len + 3) & ~3);
  }
  return undefined;
}
