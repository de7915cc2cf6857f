/**
 * `--tls` and `--dtls` for `ice-tcp peer`: our certificate, the
 * `fingerprint` and `setup` lines, and the (D)TLS role they give (the same
 * lines and roles for both, as RFC 5763 §5 does for DTLS-SRTP).
 *
 * Roles (RFC 4145 §4.1, RFC 8122 §6.2, as WebRTC does it): the controlling
 * peer plays the offerer and offers `setup actpass`; the controlled peer
 * plays the answerer and answers `setup active`, which makes it the TLS
 * client and the controlling peer the TLS server, whoever opened the TCP
 * connection. A controlling peer that reads `setup passive` becomes the
 * client instead; combinations RFC 4145 does not allow fail the session.
 */
import type { PacketConnection } from '../connection.js';
import {
  computeFingerprint,
  formatFingerprintLine,
  formatSetupLine,
  generateCertificate,
  parseFingerprint,
  parseSetupRole,
  secureDtls,
  secureTls,
  SecureError,
  type DtlsConnection,
  tlsRoleFor,
  type CertificateFingerprint,
  type SecureConnection,
  type SetupRole,
  type TlsCertificate,
  type TlsRole,
} from '../secure/index.js';

/** The TLS side of one peer session. */
export class PeerTls {
  readonly certificate: TlsCertificate;
  readonly fingerprint: CertificateFingerprint;
  /** What this side signals: `actpass` (controlling, the offer) or `active` (controlled, the answer). */
  readonly localSetup: SetupRole;
  readonly #controlling: boolean;
  /** `'tls'` over a TCP pair, `'dtls'` over a UDP or TCP pair. */
  readonly kind: 'tls' | 'dtls';
  readonly #remoteFingerprints: CertificateFingerprint[] = [];
  #remoteSetup: SetupRole | undefined;

  /**
   * @param setup What we signal instead of the default (`actpass` offered,
   *   `active` answered): an offer may say `active` or `passive` too, an
   *   answer `passive` (RFC 4145 §4.1).
   */
  constructor(controlling: boolean, kind: 'tls' | 'dtls' = 'tls', setup?: SetupRole) {
    this.#controlling = controlling;
    this.kind = kind;
    this.certificate = generateCertificate();
    this.fingerprint = computeFingerprint(this.certificate.der, 'sha-256');
    this.localSetup = setup ?? (controlling ? 'actpass' : 'active');
  }

  /** The lines to print: `fingerprint sha-256 …` and `setup …`. */
  lines(): string[] {
    return [formatFingerprintLine(this.fingerprint), formatSetupLine(this.localSetup)];
  }

  /**
   * A `fingerprint` line's value from the peer (`sha-256 AB:…`).
   *
   * @throws SecureError for a malformed or forbidden fingerprint
   */
  addRemoteFingerprint(value: string): void {
    this.#remoteFingerprints.push(parseFingerprint(value));
  }

  /**
   * A `setup` line's value from the peer.
   *
   * @throws SecureError `ERR_SETUP_SYNTAX`
   */
  setRemoteSetup(value: string): void {
    this.#remoteSetup ??= parseSetupRole(value);
  }

  /**
   * What is missing from the peer for TLS to start, or undefined. The peer
   * prints its `fingerprint` and `setup` lines before its candidates, so
   * by the time a pair is selected they have arrived, unless the peer does
   * not run with `--tls`.
   */
  missing(): string | undefined {
    if (this.#remoteFingerprints.length === 0) return `no fingerprint line from the peer (does it run with --${this.kind}?)`;
    if (this.#remoteSetup === undefined) return `no setup line from the peer (does it run with --${this.kind}?)`;
    return undefined;
  }

  /**
   * Our TLS role from the setup lines: the offer (actpass, from the
   * controlling side) and the answer (RFC 4145 §4.1).
   *
   * @throws SecureError `ERR_SETUP_INVALID_ANSWER` and the like for a pair
   *   of setup values RFC 4145 does not allow; `ERR_SECURE_BAD_OPTION`
   *   before the peer's setup is known
   */
  role(): TlsRole {
    const remote = this.#remoteSetup;
    if (remote === undefined) throw new SecureError('ERR_SECURE_BAD_OPTION', 'the peer has not sent its setup line');
    return this.#controlling ? tlsRoleFor('offerer', this.localSetup, remote) : tlsRoleFor('answerer', remote, this.localSetup);
  }

  /**
   * Runs TLS over the selected pair; the peer's certificate must match a
   * signalled fingerprint (RFC 8122 §5.1). It attaches to `conn` before
   * returning (so held packets can be released right after the call).
   */
  secure(conn: PacketConnection, role: TlsRole, signal: AbortSignal): Promise<SecureConnection | DtlsConnection> {
    const options = { role, certificate: this.certificate, remoteFingerprints: this.#remoteFingerprints, signal };
    return this.kind === 'dtls' ? secureDtls(conn, options) : secureTls(conn, options);
  }
}
