/**
 * A NAT between a private realm and its parent (RFC 4787 terms): always
 * endpoint-independent mapping (one public port per private address, port and
 * protocol, whatever the destination), configurable filtering, and the two
 * behaviours ICE-TCP cares about: inbound SYNs with no matching outbound SYN
 * are dropped (no RST), and UDP can be blocked altogether.
 */
import type { Address } from '../../../lib/ice/types.js';

/** Protocols a NAT translates. */
export type NatProtocol = 'udp' | 'tcp';

/** Inbound filtering of RFC 4787 §5. */
export type NatFiltering = 'endpoint-independent' | 'address-dependent' | 'address-port-dependent';

/** Options of a {@link Nat}. */
export interface NatOptions {
  /** The NAT's address in the parent realm (IPv4). */
  publicAddress: string;
  /** UDP inbound filtering (default `'address-port-dependent'`). */
  filtering?: NatFiltering;
  /**
   * Drop an inbound SYN unless the private side has sent a SYN to exactly
   * that remote address and port through this mapping (default true).
   */
  dropUnsolicitedSyn?: boolean;
  /** Drop every UDP packet in both directions (default false). */
  udpBlocked?: boolean;
  /** First public port handed out (default 40000); ports are sequential, never preserved. */
  firstPort?: number;
}

interface Mapping {
  protocol: NatProtocol;
  inside: Address;
  publicPort: number;
  /** Remote "address|port" keys the inside has sent to (UDP) or sent a SYN to (TCP). */
  permissions: Set<string>;
  /** Remote addresses the inside has sent to. */
  addressPermissions: Set<string>;
}

const key = (a: Address): string => `${a.address}|${a.port}`;

/** Outcome of an inbound lookup: the private destination, or why it was dropped. */
export type InboundResult = { ok: true; to: Address } | { ok: false; why: string };

/** One NAT box. Stateless apart from its mappings, which never expire here. */
export class Nat {
  readonly publicAddress: string;
  readonly filtering: NatFiltering;
  dropUnsolicitedSyn: boolean;
  udpBlocked: boolean;
  private nextPort: number;
  private readonly byInside = new Map<string, Mapping>();
  private readonly byPublicPort = new Map<string, Mapping>();

  constructor(options: NatOptions) {
    this.publicAddress = options.publicAddress;
    this.filtering = options.filtering ?? 'address-port-dependent';
    this.dropUnsolicitedSyn = options.dropUnsolicitedSyn ?? true;
    this.udpBlocked = options.udpBlocked ?? false;
    this.nextPort = options.firstPort ?? 40000;
  }

  /** Number of live mappings (both protocols). */
  get mappingCount(): number {
    return this.byInside.size;
  }

  /**
   * Translates an outbound packet's source (creating the mapping and the
   * permission for `to`), or returns null when the protocol is blocked or
   * the destination is IPv6 (this NAT is NAT44 only).
   */
  outbound(protocol: NatProtocol, from: Address, to: Address): Address | null {
    if (protocol === 'udp' && this.udpBlocked) return null;
    if (to.address.includes(':') || from.address.includes(':')) return null;
    const insideKey = `${protocol}|${key(from)}`;
    let m = this.byInside.get(insideKey);
    if (!m) {
      // RFC 4787 §4.1: endpoint-independent mapping, the same public port for every destination.
      m = {
        protocol,
        inside: { ...from },
        publicPort: this.nextPort++,
        permissions: new Set(),
        addressPermissions: new Set(),
      };
      this.byInside.set(insideKey, m);
      this.byPublicPort.set(`${protocol}|${m.publicPort}`, m);
    }
    m.permissions.add(key(to));
    m.addressPermissions.add(to.address);
    return { address: this.publicAddress, port: m.publicPort };
  }

  /** The public address an inside address is (or would be) mapped to, if mapped. */
  mappedAddress(protocol: NatProtocol, inside: Address): Address | undefined {
    const m = this.byInside.get(`${protocol}|${key(inside)}`);
    return m ? { address: this.publicAddress, port: m.publicPort } : undefined;
  }

  /**
   * Looks up an inbound packet arriving at the public address. `syn` marks
   * the first segment of a TCP connection; later segments of an accepted
   * connection never come through here (the connection carries them).
   */
  inbound(protocol: NatProtocol, from: Address, to: Address, syn: boolean): InboundResult {
    if (protocol === 'udp' && this.udpBlocked) return { ok: false, why: 'udp blocked' };
    const m = this.byPublicPort.get(`${protocol}|${to.port}`);
    if (!m) return { ok: false, why: `no ${protocol} mapping for port ${to.port}` };
    if (protocol === 'tcp') {
      if (syn && this.dropUnsolicitedSyn && !m.permissions.has(key(from))) {
        return { ok: false, why: `unsolicited SYN from ${key(from)}` };
      }
      return { ok: true, to: { ...m.inside } };
    }
    if (this.filtering === 'address-port-dependent' && !m.permissions.has(key(from))) {
      return { ok: false, why: `filtered: never sent to ${key(from)}` };
    }
    if (this.filtering === 'address-dependent' && !m.addressPermissions.has(from.address)) {
      return { ok: false, why: `filtered: never sent to ${from.address}` };
    }
    return { ok: true, to: { ...m.inside } };
  }
}
