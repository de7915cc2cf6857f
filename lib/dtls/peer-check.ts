/**
 * The application's check of the peer certificate (the RFC 8122 §5.1
 * fingerprint match), run as soon as the certificate arrives, before the
 * handshake can finish, so no application data is ever accepted from an
 * unverified peer.
 *
 * @module
 */
import { AlertDescription } from './alert.js';
import { DtlsError } from './dtls-error.js';
import type { ResolvedOptions } from './dtls-options.js';
import type { PeerCertificate } from './signatures.js';

/** @throws DtlsError `ERR_DTLS_BAD_CERTIFICATE` when the check says no (or throws). */
export function checkPeerCertificate(options: ResolvedOptions, peer: PeerCertificate): void {
  const check = options.verifyPeerCertificate;
  if (check === undefined) return;
  let ok = false;
  try {
    ok = check(peer.der) === true;
  } catch (error) {
    throw new DtlsError('ERR_DTLS_BAD_CERTIFICATE', `the peer certificate check threw: ${(error as Error).message}`, {
      alert: AlertDescription.bad_certificate,
      cause: error,
    });
  }
  if (!ok)
    throw new DtlsError('ERR_DTLS_BAD_CERTIFICATE', 'the peer certificate was rejected (fingerprint mismatch)', {
      alert: AlertDescription.bad_certificate,
    });
}
