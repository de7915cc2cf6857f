/**
 * Bounds-checked reading and small encoders for the TLS presentation
 * language (RFC 5246 §4): big-endian integers and length-prefixed vectors.
 *
 * @module
 */
import { DtlsError } from './dtls-error.js';
import { AlertDescription } from './alert.js';

/** Reads a buffer front to back; every overrun is a `decode_error`. */
export class ByteReader {
  #offset = 0;

  constructor(readonly bytes: Uint8Array) {}

  /** Bytes not read yet. */
  get remaining(): number {
    return this.bytes.length - this.#offset;
  }

  get offset(): number {
    return this.#offset;
  }

  #need(n: number, what: string): void {
    if (n > this.remaining) {
      throw new DtlsError('ERR_DTLS_DECODE', `truncated ${what}: needs ${n} bytes, ${this.remaining} left`, {
        alert: AlertDescription.decode_error,
      });
    }
  }

  u8(what = 'u8'): number {
    this.#need(1, what);
    return this.bytes[this.#offset++];
  }

  u16(what = 'u16'): number {
    this.#need(2, what);
    const v = (this.bytes[this.#offset] << 8) | this.bytes[this.#offset + 1];
    this.#offset += 2;
    return v;
  }

  u24(what = 'u24'): number {
    this.#need(3, what);
    const b = this.bytes;
    const o = this.#offset;
    this.#offset += 3;
    return (b[o] << 16) | (b[o + 1] << 8) | b[o + 2];
  }

  /** A 48-bit unsigned integer (DTLS record sequence numbers), exact in a double. */
  u48(what = 'u48'): number {
    this.#need(6, what);
    const hi = this.u16(what);
    const lo = this.u32(what);
    return hi * 2 ** 32 + lo;
  }

  u32(what = 'u32'): number {
    this.#need(4, what);
    const b = this.bytes;
    const o = this.#offset;
    this.#offset += 4;
    return ((b[o] << 24) >>> 0) + ((b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]);
  }

  take(n: number, what = 'bytes'): Uint8Array {
    this.#need(n, what);
    const out = this.bytes.subarray(this.#offset, this.#offset + n);
    this.#offset += n;
    return out;
  }

  /** `opaque x<min..2^8-1>` */
  vec8(what: string, min = 0): Uint8Array {
    const n = this.u8(what);
    if (n < min) throw decodeError(`${what} shorter than ${min}`);
    return this.take(n, what);
  }

  /** `opaque x<min..2^16-1>` */
  vec16(what: string, min = 0): Uint8Array {
    const n = this.u16(what);
    if (n < min) throw decodeError(`${what} shorter than ${min}`);
    return this.take(n, what);
  }

  /** `opaque x<min..2^24-1>` */
  vec24(what: string, min = 0): Uint8Array {
    const n = this.u24(what);
    if (n < min) throw decodeError(`${what} shorter than ${min}`);
    return this.take(n, what);
  }

  /** Throws unless everything was read (trailing bytes are a decode_error). */
  end(what: string): void {
    if (this.remaining !== 0) throw decodeError(`${this.remaining} trailing bytes after ${what}`);
  }
}

/** A `decode_error` {@link DtlsError}. */
export function decodeError(message: string): DtlsError {
  return new DtlsError('ERR_DTLS_DECODE', message, { alert: AlertDescription.decode_error });
}

export function u8(v: number): Uint8Array {
  return Uint8Array.of(v & 0xff);
}

export function u16(v: number): Uint8Array {
  return Uint8Array.of((v >>> 8) & 0xff, v & 0xff);
}

export function u24(v: number): Uint8Array {
  return Uint8Array.of((v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
}

export function u48(v: number): Uint8Array {
  const hi = Math.floor(v / 2 ** 32);
  const lo = v >>> 0;
  return Uint8Array.of((hi >>> 8) & 0xff, hi & 0xff, (lo >>> 24) & 0xff, (lo >>> 16) & 0xff, (lo >>> 8) & 0xff, lo & 0xff);
}

function vec(prefix: Uint8Array, body: Uint8Array, max: number): Uint8Array {
  if (body.length > max) throw new RangeError(`vector of ${body.length} bytes over its limit ${max}`);
  return concat(prefix, body);
}

export function vec8(body: Uint8Array): Uint8Array {
  return vec(u8(body.length), body, 0xff);
}

export function vec16(body: Uint8Array): Uint8Array {
  return vec(u16(body.length), body, 0xffff);
}

export function vec24(body: Uint8Array): Uint8Array {
  return vec(u24(body.length), body, 0xffffff);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
