/**
 * The interfaces between the virtual network and what sits on its hosts
 * (agents driving cores, the STUN server, the srflx gatherer, attackers):
 * a UDP receiver per bound socket and a TCP owner per port or connect.
 */
import type { Address, CloseReason, ConnectFailReason } from '../../../lib/ice/types.js';

/** Receives the datagrams of one bound UDP socket. */
export interface UdpReceiver {
  onUdp(now: number, packet: { from: Address; to: Address; data: Buffer }): void;
}

/** TCP happenings reported to the owner of a port or of a connect attempt. */
export type TcpNetEvent =
  | { type: 'connected'; tag: string; connectionId: string; local: Address; remote: Address }
  | { type: 'connect-failed'; tag: string; reason: ConnectFailReason; message: string }
  | { type: 'accepted'; portId: string; connectionId: string; local: Address; remote: Address }
  | { type: 'frame'; connectionId: string; data: Buffer }
  | { type: 'closed'; connectionId: string; reason: CloseReason; message: string };

/** Receives TCP events for the ports it bound and the connects it made. */
export interface TcpOwner {
  onTcp(now: number, event: TcpNetEvent): void;
}

/** What a bound TCP port is for. */
export type TcpPortKind = 'passive' | 'so' | 'ephemeral';

/** A bound TCP port on a host. */
export interface TcpPort {
  /** Identifies the port to its owner (the core's transportId, for agents). */
  id: string;
  kind: TcpPortKind;
  local: Address;
  owner: TcpOwner;
  /** S-O ports only: also accept unsolicited SYNs (default false: they get a RST). */
  listening: boolean;
}
