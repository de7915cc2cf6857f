/**
 * From a captured frame to its IP packet, for the link types seen on hosts
 * running ICE: Ethernet (with 802.1Q tags), Linux cooked capture v1 (SLL)
 * and v2 (SLL2), raw IP, and BSD loopback (null / loop). LINKTYPE values
 * as registered in the tcpdump.org link-type list.
 */

/** LINKTYPE_* values the reader decodes. */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/** OpenBSD's DLT_RAW (12) and DLT_RAW on some systems (14) are raw IP too. */
const RAW_ALIASES = new Set([12, 14]);

/** The IP packet inside a frame, or why there is none. */
export type LinkResult = { ip: Buffer } | { skip: string };

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = [0x8100, 0x88a8, 0x9100];

function byEthertype(ethertype: number, payload: Buffer): LinkResult {
  if (ethertype === ETHERTYPE_IPV4 || ethertype === ETHERTYPE_IPV6) return { ip: payload };
  return { skip: `ethertype 0x${ethertype.toString(16).padStart(4, '0')} is not IP` };
}

/** BSD AF_INET6 values differ per system (24 NetBSD/OpenBSD, 28 FreeBSD, 30 macOS); AF_INET is 2 everywhere. */
function byFamily(family: number, payload: Buffer): LinkResult {
  if (family === 2 || family === 24 || family === 28 || family === 30) return { ip: payload };
  return { skip: `address family ${family} is not IP` };
}

/** True when the reader decodes this link type. */
export function isSupportedLinkType(linkType: number): boolean {
  return (Object.values(LinkType) as number[]).includes(linkType) || RAW_ALIASES.has(linkType);
}

/** Strips the link header of one frame. */
export function ipFromFrame(linkType: number, frame: Buffer): LinkResult {
  switch (linkType) {
    case LinkType.ETHERNET: {
      if (frame.length < 14) return { skip: 'Ethernet frame shorter than its header' };
      let off = 12;
      let ethertype = frame.readUInt16BE(off);
      while (ETHERTYPE_VLAN.includes(ethertype)) {
        off += 4;
        if (frame.length < off + 2) return { skip: 'VLAN tag cut short' };
        ethertype = frame.readUInt16BE(off);
      }
      return byEthertype(ethertype, frame.subarray(off + 2));
    }
    case LinkType.LINUX_SLL:
      if (frame.length < 16) return { skip: 'SLL header cut short' };
      return byEthertype(frame.readUInt16BE(14), frame.subarray(16));
    case LinkType.LINUX_SLL2:
      if (frame.length < 20) return { skip: 'SLL2 header cut short' };
      return byEthertype(frame.readUInt16BE(0), frame.subarray(20));
    case LinkType.NULL:
      // The family is in the capturing host's byte order: take whichever reading is small.
      if (frame.length < 4) return { skip: 'loopback header cut short' };
      return byFamily(frame.readUInt32LE(0) < 256 ? frame.readUInt32LE(0) : frame.readUInt32BE(0), frame.subarray(4));
    case LinkType.LOOP:
      if (frame.length < 4) return { skip: 'loopback header cut short' };
      return byFamily(frame.readUInt32BE(0), frame.subarray(4));
    case LinkType.RAW:
    case LinkType.IPV4:
    case LinkType.IPV6:
      return { ip: frame };
    default:
      if (RAW_ALIASES.has(linkType)) return { ip: frame };
      return { skip: `link type ${linkType} is not decoded` };
  }
}
