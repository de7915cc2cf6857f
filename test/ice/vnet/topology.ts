/**
 * Where things are on the virtual network: realms (the public internet, or
 * the private side of a NAT), the hosts in them, and the routing of one
 * packet up through NATs (at send time) and down through NATs (at arrival,
 * so that inbound filtering sees the permissions that exist by then).
 */
import type { Address } from '../../../lib/ice/types.js';
import type { TcpPort, UdpReceiver } from './endpoints.js';
import { Nat, type NatProtocol } from './nat.js';

/** Textual key of an address, `ip|port`. */
export const addressKey = (a: Address): string => `${a.address}|${a.port}`;

/** Formats an address for logs (`[v6]:port` or `v4:port`). */
export const formatAddress = (a: Address): string => (a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`);

/** Per-host link properties. */
export interface HostOptions {
  /** One-way latency of the host's access link in ms (default: the network's). */
  latencyMs?: number;
  /** Probability that a UDP packet leaving or reaching the host is lost (default 0). */
  udpLoss?: number;
}

/** A machine with one or more addresses, its bound ports and link properties. */
export class VirtualHost {
  readonly name: string;
  readonly addresses: string[];
  readonly realm: Realm;
  latencyMs: number;
  udpLoss: number;
  /** When true every packet and SYN to or from the host is dropped (a peer gone silent). */
  silent = false;
  /** Bound UDP sockets by `ip|port`. */
  readonly udpSockets = new Map<string, UdpReceiver>();
  /** Bound TCP ports by `ip|port`. */
  readonly tcpPorts = new Map<string, TcpPort>();
  private nextEphemeral = 49152;

  constructor(name: string, addresses: string[], realm: Realm, latencyMs: number, udpLoss: number) {
    this.name = name;
    this.addresses = addresses;
    this.realm = realm;
    this.latencyMs = latencyMs;
    this.udpLoss = udpLoss;
  }

  /** A fresh ephemeral port (sequential, so runs are reproducible). */
  ephemeralPort(inUse: (port: number) => boolean): number {
    for (let i = 0; i < 16384; i++) {
      const port = this.nextEphemeral;
      this.nextEphemeral = this.nextEphemeral >= 65535 ? 49152 : this.nextEphemeral + 1;
      if (!inUse(port)) return port;
    }
    throw new Error(`host ${this.name}: no free ephemeral port`);
  }
}

/** The public internet, or the inside of a NAT. */
export class Realm {
  readonly name: string;
  /** The NAT that leads out of this realm to `parent`, if any. */
  readonly gateway?: Nat;
  readonly parent?: Realm;
  readonly hosts = new Map<string, VirtualHost>();
  /** NATs whose public address lives in this realm, by that address. */
  readonly childNats = new Map<string, { nat: Nat; inside: Realm }>();

  constructor(name: string, gateway?: Nat, parent?: Realm) {
    this.name = name;
    this.gateway = gateway;
    this.parent = parent;
  }

  /** True when `ip` is reachable in this realm without leaving it. */
  contains(ip: string): boolean {
    return this.hosts.has(ip) || this.childNats.has(ip);
  }
}

/** A packet on its way: the realm it is in and its addresses as seen there. */
export interface RoutedPacket {
  realm: Realm;
  from: Address;
  to: Address;
  /** Number of NATs crossed on the way up (for logs). */
  hops: number;
}

/** The result of routing a packet all the way down to a host. */
export type Delivery = { ok: true; host: VirtualHost; from: Address; to: Address } | { ok: false; why: string };

/**
 * Moves a packet out through NATs until it is in a realm that contains its
 * destination. Returns the reason as a string when it cannot.
 */
export function routeUp(realm: Realm, protocol: NatProtocol, from: Address, to: Address): RoutedPacket | string {
  let current = realm;
  let src = from;
  let hops = 0;
  while (!current.contains(to.address)) {
    const nat = current.gateway;
    if (!nat || !current.parent) return `no route to ${formatAddress(to)} from realm ${realm.name}`;
    const translated = nat.outbound(protocol, src, to);
    if (!translated) return `NAT ${nat.publicAddress} dropped outbound ${protocol} to ${formatAddress(to)}`;
    src = translated;
    current = current.parent;
    hops++;
  }
  return { realm: current, from: src, to, hops };
}

/** Moves an arrived packet in through NATs (applying their filters) down to a host. */
export function routeDown(packet: RoutedPacket, protocol: NatProtocol, syn: boolean): Delivery {
  let realm = packet.realm;
  let to = packet.to;
  for (;;) {
    const host = realm.hosts.get(to.address);
    if (host) return { ok: true, host, from: packet.from, to };
    const child = realm.childNats.get(to.address);
    if (!child) return { ok: false, why: `no host ${to.address} in realm ${realm.name}` };
    const result = child.nat.inbound(protocol, packet.from, to, syn);
    if (!result.ok) return { ok: false, why: `NAT ${child.nat.publicAddress}: ${result.why}` };
    to = result.to;
    realm = child.inside;
  }
}
