/**
 * XOR-PEER-ADDRESS and XOR-RELAYED-ADDRESS values (RFC 8656 §18.3, §18.5):
 * the XOR-MAPPED-ADDRESS encoding of RFC 8489 §14.2 under other types.
 *
 * @module
 */
import type { StunMessage, TransportAddress } from '../stun/index.js';
import { MAGIC_COOKIE } from '../stun/index.js';
import { parseIpv4Into, parseIpv6Into, readAddressValue } from '../stun/address-attributes.js';
import { findAttribute } from '../stun/index.js';
import { TurnError } from './turn-errors.js';
import { ipFamily } from '../candidate/index.js';

/** An IP address and port, the family taken from the address text. */
export interface PeerAddress {
  address: string;
  port: number;
}

/** The XOR-encoded address value for a message with `transactionId` (RFC 8489 §14.2). */
export function encodeXorAddress(peer: PeerAddress, transactionId: Uint8Array): Buffer {
  const family = ipFamily(peer.address);
  if (family === null) throw new TurnError('ERR_TURN_BAD_OPTION', `${peer.address} is not an IP address`);
  if (!Number.isInteger(peer.port) || peer.port < 0 || peer.port > 0xffff) {
    throw new TurnError('ERR_TURN_BAD_OPTION', `port ${String(peer.port)} is not 0..65535`);
  }
  const size = family === 4 ? 4 : 16;
  const value = Buffer.alloc(4 + size);
  value[1] = family === 4 ? 0x01 : 0x02;
  value.writeUInt16BE(peer.port ^ (MAGIC_COOKIE >>> 16), 2);
  const ok = family === 4 ? parseIpv4Into(peer.address, value, 4) : parseIpv6Into(peer.address, value, 4);
  if (!ok) throw new TurnError('ERR_TURN_BAD_OPTION', `${peer.address} is not an IP address`);
  const mask = Buffer.alloc(16);
  mask.writeUInt32BE(MAGIC_COOKIE, 0);
  Buffer.from(transactionId).copy(mask, 4);
  for (let i = 0; i < size; i++) value[4 + i] ^= mask[i];
  return value;
}

/** Reads an XOR-encoded address attribute of `type` from a decoded message, or undefined. */
export function readXorAddress(message: StunMessage, type: number): TransportAddress | undefined {
  const value = findAttribute(message, type);
  if (value === undefined) return undefined;
  // readAddressValue XORs with bytes 4..20 of its input: give it the header + value.
  const scratch = Buffer.alloc(20 + value.length);
  message.raw.copy(scratch, 0, 0, 20);
  value.copy(scratch, 20);
  return readAddressValue(scratch, 20, value.length, true) ?? undefined;
}

/** `address|port`, a map key. */
export function peerKey(peer: PeerAddress): string {
  return `${peer.address}|${peer.port}`;
}
