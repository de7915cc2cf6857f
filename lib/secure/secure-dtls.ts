/**
 * `secureDtls()`: DTLS 1.2 over the selected pair, UDP or ICE-TCP, with both
 * certificates checked against signalled fingerprints (RFC 8122 §5.1,
 * §6.2), over our own sans-IO endpoint (lib/dtls).
 *
 * @module
 */
import { X509Certificate } from 'node:crypto';
import createDebug from 'debug';
import type { PacketConnection } from '../connection.js';
import { type CipherSuiteName, DtlsEndpoint, DtlsError, type DtlsEvent, type SrtpProfileName } from '../dtls/index.js';
import { DtlsConnection } from './dtls-connection.js';
import { type FingerprintHash, type FingerprintMatch, formatFingerprint, matchCertificate, toFingerprints } from './fingerprint.js';
import { SecureError } from './secure-error.js';
import type { TlsRole } from './setup-role.js';
import { DEFAULT_HANDSHAKE_TIMEOUT_MS, type FingerprintList, type TlsCredentials } from './secure-tls.js';

const debug = createDebug('ice-tcp:secure');

/** Options of {@link secureDtls}. */
export interface SecureDtlsOptions {
  /** Our DTLS role, from `a=setup` ({@link tlsRoleFor}: active is the client, RFC 5763 §5). */
  role: TlsRole;
  /** Our ECDSA P-256 certificate ({@link generateCertificate}'s default). */
  certificate: TlsCredentials;
  /**
   * The peer's signalled fingerprints, or a promise of them (RFC 8122 §6.2:
   * the handshake may outrace the answer). With a list, the certificate is
   * checked the moment it arrives and a mismatch ends the handshake with
   * bad_certificate; with a promise, after the handshake, and no
   * application data is delivered before it matches.
   */
  remoteFingerprints: FingerprintList | PromiseLike<FingerprintList>;
  /** Handshake and fingerprint check time, ms (default 10000). */
  handshakeTimeoutMs?: number;
  /** Abandons the handshake. */
  signal?: AbortSignal;
  /** Close the packet connection below when DTLS ends or fails (default true). */
  closeTransport?: boolean;
  /** Our preference among fingerprint hashes. */
  fingerprintPreference?: readonly FingerprintHash[];
  /** Suites by preference (see lib/dtls). */
  cipherSuites?: readonly CipherSuiteName[];
  /** SRTP profiles to negotiate (RFC 5764), by preference; none by default. */
  srtpProfiles?: readonly SrtpProfileName[];
  /** Largest handshake datagram (default 1200). */
  mtu?: number;
  /** First retransmission timeout, ms (default 1000, RFC 6347 §4.2.4.1). */
  retransmitInitialMs?: number;
  /** Server: HelloVerifyRequest cookies (default false). */
  helloVerify?: boolean;
}

function bad(message: string): SecureError {
  return new SecureError('ERR_SECURE_BAD_OPTION', message);
}

/**
 * Runs DTLS over a packet connection (the selected ICE pair: each UDP
 * datagram, or each RFC 4571 frame on ICE-TCP (RFC 6544 §7.1), is one DTLS
 * datagram; packets whose first byte is not DTLS's (RFC 7983 §7) are
 * dropped) and resolves once the handshake is done and the peer's
 * certificate matches `remoteFingerprints`. STUN (consent) keeps running
 * on the ICE pair underneath.
 *
 * On failure it rejects with a {@link SecureError}
 * (`ERR_DTLS_FINGERPRINT_MISMATCH`, `ERR_DTLS_NO_PEER_CERTIFICATE`,
 * `ERR_DTLS_HANDSHAKE_FAILED` with the `DtlsError` as cause,
 * `ERR_DTLS_HANDSHAKE_TIMEOUT`, `ERR_DTLS_ABORTED`,
 * `ERR_DTLS_TRANSPORT_CLOSED`, `ERR_SECURE_BAD_OPTION`, or a fingerprint
 * parse error), and the connection below is closed (unless `closeTransport`
 * is false).
 */
