/**
 * A tiny server-reflexive gatherer for the harness (gathering is the
 * runtime's job, not the core's): a STUN Binding request from each UDP socket
 * (retransmitted, RFC 8489 §6.2.1) and, over TCP, from each bound S-O and
 * passive port (one framed request on a connection to the server, RFC 6544
 * §5.2 / RFC 4571), reporting the mapped address the server saw.
 */
import createDebug from 'debug';
import type { Address } from '../../../lib/ice/types.js';
import { decodeStun, encodeStun, isStun, StunClass, StunMethod } from '../../../lib/stun/index.js';
import type { TcpNetEvent, TcpOwner } from './endpoints.js';
import type { VirtualNetwork } from './network.js';
import type { Prng } from './prng.js';
import type { ScheduledTask } from './scheduler.js';
import { formatAddress, type VirtualHost } from './topology.js';

const log = createDebug('ice-tcp:vnet');

/** A local base to learn the mapping of. */
export interface GatherSource {
  transportId: string;
  kind: 'udp' | 'passive' | 'so';
  local: Address;
  component: number;
  interfaceIndex: number;
}

interface Pending {
  source: GatherSource;
  transactionId: Buffer;
  timer?: ScheduledTask;
  connectionId?: string;
}

/** Retransmissions at these times after the first send; the last one gives up. */
const UDP_SCHEDULE = [500, 1500, 3500, 7500];

/** Learns NAT mappings from a STUN server for a set of bases. */
export class SrflxGatherer implements TcpOwner {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly net: VirtualNetwork,
    private readonly host: VirtualHost,
    private readonly prng: Prng,
    private readonly onMapped: (source: GatherSource, mapped: Address, server: Address) => void,
  ) {}

  /** Number of bases still waiting for an answer. */
  get outstanding(): number {
    return this.pending.size;
  }

  /** Starts one Binding transaction per source towards `server` (UDP sources use UDP, TCP sources TCP). */
  start(sources: GatherSource[], server: Address): void {
    for (const source of sources) {
      const transactionId = this.prng.bytes(12);
      const p: Pending = { source, transactionId };
      const key = transactionId.toString('hex');
      this.pending.set(key, p);
      const request = encodeStun({ class: StunClass.Request, method: StunMethod.Binding, transactionId }, { fingerprint: true });
      if (source.kind === 'udp') {
        this.net.sendUdp(this.host, source.local, server, request);
        const schedule = (i: number): void => {
          const delay = UDP_SCHEDULE[i] - (i > 0 ? UDP_SCHEDULE[i - 1] : 0);
          p.timer = this.net.clock.after(delay, 'srflx-rtx', () => {
            if (!this.pending.has(key)) return;
            if (i === UDP_SCHEDULE.length - 1) {
              this.pending.delete(key);
              log('srflx %s: no answer from %s', formatAddress(source.local), formatAddress(server));
              return;
            }
            this.net.sendUdp(this.host, source.local, server, request);
            schedule(i + 1);
          });
        };
        schedule(0);
      } else {
        this.net.tcp.connect(this.host, { tag: key, local: source.local, remote: server, timeoutMs: 5000 }, this);
        this.requests.set(key, { request, server });
      }
    }
  }

  /** Offers a UDP datagram; returns true when it was the answer to one of our requests. */
  claimUdp(local: Address, from: Address, data: Buffer): boolean {
    if (this.pending.size === 0 || !isStun(data)) return false;
    let msg;
    try {
      msg = decodeStun(data);
    } catch {
      return false;
    }
    const p = this.pending.get(msg.transactionId.toString('hex'));
    if (!p || p.source.kind !== 'udp' || p.source.local.port !== local.port || p.source.local.address !== local.address) return false;
    this.settle(p, msg.attributes.xorMappedAddress, from);
    return true;
  }

  onTcp(_now: number, event: TcpNetEvent): void {
    if (event.type === 'connected') {
      const p = this.pending.get(event.tag);
      const req = this.requests.get(event.tag);
      if (!p || !req) return;
      p.connectionId = event.connectionId;
      this.byConnection.set(event.connectionId, event.tag);
      this.net.tcp.send(event.connectionId, req.request);
    } else if (event.type === 'connect-failed') {
      log('srflx tcp %s: connect failed (%s)', event.tag, event.reason);
      this.pending.delete(event.tag);
      this.requests.delete(event.tag);
    } else if (event.type === 'frame') {
      const key = this.byConnection.get(event.connectionId);
      const p = key ? this.pending.get(key) : undefined;
      const req = key ? this.requests.get(key) : undefined;
      if (!p || !req) return;
      let mapped: Address | undefined;
      try {
        const msg = decodeStun(event.data);
        if (msg.transactionId.equals(p.transactionId)) mapped = msg.attributes.xorMappedAddress;
      } catch (err) {
        log('srflx tcp: bad answer: %s', (err as Error).message);
      }
      this.settle(p, mapped, req.server);
      // The mapping is learned; the NAT keeps it (mappings never expire in the vnet).
      this.net.tcp.close(event.connectionId);
      this.byConnection.delete(event.connectionId);
      this.requests.delete(key!);
    } else if (event.type === 'closed') {
      const key = this.byConnection.get(event.connectionId);
      if (key) {
        this.pending.delete(key);
        this.requests.delete(key);
        this.byConnection.delete(event.connectionId);
      }
    }
  }

  private settle(p: Pending, mapped: Address | undefined, server: Address): void {
    this.pending.delete(p.transactionId.toString('hex'));
    this.net.clock.cancel(p.timer);
    if (!mapped) return;
    this.onMapped(p.source, { address: mapped.address, port: mapped.port }, server);
  }

  private readonly requests = new Map<string, { request: Buffer; server: Address }>();
  private readonly byConnection = new Map<string, string>();
}
