/**
 * Long-term credentials of a TURN client (RFC 8489 §9.2, RFC 8656 §4):
 * the first request goes without credentials, the server answers 401 with
 * REALM and NONCE, and every later request carries USERNAME, REALM, NONCE
 * and MESSAGE-INTEGRITY keyed with MD5(username:realm:password)
 * (RFC 8489 §9.2.2). A 438 (Stale Nonce) brings a new NONCE to retry with
 * (RFC 8489 §9.2.5).
 *
 * @module
 */
import { encodeStun, longTermKey, verifyIntegrity, type StunMessage, type StunMessageInit } from '../stun/index.js';

/** The username and password of a TURN server (RTCIceServer `username` / `credential`). */
export interface TurnCredentials {
  username: string;
  password: string;
}

/** The realm, nonce and key learned from the server. */
export class LongTermAuth {
  readonly #credentials: TurnCredentials;
  #realm: string | undefined;
  #nonce: string | undefined;
  #key: Buffer | undefined;

  constructor(credentials: TurnCredentials) {
    this.#credentials = credentials;
  }

  /** True once a 401 gave a realm and a nonce. */
  get ready(): boolean {
    return this.#key !== undefined;
  }

  /** The realm the server named. */
  get realm(): string | undefined {
    return this.#realm;
  }

  /** The HMAC key, once known (also for a data connection's ConnectionBind, RFC 6062 §4.3). */
  get key(): Buffer | undefined {
    return this.#key;
  }

  /**
   * Takes REALM and NONCE from a 401 or 438 answer (RFC 8489 §9.2.4, §9.2.5).
   * Returns false when the answer lacks them (the request cannot be retried).
   */
  learn(answer: StunMessage): boolean {
    const { realm, nonce } = answer.attributes;
    if (nonce === undefined) return false;
    const nextRealm = realm ?? this.#realm;
    if (nextRealm === undefined) return false;
    if (nextRealm !== this.#realm || this.#key === undefined) {
      this.#key = longTermKey(this.#credentials.username, nextRealm, this.#credentials.password);
    }
    this.#realm = nextRealm;
    this.#nonce = nonce;
    return true;
  }

  /** Encodes a request, authenticated when the realm and nonce are known (FINGERPRINT always, RFC 8656 §5). */
  encode(init: StunMessageInit): Buffer {
    if (this.#key === undefined || this.#nonce === undefined || this.#realm === undefined) {
      return encodeStun(init, { fingerprint: true });
    }
    const attributes = { ...init.attributes, username: this.#credentials.username, realm: this.#realm, nonce: this.#nonce };
    return encodeStun({ ...init, attributes }, { integrityKey: this.#key, fingerprint: true });
  }

  /**
   * Checks the MESSAGE-INTEGRITY of a success response (RFC 8489 §9.2.5):
   * true when it verifies with the key; a response without integrity is
   * refused once the key is known.
   */
  verify(response: StunMessage): boolean {
    if (this.#key === undefined) return true;
    return response.hasIntegrity && verifyIntegrity(response, this.#key);
  }
}
