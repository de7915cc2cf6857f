/**
 * ECDSA signatures of the handshake (RFC 8422 §5.4, RFC 5246 §7.4.8) and
 * the peer certificate's key: we accept only ECDSA keys on P-256 (the
 * certificates WebRTC peers and lib/secure make), signed with
 * ecdsa_secp256r1_sha256 (or SHA-384 over the same key, which RFC 5246
 * allows since TLS 1.2 decouples hash and curve).
 *
 * @module
 */
import { X509Certificate, sign, verify, type KeyObject } from 'node:crypto';
import { DtlsError } from './dtls-error.js';
import { AlertDescription } from './alert.js';
import { SignatureScheme } from './extensions.js';

/** The schemes we accept, by preference; we sign with the first. */
export const ACCEPTED_SCHEMES: readonly number[] = [SignatureScheme.ecdsa_secp256r1_sha256, SignatureScheme.ecdsa_secp384r1_sha384];

const HASH_OF: ReadonlyMap<number, string> = new Map([
  [SignatureScheme.ecdsa_secp256r1_sha256, 'sha256'],
  [SignatureScheme.ecdsa_secp384r1_sha384, 'sha384'],
]);

/** The peer's certificate: DER, and the public key its signatures are checked with. */
export interface PeerCertificate {
  readonly der: Uint8Array;
  readonly x509: X509Certificate;
  readonly publicKey: KeyObject;
}

/**
 * Reads the peer's leaf certificate and checks its key is ECDSA P-256.
 *
 * @throws DtlsError `ERR_DTLS_BAD_CERTIFICATE`.
 */
export function readPeerCertificate(der: Uint8Array): PeerCertificate {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
  } catch (error) {
    throw new DtlsError('ERR_DTLS_BAD_CERTIFICATE', 'the peer certificate is not a readable X.509 certificate', {
      alert: AlertDescription.bad_certificate,
      cause: error,
    });
  }
  const publicKey = x509.publicKey;
  if (publicKey.asymmetricKeyType !== 'ec' || publicKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new DtlsError(
      'ERR_DTLS_BAD_CERTIFICATE',
      `the peer certificate's key is ${publicKey.asymmetricKeyType ?? '?'}, not ECDSA P-256`,
      {
        alert: AlertDescription.unsupported_certificate,
      },
    );
  }
  return { der, x509, publicKey };
}

/** Signs `data` with our key under `scheme`. */
export function signWith(privateKey: KeyObject, scheme: number, data: Uint8Array): Uint8Array {
  return sign(HASH_OF.get(scheme) ?? 'sha256', data, privateKey);
}

/**
 * Verifies a signature by the peer.
 *
 * @throws DtlsError `ERR_DTLS_BAD_SIGNATURE` (`decrypt_error`, RFC 5246
 *   §7.2.2) when the scheme is not one we accept or the signature fails.
 */
export function verifySignature(peer: PeerCertificate, scheme: number, data: Uint8Array, signature: Uint8Array, what: string): void {
  const hash = HASH_OF.get(scheme);
  if (hash === undefined) {
    throw new DtlsError('ERR_DTLS_BAD_SIGNATURE', `${what} uses signature algorithm 0x${scheme.toString(16)}, which we did not offer`, {
      alert: AlertDescription.illegal_parameter,
    });
  }
  let ok = false;
  try {
    ok = signature.length > 0 && verify(hash, data, peer.publicKey, signature);
  } catch {
    ok = false;
  }
  if (!ok)
    throw new DtlsError('ERR_DTLS_BAD_SIGNATURE', `the ${what} signature does not verify`, { alert: AlertDescription.decrypt_error });
}