export async function secureDtls(conn: PacketConnection, options: SecureDtlsOptions): Promise<DtlsConnection> {
  if (options === null || typeof options !== 'object') throw bad('options are required');
  const { role } = options;
  if (role !== 'client' && role !== 'server') throw bad(`role must be 'client' or 'server', got ${String(role)}`);
  if (conn === null || typeof conn !== 'object' || typeof conn.send !== 'function') throw bad('conn must be a PacketConnection');
  const timeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0 || timeoutMs > 2_147_483_647)
    throw bad('handshakeTimeoutMs must be a positive number of ms');
  const closeTransport = options.closeTransport ?? true;
  const remote = options.remoteFingerprints;
  const pending = remote !== null && typeof remote === 'object' && typeof (remote as PromiseLike<unknown>).then === 'function';
  if (!pending && !Array.isArray(remote)) throw bad('remoteFingerprints must be an array (or a promise of one)');
  let fingerprints = pending ? undefined : toFingerprints(remote as FingerprintList);
  if (options.signal?.aborted) throw new SecureError('ERR_DTLS_ABORTED', 'aborted before the handshake');

  let match: FingerprintMatch | undefined;
  let endpoint: DtlsEndpoint;
  try {
    endpoint = new DtlsEndpoint({
      role,
      certificate: options.certificate,
      verifyPeerCertificate:
        fingerprints === undefined
          ? undefined
          : (der) => {
              match = matchCertificate(der, fingerprints!, options.fingerprintPreference);
              return match.matched;
            },
      cipherSuites: options.cipherSuites,
      srtpProfiles: options.srtpProfiles,
      mtu: options.mtu,
      retransmitInitialMs: options.retransmitInitialMs,
      helloVerify: options.helloVerify,
    });
  } catch (error) {
    if (error instanceof DtlsError) throw new SecureError('ERR_SECURE_BAD_OPTION', error.message, { cause: error });
    throw error;
  }
  const dtls = new DtlsConnection(conn, endpoint, role, closeTransport);

  let wake: ((outcome: Outcome) => void) | undefined;
  type Outcome = { connected?: DtlsEvent & { type: 'connected' }; error?: SecureError };
  const settle = (outcome: Outcome): void => wake?.(outcome);
  const outcome = new Promise<Outcome>((resolve) => (wake = resolve));
  dtls.handshakeListener = (event) => {
    if (event.type === 'connected') settle({ connected: event });
    else if (event.type === 'failed') settle({ error: mapFailure(event.error, match) });
    else if (event.type === 'closed')
      settle({ error: new SecureError('ERR_DTLS_TRANSPORT_CLOSED', 'the peer closed during the handshake') });
  };
  const onClose = (): void =>
    settle({ error: new SecureError('ERR_DTLS_TRANSPORT_CLOSED', 'the connection closed during the DTLS handshake') });
  const onAbort = (): void => settle({ error: new SecureError('ERR_DTLS_ABORTED', 'the DTLS handshake was aborted') });
  const timer = setTimeout(
    () => settle({ error: new SecureError('ERR_DTLS_HANDSHAKE_TIMEOUT', `no verified DTLS handshake within ${timeoutMs} ms`) }),
    timeoutMs,
  );
  dtls.once('close', onClose);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  debug('DTLS %s handshake starts over a %s connection', role, conn.transport);
  dtls.start();
  try {
    const first = await outcome;
    if (first.error) throw first.error;
    const peerDer = first.connected!.peerCertificate;
    if (peerDer === undefined) throw new SecureError('ERR_DTLS_NO_PEER_CERTIFICATE', 'the peer presented no certificate (RFC 8122 §6.2)');
    if (fingerprints === undefined) {
      const late = await Promise.race<Outcome & { list?: FingerprintList }>([
        Promise.resolve(remote as PromiseLike<FingerprintList>).then(
          (list) => ({ list }),
          (error: unknown) => ({
            error: new SecureError('ERR_FINGERPRINT_NONE_USABLE', 'the remote fingerprints promise rejected', { cause: error }),
          }),
        ),
        new Promise<Outcome>((resolve) => (wake = resolve)),
      ]);
      if (late.error) throw late.error;
      if (!Array.isArray(late.list)) throw bad('remoteFingerprints resolved to something other than an array');
      fingerprints = toFingerprints(late.list);
      match = matchCertificate(peerDer, fingerprints, options.fingerprintPreference);
      if (!match.matched) {
        endpoint.abort(new DtlsError('ERR_DTLS_BAD_CERTIFICATE', 'fingerprint mismatch'));
        dtls.close();
        throw mismatch(match);
      }
    }
    if (dtls.closed) throw new SecureError('ERR_DTLS_TRANSPORT_CLOSED', 'the connection closed before the DTLS peer was verified');
    debug('DTLS %s verified the peer (%s, %s)', role, dtls.cipherSuite, formatFingerprint(match!.actual));
    dtls.handshakeListener = undefined;
    dtls.off('close', onClose);
    dtls.markVerified(new X509Certificate(peerDer), match!.actual);
    return dtls;
  } catch (error) {
    debug('DTLS %s fails: %s', role, (error as Error).message);
    dtls.off('close', onClose);
    dtls.destroy();
    throw error;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function mismatch(match: FingerprintMatch): SecureError {
  return new SecureError(
    'ERR_DTLS_FINGERPRINT_MISMATCH',
    `the peer's certificate (${formatFingerprint(match.actual)}) matches none of the ${match.expected.length} signalled ${match.algorithm} fingerprint(s)`,
  );
}

function mapFailure(error: DtlsError, match: FingerprintMatch | undefined): SecureError {
  if (error.code === 'ERR_DTLS_BAD_CERTIFICATE' && match !== undefined && !match.matched) return mismatch(match);
  if (error.code === 'ERR_DTLS_NO_PEER_CERTIFICATE')
    return new SecureError('ERR_DTLS_NO_PEER_CERTIFICATE', error.message, { cause: error });
  if (error.code === 'ERR_DTLS_HANDSHAKE_TIMEOUT') return new SecureError('ERR_DTLS_HANDSHAKE_TIMEOUT', error.message, { cause: error });
  return new SecureError('ERR_DTLS_HANDSHAKE_FAILED', `DTLS handshake failed: ${error.message}`, { cause: error });
}
