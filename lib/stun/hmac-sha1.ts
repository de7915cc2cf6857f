/**
 * HMAC-SHA1 (RFC 2104 over FIPS 180-4 SHA-1) for MESSAGE-INTEGRITY
 * (RFC 8489 §14.5), computed in JavaScript over a range of a buffer.
 *
 * Why not `crypto.createHmac`: a STUN message is one or two SHA-1 blocks,
 * and for so little data the native call (a new Hmac object, key import,
 * digest Buffer) costs several times the five compressions themselves.
 * With 10,000 sessions a process computes about 8,000 of these per second
 * for consent freshness alone (RFC 7675 §5.1). Verified against
 * `node:crypto` on random keys and messages of every length around the block
 * boundaries, the FIPS 180 examples and the RFC 5769 vectors
 * (test/stun/hmac-sha1.test.ts, test/stun/rfc5769.test.ts).
 *
 * Timing: no branch or memory index depends on key or message bytes (only on
 * lengths), so the computation leaks nothing more than the lengths; the
 * comparison of a received value stays in {@link verifyIntegrity}'s
 * constant-time loop.
 *
 * @module
 */

/** SHA-1 block size and the HMAC pad length (RFC 2104 §2, B = 64). */
const BLOCK = 64;

/** The message schedule: reused, nothing here is re-entered. */
const w = new Int32Array(80);
/** One padded block being assembled. */
const block = new Uint8Array(BLOCK);
/** The hash state: h0..h4. */
const h = new Int32Array(5);
/** The inner hash of the HMAC. */
const inner = new Uint8Array(20);
/** The key, hashed when longer than a block, zero-padded (RFC 2104 §2). */
const keyBlock = new Uint8Array(BLOCK);

function reset(): void {
  h[0] = 0x67452301;
  h[1] = 0xefcdab89 | 0;
  h[2] = 0x98badcfe | 0;
  h[3] = 0x10325476;
  h[4] = 0xc3d2e1f0 | 0;
}

/** One SHA-1 compression of `block` into `h` (FIPS 180-4 §6.1.2). */
function compress(): void {
  for (let t = 0; t < 16; t++) {
    const i = 4 * t;
    w[t] = (block[i] << 24) | (block[i + 1] << 16) | (block[i + 2] << 8) | block[i + 3];
  }
  for (let t = 16; t < 80; t++) {
    const x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16];
    w[t] = (x << 1) | (x >>> 31);
  }
  let a = h[0];
  let b = h[1];
  let c = h[2];
  let d = h[3];
  let e = h[4];
  let t = 0;
  for (; t < 20; t++) {
    const temp = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + 0x5a827999 + w[t]) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  for (; t < 40; t++) {
    const temp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w[t]) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  for (; t < 60; t++) {
    const temp = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e + (0x8f1bbcdc | 0) + w[t]) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  for (; t < 80; t++) {
    const temp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + (0xca62c1d6 | 0) + w[t]) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  h[0] = (h[0] + a) | 0;
  h[1] = (h[1] + b) | 0;
  h[2] = (h[2] + c) | 0;
  h[3] = (h[3] + d) | 0;
  h[4] = (h[4] + e) | 0;
}

/**
 * Absorbs `data[start..end)` after `prefixBytes` already compressed bytes,
 * pads (FIPS 180-4 §5.1.1) and leaves the digest in `h`. Every block is
 * copied into `block` first, so that `compress` sees one array type.
 */
function absorbAndFinish(data: Uint8Array, start: number, end: number, prefixBytes: number): void {
  let off = start;
  while (end - off >= BLOCK) {
    block.set(data.subarray(off, off + BLOCK));
    compress();
    off += BLOCK;
  }
  const rest = end - off;
  block.fill(0);
  block.set(data.subarray(off, end));
  block[rest] = 0x80;
  if (rest >= BLOCK - 8) {
    compress();
    block.fill(0);
  }
  // Length in bits, big-endian 64-bit (lengths here stay far below 2^53 bits).
  const bits = (prefixBytes + end - start) * 8;
  const high = Math.floor(bits / 0x100000000);
  block[56] = high >>> 24;
  block[57] = (high >>> 16) & 0xff;
  block[58] = (high >>> 8) & 0xff;
  block[59] = high & 0xff;
  block[60] = bits >>> 24;
  block[61] = (bits >>> 16) & 0xff;
  block[62] = (bits >>> 8) & 0xff;
  block[63] = bits & 0xff;
  compress();
}

function writeDigest(out: Uint8Array, off: number): void {
  for (let i = 0; i < 5; i++) {
    const v = h[i];
    out[off + 4 * i] = v >>> 24;
    out[off + 4 * i + 1] = (v >>> 16) & 0xff;
    out[off + 4 * i + 2] = (v >>> 8) & 0xff;
    out[off + 4 * i + 3] = v & 0xff;
  }
}

/** SHA-1 of `data[start..end)` (FIPS 180-4). */
export function sha1(data: Uint8Array, start = 0, end = data.length): Buffer {
  reset();
  absorbAndFinish(data, start, end, 0);
  const out = Buffer.allocUnsafe(20);
  writeDigest(out, 0);
  return out;
}

/** XORs the key block with `pad` into `block` and compresses it (the first block of the inner or outer hash). */
function padBlock(pad: number): void {
  for (let i = 0; i < BLOCK; i++) block[i] = keyBlock[i] ^ pad;
  compress();
}

/** HMAC-SHA1 (RFC 2104) with `key` of `data[start..end)`: 20 bytes. */
export function hmacSha1(key: Uint8Array, data: Uint8Array, start = 0, end = data.length): Buffer {
  keyBlock.fill(0);
  if (key.length > BLOCK) {
    reset();
    absorbAndFinish(key, 0, key.length, 0);
    writeDigest(keyBlock, 0);
  } else {
    keyBlock.set(key);
  }
  // Inner: H((K ^ ipad) || data).
  reset();
  padBlock(0x36);
  absorbAndFinish(data, start, end, BLOCK);
  writeDigest(inner, 0);
  // Outer: H((K ^ opad) || inner).
  reset();
  padBlock(0x5c);
  absorbAndFinish(inner, 0, 20, BLOCK);
  const out = Buffer.allocUnsafe(20);
  writeDigest(out, 0);
  keyBlock.fill(0);
  return out;
}
