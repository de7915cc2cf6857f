/**
 * Application data for scenarios: numbered packets that can never be taken
 * for STUN (first byte 0x80, an RTP-like version 2 header, RFC 7983 §7), and
 * a checker for what arrived: count, duplicates, gaps, corruption.
 */
import type { ReceivedData } from './agent.js';

const MAGIC = 0x80;

/** A data packet carrying sequence number `seq`, `size` bytes long (>= 9), with a checkable body. */
export function dataPacket(seq: number, size = 100): Buffer {
  if (size < 9) throw new Error('data packets are at least 9 bytes');
  const b = Buffer.allocUnsafe(size);
  b[0] = MAGIC;
  b.writeUInt32BE(seq >>> 0, 1);
  b.writeUInt32BE(size, 5);
  for (let i = 9; i < size; i++) b[i] = (seq * 31 + i) & 0xff;
  return b;
}

/** The sequence number of a data packet, or undefined when it is not one of ours or is corrupt. */
export function dataSeq(b: Buffer): number | undefined {
  if (b.length < 9 || b[0] !== MAGIC || b.readUInt32BE(5) !== b.length) return undefined;
  const seq = b.readUInt32BE(1);
  for (let i = 9; i < b.length; i++) if (b[i] !== ((seq * 31 + i) & 0xff)) return undefined;
  return seq;
}

/** A summary of received data packets. */
export interface DataReport {
  /** Distinct sequence numbers received. */
  distinct: number;
  /** Sequence numbers received more than once. */
  duplicates: number[];
  /** Packets that were not well-formed data packets. */
  corrupt: number;
  /** Sequence numbers in [0, expected) never received. */
  missing: number[];
  /** True when the numbers arrived in increasing order. */
  inOrder: boolean;
}

/** Checks received data against packets 0..expected-1. */
export function checkData(received: ReceivedData[], expected: number): DataReport {
  const seen = new Map<number, number>();
  let corrupt = 0;
  let last = -1;
  let inOrder = true;
  for (const r of received) {
    const seq = dataSeq(r.data);
    if (seq === undefined) {
      corrupt++;
      continue;
    }
    if (seq <= last) inOrder = false;
    last = seq;
    seen.set(seq, (seen.get(seq) ?? 0) + 1);
  }
  const missing: number[] = [];
  for (let i = 0; i < expected; i++) if (!seen.has(i)) missing.push(i);
  return {
    distinct: seen.size,
    duplicates: [...seen].filter(([, n]) => n > 1).map(([s]) => s),
    corrupt,
    missing,
    inOrder,
  };
}
