/**
 * A small seeded pseudo-random generator for the virtual network (loss,
 * jitter, segmentation) and, through {@link SeededRandomSource}, for the
 * cores' `RandomSource`. sfc32 seeded through splitmix32: fast, 128 bits of
 * state, and the same sequence on every platform. Never `Math.random`.
 */
import type { RandomSource } from '../../../lib/ice/types.js';

/** Splitmix32 step: spreads a 32-bit seed over the sfc32 state words. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A deterministic generator: the same seed gives the same sequence. */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    const st = { s: seed >>> 0 };
    this.a = splitmix32(st);
    this.b = splitmix32(st);
    this.c = splitmix32(st);
    this.d = splitmix32(st);
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** The next 32-bit unsigned integer (sfc32). */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.next() < p;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** `length` random bytes. */
  bytes(length: number): Buffer {
    const out = Buffer.allocUnsafe(length);
    for (let i = 0; i < length; i += 4) {
      const v = this.nextUint32();
      for (let j = 0; j < 4 && i + j < length; j++) out[i + j] = (v >>> (8 * j)) & 0xff;
    }
    return out;
  }

  /** A child generator with its own stream, derived from this one. */
  fork(): Prng {
    return new Prng(this.nextUint32());
  }
}

/** A {@link RandomSource} for a core, backed by a seeded {@link Prng}; counts its draws. */
export class SeededRandomSource implements RandomSource {
  private readonly prng: Prng;
  /** How many times `bytes` was called. */
  draws = 0;

  constructor(seed: number) {
    this.prng = new Prng(seed);
  }

  bytes(length: number): Uint8Array {
    this.draws++;
    return this.prng.bytes(length);
  }
}
