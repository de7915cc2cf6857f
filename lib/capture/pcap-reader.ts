/**
 * A small reader of packet captures: classic pcap (microsecond and
 * nanosecond, either byte order) and pcapng (Section Header, Interface
 * Description, Enhanced and Simple Packet blocks; other blocks skipped).
 * Written here rather than taken from npm: the two formats are a few
 * dozen lines each, the maintained packages are bindings to libpcap
 * (native builds) or unmaintained, and a reader of hostile files must be
 * bounded in ways we control. Formats: pcap as in libpcap's pcap-savefile(5)
 * and draft-ietf-opsawg-pcap; pcapng as in draft-ietf-opsawg-pcapng.
 */
import { CaptureError } from './capture-errors.js';

/** One captured packet. */
export interface CapturedPacket {
  /** 0-based index in the file. */
  index: number;
  /** Capture time in microseconds since the Unix epoch (fractional for ns captures). */
  timeUs: number;
  /** The link type of its interface (LINKTYPE_* value). */
  linkType: number;
  /** The captured bytes (at most the snap length). */
  data: Buffer;
  /** Length of the packet on the wire (larger than `data` when cut by the snap length). */
  originalLength: number;
}

/** A whole capture as read. */
export interface Capture {
  format: 'pcap' | 'pcapng';
  packets: CapturedPacket[];
  /** Why the reader stopped early, if it did (e.g. the file ends inside a record). */
  truncated?: string;
}

/** Bounds of {@link readCapture}. */
export interface CaptureLimits {
  /** Largest packet record (default 262144, libpcap's largest snap length). */
  maxPacketBytes?: number;
  /** Most packets read (default 1,000,000). */
  maxPackets?: number;
}

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BYTE_ORDER = 0x1a2b3c4d;

/**
 * Reads a pcap or pcapng capture from its bytes.
 *
 * @throws CaptureError `ERR_CAPTURE_BAD_FORMAT`, `ERR_CAPTURE_TOO_LARGE`,
 *   `ERR_CAPTURE_UNSUPPORTED`
 */
export function readCapture(bytes: Buffer, limits: CaptureLimits = {}): Capture {
  const maxPacket = limits.maxPacketBytes ?? 262_144;
  const maxPackets = limits.maxPackets ?? 1_000_000;
  if (bytes.length < 4) throw new CaptureError('ERR_CAPTURE_BAD_FORMAT', `${bytes.length} bytes: too short for a capture`);
  const magicBE = bytes.readUInt32BE(0);
  if (magicBE === PCAPNG_SHB) return readPcapng(bytes, maxPacket, maxPackets);
  const magicLE = bytes.readUInt32LE(0);
  if ([PCAP_MAGIC_US, PCAP_MAGIC_NS].includes(magicBE) || [PCAP_MAGIC_US, PCAP_MAGIC_NS].includes(magicLE)) {
    return readPcap(bytes, maxPacket, maxPackets);
  }
  throw new CaptureError('ERR_CAPTURE_BAD_FORMAT', `magic 0x${magicBE.toString(16).padStart(8, '0')} is neither pcap nor pcapng`);
}

function tooMany(maxPackets: number): CaptureError {
  return new CaptureError('ERR_CAPTURE_TOO_LARGE', `more than ${maxPackets} packets`);
}

function readPcap(bytes: Buffer, maxPacket: number, maxPackets: number): Capture {
  const le = bytes.readUInt32LE(0) === PCAP_MAGIC_US || bytes.readUInt32LE(0) === PCAP_MAGIC_NS;
  const u32 = (off: number): number => (le ? bytes.readUInt32LE(off) : bytes.readUInt32BE(off));
  const u16 = (off: number): number => (le ? bytes.readUInt16LE(off) : bytes.readUInt16BE(off));
  const nano = u32(0) === PCAP_MAGIC_NS;
  if (bytes.length < 24) return { format: 'pcap', packets: [], truncated: 'the file ends inside the 24-byte file header' };
  const major = u16(4);
  if (major !== 2) throw new CaptureError('ERR_CAPTURE_UNSUPPORTED', `pcap version ${major}.${u16(6)} (only 2.x is read)`);
  // The link type is the low 16 bits; the upper bits may hold FCS flags (pcap-savefile(5)).
  const linkType = u32(20) & 0xffff;
  const packets: CapturedPacket[] = [];
  let off = 24;
  while (off < bytes.length) {
    if (off + 16 > bytes.length)
      return { format: 'pcap', packets, truncated: `the file ends inside the header of record ${packets.length + 1} (offset ${off})` };
    const sec = u32(off);
    const frac = u32(off + 4);
    const caplen = u32(off + 8);
    const origlen = u32(off + 12);
    if (caplen > maxPacket) {
      throw new CaptureError(
        'ERR_CAPTURE_TOO_LARGE',
        `record ${packets.length + 1} at offset ${off} claims ${caplen} bytes (at most ${maxPacket} are read)`,
      );
    }
    if (off + 16 + caplen > bytes.length) {
      return {
        format: 'pcap',
        packets,
        truncated: `record ${packets.length + 1} claims ${caplen} bytes but the file ends after ${bytes.length - off - 16}`,
      };
    }
    if (packets.length >= maxPackets) throw tooMany(maxPackets);
    packets.push({
      index: packets.length,
      timeUs: sec * 1e6 + (nano ? frac / 1000 : frac),
      linkType,
      data: bytes.subarray(off + 16, off + 16 + caplen),
      originalLength: Math.max(origlen, caplen),
    });
    off += 16 + caplen;
  }
  return { format: 'pcap', packets };
}

