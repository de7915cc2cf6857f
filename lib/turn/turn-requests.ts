/**
 * Building TURN requests and indications (RFC 8656 §7-§11, RFC 6062 §4) and
 * reading the attributes of their answers.
 *
 * @module
 */
import {
  encodeStun,
  findAttribute,
  StunClass,
  type RawStunAttribute,
  type StunMessage,
  type StunMessageInit,
  type TransportAddress,
} from '../stun/index.js';
import { PROTOCOL_TCP, PROTOCOL_UDP, TurnAttr, TurnMethod } from './turn-constants.js';
import { encodeXorAddress, readXorAddress, type PeerAddress } from './peer-address.js';

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0, 0);
  return b;
}

function init(method: number, tid: Buffer, extra: RawStunAttribute[], software: string | undefined): StunMessageInit {
  return {
    class: StunClass.Request,
    method,
    transactionId: tid,
    attributes: software === undefined ? {} : { software },
    extraAttributes: extra,
  };
}

/** Allocate (RFC 8656 §7.1): REQUESTED-TRANSPORT UDP, or TCP (RFC 6062 §4.1); LIFETIME when asked. */
export function allocate(tid: Buffer, protocol: 'udp' | 'tcp', lifetimeS: number | undefined, software?: string): StunMessageInit {
  // REQUESTED-TRANSPORT: protocol number and 3 RFFU bytes (RFC 8656 §18.11).
  const extra: RawStunAttribute[] = [
    { type: TurnAttr.RequestedTransport, value: Buffer.from([protocol === 'tcp' ? PROTOCOL_TCP : PROTOCOL_UDP, 0, 0, 0]) },
  ];
  if (lifetimeS !== undefined) extra.push({ type: TurnAttr.Lifetime, value: u32(lifetimeS) });
  return init(TurnMethod.Allocate, tid, extra, software);
}

/** Refresh (RFC 8656 §8); LIFETIME 0 deletes the allocation. */
export function refresh(tid: Buffer, lifetimeS: number, software?: string): StunMessageInit {
  return init(TurnMethod.Refresh, tid, [{ type: TurnAttr.Lifetime, value: u32(lifetimeS) }], software);
}

/** CreatePermission for one peer IP (RFC 8656 §9.1; the port is ignored). */
export function createPermission(tid: Buffer, peer: PeerAddress, software?: string): StunMessageInit {
  return init(TurnMethod.CreatePermission, tid, [{ type: TurnAttr.XorPeerAddress, value: encodeXorAddress(peer, tid) }], software);
}

/** ChannelBind (RFC 8656 §12.1): CHANNEL-NUMBER (number + RFFU) and XOR-PEER-ADDRESS. */
export function channelBind(tid: Buffer, channel: number, peer: PeerAddress, software?: string): StunMessageInit {
  const number = Buffer.alloc(4);
  number.writeUInt16BE(channel, 0);
  return init(
    TurnMethod.ChannelBind,
    tid,
    [
      { type: TurnAttr.ChannelNumber, value: number },
      { type: TurnAttr.XorPeerAddress, value: encodeXorAddress(peer, tid) },
    ],
    software,
  );
}

/** Connect (RFC 6062 §4.3). */
export function connect(tid: Buffer, peer: PeerAddress, software?: string): StunMessageInit {
  return init(TurnMethod.Connect, tid, [{ type: TurnAttr.XorPeerAddress, value: encodeXorAddress(peer, tid) }], software);
}

/** ConnectionBind (RFC 6062 §4.3, §4.4), sent on a new data connection. */
export function connectionBind(tid: Buffer, connectionId: number, software?: string): StunMessageInit {
  return init(TurnMethod.ConnectionBind, tid, [{ type: TurnAttr.ConnectionId, value: u32(connectionId) }], software);
}

/** A Send indication (RFC 8656 §11.1): XOR-PEER-ADDRESS and DATA, no credentials. */
export function sendIndication(tid: Buffer, peer: PeerAddress, data: Uint8Array): Buffer {
  return encodeStun({
    class: StunClass.Indication,
    method: TurnMethod.Send,
    transactionId: tid,
    extraAttributes: [
      { type: TurnAttr.XorPeerAddress, value: encodeXorAddress(peer, tid) },
      { type: TurnAttr.Data, value: data },
    ],
  });
}

/** XOR-RELAYED-ADDRESS of an Allocate success (RFC 8656 §7.3). */
export function relayedAddress(message: StunMessage): TransportAddress | undefined {
  return readXorAddress(message, TurnAttr.XorRelayedAddress);
}

/** LIFETIME in seconds, when present (RFC 8656 §18.4). */
export function lifetime(message: StunMessage): number | undefined {
  const value = findAttribute(message, TurnAttr.Lifetime);
  return value !== undefined && value.length === 4 ? value.readUInt32BE(0) : undefined;
}

/** CONNECTION-ID (RFC 6062 §6.2.1). */
export function connectionId(message: StunMessage): number | undefined {
  const value = findAttribute(message, TurnAttr.ConnectionId);
  return value !== undefined && value.length === 4 ? value.readUInt32BE(0) : undefined;
}

/** A Data indication (RFC 8656 §11.4) or a ConnectionAttempt (RFC 6062 §4.4), decoded; undefined otherwise. */
export function indication(
  message: StunMessage,
): { type: 'data'; peer: PeerAddress; data: Buffer } | { type: 'connection-attempt'; connectionId: number; peer: PeerAddress } | undefined {
  const peer = readXorAddress(message, TurnAttr.XorPeerAddress);
  if (peer === undefined) return undefined;
  const from = { address: peer.address, port: peer.port };
  if (message.method === TurnMethod.Data) {
    const data = findAttribute(message, TurnAttr.Data);
    return data === undefined ? undefined : { type: 'data', peer: from, data };
  }
  if (message.method === TurnMethod.ConnectionAttempt) {
    const id = connectionId(message);
    return id === undefined ? undefined : { type: 'connection-attempt', connectionId: id, peer: from };
  }
  return undefined;
}
