import { createHash } from 'node:crypto';
import { CandidateError } from './candidate-errors.js';
import { normalizeIpAddress } from './ip-address.js';
import type { CandidateType, TransportProtocol } from './model.js';

/** Input of {@link computeFoundation}. */
export interface FoundationInput {
  /** Candidate type. */
  type: CandidateType;
  /** IP address of the candidate's base (any textual IPv4/IPv6 form). */
  baseAddress: string;
  /**
   * The STUN or TURN server the candidate came from (srflx, relay), as an
   * IP literal or any other stable text such as a URL. Leave it out for host
   * and peer-reflexive candidates.
   */
  serverAddress?: string;
  /** Transport protocol. */
  transport: TransportProtocol;
}

/** Length of a computed foundation, in ice-chars. */
export const FOUNDATION_LENGTH = 8;

/**
 * A deterministic foundation per RFC 8445 §5.1.1.3: equal for candidates
 * with the same type, base IP address, server and transport protocol,
 * different (with overwhelming probability) otherwise.
 *
 * The value is the first 8 characters of the base64 SHA-256 of those four
 * fields, so it is 8 ice-chars (`[A-Za-z0-9+/]`, RFC 8839 §5.1) and reveals
 * nothing about the addresses. IP literals are canonicalized first, so
 * `0:0::1` and `::1` give the same foundation.
 *
 * @throws CandidateError `ERR_CANDIDATE_BAD_VALUE` when `baseAddress` is not
 *   an IP literal, or type/transport are unknown
 */
export function computeFoundation(input: FoundationInput): string {
  const { type, transport } = input;
  if (type !== 'host' && type !== 'srflx' && type !== 'prflx' && type !== 'relay') {
    throw new CandidateError('ERR_CANDIDATE_BAD_VALUE', `unknown candidate type ${String(type)}`);
  }
  if (transport !== 'udp' && transport !== 'tcp') {
    throw new CandidateError('ERR_CANDIDATE_BAD_VALUE', `unknown transport ${String(transport)}`);
  }
  const base = typeof input.baseAddress === 'string' ? normalizeIpAddress(input.baseAddress) : null;
  if (base === null) {
    throw new CandidateError('ERR_CANDIDATE_BAD_VALUE', 'baseAddress must be an IP literal');
  }
  let server = '';
  if (input.serverAddress !== undefined) {
    if (typeof input.serverAddress !== 'string') {
      throw new CandidateError('ERR_CANDIDATE_BAD_VALUE', 'serverAddress must be a string');
    }
    server = normalizeIpAddress(input.serverAddress) ?? input.serverAddress;
  }
  // RFC 8445 §5.1.1.3: type, base IP address, server, transport protocol.
  const digest = createHash('sha256').update(`${type}\n${base}\n${server}\n${transport}`).digest('base64');
  return digest.slice(0, FOUNDATION_LENGTH);
}
