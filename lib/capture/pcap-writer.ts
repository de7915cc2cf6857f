/**
 * Writers of pcap and pcapng files (little-endian, microsecond times), for
 * making test captures: editing a copy of a capture (dropping a segment,
 * cutting it short) and converting pcap to pcapng.
 */
import type { CapturedPacket } from './pcap-reader.js';

/** What a writer needs of a packet. */
export type PacketToWrite = Pick<CapturedPacket, 'timeUs' | 'linkType' | 'data'> & { originalLength?: number };

/** A classic pcap file (magic a1b2c3d4, version 2.4, µs times); every packet must share the first one's link type. */
export function writePcap(packets: readonly PacketToWrite[], linkType = packets[0]?.linkType ?? 1, snapLength = 262_144): Buffer {
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(snapLength, 16);
  header.writeUInt32LE(linkType, 20);
  const parts: Buffer[] = [header];
  for (const p of packets) {
    if (p.linkType !== linkType) throw new RangeError(`writePcap: packet link type ${p.linkType} differs from the file's ${linkType}`);
    const rec = Buffer.alloc(16);
    const us = Math.round(p.timeUs);
    rec.writeUInt32LE(Math.floor(us / 1e6), 0);
    rec.writeUInt32LE(us % 1e6, 4);
    rec.writeUInt32LE(p.data.length, 8);
    rec.writeUInt32LE(Math.max(p.originalLength ?? p.data.length, p.data.length), 12);
    parts.push(rec, p.data);
  }
  return Buffer.concat(parts);
}

function block(type: number, body: Buffer): Buffer {
  const padded = (body.length + 3) & ~3;
  const out = Buffer.alloc(12 + padded);
  out.writeUInt32LE(type, 0);
  out.writeUInt32LE(out.length, 4);
  body.copy(out, 8);
  out.writeUInt32LE(out.length, out.length - 4);
  return out;
}

/** A pcapng file: one section, one interface per link type met, Enhanced Packet Blocks with µs times. */
export function writePcapng(packets: readonly PacketToWrite[], snapLength = 262_144): Buffer {
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeUInt16LE(0, 6);
  shb.writeBigInt64LE(-1n, 8); // section length not given
  const parts = [block(0x0a0d0d0a, shb)];
  const interfaces = new Map<number, number>();
  for (const p of packets) {
    let id = interfaces.get(p.linkType);
    if (id === undefined) {
      id = interfaces.size;
      interfaces.set(p.linkType, id);
      const idb = Buffer.alloc(8);
      idb.writeUInt16LE(p.linkType, 0);
      idb.writeUInt32LE(snapLength, 4);
      parts.push(block(1, idb));
    }
    const head = Buffer.alloc(20);
    const us = BigInt(Math.round(p.timeUs));
    head.writeUInt32LE(id, 0);
    head.writeUInt32LE(Number(us >> 32n), 4);
    head.writeUInt32LE(Number(us & 0xffffffffn), 8);
    head.writeUInt32LE(p.data.length, 12);
    head.writeUInt32LE(Math.max(p.originalLength ?? p.data.length, p.data.length), 16);
    parts.push(block(6, Buffer.concat([head, p.data])));
  }
  return Buffer.concat(parts);
}
