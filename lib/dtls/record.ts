/**
 * The DTLS record header (RFC 6347 §4.1) and splitting a datagram into
 * records.
 *
 * ```
 * type(1) version(2) epoch(2) sequence_number(6) length(2) fragment(length)
 * ```
 *
 * @module
 */
import { ByteReader } from './bytes.js';

/** Content types (RFC 5246 §6.2.1). */
export const ContentType = { change_cipher_spec: 20, alert: 21, handshake: 22, application_data: 23 } as const;

/** DTLS 1.2 on the wire (RFC 6347 §4.1: the 1's complement of 1.2). */
export const DTLS_1_2 = 0xfefd;
/** DTLS 1.0 on the wire: only ever accepted on epoch-0 record headers (see {@link isAcceptableRecordVersion}). */
export const DTLS_1_0 = 0xfeff;
/** Bytes of a DTLS record header. */
export const RECORD_HEADER_SIZE = 13;
/** Largest plaintext of one record (RFC 5246 §6.2.1: 2^14). */
export const MAX_PLAINTEXT = 16384;
/** Largest record fragment we accept: 2^14 + 2048 (RFC 5246 §6.2.3). */
export const MAX_CIPHERTEXT = MAX_PLAINTEXT + 2048;
/** Largest 48-bit sequence number (RFC 6347 §4.1). */
export const MAX_SEQUENCE = 2 ** 48 - 1;

/** One record as read off the wire. */
export interface DtlsRecord {
  readonly type: number;
  readonly version: number;
  readonly epoch: number;
  readonly sequence: number;
  readonly fragment: Uint8Array;
}

/**
 * Record versions: every record must say DTLS 1.2, except that epoch-0
 * records may say DTLS 1.0, because implementations send their first
 * ClientHello (and HelloVerifyRequest, RFC 6347 §4.2.1) with it. The
 * negotiated version comes from the hello messages, checked there.
 */
export function isAcceptableRecordVersion(version: number, epoch: number): boolean {
  return version === DTLS_1_2 || (epoch === 0 && version === DTLS_1_0);
}

/**
 * Splits a datagram into records. A record whose header or fragment is
 * truncated ends the datagram (RFC 6347 §4.1.2.7: invalid records are
 * dropped; nothing after a bad length can be trusted). Returns the records
 * read and whether the datagram had trailing garbage.
 */
export function splitRecords(datagram: Uint8Array): { records: DtlsRecord[]; malformed: boolean } {
  const records: DtlsRecord[] = [];
  const r = new ByteReader(datagram);
  while (r.remaining > 0) {
    if (r.remaining < RECORD_HEADER_SIZE) return { records, malformed: true };
    const type = r.u8();
    const version = r.u16();
    const epoch = r.u16();
    const sequence = r.u48();
    const length = r.u16();
    if (length > r.remaining || length > MAX_CIPHERTEXT) return { records, malformed: true };
    records.push({ type, version, epoch, sequence, fragment: r.take(length) });
  }
  return { records, malformed: false };
}

/** A record on the wire (one allocation: this runs once per record). */
export function encodeRecord(type: number, version: number, epoch: number, sequence: number, fragment: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(RECORD_HEADER_SIZE + fragment.length);
  out[0] = type;
  out.writeUInt16BE(version, 1);
  out.writeUInt16BE(epoch, 3);
  out.writeUIntBE(sequence, 5, 6);
  out.writeUInt16BE(fragment.length, 11);
  out.set(fragment, RECORD_HEADER_SIZE);
  return out;
}

/** The 8-byte sequence number of the AEAD nonce and additional data: epoch(2) + sequence(6) (RFC 6347 §4.1.2.1). */
export function epochSequence(epoch: number, sequence: number): Uint8Array {
  const out = Buffer.allocUnsafe(8);
  out.writeUInt16BE(epoch, 0);
  out.writeUIntBE(sequence, 2, 6);
  return out;
}
