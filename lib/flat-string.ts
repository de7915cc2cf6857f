/**
 * Flat copies of strings a session keeps for its whole life (map keys, ids).
 *
 * @module
 */

/**
 * The string as one flat string. V8 represents a concatenation of 13
 * characters or more as a tree of "cons" strings, one 32-byte node per
 * `+` or template part, kept for as long as the result is: a key like
 * `tcp-passive:127.0.0.1:40000` costs about 200 bytes that way and 48 flat
 * (README "Capacity and speed"). `normalize()` returns a flat string; when
 * normalization would change the text (non-NFC input, never the case for
 * our keys), the string is returned as it is.
 */
export function flat(s: string): string {
  const f = s.normalize();
  return f === s ? f : s;
}
