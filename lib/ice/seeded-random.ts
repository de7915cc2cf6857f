/**
 * Randomness helpers over an injected {@link RandomSource}, and a seeded
 * generator for tests and replays. The core never calls `Math.random`.
 */
import type { RandomSource } from './types.js';

/** The ice-char alphabet of RFC 8839 §5.1 / §5.4: `[A-Za-z0-9+/]`. */
const ICE_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * A deterministic {@link RandomSource}: xoshiro128** seeded through
 * splitmix32. The same seed always yields the same bytes. For tests and
 * replays only: it is not cryptographically secure.
 */
export function seededRandom(seed: number): RandomSource {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  if ((a | b | c | d) === 0) a = 1;
  const next = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d >>> 0, 11);
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    return result;
  };
  return {
    bytes(length: number): Uint8Array {
      const out = new Uint8Array(length);
      for (let i = 0; i < length; i += 4) {
        let word = next();
        for (let j = i; j < i + 4 && j < length; j++) {
          out[j] = word & 0xff;
          word >>>= 8;
        }
      }
      return out;
    },
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** A string of `length` random ice-chars (RFC 8839 §5.4: ufrag and pwd). */
export function randomIceString(random: RandomSource, length: number): string {
  const bytes = random.bytes(length);
  let out = '';
  // 64 ice-chars: the low 6 bits pick one without bias.
  for (let i = 0; i < length; i++) out += ICE_CHARS[bytes[i] & 0x3f];
  return out;
}

/** A fresh 96-bit STUN transaction id (RFC 8489 §5). */
export function randomTransactionId(random: RandomSource): Buffer {
  const bytes = random.bytes(12);
  return Buffer.from(bytes.buffer, bytes.byteOffset, 12);
}

/** A fresh unsigned 64-bit tie-breaker (RFC 8445 §7.1.3). */
export function randomTieBreaker(random: RandomSource): bigint {
  const bytes = random.bytes(8);
  let value = 0n;
  for (let i = 0; i < 8; i++) value = (value << 8n) | BigInt(bytes[i]);
  return value;
}

/** A uniform number in [0, 1) with 32 bits of resolution. */
export function randomUnit(random: RandomSource): number {
  const b = random.bytes(4);
  return ((b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0) / 4294967296;
}
