/**
 * HelloVerifyRequest cookies (RFC 6347 §4.2.1): an HMAC, under a secret of
 * this endpoint, over the ClientHello fields the second ClientHello must
 * repeat, so that the server commits to no state until the client proves
 * it receives at its address.
 *
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { concat, u16 } from './bytes.js';
import type { ClientHello } from './hello-messages.js';

/** Bytes of our cookies (RFC 6347 §4.2.1 allows up to 255; 32 is plenty for an HMAC). */
export const COOKIE_LENGTH = 32;

export function makeCookie(secret: Uint8Array, hello: ClientHello): Uint8Array {
  return createHmac('sha256', secret)
    .update(concat(u16(hello.version), hello.random, hello.sessionId, ...hello.cipherSuites.map(u16), hello.compressionMethods))
    .digest();
}

export function checkCookie(secret: Uint8Array, hello: ClientHello): boolean {
  if (hello.cookie.length !== COOKIE_LENGTH) return false;
  return timingSafeEqual(makeCookie(secret, hello), hello.cookie);
}
