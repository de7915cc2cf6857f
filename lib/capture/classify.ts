/**
 * RFC 7983 §7 demultiplexing by the first byte (with RFC 8489's magic
 * cookie for STUN): what kind of packet a UDP datagram or an RFC 4571 frame
 * holds. Over TCP the 20..63 range is TLS (RFC 6544 §10 runs TLS over the
 * framed connection), over UDP it is DTLS.
 */
import { MAGIC_COOKIE, STUN_HEADER_SIZE } from '../stun/index.js';

/** Kinds of packet told apart by RFC 7983. */
export type PacketKind = 'stun' | 'zrtp' | 'dtls' | 'tls' | 'turn-channel' | 'rtp' | 'other';

/** True for a STUN header: top two bits 0, the magic cookie, a length that fits (RFC 8489 §5, §6.3). */
export function looksLikeStun(b: Buffer): boolean {
  return b.length >= STUN_HEADER_SIZE && (b[0] & 0xc0) === 0 && b.readUInt32BE(4) === MAGIC_COOKIE && (b.readUInt16BE(2) & 3) === 0;
}

/** Classifies one packet (RFC 7983 §7). */
export function classifyPacket(b: Buffer, overTcp: boolean): PacketKind {
  if (b.length === 0) return 'other';
  const first = b[0];
  if (first <= 3) return looksLikeStun(b) ? 'stun' : 'other';
  if (first >= 16 && first <= 19) return 'zrtp';
  if (first >= 20 && first <= 63) return overTcp ? 'tls' : 'dtls';
  if (first >= 64 && first <= 79) return 'turn-channel';
  if (first >= 128 && first <= 191) return 'rtp';
  return 'other';
}

/** A TLS record header (RFC 8446 §5.1): content type 20..24, legacy version 3.x. */
export function looksLikeTlsRecord(b: Buffer): boolean {
  return b.length >= 5 && b[0] >= 20 && b[0] <= 24 && b[1] === 3 && b[2] <= 4;
}
