// Decode cost of hostile STUN messages (issue 11, item 2): before any
// authentication, a peer or a STUN server decodes whatever arrives. The
// 64 KiB datagram of ~16,000 distinct unknown comprehension-required
// attributes once cost 100-200 ms (an includes() per attribute over a
// growing list); the decoder now stops listing at MAX_UNKNOWN_REQUIRED.
// Baseline: a typical ICE Binding request. The row "former algorithm" runs
// the old de-duplication over the same message in this run, for the ratio.
import { StunClass, StunMethod, decodeStun, encodeStun, shortTermKey } from '../lib/stun/index.js';
import { opsPerSecond, printTable, type BenchRow } from './table.js';

const MOST = Math.floor((65_507 - 20) / 4); // attributes of one IPv4 UDP datagram

function message(n: number, type: (i: number) => number): Buffer {
  const b = Buffer.alloc(20 + 4 * n);
  b.writeUInt16BE(0x0001, 0);
  b.writeUInt16BE(4 * n, 2);
  b.writeUInt32BE(0x2112a442, 4);
  for (let i = 0; i < n; i++) b.writeUInt16BE(type(i), 20 + 4 * i);
  return b;
}

/** The de-duplication the decoder used before the fix: one includes() per unknown attribute. */
function formerUnknownList(raw: Buffer): number[] {
  const list: number[] = [];
  const end = 20 + raw.readUInt16BE(2);
  for (let pos = 20; pos < end;) {
    const at = raw.readUInt16BE(pos);
    const len = raw.readUInt16BE(pos + 2);
    if (at < 0x8000 && !list.includes(at)) list.push(at);
    pos += 4 + ((len + 3) & ~3);
  }
  return list;
}

export async function run(): Promise<void> {
  const typical = encodeStun(
    {
      class: StunClass.Request,
      method: StunMethod.Binding,
      transactionId: Buffer.alloc(12, 7),
      attributes: { username: 'Xp3d:9aKq', priority: 1853824767, iceControlling: 1n, useCandidate: true },
    },
    { integrityKey: shortTermKey('hsYbwqlw0Ncm5NeY7Prx1Rcs'), fingerprint: true },
  );
  const distinct = message(MOST, (i) => 0x0100 + i);
  const same = message(MOST, () => 0x0100);
  const software = Buffer.alloc(20 + 4 + 65_480);
  software.writeUInt16BE(0x0001, 0);
  software.writeUInt16BE(4 + 65_480, 2);
  software.writeUInt32BE(0x2112a442, 4);
  software.writeUInt16BE(0x8022, 20);
  software.writeUInt16BE(65_480, 22);
  const rows: BenchRow[] = [];
  const add = (name: string, size: number, fn: () => void, ms = 1000, batch = 100): void => {
    const ops = opsPerSecond(fn, ms, batch);
    rows.push({ name, value: ops, unit: 'decodes/s', extra: `${(1000 / ops).toFixed(3)} ms each, ${size} B` });
  };
  add('typical Binding request', typical.length, () => decodeStun(typical), 1000, 1000);
  add(`${MOST} distinct unknown required attributes`, distinct.length, () => decodeStun(distinct));
  add(`${MOST} copies of one unknown required attribute`, same.length, () => decodeStun(same));
  add('one 65,480-byte SOFTWARE attribute', software.length, () => decodeStun(software));
  add(`former algorithm on the ${MOST} distinct attributes`, distinct.length, () => formerUnknownList(distinct), 2000, 1);
  printTable('STUN decode of hostile 64 KiB messages', rows, 'typical Binding request');
}
