import type { Socket } from 'node:net';
import type { Address } from '../../ice/types.js';

/**
 * An address as a dual-stack socket reports it, with an IPv4-mapped IPv6
 * address (`::ffff:192.0.2.1`, RFC 4291 §2.5.5.2) turned back into IPv4, so
 * that it compares equal to the IPv4 candidate it belongs to.
 */
export function unmapAddress(address: string): string {
  return address.toLowerCase().startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** The local end of a connected socket, or `undefined` once it is gone. */
export function socketLocal(socket: Socket): Address | undefined {
  const { localAddress, localPort } = socket;
  if (localAddress === undefined || localPort === undefined) return undefined;
  return { address: unmapAddress(localAddress), port: localPort };
}

/** The remote end of a connected socket, or `undefined` once it is gone. */
export function socketRemote(socket: Socket): Address | undefined {
  const { remoteAddress, remotePort } = socket;
  if (remoteAddress === undefined || remotePort === undefined) return undefined;
  return { address: unmapAddress(remoteAddress), port: remotePort };
}

/** `address:port`, with IPv6 addresses in brackets, for logs. */
export function formatEndpoint(endpoint: Address | undefined): string {
  if (endpoint === undefined) return '(gone)';
  return endpoint.address.includes(':') ? `[${endpoint.address}]:${endpoint.port}` : `${endpoint.address}:${endpoint.port}`;
}
