/**
 * HMAC-SHA1 for MESSAGE-INTEGRITY (RFC 8489 §14.5), built as RFC 2104 §2
 * defines it on node:crypto's one-shot SHA-1 (`crypto.hash`):
 * `H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ text))`, with a key longer than the
 * 64-byte block hashed first.
 *
 * Why not `createHmac`: every STUN message of ICE carries MESSAGE-INTEGRITY
 * (checks, answers, consent; 8,000 a second per process at 10,000 sessions),
 * and `createHmac(...).update(...).digest()` costs three crossings into C++
 * and two JavaScript objects per message, about 2.2 µs on the machine this
 * was measured on; two one-shot `crypto.hash` calls with a `'binary'` (latin1) digest cost
 * about 0.9 µs. The SHA-1 is still OpenSSL's (a JavaScript SHA-1 was tried
 * and was slower). Known-answer vectors (RFC 2202 §3) and a comparison with
 * `createHmac` over random keys and messages are in
 * test/stun/hmac-sha1.test.ts.
 *
 * The digest is returned as a 20-character latin1 string (one character per
 * byte): writing it into a message or comparing it with received bytes needs
 * no Buffer. The message is copied into a scratch block behind the inner pad
 * (so the caller's bytes are never modified, not even for a moment) and the
 * STUN length field is patched in the copy.
 *
 * @module
 */
import * as crypto from 'node:crypto';

const BLOCK = 64;
const DIGEST = 20;

/** node:crypto's one-shot hash (Node ≥ 20.12); `undefined` falls back to createHmac. */
const oneShot: ((algorithm: string, data: Uint8Array, encoding: 'binary') => string) | undefined =
  typeof crypto.hash === 'function' ? crypto.hash : undefined;

/** `(K ⊕ ipad) ‖ text`, grown on demand (at most one STUN message plus a block). */
let inner = Buffer.alloc(BLOCK + 512);
/** `(K ⊕ opad) ‖ H(inner)`: always 84 bytes. */
const outer = Buffer.alloc(BLOCK + DIGEST);

/** Writes K ⊕ ipad at inner[0..64) and K ⊕ opad at outer[0..64) (RFC 2104 §2). */
function writePads(key: Uint8Array): void {
  let k = key;
  if (k.length > BLOCK) k = crypto.createHash('sha1').update(k).digest(); // RFC 2104 §2: a long key is hashed first
  const n = k.length;
  for (let i = 0; i < BLOCK; i++) {
    const b = i < n ? k[i] : 0;
    inner[i] = b ^ 0x36;
    outer[i] = b ^ 0x5c;
  }
}

/**
 * HMAC-SHA1 with `key` of `msg[0..end)` whose STUN length field (bytes 2-3)
 * reads `stunLength` instead of what `msg` holds (RFC 8489 §14.5: the length
 * covers the MESSAGE-INTEGRITY attribute being computed or checked). Returns
 * the 20-byte digest as a latin1 string. `msg` is not modified.
 */
export function stunHmacSha1(key: Uint8Array, msg: Uint8Array, end: number, stunLength: number): string {
  if (oneShot === undefined) return fallback(key, msg, end, stunLength);
  if (inner.length < BLOCK + end) inner = Buffer.alloc(BLOCK + end);
  writePads(key);
  inner.set(end === msg.length ? msg : msg.subarray(0, end), BLOCK);
  inner[BLOCK + 2] = stunLength >>> 8;
  inner[BLOCK + 3] = stunLength & 0xff;
  const innerDigest = oneShot('sha1', inner.subarray(0, BLOCK + end), 'binary');
  writeDigest(innerDigest, outer, BLOCK);
  return oneShot('sha1', outer, 'binary');
}

/** The same with createHmac (Node without `crypto.hash`). */
function fallback(key: Uint8Array, msg: Uint8Array, end: number, stunLength: number): string {
  const head = Buffer.from(msg.subarray(0, 4));
  head[2] = stunLength >>> 8;
  head[3] = stunLength & 0xff;
  return crypto.createHmac('sha1', key).update(head).update(msg.subarray(4, end)).digest('binary');
}

/** Writes a latin1 digest's bytes into `buf` at `off`. */
export function writeDigest(digest: string, buf: Uint8Array, off: number): void {
  for (let i = 0; i < digest.length; i++) buf[off + i] = digest.charCodeAt(i);
}

/** Compares a latin1 digest with `n` bytes of `bytes` at `off`, in constant time (independent of where they differ). */
export function digestEquals(digest: string, bytes: Uint8Array, off: number, n: number): boolean {
  if (digest.length !== n) return false;
  let diff = 0;
  for (let i = 0; i < n; i++) diff |= digest.charCodeAt(i) ^ bytes[off + i];
  return diff === 0;
}
