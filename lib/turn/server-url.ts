/**
 * `turn:` and `turns:` URLs (RFC 7065 §3) and the W3C `RTCIceServer` shape
 * (`{ urls, username, credential }`, WebRTC 1.0 §4.2.1) they come in.
 *
 * @module
 */
import { ipFamily, normalizeIpAddress } from '../candidate/index.js';
import { DEFAULT_TURN_PORT, DEFAULT_TURNS_PORT } from './turn-constants.js';
import { TurnError } from './turn-errors.js';

/** One TURN server to allocate on. */
export interface TurnServerConfig {
  /** IP literal or host name. */
  host: string;
  port: number;
  /** How to reach the server: UDP, TCP, or TLS over TCP (`turns:`). */
  transport: 'udp' | 'tcp' | 'tls';
  username: string;
  password: string;
  /** The URL it was parsed from, for logs and foundations. */
  url: string;
}

/** The W3C RTCIceServer dictionary (only password credentials). */
export interface RTCIceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

const SYNTAX = /^(turns?):(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]?/@]+))(?::(\d{1,5}))?(?:\?transport=(udp|tcp))?$/i;

/**
 * Parses `turn:host[:port][?transport=udp|tcp]` or `turns:host[:port][?transport=tcp]`
 * (RFC 7065 §3: default port 3478, 5349 for `turns:`; `turn:` without a
 * transport means UDP, `turns:` means TLS over TCP).
 *
 * @throws TurnError `ERR_TURN_BAD_URL` (also for `turns:...?transport=udp`, DTLS, which is not supported)
 */
export function parseTurnUrl(url: string, username: string, password: string): TurnServerConfig {
  if (typeof url !== 'string') throw new TurnError('ERR_TURN_BAD_URL', `a TURN URL must be a string, got ${typeof url}`);
  const match = SYNTAX.exec(url.trim());
  if (match === null) throw new TurnError('ERR_TURN_BAD_URL', `${JSON.stringify(url)} is not turn[s]:host[:port][?transport=udp|tcp]`);
  const [, scheme, v6, name, portText, transportText] = match;
  const secure = scheme.toLowerCase() === 'turns';
  const transport = transportText?.toLowerCase();
  if (secure && transport === 'udp') throw new TurnError('ERR_TURN_BAD_URL', `${JSON.stringify(url)}: TURN over DTLS is not supported`);
  let host: string;
  if (v6 !== undefined) {
    const address = ipFamily(v6) === 6 ? normalizeIpAddress(v6) : null;
    if (address === null) throw new TurnError('ERR_TURN_BAD_URL', `${JSON.stringify(url)}: bad IPv6 literal`);
    host = address;
  } else {
    host = name!;
  }
  const port = portText === undefined ? (secure ? DEFAULT_TURNS_PORT : DEFAULT_TURN_PORT) : Number(portText);
  if (port < 1 || port > 65535) throw new TurnError('ERR_TURN_BAD_URL', `${JSON.stringify(url)}: port ${port} is out of range`);
  if (typeof username !== 'string' || username.length === 0 || typeof password !== 'string') {
    throw new TurnError('ERR_TURN_BAD_OPTION', `${url}: a TURN server needs a username and a credential`);
  }
  return { host, port, transport: secure ? 'tls' : transport === 'tcp' ? 'tcp' : 'udp', username, password, url };
}

/**
 * Splits RTCIceServer entries into `stun:` URLs and TURN servers.
 *
 * @throws TurnError `ERR_TURN_BAD_OPTION`, `ERR_TURN_BAD_URL`
 */
export function parseIceServers(servers: RTCIceServer[]): { stun: string[]; turn: TurnServerConfig[] } {
  if (!Array.isArray(servers))
    throw new TurnError('ERR_TURN_BAD_OPTION', 'iceServers must be an array of { urls, username?, credential? }');
  const stun: string[] = [];
  const turn: TurnServerConfig[] = [];
  for (const server of servers) {
    if (server === null || typeof server !== 'object') throw new TurnError('ERR_TURN_BAD_OPTION', 'an iceServers entry must be an object');
    const urls = typeof server.urls === 'string' ? [server.urls] : server.urls;
    if (!Array.isArray(urls) || urls.length === 0)
      throw new TurnError('ERR_TURN_BAD_OPTION', 'iceServers[].urls must be a URL or a non-empty array');
    for (const url of urls) {
      if (typeof url === 'string' && /^stuns?:/i.test(url)) stun.push(url);
      else turn.push(parseTurnUrl(url, server.username ?? '', server.credential ?? ''));
    }
  }
  return { stun, turn };
}
