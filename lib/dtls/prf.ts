/**
 * The TLS 1.2 PRF (RFC 5246 §5) and what is derived with it: the extended
 * master secret (RFC 7627 §4), the key block (RFC 5246 §6.3), Finished's
 * verify_data (§7.4.9) and exported keying material (RFC 5705 §4).
 *
 * @module
 */
import { createHmac } from 'node:crypto';
import { concat, u16 } from './bytes.js';
import { VERIFY_DATA_LENGTH } from './key-messages.js';

/** The PRF's hash: SHA-256 for every suite except the SHA-384 one (RFC 5289 §3.2). */
export type PrfHash = 'sha256' | 'sha384';

const encoder = new TextEncoder();

/** `P_hash(secret, seed)` (RFC 5246 §5), `length` bytes. */
export function pHash(hash: PrfHash, secret: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let a: Uint8Array = seed; // A(0)
  let filled = 0;
  while (filled < length) {
    a = createHmac(hash, secret).update(a).digest(); // A(i) = HMAC(secret, A(i-1))
    const block = createHmac(hash, secret).update(a).update(seed).digest();
    out.set(block.subarray(0, Math.min(block.length, length - filled)), filled);
    filled += block.length;
  }
  return out;
}

/** `PRF(secret, label, seed) = P_<hash>(secret, label + seed)` (RFC 5246 §5). */
export function prf(hash: PrfHash, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  return pHash(hash, secret, concat(encoder.encode(label), seed), length);
}

/**
 * RFC 7627 §4: `master_secret = PRF(pre_master_secret, "extended master
 * secret", session_hash)[0..47]`, session_hash being the hash of the
 * handshake messages up to and including ClientKeyExchange.
 */
export function extendedMasterSecret(hash: PrfHash, preMasterSecret: Uint8Array, sessionHash: Uint8Array): Uint8Array {
  return prf(hash, preMasterSecret, 'extended master secret', sessionHash, 48);
}

/** The key block (RFC 5246 §6.3): `PRF(master, "key expansion", server_random + client_random)`. */
export interface KeyBlock {
  readonly clientWriteKey: Uint8Array;
  readonly serverWriteKey: Uint8Array;
  readonly clientWriteIv: Uint8Array;
  readonly serverWriteIv: Uint8Array;
}

/** AEAD suites have no MAC keys (RFC 5246 §6.3 with mac_key_length 0): keys, then IVs. */
export function keyBlock(
  hash: PrfHash,
  masterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  keyLength: number,
  ivLength: number,
): KeyBlock {
  const block = prf(hash, masterSecret, 'key expansion', concat(serverRandom, clientRandom), 2 * (keyLength + ivLength));
  let o = 0;
  const take = (n: number): Uint8Array => block.slice(o, (o += n));
  return { clientWriteKey: take(keyLength), serverWriteKey: take(keyLength), clientWriteIv: take(ivLength), serverWriteIv: take(ivLength) };
}

/** Finished.verify_data (RFC 5246 §7.4.9): `PRF(master, finished_label, Hash(handshake_messages))[0..11]`. */
export function verifyData(
  hash: PrfHash,
  masterSecret: Uint8Array,
  label: 'client finished' | 'server finished',
  transcriptHash: Uint8Array,
): Uint8Array {
  return prf(hash, masterSecret, label, transcriptHash, VERIFY_DATA_LENGTH);
}

/**
 * RFC 5705 §4: `PRF(master, label, client_random + server_random [+
 * context_length(2) + context])`. No context and an empty context differ.
 */
export function exportKeyingMaterial(
  hash: PrfHash,
  masterSecret: Uint8Array,
  clientRandom: Uint8Array,
  serverRandom: Uint8Array,
  label: string,
  length: number,
  context?: Uint8Array,
): Uint8Array {
  const seed =
    context === undefined ? concat(clientRandom, serverRandom) : concat(clientRandom, serverRandom, u16(context.length), context);
  return prf(hash, masterSecret, label, seed, length);
}
