/**
 * `a=setup` (RFC 4145 §4) and the TLS roles it decides over ICE-TCP.
 *
 * With ICE-TCP the ICE tcptype decides who opens the TCP connection; `setup`
 * decides only who is the TLS client (`active`) and who is the TLS server
 * (`passive`) (RFC 6544 §4.5, RFC 8122 §6.2). So none of this depends on which
 * side opened the connection.
 *
 * @module
 */
import { SecureError } from './secure-error.js';

/** Values of the setup attribute (RFC 4145 §4). */
export type SetupRole = 'active' | 'passive' | 'actpass' | 'holdconn';

/** The TLS (or DTLS) role of one endpoint. */
export type TlsRole = 'client' | 'server';

/** Which side of the offer/answer exchange we are. */
export type OfferAnswerSide = 'offerer' | 'answerer';

const ROLES: readonly SetupRole[] = ['active', 'passive', 'actpass', 'holdconn'];

/** RFC 4145 §4.1: the setup value of an offer (answer) that carries none. */
export const DEFAULT_OFFER_SETUP: SetupRole = 'active';
/** RFC 4145 §4.1: the setup value of an answer that carries none. */
export const DEFAULT_ANSWER_SETUP: SetupRole = 'passive';

/**
 * RFC 4145 §4.1 table: the answers each offer allows.
 */
const VALID_ANSWERS: Readonly<Record<SetupRole, readonly SetupRole[]>> = {
  active: ['passive', 'holdconn'],
  passive: ['active', 'holdconn'],
  actpass: ['active', 'passive', 'holdconn'],
  holdconn: ['holdconn'],
};

/**
 * A setup value given in any case (RFC 4145 §4 calls the attribute
 * charset-independent; peers differ in case).
 *
 * @throws SecureError `ERR_SETUP_SYNTAX` for anything else.
 */
export function parseSetupRole(value: string): SetupRole {
  const lower = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if ((ROLES as readonly string[]).includes(lower)) return lower as SetupRole;
  throw new SecureError('ERR_SETUP_SYNTAX', `unknown setup value ${JSON.stringify(String(value))} (RFC 4145 §4)`);
}

/**
 * Parses a setup line in any of its forms: `a=setup:actpass`, `setup:actpass`
 * (SDP, RFC 4145 §4) or `setup actpass` (the CLI's line).
 *
 * @throws SecureError `ERR_SETUP_SYNTAX`.
 */
export function parseSetupLine(line: string): SetupRole {
  if (typeof line !== 'string') throw new SecureError('ERR_SETUP_SYNTAX', 'a setup line must be a string');
  const m = /^\s*(?:a=)?setup(?::|[ \t]+)\s*(\S+)\s*$/i.exec(line);
  if (!m) throw new SecureError('ERR_SETUP_SYNTAX', `not a setup line: ${JSON.stringify(line)}`);
  return parseSetupRole(m[1]);
}

/** `a=setup:<role>` (RFC 4145 §4, SDP form). */
export function formatSetupAttribute(role: SetupRole): string {
  return `a=setup:${parseSetupRole(role)}`;
}

/** `setup <role>` (the line `ice-tcp peer` prints and reads). */
export function formatSetupLine(role: SetupRole): string {
  return `setup ${parseSetupRole(role)}`;
}

/**
 * Checks an offer/answer pair of setup values against RFC 4145 §4.1 (a
 * missing value takes the RFC's default: active in an offer, passive in an
 * answer).
 *
 * @throws SecureError `ERR_SETUP_INVALID_ANSWER` for a pair the table does
 *   not allow (e.g. `active`/`active`, or `actpass` in an answer).
 */
export function validateSetupAnswer(offer: SetupRole | undefined, answer: SetupRole | undefined): void {
  const o = offer === undefined ? DEFAULT_OFFER_SETUP : parseSetupRole(offer);
  const a = answer === undefined ? DEFAULT_ANSWER_SETUP : parseSetupRole(answer);
  // RFC 4145 §4.1 table.
  if (!VALID_ANSWERS[o].includes(a)) {
    throw new SecureError('ERR_SETUP_INVALID_ANSWER', `setup:${o} cannot be answered with setup:${a} (RFC 4145 §4.1)`);
  }
}

/**
 * The setup value an answerer should use for an offer: `actpass` is answered
 * `active`, making the answerer the TLS client (the RFC 5763 / RFC 8842
 * convention); `active` → `passive`; `passive` → `active`; `holdconn` →
 * `holdconn` (RFC 4145 §4.1).
 */
export function chooseAnswerSetup(offer: SetupRole | undefined): SetupRole {
  const o = offer === undefined ? DEFAULT_OFFER_SETUP : parseSetupRole(offer);
  switch (o) {
    case 'actpass':
      return 'active';
    case 'active':
      return 'passive';
    case 'passive':
      return 'active';
    default:
      return 'holdconn';
  }
}

/** The TLS roles of both sides of an offer/answer exchange. */
export interface NegotiatedTlsRoles {
  readonly offerer: TlsRole;
  readonly answerer: TlsRole;
}

/**
 * The TLS roles an offer/answer pair of setup values gives: the `active`
 * endpoint is the TLS client, the `passive` one the server (RFC 8122 §6.2,
 * RFC 6544 §4.5). Independent of who opened the TCP connection.
 *
 * @throws SecureError `ERR_SETUP_INVALID_ANSWER` as {@link validateSetupAnswer};
 *   `ERR_SETUP_HOLDCONN` when the answer is `holdconn` (no connection for now).
 */
export function negotiateTlsRoles(offer: SetupRole | undefined, answer: SetupRole | undefined): NegotiatedTlsRoles {
  validateSetupAnswer(offer, answer);
  const a = answer === undefined ? DEFAULT_ANSWER_SETUP : parseSetupRole(answer);
  if (a === 'holdconn') {
    throw new SecureError('ERR_SETUP_HOLDCONN', 'setup:holdconn: no connection, so no TLS role, for now (RFC 4145 §4)');
  }
  // The answer is active or passive here; the offerer takes the other role.
  return a === 'active' ? { offerer: 'server', answerer: 'client' } : { offerer: 'client', answerer: 'server' };
}

/**
 * Our own TLS role from the offer, the answer and which side we are.
 *
 * @throws SecureError as {@link negotiateTlsRoles}.
 */
export function tlsRoleFor(side: OfferAnswerSide, offer: SetupRole | undefined, answer: SetupRole | undefined): TlsRole {
  if (side !== 'offerer' && side !== 'answerer') {
    throw new SecureError('ERR_SECURE_BAD_OPTION', `side must be 'offerer' or 'answerer', got ${String(side)}`);
  }
  return negotiateTlsRoles(offer, answer)[side];
}
