/**
 * Ephemeral ECDH on P-256 (uncompressed points, RFC 8422 §5.4) and X25519
 * (RFC 8422 §5.11, RFC 7748), over node:crypto, with the private key drawn
 * from the injected randomness.
 *
 * @module
 */
import { createECDH, createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import { DtlsError } from './dtls-error.js';
import { AlertDescription } from './alert.js';
import { NamedGroup } from './extensions.js';

/** Our group preference: X25519, then P-256. */
export const DEFAULT_GROUPS: readonly number[] = [NamedGroup.x25519, NamedGroup.secp256r1];

/** One side's ephemeral key. */
export interface EphemeralKey {
  readonly group: number;
  readonly publicKey: Uint8Array;
  /** The shared secret with the peer's public key (the pre-master secret). */
  deriveSecret(peerPublic: Uint8Array): Uint8Array;
}

function illegal(message: string, cause?: unknown): DtlsError {
  return new DtlsError('ERR_DTLS_DECODE', message, { alert: AlertDescription.illegal_parameter, cause });
}

const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

// P-256 order n; a private scalar must be in [1, n-1].
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** A fresh key on `group`, its private part from `random`. */
export function generateEphemeralKey(group: number, random: (n: number) => Uint8Array): EphemeralKey {
  if (group === NamedGroup.secp256r1) {
    let d: Uint8Array;
    do d = random(32);
    while (!inRange(d));
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(d);
    return {
      group,
      publicKey: ecdh.getPublicKey(undefined, 'uncompressed'),
      deriveSecret(peer) {
        // RFC 8422 §5.4: points are uncompressed (0x04 || x || y).
        if (peer.length !== 65 || peer[0] !== 4) throw illegal('a P-256 point must be 65 uncompressed bytes');
        try {
          return ecdh.computeSecret(peer);
        } catch (error) {
          throw illegal('the peer P-256 point is not on the curve', error);
        }
      },
    };
  }
  if (group === NamedGroup.x25519) {
    const d = random(32);
    // PKCS#8 of an X25519 key (RFC 8410 §7): a fixed prefix, then the 32 private bytes.
    const privateKey = createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, d]), format: 'der', type: 'pkcs8' });
    const publicJwk = createPublicKey(privateKey).export({ format: 'jwk' });
    return {
      group,
      publicKey: Buffer.from(publicJwk.x as string, 'base64url'),
      deriveSecret(peer) {
        if (peer.length !== 32) throw illegal('an X25519 key must be 32 bytes');
        let peerKey: KeyObject;
        try {
          peerKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64u(peer) }, format: 'jwk' });
        } catch (error) {
          throw illegal('unusable X25519 key', error);
        }
        const secret = diffieHellman({ privateKey, publicKey: peerKey });
        // RFC 8422 §5.11 / RFC 7748 §6.1: an all-zero result must be rejected.
        if (secret.every((b) => b === 0)) throw illegal('X25519 produced the all-zero secret');
        return secret;
      },
    };
  }
  throw new DtlsError('ERR_DTLS_NO_SHARED_SUITE', `unsupported group ${group}`, { alert: AlertDescription.illegal_parameter });
}

function inRange(d: Uint8Array): boolean {
  const v = BigInt('0x' + Buffer.from(d).toString('hex'));
  return v > 0n && v < P256_ORDER;
}

function b64u(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}
