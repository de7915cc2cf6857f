/**
 * Default reason phrases of STUN error codes (RFC 8489 §14.8, RFC 8445 §7.3.1.1,
 * RFC 8656 §18 for 403).
 *
 * @module
 */

const REASONS: ReadonlyMap<number, string> = new Map([
  [300, 'Try Alternate'],
  [400, 'Bad Request'],
  [401, 'Unauthenticated'],
  [403, 'Forbidden'],
  [420, 'Unknown Attribute'],
  [438, 'Stale Nonce'],
  [487, 'Role Conflict'],
  [500, 'Server Error'],
]);

/**
 * The recommended reason phrase for an error code (e.g. 487 → "Role
 * Conflict"); for a code without one, a generic phrase by class
 * ("Error 4xx" style: `Error 499`).
 */
export function stunErrorReason(code: number): string {
  return REASONS.get(code) ?? `Error ${code}`;
}
