// Rewriting plaintext (epoch 0) handshake messages inside datagrams, for
// the attacker tests: each record's messages are parsed, passed to `edit`,
// and re-encoded (record sequence numbers kept).
import { parseHandshakeFragments, encodeHandshakeFragment } from '../../lib/dtls/handshake-header.js';
import { splitRecords, encodeRecord, ContentType } from '../../lib/dtls/record.js';

export interface WireMessage {
  msgType: number;
  messageSeq: number;
  body: Uint8Array;
}

/** `edit` returns the new message, or `null` to remove it; only whole (unfragmented) epoch-0 messages are offered. */
export function rewriteHandshake(datagram: Uint8Array, edit: (m: WireMessage) => WireMessage | null): Uint8Array {
  const { records } = splitRecords(datagram);
  const out: Uint8Array[] = [];
  for (const r of records) {
    if (r.type !== ContentType.handshake || r.epoch !== 0) {
      out.push(encodeRecord(r.type, r.version, r.epoch, r.sequence, r.fragment));
      continue;
    }
    const parts: Uint8Array[] = [];
    for (const f of parseHandshakeFragments(r.fragment)) {
      if (f.offset !== 0 || f.body.length !== f.length) {
        parts.push(encodeHandshakeFragment(f.msgType, f.length, f.messageSeq, f.offset, f.body));
        continue;
      }
      const m = edit({ msgType: f.msgType, messageSeq: f.messageSeq, body: Uint8Array.from(f.body) });
      if (m) parts.push(encodeHandshakeFragment(m.msgType, m.body.length, m.messageSeq, 0, m.body));
    }
    if (parts.length > 0) out.push(encodeRecord(r.type, r.version, r.epoch, r.sequence, Buffer.concat(parts)));
  }
  return Buffer.concat(out);
}

/** The handshake message types in a datagram's epoch-0 records. */
export function handshakeTypes(datagram: Uint8Array): number[] {
  const types: number[] = [];
  for (const r of splitRecords(datagram).records) {
    if (r.type === ContentType.handshake && r.epoch === 0) for (const f of parseHandshakeFragments(r.fragment)) types.push(f.msgType);
  }
  return types;
}
