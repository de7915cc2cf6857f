/**
 * The one rule for cutting a byte stream into packets that sit next to STUN
 * on one ICE pair, so that the peer's demultiplexer never takes a piece of
 * the byte stream for STUN.
 *
 * What a receiver looks at (the facts the rule rests on):
 * - RFC 8489 §6: a STUN message starts with two zero bits (first byte
 *   0x00–0x3F), its 16-bit Message Length (bytes 2–3) counts the bytes after
 *   the 20-byte header, and is a multiple of 4 (attributes are padded to 4
 *   bytes); bytes 4–7 hold the magic cookie 0x2112A442.
 * - RFC 7983 §7 (updating RFC 5764 §5.1.2): a demultiplexer sends a packet
 *   whose first byte is 0–3 to STUN, 20–63 to (D)TLS, 128–191 to RTP/RTCP.
 * - RFC 6544 §10.1: data framed next to STUN may be cut anywhere, and a
 *   piece that would be taken for STUN must be cut differently.
 *
 * The rule: a piece is at most `max` bytes; a piece that would pass a STUN
 * header check (two zero bits, Message Length + 20 equal to the piece's
 * length, a multiple of 4) is cut one byte shorter, which breaks the length
 * check; the byte left over starts the next piece, which is checked the same
 * way. The magic cookie is deliberately not required for the cut: a
 * receiver that skips it (RFC 3489 §11.1 had none; fast pre-checks such as
 * libnice's look at the top bits and the length only) is covered as well,
 * at the price of a rare extra cut. The length check is the one every STUN
 * parser makes, so no piece cut by this rule reaches STUN as a message.
 *
 * What no cut can give: a demultiplexer that decides on the first byte alone
 * (RFC 7983 §7) sends a piece starting with 0–3 to STUN whatever its length.
 * Only where the pieces start decides that. TLS over ICE-TCP avoids it by
 * cutting at TLS record boundaries (lib/secure/tls-record-cut.ts): each
 * piece then starts with a TLS content type (20–23, RFC 8446 §5.1), inside
 * the (D)TLS range of RFC 7983 §7; this rule stays as the safety net (a
 * record cut by `max`, a stream that lost track of its records).
 *
 * @module
 */

/** RFC 8489 §6: the STUN header is 20 bytes. */
const STUN_HEADER_SIZE = 20;

/**
 * Whether `bytes[offset, offset + length)` would pass a STUN header check
 * (RFC 8489 §6 top bits and Message Length; the magic cookie is not required).
 */
export function couldBeStun(bytes: Uint8Array, offset: number, length: number): boolean {
  if (length < STUN_HEADER_SIZE || (bytes[offset] & 0xc0) !== 0) return false;
  const messageLength = (bytes[offset + 2] << 8) | bytes[offset + 3];
  return (messageLength & 3) === 0 && messageLength + STUN_HEADER_SIZE === length;
}

/**
 * The length of the next piece of `bytes` starting at `offset`: `wanted`
 * (1 ≤ `wanted` ≤ the bytes left), or one byte less when a piece of `wanted`
 * bytes would pass a STUN header check ({@link couldBeStun}).
 */
export function stunSafeLength(bytes: Uint8Array, offset: number, wanted: number): number {
  return couldBeStun(bytes, offset, wanted) ? wanted - 1 : wanted;
}
