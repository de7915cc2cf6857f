/**
 * The pcap/pcapng reader on hand-made and hostile files: both byte orders,
 * nanosecond pcap, pcapng time resolutions and simple packet blocks, files
 * cut anywhere (a note, not an error), huge lengths and bad blocks (typed
 * errors, bounded work), and writer → reader round trips.
 */
import test from 'ava';
import fc from 'fast-check';
import { CaptureError, readCapture, writePcap, writePcapng } from '../../lib/capture/index.js';

const packets = [
  { timeUs: 1_700_000_000_123_456, linkType: 1, data: Buffer.from('00112233445566778899aabb0800', 'hex') },
  { timeUs: 1_700_000_001_000_001, linkType: 1, data: Buffer.alloc(100, 7) },
];

const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (error) {
    if (error instanceof CaptureError) return error.code;
    throw error;
  }
  return undefined;
};

test('pcap and pcapng written by us read back identically (times, link type, bytes)', (t) => {
  for (const bytes of [writePcap(packets), writePcapng(packets)]) {
    const c = readCapture(bytes);
    t.is(c.truncated, undefined);
    t.deepEqual(
      c.packets.map((p) => [p.timeUs, p.linkType, p.data.toString('hex'), p.originalLength]),
      packets.map((p) => [p.timeUs, p.linkType, p.data.toString('hex'), p.data.length]),
    );
  }
  t.is(readCapture(writePcap(packets)).format, 'pcap');
  t.is(readCapture(writePcapng(packets)).format, 'pcapng');
});

test('big-endian and nanosecond pcap', (t) => {
  const le = writePcap(packets);
  const be = Buffer.from(le);
  be.writeUInt32BE(0xa1b2c3d4, 0);
  be.writeUInt16BE(2, 4);
  be.writeUInt16BE(4, 6);
  be.writeUInt32BE(262144, 16);
  be.writeUInt32BE(1, 20);
  let off = 24;
  for (const p of packets) {
    for (let i = 0; i < 4; i++) be.writeUInt32BE(le.readUInt32LE(off + 4 * i), off + 4 * i);
    off += 16 + p.data.length;
  }
  t.deepEqual(
    readCapture(be).packets.map((p) => p.timeUs),
    packets.map((p) => p.timeUs),
  );
  const ns = Buffer.from(le);
  ns.writeUInt32LE(0xa1b23c4d, 0);
  ns.writeUInt32LE(500, 24 + 4); // 500 ns
  t.is(readCapture(ns).packets[0].timeUs, 1_700_000_000 * 1e6 + 0.5);
});

test('pcapng: if_tsresol, simple packet blocks and unknown blocks', (t) => {
  const block = (type: number, body: Buffer): Buffer => {
    const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
    const out = Buffer.alloc(12 + padded.length);
    out.writeUInt32LE(type, 0);
    out.writeUInt32LE(out.length, 4);
    padded.copy(out, 8);
    out.writeUInt32LE(out.length, out.length - 4);
    return out;
  };
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeBigInt64LE(-1n, 8);
  const idb = Buffer.alloc(8 + 8 + 4);
  idb.writeUInt16LE(101, 0);
  idb.writeUInt16LE(9, 8); // if_tsresol
  idb.writeUInt16LE(1, 10);
  idb[12] = 9; // 10^-9
  const epb = Buffer.alloc(20 + 4);
  epb.writeUInt32LE(0, 8);
  epb.writeUInt32LE(2_000_000_000, 8); // 2 s in ns
  epb.writeUInt32LE(4, 12);
  epb.writeUInt32LE(4, 16);
  epb.writeUInt32LE(0x45000000, 20);
  const spb = Buffer.concat([Buffer.from([3, 0, 0, 0]), Buffer.from([0x60, 0, 0])]);
  const file = Buffer.concat([block(0x0a0d0d0a, shb), block(1, idb), block(0x0bad, Buffer.alloc(5)), block(6, epb), block(3, spb)]);
  const c = readCapture(file);
  t.is(c.packets.length, 2);
  t.is(c.packets[0].timeUs, 2e6);
  t.is(c.packets[0].linkType, 101);
  t.is(c.packets[1].data.length, 3);
});

test('files cut anywhere: what was read, and a note; never a throw', (t) => {
  // A cut at a record or block boundary is a shorter, complete file.
  const pcapBounds = new Set([0, 1, 2].map((k) => writePcap(packets.slice(0, k), 1).length));
  const ngBounds = new Set([28, 48, ...[1, 2].map((k) => writePcapng(packets.slice(0, k)).length)]);
  for (const [bytes, bounds] of [
    [writePcap(packets), pcapBounds],
    [writePcapng(packets), ngBounds],
  ] as const) {
    for (let cut = 4; cut < bytes.length; cut++) {
      const c = readCapture(bytes.subarray(0, cut));
      t.true(c.packets.length <= packets.length);
      if (!bounds.has(cut)) t.truthy(c.truncated, `cut at ${cut}`);
      else t.is(c.truncated, undefined, `cut at ${cut}`);
    }
  }
  t.is(
    code(() => readCapture(Buffer.from([1, 2]))),
    'ERR_CAPTURE_BAD_FORMAT',
  );
});

test('hostile lengths and blocks are typed errors, checked before any allocation', (t) => {
  const huge = writePcap(packets);
  huge.writeUInt32LE(0xfffffff0, 24 + 8);
  t.is(
    code(() => readCapture(huge)),
    'ERR_CAPTURE_TOO_LARGE',
  );
  const ng = writePcapng(packets);
  const badLen = Buffer.from(ng);
  badLen.writeUInt32LE(13, 4);
  t.is(
    code(() => readCapture(badLen)),
    'ERR_CAPTURE_BAD_FORMAT',
  );
  const hugeBlock = Buffer.from(ng);
  hugeBlock.writeUInt32LE(0x7ffffff0, 28 + 4); // the interface block (after the 28-byte SHB)
  t.is(
    code(() => readCapture(hugeBlock)),
    'ERR_CAPTURE_TOO_LARGE',
  );
  const trailer = Buffer.from(ng);
  trailer.writeUInt32LE(999, 24);
  t.is(
    code(() => readCapture(trailer)),
    'ERR_CAPTURE_BAD_FORMAT',
  );
  const version = writePcap(packets);
  version.writeUInt16LE(3, 4);
  t.is(
    code(() => readCapture(version)),
    'ERR_CAPTURE_UNSUPPORTED',
  );
  t.is(
    code(() => readCapture(writePcap(packets), { maxPackets: 1 })),
    'ERR_CAPTURE_TOO_LARGE',
  );
});

test('property: any bytes after a valid header are read or refused with a CaptureError, quickly', (t) => {
  const header = writePcap([]);
  const ngHeader = writePcapng([{ timeUs: 0, linkType: 1, data: Buffer.alloc(0) }]).subarray(0, 28 + 20);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (tail, ng) => {
      const bytes = Buffer.concat([ng ? ngHeader : header, Buffer.from(tail)]);
      try {
        readCapture(bytes, { maxPacketBytes: 4096 });
      } catch (error) {
        if (!(error instanceof CaptureError)) throw error;
      }
    }),
    { numRuns: 2000 },
  );
  t.pass();
});
