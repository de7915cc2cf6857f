/**
 * A flight (RFC 6347 §4.2.4): the messages one side sends before waiting
 * for the other, kept so that they can be sent again. Each transmission
 * re-encodes them with fresh record sequence numbers (in the epoch each
 * was first sent in), cut to fit the MTU and packed several records to a
 * datagram (§4.2.3).
 *
 * @module
 */
import { concat } from './bytes.js';
import { TAG_LENGTH } from './cipher-suites.js';
import { fragmentMessage } from './handshake-header.js';
import { ContentType, RECORD_HEADER_SIZE } from './record.js';
import type { RecordLayer } from './record-layer.js';

/** One entry of a flight. */
export type FlightEntry =
  | { readonly kind: 'handshake'; readonly epoch: number; readonly msgType: number; readonly messageSeq: number; readonly body: Uint8Array }
  | { readonly kind: 'change-cipher-spec'; readonly epoch: number };

/** Worst-case per-record overhead: header, explicit nonce, tag. */
const RECORD_OVERHEAD = RECORD_HEADER_SIZE + 8 + TAG_LENGTH;

/** Encodes a flight into datagrams of at most `mtu` bytes (a record larger than the MTU is never produced for handshake data). */
export function encodeFlight(entries: readonly FlightEntry[], records: RecordLayer, mtu: number, version: number): Uint8Array[] {
  const datagrams: Uint8Array[] = [];
  let current: Uint8Array[] = [];
  let size = 0;
  const push = (record: Uint8Array): void => {
    if (size > 0 && size + record.length > mtu) {
      datagrams.push(concat(...current));
      current = [];
      size = 0;
    }
    current.push(record);
    size += record.length;
  };
  for (const entry of entries) {
    if (entry.kind === 'change-cipher-spec') {
      push(records.write(ContentType.change_cipher_spec, entry.epoch, Uint8Array.of(1), version));
      continue;
    }
    for (const fragment of fragmentMessage(entry.msgType, entry.messageSeq, entry.body, mtu - RECORD_OVERHEAD)) {
      push(records.write(ContentType.handshake, entry.epoch, fragment, version));
    }
  }
  if (size > 0) datagrams.push(concat(...current));
  return datagrams;
}
