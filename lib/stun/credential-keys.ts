/**
 * HMAC keys of the STUN credential mechanisms (RFC 8489 §9).
 *
 * @module
 */
import { createHash } from 'node:crypto';

/**
 * Short-term credential key (RFC 8489 §9.1.1): the password as UTF-8 bytes.
 * The password is used as given; RFC 8489 asks for OpaqueString (RFC 8265)
 * preparation and RFC 5389 for SASLprep, which leave the ASCII passwords ICE
 * generates (RFC 8445 §5.3, ice-chars) unchanged.
 */
export function shortTermKey(password: string): Buffer {
  return Buffer.from(password, 'utf8');
}

/**
 * Long-term credential key (RFC 8489 §9.2.2, MD5 algorithm; RFC 5389 §15.4):
 * MD5(username ":" realm ":" password) over UTF-8. Pass the password already
 * prepared (SASLprep in RFC 5389, OpaqueString in RFC 8489).
 */
export function longTermKey(username: string, realm: string, password: string): Buffer {
  return createHash('md5').update(`${username}:${realm}:${password}`, 'utf8').digest();
}
