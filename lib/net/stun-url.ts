/**
 * `stun:` URLs (RFC 7064 §3.1), with the `?transport=udp|tcp` query that
 * RFC 7065 defines for `turn:` URLs and that WebRTC stacks accept on `stun:`
 * too. `stuns:` (STUN over TLS) is not supported.
 */
import { isIP } from 'node:net';
import { normalizeIpAddress } from '../candidate/index.js';
import { IceAgentError } from './net-errors.js';
import type { StunServerAddress } from './agent/transport-plugin.js';

/** The default STUN port for `stun:` URLs without a port (RFC 8489 §18.5, RFC 7064 §3.2). */
export const DEFAULT_STUN_PORT = 3478;

const URL_SYNTAX = /^stun:(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]?/@]+))(?::(\d{1,5}))?(?:\?transport=(udp|tcp))?$/i;

/**
 * Parses `stun:host[:port][?transport=udp|tcp]`: an IPv4 literal, a
 * bracketed IPv6 literal (`stun:[::1]:3478`) or a host name (resolved when
 * used). The scheme and the transport value are case-insensitive. Without
 * `?transport=` the result has no `transport`: the server serves both UDP
 * and TCP candidates.
 *
 * @throws IceAgentError `ERR_AGENT_BAD_STUN_URL`
 */
export function parseStunUrl(url: string): StunServerAddress {
  if (typeof url !== 'string') {
    throw new IceAgentError('ERR_AGENT_BAD_STUN_URL', `a STUN URL must be a string, got ${typeof url}`);
  }
  const match = URL_SYNTAX.exec(url.trim());
  if (match === null) {
    throw new IceAgentError('ERR_AGENT_BAD_STUN_URL', `${JSON.stringify(url)} is not stun:host[:port][?transport=udp|tcp]`);
  }
  const [, v6, name, portText, transport] = match;
  let host: string;
  if (v6 !== undefined) {
    const address = isIP(v6) === 6 ? normalizeIpAddress(v6) : null;
    if (address === null) throw new IceAgentError('ERR_AGENT_BAD_STUN_URL', `${JSON.stringify(url)}: bad IPv6 literal`);
    host = address;
  } else {
    host = name!;
    if (host.includes(':')) throw new IceAgentError('ERR_AGENT_BAD_STUN_URL', `${JSON.stringify(url)}: IPv6 needs brackets`);
  }
  const port = portText === undefined ? DEFAULT_STUN_PORT : Number(portText);
  if (port < 1 || port > 65535) {
    throw new IceAgentError('ERR_AGENT_BAD_STUN_URL', `${JSON.stringify(url)}: port ${port} is out of range`);
  }
  // No ?transport: the server is asked over UDP and over TCP (both are STUN's, RFC 8489 §6.2).
  return transport === undefined ? { host, port } : { host, port, transport: transport.toLowerCase() as 'udp' | 'tcp' };
}
