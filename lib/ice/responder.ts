/**
 * The server side of a check: authentication of a Binding request
 * (RFC 8489 §9.1.3, RFC 8445 §7.3) and the role-conflict decision table
 * (RFC 8445 §7.3.1.1). Pure functions; the agent acts on their verdicts.
 */
import { verifyFingerprint, verifyIntegrity, type StunMessage } from '../stun/index.js';
import type { CredentialGeneration } from './ice-credentials.js';

/** The verdict on an incoming request. */
export type RequestVerdict =
  | {
      kind: 'reject';
      /** 400: no USERNAME or MI; 401: unknown ufrag or bad MI; 420: unknown required attributes. */
      code: 400 | 401 | 420;
      reason: string;
      /** Set for 420 (the request authenticated, so the answer carries MI). */
      generation?: CredentialGeneration;
      unknownAttributes?: number[];
    }
  | { kind: 'drop'; reason: string }
  | {
      kind: 'accept';
      /** The credentials generation whose ufrag the request named. */
      generation: CredentialGeneration;
      /** The part of USERNAME after the colon: the peer's ufrag (RFC 8445 §7.3.1.4). */
      remoteUfrag: string;
    };

/**
 * Authenticates a Binding request against the live credential generations
 * (the current one, and the previous one during an ICE restart):
 * - a present but wrong FINGERPRINT → drop (RFC 8489 §7.3: not a STUN message for us);
 * - no USERNAME or no MESSAGE-INTEGRITY → 400 (RFC 8489 §9.1.3);
 * - USERNAME not `ourUfrag:x` for a live generation, or MI wrong → 401 (RFC 8489 §9.1.3, RFC 8445 §7.3);
 * - unknown comprehension-required attributes → 420 (RFC 8489 §6.3.1), after authentication;
 * - otherwise accepted.
 */
export function authenticateRequest(msg: StunMessage, generations: readonly CredentialGeneration[]): RequestVerdict {
  if (msg.hasFingerprint && !verifyFingerprint(msg)) return { kind: 'drop', reason: 'bad FINGERPRINT' };
  const username = msg.attributes.username;
  if (username === undefined || !msg.hasIntegrity) {
    return { kind: 'reject', code: 400, reason: username === undefined ? 'no USERNAME' : 'no MESSAGE-INTEGRITY' };
  }
  const colon = username.indexOf(':');
  const localUfrag = colon < 0 ? username : username.slice(0, colon);
  const generation = generations.find((g) => g.local.ufrag === localUfrag);
  if (generation === undefined || colon < 0) {
    return { kind: 'reject', code: 401, reason: `unknown ufrag in USERNAME ${JSON.stringify(username)}` };
  }
  if (!verifyIntegrity(msg, generation.localKey)) {
    return { kind: 'reject', code: 401, reason: 'MESSAGE-INTEGRITY does not verify' };
  }
  if (msg.unknownRequired.length > 0) {
    return {
      kind: 'reject',
      code: 420,
      reason: `unknown comprehension-required attributes ${msg.unknownRequired.map((t) => `0x${t.toString(16)}`).join(',')}`,
      generation,
      unknownAttributes: msg.unknownRequired,
    };
  }
  return { kind: 'accept', generation, remoteUfrag: username.slice(colon + 1) };
}
