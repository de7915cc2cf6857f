/**
 * The three cipher suites (all ECDHE with ECDSA, all AEAD) and their record
 * protection: AES-GCM (RFC 5288 §3, RFC 5289) and ChaCha20-Poly1305
 * (RFC 7905 §2).
 *
 * @module
 */
import { createCipheriv, createDecipheriv, type CipherGCMTypes } from 'node:crypto';
import type { PrfHash } from './prf.js';
import { epochSequence } from './record.js';

/** Suite numbers (RFC 5289 §3.2, RFC 7905 §2). */
export const CipherSuite = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 0xc02b,
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 0xc02c,
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca9,
} as const;

/** Name of a suite we implement. */
export type CipherSuiteName = keyof typeof CipherSuite;

/** What a suite needs. */
export interface SuiteParameters {
  readonly id: number;
  readonly name: CipherSuiteName;
  readonly prfHash: PrfHash;
  readonly keyLength: number;
  /** Bytes of write IV from the key block: 4 (GCM salt) or 12 (ChaCha20, RFC 7905 §2). */
  readonly ivLength: number;
  /** Bytes of explicit nonce in each record: 8 for GCM (RFC 5288 §3), 0 for ChaCha20. */
  readonly explicitNonceLength: number;
  readonly cipher: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';
}

/** Bytes of the AEAD tag (all three suites). */
export const TAG_LENGTH = 16;

export const SUITES: ReadonlyMap<number, SuiteParameters> = new Map(
  [
    {
      id: 0xc02b,
      name: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
      prfHash: 'sha256',
      keyLength: 16,
      ivLength: 4,
      explicitNonceLength: 8,
      cipher: 'aes-128-gcm',
    },
    {
      id: 0xc02c,
      name: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
      prfHash: 'sha384',
      keyLength: 32,
      ivLength: 4,
      explicitNonceLength: 8,
      cipher: 'aes-256-gcm',
    },
    {
      id: 0xcca9,
      name: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
      prfHash: 'sha256',
      keyLength: 32,
      ivLength: 12,
      explicitNonceLength: 0,
      cipher: 'chacha20-poly1305',
    },
  ].map((s) => [s.id, s as SuiteParameters]),
);

/** Our default preference: AES-128-GCM first (WebRTC's mandatory suite, RFC 8827 §6.5), then ChaCha20, then AES-256. */
export const DEFAULT_CIPHER_SUITES: readonly CipherSuiteName[] = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
];

/**
 * The per-record nonce.
 *
 * - GCM (RFC 5288 §3): `salt(4) + nonce_explicit(8)`; we send epoch+sequence
 *   as nonce_explicit (unique per key, as §3 requires).
 * - ChaCha20-Poly1305 (RFC 7905 §2): the 12-byte IV XORed with the 64-bit
 *   epoch+sequence, left-padded with four zero bytes.
 */
export function recordNonce(suite: SuiteParameters, iv: Uint8Array, epoch: number, sequence: number, explicit?: Uint8Array): Uint8Array {
  const nonce = Buffer.allocUnsafe(12);
  if (suite.explicitNonceLength > 0) {
    nonce.set(iv, 0);
    if (explicit !== undefined) nonce.set(explicit, 4);
    else {
      nonce.writeUInt16BE(epoch, 4);
      nonce.writeUIntBE(sequence, 6, 6);
    }
    return nonce;
  }
  const seq = epochSequence(epoch, sequence);
  nonce.set(iv, 0);
  for (let i = 0; i < 8; i++) nonce[4 + i] ^= seq[i];
  return nonce;
}

/** The additional data (RFC 5246 §6.2.3.3, RFC 6347 §4.1.2.1): seq_num(8) + type + version + length. */
export function additionalData(epoch: number, sequence: number, type: number, version: number, length: number): Uint8Array {
  const aad = Buffer.allocUnsafe(13);
  aad.writeUInt16BE(epoch, 0);
  aad.writeUIntBE(sequence, 2, 6);
  aad[8] = type;
  aad.writeUInt16BE(version, 9);
  aad.writeUInt16BE(length, 11);
  return aad;
}

/** One direction's AEAD state for one epoch. */
export class RecordProtection {
  constructor(
    readonly suite: SuiteParameters,
    private readonly key: Uint8Array,
    private readonly iv: Uint8Array,
  ) {}

  /** Encrypts a record fragment. */
  seal(epoch: number, sequence: number, type: number, version: number, plaintext: Uint8Array): Uint8Array {
    const nonce = recordNonce(this.suite, this.iv, epoch, sequence);
    const aad = additionalData(epoch, sequence, type, version, plaintext.length);
    const cipher = createCipheriv(this.suite.cipher as CipherGCMTypes, this.key, nonce, { authTagLength: TAG_LENGTH });
    cipher.setAAD(aad, { plaintextLength: plaintext.length });
    const body = cipher.update(plaintext);
    cipher.final();
    const tag = cipher.getAuthTag();
    return this.suite.explicitNonceLength > 0 ? Buffer.concat([nonce.subarray(4), body, tag]) : Buffer.concat([body, tag]);
  }

  /** Decrypts a record fragment; `undefined` when it does not authenticate (or is too short). */
  open(epoch: number, sequence: number, type: number, version: number, fragment: Uint8Array): Uint8Array | undefined {
    const n = this.suite.explicitNonceLength;
    const length = fragment.length - n - TAG_LENGTH;
    if (length < 0) return undefined;
    const nonce = recordNonce(this.suite, this.iv, epoch, sequence, fragment.subarray(0, n));
    const aad = additionalData(epoch, sequence, type, version, length);
    try {
      const decipher = createDecipheriv(this.suite.cipher as CipherGCMTypes, this.key, nonce, { authTagLength: TAG_LENGTH });
      decipher.setAAD(aad, { plaintextLength: length });
      decipher.setAuthTag(fragment.subarray(n + length));
      const body = decipher.update(fragment.subarray(n, n + length));
      decipher.final();
      return body;
    } catch {
      return undefined;
    }
  }
}
