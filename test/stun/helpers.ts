// Shared helpers of the STUN tests: hand-built messages (independent of the
// encoder under test) and an assertion for typed errors.
import type { ExecutionContext } from 'ava';
import { StunError, type StunErrorCode } from '../../lib/stun/index.js';

/** One attribute of a hand-built message. */
export interface RawAttr {
  type: number;
  value: Uint8Array | string; // string = hex
  /** Padding byte value (default 0). */
  pad?: number;
  /** Length field to write instead of the value's length. */
  lengthField?: number;
}

/** Test transaction id. */
export const TID = Buffer.from('0102030405060708090a0b0c', 'hex');

/**
 * Builds a message by hand: header (type, length = body, cookie, TID) and
 * each attribute with its padding. No integrity, no fingerprint unless given
 * as attributes.
 */
export function buildMessage(type: number, attrs: RawAttr[], tid: Uint8Array = TID): Buffer {
  const parts: Buffer[] = [];
  for (const a of attrs) {
    const value = typeof a.value === 'string' ? Buffer.from(a.value, 'hex') : Buffer.from(a.value);
    const h = Buffer.alloc(4);
    h.writeUInt16BE(a.type, 0);
    h.writeUInt16BE(a.lengthField ?? value.length, 2);
    const padLen = (4 - (value.length % 4)) % 4;
    parts.push(h, value, Buffer.alloc(padLen, a.pad ?? 0));
  }
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(20);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(body.length, 2);
  header.writeUInt32BE(0x2112a442, 4);
  Buffer.from(tid).copy(header, 8);
  return Buffer.concat([header, body]);
}

/** Asserts that `fn` throws a StunError with `code`. */
export function throwsStun(t: ExecutionContext, fn: () => unknown, code: StunErrorCode, what?: string): void {
  const e = t.throws(fn, { instanceOf: StunError }, what);
  t.is(e?.code, code, what ?? e?.message);
}

/** Number of runs of each property: FC_RUNS, default 10,000. */
export const FC_RUNS = Number(process.env.FC_RUNS ?? 10_000);
