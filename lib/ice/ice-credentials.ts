/**
 * ICE credentials: generation and validation (RFC 8445 §5.3, RFC 8839 §5.4).
 */
import { shortTermKey } from '../stun/index.js';
import { IceError } from './ice-errors.js';
import { randomIceString } from './seeded-random.js';
import type { IceCredentials, RandomSource } from './types.js';

/** Length of a generated ufrag: RFC 8839 §5.4 wants at least 24 bits of randomness (4 chars); we use 8. */
export const UFRAG_LENGTH = 8;
/** Length of a generated pwd: RFC 8839 §5.4 wants at least 128 bits (22 chars); we use 24. */
export const PWD_LENGTH = 24;

const ICE_CHAR_RE = /^[A-Za-z0-9+/]+$/;

/** Draws a fresh ufrag (8 ice-chars) and pwd (24 ice-chars) from `random`. */
export function generateCredentials(random: RandomSource): IceCredentials {
  return { ufrag: randomIceString(random, UFRAG_LENGTH), pwd: randomIceString(random, PWD_LENGTH) };
}

/**
 * Checks the RFC 8839 §5.4 syntax: ufrag 4–256 ice-chars, pwd 22–256.
 * A ufrag must not contain ':' (it would break USERNAME), which the
 * ice-char alphabet already excludes.
 *
 * @throws IceError `ERR_ICE_BAD_CREDENTIALS`
 */
export function validateCredentials(credentials: IceCredentials, who: string): void {
  const { ufrag, pwd } = credentials ?? ({} as IceCredentials);
  if (typeof ufrag !== 'string' || ufrag.length < 4 || ufrag.length > 256 || !ICE_CHAR_RE.test(ufrag)) {
    throw new IceError('ERR_ICE_BAD_CREDENTIALS', `${who} ufrag must be 4-256 ice-chars (RFC 8839 §5.4)`);
  }
  if (typeof pwd !== 'string' || pwd.length < 22 || pwd.length > 256 || !ICE_CHAR_RE.test(pwd)) {
    throw new IceError('ERR_ICE_BAD_CREDENTIALS', `${who} pwd must be 22-256 ice-chars (RFC 8839 §5.4)`);
  }
}

/**
 * One generation of credentials: the local pair and, once signalled, the
 * remote pair, with their MESSAGE-INTEGRITY keys precomputed
 * (RFC 8489 §9.1.1: the key is the password).
 * An ICE restart (RFC 8445 §9) starts a new generation; the previous one
 * stays alive while its selected pair still carries data.
 */
export class CredentialGeneration {
  local: IceCredentials;
  /** HMAC key for requests to us and our responses (local pwd). */
  localKey: Buffer;
  /**
   * Started because the peer's credentials changed (the peer restarted
   * first): our own credentials are still the old ones until `restart()`.
   */
  peerInitiated = false;
  remote: IceCredentials | undefined;
  /** HMAC key for our requests and the peer's responses (remote pwd). */
  remoteKey: Buffer | undefined;
  /** Whether the peer is ICE-lite (RFC 8445 §2.5). */
  remoteLite = false;
  /** Increments with each restart; for logs. */
  readonly index: number;

  constructor(local: IceCredentials, index: number) {
    this.local = { ufrag: local.ufrag, pwd: local.pwd };
    this.localKey = shortTermKey(local.pwd);
    this.index = index;
  }

  /** This generation began because the peer's credentials changed (see {@link peerInitiated}). */
  markPeerInitiated(): void {
    this.peerInitiated = true;
  }

  /** Replaces our credentials (completing a restart the peer started). */
  replaceLocal(local: IceCredentials): void {
    this.local = { ufrag: local.ufrag, pwd: local.pwd };
    this.localKey = shortTermKey(local.pwd);
    this.peerInitiated = false;
  }

  /** Sets the peer's credentials (RFC 8445 §5.3). */
  setRemote(remote: IceCredentials, lite: boolean): void {
    this.remote = { ufrag: remote.ufrag, pwd: remote.pwd };
    this.remoteKey = shortTermKey(remote.pwd);
    this.remoteLite = lite;
  }

  /** USERNAME of our requests: `remoteUfrag:localUfrag` (RFC 8445 §7.2.2). */
  requestUsername(): string {
    return `${this.remote?.ufrag ?? ''}:${this.local.ufrag}`;
  }
}
