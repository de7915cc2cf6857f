/**
 * The DTLS handshake message header (RFC 6347 §4.2.2) and cutting a message
 * into fragments that fit a datagram (§4.2.3).
 *
 * ```
 * msg_type(1) length(3) message_seq(2) fragment_offset(3) fragment_length(3) body
 * ```
 *
 * @module
 */
import { ByteReader, concat, decodeError, u16, u24 } from './bytes.js';

/** Handshake message types (RFC 5246 §7.4, RFC 6347 §4.2.1). */
export const HandshakeType = {
  hello_request: 0,
  client_hello: 1,
  server_hello: 2,
  hello_verify_request: 3,
  certificate: 11,
  server_key_exchange: 12,
  certificate_request: 13,
  server_hello_done: 14,
  certificate_verify: 15,
  client_key_exchange: 16,
  finished: 20,
} as const;

/** Bytes of the handshake header. */
export const HANDSHAKE_HEADER_SIZE = 12;

/** One handshake fragment as carried in a record. */
export interface HandshakeFragment {
  readonly msgType: number;
  /** Length of the whole message. */
  readonly length: number;
  readonly messageSeq: number;
  readonly offset: number;
  readonly body: Uint8Array;
}

/**
 * The fragments in one handshake record (a record may carry several,
 * RFC 6347 §4.2.3). A fragment that overruns its message is a decode error.
 *
 * @throws DtlsError `ERR_DTLS_DECODE`.
 */
export function parseHandshakeFragments(fragment: Uint8Array): HandshakeFragment[] {
  const r = new ByteReader(fragment);
  const out: HandshakeFragment[] = [];
  while (r.remaining > 0) {
    const msgType = r.u8('msg_type');
    const length = r.u24('length');
    const messageSeq = r.u16('message_seq');
    const offset = r.u24('fragment_offset');
    const fragmentLength = r.u24('fragment_length');
    const body = r.take(fragmentLength, 'handshake fragment');
    if (offset + fragmentLength > length) {
      throw decodeError(`handshake fragment [${offset}, ${offset + fragmentLength}) overruns its ${length}-byte message`);
    }
    out.push({ msgType, length, messageSeq, offset, body });
  }
  return out;
}

/** A fragment (or, with offset 0 and the whole body, the message) with its header. */
export function encodeHandshakeFragment(msgType: number, length: number, messageSeq: number, offset: number, body: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(msgType), u24(length), u16(messageSeq), u24(offset), u24(body.length), body);
}

/**
 * A whole message as it enters the transcript (RFC 6347 §4.2.6: as if sent
 * in one fragment: offset 0, fragment_length = length).
 */
export function encodeHandshakeMessage(msgType: number, messageSeq: number, body: Uint8Array): Uint8Array {
  return encodeHandshakeFragment(msgType, body.length, messageSeq, 0, body);
}

/** Cuts a message into fragments whose encodings are at most `maxFragment` bytes (header included). */
export function fragmentMessage(msgType: number, messageSeq: number, body: Uint8Array, maxFragment: number): Uint8Array[] {
  const room = Math.max(1, maxFragment - HANDSHAKE_HEADER_SIZE);
  if (body.length <= room) return [encodeHandshakeMessage(msgType, messageSeq, body)];
  const out: Uint8Array[] = [];
  for (let offset = 0; offset < body.length; offset += room) {
    out.push(encodeHandshakeFragment(msgType, body.length, messageSeq, offset, body.subarray(offset, offset + room)));
  }
  return out;
}
