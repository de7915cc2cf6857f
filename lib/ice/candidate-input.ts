/**
 * Validation of the candidates handed to the core. Remote candidates come
 * from the peer through signalling, so nothing about them is trusted: a
 * bad one is refused with a typed error before it changes any state,
 * never stored half-checked or left to crash later (a priority that makes
 * the pair priority throw, a port a socket refuses, a non-string address).
 */
import { CANDIDATE_TYPES, MAX_WIRE_PRIORITY, normalizeIpAddress, type Candidate } from '../candidate/index.js';
import { IceError } from './ice-errors.js';

function bad(who: string, what: string): IceError {
  return new IceError('ERR_ICE_BAD_CANDIDATE', `${who} candidate: ${what}`);
}

/**
 * Checks a candidate's fields (RFC 8445 §5.1, RFC 8839 §5.1, RFC 6544
 * §4.5): component 1..`components`, transport udp or tcp with a tcptype
 * for TCP, a known type, priority 1..2^32-1, port 0..65535, a non-empty
 * foundation, an address string (an IP literal unless `unresolved`).
 *
 * @returns the candidate, or a copy with the address in Node's canonical
 *   form (IPv6 compressed, lower case) when it was not, since the core
 *   compares addresses as text
 * @throws IceError `ERR_ICE_BAD_CANDIDATE`
 */
export function checkedCandidate(candidate: Candidate, who: 'local' | 'remote', components: number): Candidate {
  if (candidate === null || typeof candidate !== 'object') throw bad(who, 'must be an object');
  const { component, transport, type, priority, port, foundation, address } = candidate;
  if (!Number.isInteger(component) || component < 1 || component > components) {
    throw bad(who, `component ${String(component)} is not in 1..${components}`);
  }
  if (transport !== 'udp' && transport !== 'tcp') throw bad(who, 'transport must be udp or tcp');
  if (transport === 'tcp' && candidate.tcpType !== 'active' && candidate.tcpType !== 'passive' && candidate.tcpType !== 'so') {
    throw bad(who, 'a TCP candidate needs a tcptype (RFC 6544 §4.5)');
  }
  if (!CANDIDATE_TYPES.includes(type)) throw bad(who, `unknown type ${String(type)}`);
  // RFC 8445 §5.1.2.1; the STUN PRIORITY attribute's range, as the candidate parser accepts.
  if (!Number.isInteger(priority) || priority < 1 || priority > MAX_WIRE_PRIORITY)
    throw bad(who, `priority ${String(priority)} is not in 1..2^32-1`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw bad(who, `port ${String(port)} is not in 0..65535`);
  if (typeof foundation !== 'string' || foundation.length === 0) throw bad(who, 'foundation must be a non-empty string');
  if (typeof address !== 'string' || address.length === 0) throw bad(who, 'address must be a non-empty string');
  if (candidate.extensions !== undefined && !Array.isArray(candidate.extensions)) throw bad(who, 'extensions must be an array');
  if (candidate.unresolved === true) return candidate;
  const canonical = normalizeIpAddress(address);
  if (canonical === null) throw bad(who, `address ${JSON.stringify(address)} is not an IP literal and not flagged unresolved`);
  return canonical === address ? candidate : { ...candidate, address: canonical };
}
