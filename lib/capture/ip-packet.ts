/**
 * IPv4 (RFC 791) and IPv6 (RFC 8200) headers, then the TCP (RFC 9293) or
 * UDP (RFC 768) header: what the capture analysis needs of each packet.
 * Fragments are reported, not reassembled (ICE packets are small).
 */

/** A TCP segment or UDP datagram with its addresses. */
export interface TransportSegment {
  protocol: 'tcp' | 'udp';
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  payload: Buffer;
  /** TCP only. */
  tcp?: { seq: number; ack: number; syn: boolean; fin: boolean; rst: boolean; ackFlag: boolean };
}

/** A segment, or why the packet was not one. */
export type IpResult = { segment: TransportSegment } | { skip: string };

function ipv4Text(b: Buffer, off: number): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/** The compressed text form of an IPv6 address (RFC 5952). */
export function ipv6Text(b: Buffer, off: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(b.readUInt16BE(off + 2 * i));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

function transport(protocol: number, src: string, dst: string, b: Buffer): IpResult {
  if (protocol === 17) {
    if (b.length < 8) return { skip: 'UDP header cut short' };
    const len = b.readUInt16BE(4);
    // RFC 768: the length covers header and data; a capture may hold less (snap length).
    const end = len >= 8 ? Math.min(len, b.length) : b.length;
    return { segment: { protocol: 'udp', src, srcPort: b.readUInt16BE(0), dst, dstPort: b.readUInt16BE(2), payload: b.subarray(8, end) } };
  }
  if (protocol === 6) {
    if (b.length < 20) return { skip: 'TCP header cut short' };
    const dataOff = (b[12] >> 4) * 4;
    if (dataOff < 20 || dataOff > b.length) return { skip: `TCP data offset ${dataOff} is out of the segment` };
    const flags = b[13];
    return {
      segment: {
        protocol: 'tcp',
        src,
        srcPort: b.readUInt16BE(0),
        dst,
        dstPort: b.readUInt16BE(2),
        payload: b.subarray(dataOff),
        tcp: {
          seq: b.readUInt32BE(4),
          ack: b.readUInt32BE(8),
          fin: (flags & 1) !== 0,
          syn: (flags & 2) !== 0,
          rst: (flags & 4) !== 0,
          ackFlag: (flags & 16) !== 0,
        },
      },
    };
  }
  return { skip: `IP protocol ${protocol} is neither TCP nor UDP` };
}

/** Parses an IP packet down to its TCP or UDP segment. */
export function segmentFromIp(ip: Buffer): IpResult {
  if (ip.length < 1) return { skip: 'empty IP packet' };
  const version = ip[0] >> 4;
  if (version === 4) {
    if (ip.length < 20) return { skip: 'IPv4 header cut short' };
    const ihl = (ip[0] & 0x0f) * 4;
    if (ihl < 20 || ihl > ip.length) return { skip: `IPv4 header length ${ihl} is out of the packet` };
    const total = ip.readUInt16BE(2);
    const fragment = ip.readUInt16BE(6);
    if ((fragment & 0x1fff) !== 0 || (fragment & 0x2000) !== 0) return { skip: 'IPv4 fragment (not reassembled)' };
    // TSO captures may show total length 0: then the captured bytes are the packet.
    const end = total >= ihl ? Math.min(total, ip.length) : ip.length;
    return transport(ip[9], ipv4Text(ip, 12), ipv4Text(ip, 16), ip.subarray(ihl, end));
  }
  if (version === 6) {
    if (ip.length < 40) return { skip: 'IPv6 header cut short' };
    const payloadLength = ip.readUInt16BE(4);
    let next = ip[6];
    let off = 40;
    const end = payloadLength > 0 ? Math.min(40 + payloadLength, ip.length) : ip.length;
    // Extension headers (RFC 8200 §4): hop-by-hop, routing, destination options; a fragment header stops us.
    for (let hops = 0; hops < 8 && (next === 0 || next === 43 || next === 60 || next === 44); hops++) {
      if (next === 44) return { skip: 'IPv6 fragment (not reassembled)' };
      if (off + 2 > end) return { skip: 'IPv6 extension header cut short' };
      const len = (ip[off + 1] + 1) * 8;
      next = ip[off]!;
      off += len;
    }
    if (off > end) return { skip: 'IPv6 extension headers run past the packet' };
    return transport(next, ipv6Text(ip, 8), ipv6Text(ip, 24), ip.subarray(off, end));
  }
  return { skip: `IP version ${version}` };
}
