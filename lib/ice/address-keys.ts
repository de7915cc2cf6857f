/**
 * Small helpers over transport addresses and candidates: keys for maps and
 * equality. Addresses are compared in Node's textual form (the candidate
 * module and the STUN codec both canonicalize to it).
 */
import type { Candidate } from '../candidate/index.js';
import type { Address } from './types.js';
import { flat } from '../flat-string.js';

/** `host:port`, with IPv6 in brackets: a map key and a log label. */
export function addressKey(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** `addressKey` of an {@link Address}. */
export function formatAddress(a: Address): string {
  return addressKey(a.address, a.port);
}

/** Whether two transport addresses are equal. */
export function sameAddress(a: Address, b: Address): boolean {
  return a.port === b.port && a.address === b.address;
}

/** The transport address of a candidate. */
export function candidateAddress(c: Candidate): Address {
  return { address: c.address, port: c.port };
}

/** 4 or 6 from an address in textual form. */
export function addressFamily(address: string): 4 | 6 {
  return address.includes(':') ? 6 : 4;
}

/**
 * A key naming a candidate's transport endpoint:
 * `udp:1.2.3.4:5` or `tcp-so:[::1]:5`. Candidates of different tcptypes on
 * one address are different candidates (RFC 6544 §4.1).
 */
export function candidateKey(c: Candidate): string {
  const transport = c.transport === 'tcp' ? `tcp-${c.tcpType ?? '?'}` : c.transport;
  return flat(`${transport}:${addressKey(c.address, c.port)}`);
}

/**
 * The key of the data-path index: transport, connection and remote address
 * (see {@link DataRouteIndex}). One string per packet, nothing else.
 */
export function dataKey(transportId: string, connectionId: string | undefined, address: string, port: number): string {
  return `${transportId}\u0000${connectionId ?? ''}\u0000${address}\u0000${port}`;
}