interface Interface {
  linkType: number;
  /** Time units per second. */
  unitsPerSecond: number;
}

function readPcapng(bytes: Buffer, maxPacket: number, maxPackets: number): Capture {
  const packets: CapturedPacket[] = [];
  let interfaces: Interface[] = [];
  let le = true;
  let off = 0;
  const maxBlock = maxPacket + 1024 * 64;
  while (off < bytes.length) {
    if (off + 12 > bytes.length) return { format: 'pcapng', packets, truncated: `the file ends inside a block header (offset ${off})` };
    const typeBE = bytes.readUInt32BE(off);
    if (typeBE === PCAPNG_SHB) {
      // Section Header Block: the byte-order magic decides this section's endianness.
      const bom = bytes.readUInt32LE(off + 8);
      if (bom === PCAPNG_BYTE_ORDER) le = true;
      else if (bytes.readUInt32BE(off + 8) === PCAPNG_BYTE_ORDER) le = false;
      else throw new CaptureError('ERR_CAPTURE_BAD_FORMAT', `section at offset ${off}: bad byte-order magic`);
      interfaces = [];
    }
    const u32 = (o: number): number => (le ? bytes.readUInt32LE(o) : bytes.readUInt32BE(o));
    const u16 = (o: number): number => (le ? bytes.readUInt16LE(o) : bytes.readUInt16BE(o));
    const type = u32(off);
    const length = u32(off + 4);
    if (length < 12 || length % 4 !== 0)
      throw new CaptureError('ERR_CAPTURE_BAD_FORMAT', `block at offset ${off}: length ${length} is not a multiple of 4 of at least 12`);
    if (length > maxBlock)
      throw new CaptureError('ERR_CAPTURE_TOO_LARGE', `block at offset ${off} claims ${length} bytes (at most ${maxBlock})`);
    if (off + length > bytes.length)
      return {
        format: 'pcapng',
        packets,
        truncated: `block at offset ${off} claims ${length} bytes but the file ends after ${bytes.length - off}`,
      };
    if (u32(off + length - 4) !== length)
      throw new CaptureError('ERR_CAPTURE_BAD_FORMAT', `block at offset ${off}: trailing length differs from ${length}`);
    const body = off + 8;
    const bodyEnd = off + length - 4;
    if (type === 1) {
      // Interface Description Block: link type, snap length, options (if_tsresol = 9).
      if (bodyEnd - body < 8) throw new CaptureError('ERR_CAPTURE_BAD_FORMAT', `interface block at offset ${off} is too short`);
      let unitsPerSecond = 1e6;
      let o = body + 8;
      while (o + 4 <= bodyEnd) {
        const code = u16(o);
        const len = u16(o + 2);
        if (code === 0 || o + 4 + len > bodyEnd) break;
        if (code === 9 && len >= 1) {
          const v = bytes[o + 4];
          unitsPerSecond = v & 0x80 ? 2 ** (v & 0x7f) : 10 ** (v & 0x7f);
        }
        o += 4 + ((len + 3) & ~3);
      }
      if (interfaces.length >= 1024) throw new CaptureError('ERR_CAPTURE_TOO_LARGE', 'more than 1024 interfaces');
      interfaces.push({ linkType: u16(body), unitsPerSecond });
    } else if (type === 6 || type === 3) {
      let ifIndex = 0;
      let timeUs = 0;
      let caplen: number;
      let origlen: number;
      let dataAt: number;
      if (type === 6) {
        // Enhanced Packet Block.
        if (bodyEnd - body < 20) throw new CaptureError('ERR_CAPTURE_BAD_FORMAT', `packet block at offset ${off} is too short`);
        ifIndex = u32(body);
        const ts = u32(body + 4) * 2 ** 32 + u32(body + 8);
        const iface = interfaces[ifIndex];
        if (iface === undefined)
          throw new CaptureError(
            'ERR_CAPTURE_BAD_FORMAT',
            `packet block at offset ${off} names interface ${ifIndex}, which is not described`,
          );
        timeUs = (ts / iface.unitsPerSecond) * 1e6;
        caplen = u32(body + 12);
        origlen = u32(body + 16);
        dataAt = body + 20;
      } else {
        // Simple Packet Block: interface 0, no time, captured length from the block length.
        origlen = u32(body);
        dataAt = body + 4;
        caplen = Math.min(origlen, bodyEnd - dataAt);
      }
      if (caplen > bodyEnd - dataAt)
        throw new CaptureError('ERR_CAPTURE_BAD_FORMAT', `packet block at offset ${off} claims ${caplen} bytes in a ${length}-byte block`);
      const iface = interfaces[ifIndex];
      if (iface === undefined) throw new CaptureError('ERR_CAPTURE_BAD_FORMAT', `packet block at offset ${off} before any interface block`);
      if (packets.length >= maxPackets) throw tooMany(maxPackets);
      packets.push({
        index: packets.length,
        timeUs,
        linkType: iface.linkType,
        data: bytes.subarray(dataAt, dataAt + caplen),
        originalLength: Math.max(origlen, caplen),
      });
    }
    off += length;
  }
  return { format: 'pcapng', packets };
}
