/**
 * Checks shared by both flows: the version rules of RFC 6347 §4.1 / §4.2.1
 * and the hello extensions every handshake must carry here.
 *
 * @module
 */
import { AlertDescription } from './alert.js';
import { DtlsError } from './dtls-error.js';
import { ExtensionType, type Extensions, isEmptyRenegotiationInfo } from './extensions.js';
import { DTLS_1_2 } from './record.js';

/** Fails unless `version` is DTLS 1.2 (DTLS versions count down: 0xfeff is 1.0, 0xfefd 1.2). */
export function requireDtls12(version: number, what: string): void {
  if (version !== DTLS_1_2) {
    throw new DtlsError('ERR_DTLS_PROTOCOL_VERSION', `${what} says version 0x${version.toString(16)}; only DTLS 1.2 (0xfefd) is spoken`, {
      alert: AlertDescription.protocol_version,
    });
  }
}

/** RFC 7627 §5.2/§5.3: we require extended_master_secret (the session hash binds the master secret to the handshake). */
export function requireExtendedMasterSecret(extensions: Extensions, who: string): void {
  const ems = extensions.get(ExtensionType.extended_master_secret);
  if (ems === undefined) {
    throw new DtlsError(
      'ERR_DTLS_NO_EXTENDED_MASTER_SECRET',
      `the ${who} did not negotiate extended_master_secret (RFC 7627), which we require`,
      {
        alert: AlertDescription.handshake_failure,
      },
    );
  }
  if (ems.length !== 0) {
    throw new DtlsError('ERR_DTLS_DECODE', 'extended_master_secret must be empty (RFC 7627 §5.1)', {
      alert: AlertDescription.decode_error,
    });
  }
}

/**
 * RFC 5746 §3.4 / §3.6: on an initial handshake renegotiation_info must be
 * empty. We also require the peer to signal secure renegotiation (the
 * extension, or the SCSV from a client): every current DTLS stack does,
 * and a peer that does not is not one we want to talk to.
 */
export function requireEmptyRenegotiationInfo(extensions: Extensions, who: string, scsv = false): void {
  const info = extensions.get(ExtensionType.renegotiation_info);
  if (info === undefined) {
    if (scsv) return;
    throw new DtlsError('ERR_DTLS_RENEGOTIATION', `the ${who} did not signal secure renegotiation (RFC 5746)`, {
      alert: AlertDescription.handshake_failure,
    });
  }
  if (!isEmptyRenegotiationInfo(info)) {
    throw new DtlsError('ERR_DTLS_RENEGOTIATION', `the ${who}'s renegotiation_info is not empty on an initial handshake (RFC 5746 §3.4)`, {
      alert: AlertDescription.handshake_failure,
    });
  }
}

export function unexpected(message: string): DtlsError {
  return new DtlsError('ERR_DTLS_UNEXPECTED_MESSAGE', message, { alert: AlertDescription.unexpected_message });
}
