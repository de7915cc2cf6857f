/**
 * `--tls` for `ice-tcp peer`: our certificate, the `fingerprint` and `setup`
 * lines, and the TLS role they give.
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
  secureTls,
  tlsRoleFor,
  type CertificateFingerprint,
  type SecureConnection,
  type SetupRole,
  type TlsCertificate,
  type TlsRole,
} from '../secure/index.js';

/** Resolves once `ready()` is called with a value. */
class Deferred<T> {
  readonly promise: Promise<T>;
  #resolve!: (value: T) => void;
  #settled = false;

  constructor() {
    this.promise = new Promise((resolve) => (this.#resolve = resolve));
  }

  ready(value: T): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#resolve(value);
  }
}

/** The TLS side of one peer session. */
export class PeerTls {
  readonly certificate: TlsCertificate;
  readonly fingerprint: CertificateFingerprint;
  /** What this side signals: `actpass` (controlling, the offer) or `active` (controlled, the answer). */
  readonly localSetup: SetupRole;
  readonly #controlling: boolean;
  readonly #remoteFingerprints: CertificateFingerprint[] = [];
  readonly #fingerprintsReady = new Deferred<CertificateFingerprint[]>();
  readonly #remoteSetupReady = new Deferred<SetupRole>();
  #remoteSetup: SetupRole | undefined;

  constructor(controlling: boolean) {
    this.#controlling = controlling;
    this.certificate = generateCertificate();
    this.fingerprint = computeFingerprint(this.certificate.der, 'sha-256');
    this.localSetup = controlling ? 'actpass' : 'active';
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
    this.#fingerprintsReady.ready(this.#remoteFingerprints);
  }

  /**
   * A `setup` line's value from the peer.
   *
   * @throws SecureError `ERR_SETUP_SYNTAX`
   */
  setRemoteSetup(value: string): void {
    const role = parseSetupRole(value);
    this.#remoteSetup ??= role;
    this.#remoteSetupReady.ready(role);
  }

  /** Our TLS role once the peer's setup is known (the controlled side assumes an `actpass` offer until then). */
  async role(): Promise<TlsRole> {
    if (this.#controlling) {
      // We offered actpass: the answer decides (RFC 4145 §4.1).
      return tlsRoleFor('offerer', this.localSetup, await this.#remoteSetupReady.promise);
    }
    return tlsRoleFor('answerer', this.#remoteSetup ?? 'actpass', this.localSetup);
  }

  /**
   * Runs TLS over the selected pair; the peer's certificate must match a
   * signalled fingerprint (RFC 8122 §5.1), which may still be on its way.
   */
  async secure(conn: PacketConnection, role: TlsRole, signal: AbortSignal): Promise<SecureConnection> {
    const remoteFingerprints = this.#remoteFingerprints.length > 0 ? this.#remoteFingerprints : this.#fingerprintsReady.promise;
    return secureTls(conn, { role, certificate: this.certificate, remoteFingerprints, signal });
  }
}
