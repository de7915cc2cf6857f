/**
 * The WebRTC `RTCIceCandidateInit` dictionary (the JSON a browser's
 * `RTCIceCandidate.toJSON()` gives and `addIceCandidate()` takes), in and out.
 */
import { parseCandidate, serializeCandidate } from './candidate-sdp.js';
import { CandidateError } from './candidate-errors.js';
import type { Candidate } from './model.js';

/** The WebRTC `RTCIceCandidateInit` dictionary. */
export interface RTCIceCandidateInit {
  /** `candidate:...` (no `a=`); the empty string signals end-of-candidates. */
  candidate: string;
  /** The media section's `a=mid`, or null. */
  sdpMid?: string | null;
  /** Index of the media section, or null. */
  sdpMLineIndex?: number | null;
  /** The ICE username fragment the candidate belongs to, or null. */
  usernameFragment?: string | null;
}

/** Where a candidate belongs: the context fields of {@link RTCIceCandidateInit}. */
export interface IceCandidateContext {
  /** The media section's `a=mid`. */
  sdpMid?: string | null;
  /** Index of the media section. */
  sdpMLineIndex?: number | null;
  /** ICE username fragment. */
  usernameFragment?: string | null;
}

/** Result of {@link candidateFromInit}: absent context fields are `null`. */
export interface ParsedIceCandidateInit {
  /** The parsed candidate, or `null` for end-of-candidates (an empty `candidate` string). */
  candidate: Candidate | null;
  /** The media section's `a=mid`, or null. */
  sdpMid: string | null;
  /** Index of the media section, or null. */
  sdpMLineIndex: number | null;
  /** ICE username fragment, or null. */
  usernameFragment: string | null;
}

function bad(message: string): never {
  throw new CandidateError('ERR_CANDIDATE_BAD_VALUE', message);
}

function optionalString(name: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') bad(`${name} must be a string or null`);
  return value;
}

function optionalIndex(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  // WebRTC: sdpMLineIndex is an unsigned short.
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 65535) {
    bad('sdpMLineIndex must be an integer in 0..65535 or null');
  }
  return value;
}

/**
 * Reads an `RTCIceCandidateInit` (for example a parsed JSON signalling
 * message). An empty `candidate` string means end-of-candidates and gives
 * `candidate: null` (RFC 8838 §4.2 end-of-candidates as WebRTC signals it).
 *
 * @throws CandidateError `ERR_CANDIDATE_BAD_VALUE` for a malformed object,
 *   or any error of {@link parseCandidate} for the candidate string
 */
export function candidateFromInit(init: RTCIceCandidateInit): ParsedIceCandidateInit {
  if (typeof init !== 'object' || init === null) bad('RTCIceCandidateInit must be an object');
  if (typeof init.candidate !== 'string') bad('RTCIceCandidateInit.candidate must be a string');
  const sdpMid = optionalString('sdpMid', init.sdpMid);
  const sdpMLineIndex = optionalIndex(init.sdpMLineIndex);
  const usernameFragment = optionalString('usernameFragment', init.usernameFragment);
  const candidate = init.candidate.trim() === '' ? null : parseCandidate(init.candidate);
  return { candidate, sdpMid, sdpMLineIndex, usernameFragment };
}

/**
 * Builds an `RTCIceCandidateInit` for signalling. `candidate` is printed
 * without `a=`, as browsers do; `null` gives the end-of-candidates form
 * (an empty string). `usernameFragment` defaults to the candidate's `ufrag`
 * extension; absent context fields are `null`.
 *
 * @throws CandidateError any error of {@link serializeCandidate}, or
 *   `ERR_CANDIDATE_BAD_VALUE` for a malformed context
 */
export function candidateToInit(c: Candidate | null, context: IceCandidateContext = {}): RTCIceCandidateInit {
  const sdpMid = optionalString('sdpMid', context.sdpMid);
  const sdpMLineIndex = optionalIndex(context.sdpMLineIndex);
  const usernameFragment = optionalString('usernameFragment', context.usernameFragment) ?? c?.ufrag ?? null;
  return { candidate: c === null ? '' : serializeCandidate(c), sdpMid, sdpMLineIndex, usernameFragment };
}
