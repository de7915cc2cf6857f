/**
 * A STUN server host on the virtual network: answers Binding requests over
 * UDP and over TCP (RFC 4571 framed, as ICE-TCP gathering uses it) with
 * XOR-MAPPED-ADDRESS = the request's source as the server sees it
 * (RFC 8489 §14.2), so agents behind NATs learn their mappings.
 */
import createDebug from 'debug';
import type { Address } from '../../../lib/ice/types.js';
import { decodeStun, encodeStun, StunClass, StunMethod } from '../../../lib/stun/index.js';
import type { TcpNetEvent, TcpOwner, UdpReceiver } from './endpoints.js';
import type { VirtualNetwork } from './network.js';
import type { VirtualHost } from './topology.js';

const log = createDebug('ice-tcp:vnet');

/** The family of a textual IP address. */
export const familyOf = (address: string): 4 | 6 => (address.includes(':') ? 6 : 4);

/** Answers a Binding request with a success response carrying the mapped address; undefined for anything else. */
export function answerBinding(data: Buffer, source: Address): Buffer | undefined {
  let request;
  try {
    request = decodeStun(data);
  } catch (err) {
    log('stun server: undecodable packet: %s', (err as Error).message);
    return undefined;
  }
  if (request.class !== StunClass.Request || request.method !== StunMethod.Binding) return undefined;
  return encodeStun(
    {
      class: StunClass.SuccessResponse,
      method: StunMethod.Binding,
      transactionId: request.transactionId,
      attributes: { xorMappedAddress: { family: familyOf(source.address), address: source.address, port: source.port } },
    },
    { fingerprint: true },
  );
}

/** A STUN server bound on UDP and TCP at one address of a host. */
export class VirtualStunServer implements UdpReceiver, TcpOwner {
  readonly host: VirtualHost;
  readonly udpAddress: Address;
  readonly tcpAddress: Address;
  /** Requests answered, per transport. */
  readonly answered = { udp: 0, tcp: 0 };

  constructor(
    private readonly net: VirtualNetwork,
    host: VirtualHost,
    address: Address,
  ) {
    this.host = host;
    this.udpAddress = net.bindUdp(host, address, this);
    this.tcpAddress = net.tcp.bind(host, address, 'passive', this, 'stun-server');
  }

  onUdp(_now: number, packet: { from: Address; to: Address; data: Buffer }): void {
    const response = answerBinding(packet.data, packet.from);
    if (!response) return;
    this.answered.udp++;
    this.net.sendUdp(this.host, packet.to, packet.from, response);
  }

  onTcp(_now: number, event: TcpNetEvent): void {
    if (event.type === 'accepted') {
      this.peers.set(event.connectionId, event.remote);
    } else if (event.type === 'frame') {
      const remote = this.peers.get(event.connectionId);
      if (!remote) return;
      const response = answerBinding(event.data, remote);
      if (!response) return;
      this.answered.tcp++;
      this.net.tcp.send(event.connectionId, response);
    } else if (event.type === 'closed') {
      this.peers.delete(event.connectionId);
    }
  }

  private readonly peers = new Map<string, Address>();
}
