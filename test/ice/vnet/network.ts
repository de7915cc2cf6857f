/**
 * The virtual network: a clock, hosts in realms behind NATs, UDP delivery
 * with latency and seeded loss, and the TCP model ({@link TcpModel}). Fully
 * deterministic for a given seed: no real timers, no Math.random.
 */
import createDebug from 'debug';
import type { Address } from '../../../lib/ice/types.js';
import type { UdpReceiver } from './endpoints.js';
import { Nat, type NatOptions } from './nat.js';
import { Prng } from './prng.js';
import { Scheduler } from './scheduler.js';
import { TcpModel } from './tcp.js';
import { addressKey, formatAddress, Realm, routeDown, routeUp, VirtualHost, type HostOptions } from './topology.js';

const log = createDebug('ice-tcp:vnet');

/** Options of the whole network. */
export interface VirtualNetworkOptions {
  /** Seed of the network's own randomness (loss, segmentation). Default 1. */
  seed?: number;
  /** Default one-way access-link latency of each host in ms (default 5; a path costs both ends'). */
  latencyMs?: number;
  /** Probability that any UDP packet is lost on the way (default 0). */
  udpLoss?: number;
}

/** A datagram as a tap sees it, in the sender's realm view and the receiver's. */
export interface UdpTrace {
  at: number;
  fromHost: string;
  from: Address;
  to: Address;
  data: Buffer;
  fate: 'sent' | 'lost' | 'unroutable';
}

/** Counters for the tests and for debugging. */
export interface NetworkStats {
  udpSent: number;
  udpDelivered: number;
  udpLost: number;
  udpDropped: number;
}

/** The whole virtual network. */
export class VirtualNetwork {
  readonly clock = new Scheduler();
  readonly prng: Prng;
  readonly internet = new Realm('internet');
  readonly tcp: TcpModel;
  readonly stats: NetworkStats = { udpSent: 0, udpDelivered: 0, udpLost: 0, udpDropped: 0 };
  /** Called for every UDP packet sent (taps see packets even when lost). */
  readonly udpTaps: Array<(trace: UdpTrace) => void> = [];
  /** Extra UDP drop rule (fault injection); return a reason string to drop. */
  udpFilter: ((from: Address, to: Address, data: Buffer) => string | undefined) | undefined;
  udpLoss: number;
  readonly defaultLatencyMs: number;
  private readonly hosts = new Map<string, VirtualHost>();

  constructor(options: VirtualNetworkOptions = {}) {
    this.prng = new Prng(options.seed ?? 1);
    this.defaultLatencyMs = options.latencyMs ?? 5;
    this.udpLoss = options.udpLoss ?? 0;
    this.tcp = new TcpModel(this);
  }

  /** The current virtual time. */
  get now(): number {
    return this.clock.now;
  }

  /** Adds a host with the given addresses to a realm (default: the internet). */
  addHost(name: string, addresses: string[], options: HostOptions & { realm?: Realm } = {}): VirtualHost {
    if (this.hosts.has(name)) throw new Error(`duplicate host name ${name}`);
    const realm = options.realm ?? this.internet;
    const host = new VirtualHost(name, addresses, realm, options.latencyMs ?? this.defaultLatencyMs, options.udpLoss ?? 0);
    for (const a of addresses) {
      if (realm.contains(a)) throw new Error(`address ${a} already used in realm ${realm.name}`);
      realm.hosts.set(a, host);
    }
    this.hosts.set(name, host);
    return host;
  }

  /** Adds a NAT whose public side is in `parent` (default: the internet); returns it and its inside realm. */
  addNat(name: string, options: NatOptions & { parent?: Realm }): { nat: Nat; realm: Realm } {
    const parent = options.parent ?? this.internet;
    if (parent.contains(options.publicAddress)) throw new Error(`address ${options.publicAddress} already used`);
    const nat = new Nat(options);
    const realm = new Realm(name, nat, parent);
    parent.childNats.set(options.publicAddress, { nat, inside: realm });
    return { nat, realm };
  }

  /** Binds a UDP socket (port 0: an ephemeral one). Returns the bound address. */
  bindUdp(host: VirtualHost, address: Address, receiver: UdpReceiver): Address {
    if (!host.addresses.includes(address.address)) throw new Error(`${host.name} has no address ${address.address}`);
    let port = address.port;
    if (port === 0) port = host.ephemeralPort((p) => host.udpSockets.has(addressKey({ address: address.address, port: p })));
    const bound = { address: address.address, port };
    const key = addressKey(bound);
    if (host.udpSockets.has(key)) throw new Error(`${host.name}: UDP ${formatAddress(bound)} in use`);
    host.udpSockets.set(key, receiver);
    return bound;
  }

  /** Closes a UDP socket. */
  unbindUdp(host: VirtualHost, address: Address): void {
    host.udpSockets.delete(addressKey(address));
  }

  /**
   * Sends a datagram from a bound socket. Routing (and NAT mapping) happens
   * now; loss is drawn now; inbound NAT filtering happens on arrival.
   */
  sendUdp(host: VirtualHost, from: Address, to: Address, data: Buffer): void {
    const copy = Buffer.from(data);
    this.stats.udpSent++;
    const trace: UdpTrace = { at: this.now, fromHost: host.name, from, to, data: copy, fate: 'sent' };
    const drop = (why: string, fate: UdpTrace['fate'] = 'unroutable'): void => {
      trace.fate = fate;
      if (fate === 'lost') this.stats.udpLost++;
      else this.stats.udpDropped++;
      log('udp %s %s -> %s dropped: %s', host.name, formatAddress(from), formatAddress(to), why);
      for (const tap of this.udpTaps) tap(trace);
    };
    if (host.silent) return drop('sender is silent');
    const filtered = this.udpFilter?.(from, to, copy);
    if (filtered) return drop(filtered);
    const routed = routeUp(host.realm, 'udp', from, to);
    if (typeof routed === 'string') return drop(routed);
    const loss = 1 - (1 - this.udpLoss) * (1 - host.udpLoss);
    if (this.prng.chance(loss)) return drop('lost', 'lost');
    for (const tap of this.udpTaps) tap(trace);
    this.clock.after(host.latencyMs, 'udp-arrive', () => {
      const delivery = routeDown(routed, 'udp', false);
      if (!delivery.ok) {
        this.stats.udpDropped++;
        log('udp %s -> %s dropped on arrival: %s', formatAddress(routed.from), formatAddress(to), delivery.why);
        return;
      }
      const dest = delivery.host;
      if (dest.udpLoss > 0 && this.prng.chance(dest.udpLoss)) {
        this.stats.udpLost++;
        log('udp to %s lost on the last hop', dest.name);
        return;
      }
      this.clock.after(dest.latencyMs, 'udp-deliver', () => {
        if (dest.silent) {
          this.stats.udpDropped++;
          log('udp to silent host %s dropped', dest.name);
          return;
        }
        const receiver = dest.udpSockets.get(addressKey(delivery.to));
        if (!receiver) {
          this.stats.udpDropped++;
          log('udp to %s:%s: no socket (port unreachable)', dest.name, formatAddress(delivery.to));
          return;
        }
        this.stats.udpDelivered++;
        receiver.onUdp(this.now, { from: delivery.from, to: delivery.to, data: copy });
      });
    });
  }

  /** One-way latency between two hosts (the sum of both access links). */
  latencyBetween(a: VirtualHost, b: VirtualHost): number {
    return a.latencyMs + b.latencyMs;
  }
}
