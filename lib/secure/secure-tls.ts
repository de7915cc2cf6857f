/**
 * `secureTls()`: TLS over the selected ICE-TCP pair (RFC 6544 §10), with both
 * certificates checked against signalled fingerprints (RFC 8122 §5.1, §6.2).
 *
 * @module
 */
import { connect as tlsConnect, createSecureContext, TLSSocket, type SecureContext, type SecureVersion } from 'node:tls';
import createDebug from 'debug';
import type { PacketConnection } from '../connection.js';
import { type CertificateFingerprint, type FingerprintHash, formatFingerprint, matchCertificate, toFingerprints } from './fingerprint.js';
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- named by {@link} in the TSDoc below
import { createTlsByteStream, DEFAULT_TLS_FRAME_SIZE, type TlsByteStreamOptions } from './tls-byte-stream.js';
import { type InnerFraming, SecureConnection } from './secure-connection.js';
import { SecureError } from './secure-error.js';
import type { TlsRole } from './setup-role.js';

const debug = createDebug('ice-tcp:secure');

/** Fingerprints as objects or as strings (`sha-256 AB:…`, or any fingerprint line). */
export type FingerprintList = ReadonlyArray<CertificateFingerprint | string>;

/** Our certificate and its key: a {@link TlsCertificate}, or any PEM pair. */
export interface TlsCredentials {
  /** Certificate, PEM. */
  readonly pem: string;
  /** Private key, PEM. */
  readonly privateKeyPem: string;
}

/** Options of {@link secureTls}. */
export interface SecureTlsOptions {
  /** Our TLS role, from `a=setup` ({@link tlsRoleFor}); independent of who opened TCP. */
  role: TlsRole;
  /** Our certificate; the peer checks it against the fingerprint we signalled. */
  certificate: TlsCredentials;
  /**
   * The peer's signalled fingerprints (RFC 8122 §5.1: the set of our most
   * preferred hash among them is used; the certificate must match one). May
   * be a promise: RFC 8122 §6.2 lets the handshake outrace the answer that
   * carries them; no application data is delivered before they arrive and
   * match.
   */
  remoteFingerprints: FingerprintList | PromiseLike<FingerprintList>;
  /** Lowest TLS version accepted: `'TLSv1.3'` (default) or `'TLSv1.2'`. */
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** How packets are delimited inside TLS (default `'rfc4571'`); both sides must agree. */
  innerFraming?: InnerFraming;
  /** Time for the handshake and the fingerprint check, ms (default 10000). */
  handshakeTimeoutMs?: number;
  /** Time `close()` waits for the peer's close_notify, ms (default 5000). */
  closeTimeoutMs?: number;
  /** Abandons the handshake. */
  signal?: AbortSignal;
  /**
   * Close the packet connection below when the secure connection closes or
   * the handshake fails (default true). With `false` it stays open (ICE keeps
   * it for consent and a later TLS session).
   */
  closeTransport?: boolean;
  /**
   * Largest frame payload for TLS bytes on the connection below, 1..65535
   * (default {@link DEFAULT_TLS_FRAME_SIZE}, 16645: one whole TLS 1.3
   * record). Frames end at TLS record boundaries.
   */
  maxFrameSize?: number;
  /** See {@link TlsByteStreamOptions.requireStunFingerprint} (default true). */
  requireStunFingerprint?: boolean;
  /** See {@link TlsByteStreamOptions.maxBufferedBytes} (default 4 MiB). */
  maxBufferedBytes?: number;
  /** Our preference among fingerprint hashes (default {@link FINGERPRINT_HASH_PREFERENCE}). */
  fingerprintPreference?: readonly FingerprintHash[];
  /**
   * Bytes waiting in TLS beyond which `send()` returns `false` (default 256
   * KiB; never below node's own 16 KiB).
   */
  sendHighWaterMark?: number;
}

/** Default of {@link SecureTlsOptions.handshakeTimeoutMs}. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/** Default of {@link SecureTlsOptions.closeTimeoutMs}. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;
/** Default of {@link SecureTlsOptions.sendHighWaterMark}. */
export const DEFAULT_SEND_HIGH_WATER_MARK = 256 * 1024;

function bad(message: string): SecureError {
  return new SecureError('ERR_SECURE_BAD_OPTION', message);
}

function checkTimeout(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0 || v > 2_147_483_647) throw bad(`${name} must be a positive number of ms, got ${String(v)}`);
  return v;
}

function secureContext(options: SecureTlsOptions, minVersion: SecureVersion): SecureContext {
  const cert = options.certificate;
  if (cert === null || typeof cert !== 'object' || typeof cert.pem !== 'string' || typeof cert.privateKeyPem !== 'string') {
    throw bad('certificate must be { pem, privateKeyPem }');
  }
  try {
    return createSecureContext({ cert: cert.pem, key: cert.privateKeyPem, minVersion });
  } catch (error) {
    throw new SecureError('ERR_SECURE_BAD_OPTION', 'certificate or key rejected by node:tls', { cause: error });
  }
}

/**
 * A server TLSSocket made outside a `tls.Server` keeps its errors to itself
 * after the handshake (node:tls only emits them once "control is released",
 * which `tls.Server` does when it hands the socket out). Release it the same
 * way, so that a bad record after the handshake is an `'error'`.
 */
function releaseControl(socket: TLSSocket): void {
  const internal = socket as TLSSocket & { _releaseControl?: () => boolean };
  if (typeof internal._releaseControl === 'function') internal._releaseControl();
}

/**
 * Runs TLS over a packet connection (the selected ICE-TCP pair, or any
 * {@link PacketConnection} with `transport: 'tcp'`) and resolves once the
 * handshake is done and the peer's certificate matches `remoteFingerprints`.
 *
 * - RFC 6544 §10.2: STUN packets stay out of TLS; the other payloads form
 *   TLS's byte stream (records need not line up with frames).
 * - RFC 6544 §10.1: TLS bytes are cut into frames of whole TLS records (at
 *   most `maxFrameSize`), none of which passes the STUN checks.
 * - RFC 8122 §6.2: both sides present certificates (the server requests
 *   one); chains are not checked (self-signed), fingerprints are.
 * - Cleartext the peer sent before starting TLS is dropped, never delivered
 *   ({@link TlsStartGate}); TLS application data that arrives before the
 *   fingerprint check is held, and discarded if the check fails.
 *
 * On failure the promise rejects with a {@link SecureError}
 * (`ERR_TLS_FINGERPRINT_MISMATCH`, `ERR_TLS_NO_PEER_CERTIFICATE`,
 * `ERR_TLS_HANDSHAKE_FAILED`, `ERR_TLS_HANDSHAKE_TIMEOUT`, `ERR_TLS_ABORTED`,
 * `ERR_TLS_TRANSPORT_CLOSED`, `ERR_SECURE_BAD_OPTION`, or a fingerprint parse
 * error) and the connection below is closed (unless `closeTransport` is
 * false). node:tls cannot send a bad_certificate alert after its handshake,
 * so a mismatch closes without one: the peer sees the connection close.
 */
export async function secureTls(conn: PacketConnection, options: SecureTlsOptions): Promise<SecureConnection> {
  if (options === null || typeof options !== 'object') throw bad('options are required');
  const { role } = options;
  if (role !== 'client' && role !== 'server') throw bad(`role must be 'client' or 'server', got ${String(role)}`);
  if (conn === null || typeof conn !== 'object' || typeof conn.send !== 'function') throw bad('conn must be a PacketConnection');
  if (conn.transport !== 'tcp') {
    throw bad(`TLS needs a TCP pair (a reliable byte stream); this connection is ${String(conn.transport)}: use secureDtls`);
  }
  const minVersion = options.minVersion ?? 'TLSv1.3';
  if (minVersion !== 'TLSv1.3' && minVersion !== 'TLSv1.2') throw bad(`minVersion must be 'TLSv1.2' or 'TLSv1.3'`);
  const innerFraming = options.innerFraming ?? 'rfc4571';
  if (innerFraming !== 'rfc4571' && innerFraming !== 'none') throw bad(`innerFraming must be 'rfc4571' or 'none'`);
  const handshakeTimeoutMs = checkTimeout('handshakeTimeoutMs', options.handshakeTimeoutMs, DEFAULT_HANDSHAKE_TIMEOUT_MS);
  const closeTimeoutMs = checkTimeout('closeTimeoutMs', options.closeTimeoutMs, DEFAULT_CLOSE_TIMEOUT_MS);
  const closeTransport = options.closeTransport ?? true;
  const sendHighWaterMark = options.sendHighWaterMark ?? DEFAULT_SEND_HIGH_WATER_MARK;
  if (!Number.isInteger(sendHighWaterMark) || sendHighWaterMark < 0) {
    throw bad(`sendHighWaterMark must be a non-negative integer, got ${String(sendHighWaterMark)}`);
  }
  const remote = options.remoteFingerprints;
  const pending = remote !== null && typeof remote === 'object' && typeof (remote as PromiseLike<unknown>).then === 'function';
  if (!pending && !Array.isArray(remote)) throw bad('remoteFingerprints must be an array (or a promise of one)');
  // Parse what we have now, so that bad input fails before any handshake.
  let fingerprints = pending ? undefined : toFingerprints(remote as FingerprintList);
  const context = secureContext(options, minVersion);
  if (options.signal?.aborted) throw new SecureError('ERR_TLS_ABORTED', 'aborted before the handshake');
  if (conn.closed) {
    throw new SecureError('ERR_TLS_TRANSPORT_CLOSED', 'the packet connection is already closed');
  }

  const { stream: bytes, inbound } = createTlsByteStream(conn, {
    maxFrameSize: options.maxFrameSize,
    requireStunFingerprint: options.requireStunFingerprint,
    maxBufferedBytes: options.maxBufferedBytes,
    closeTransportOnEnd: closeTransport,
  });
  const tls =
    role === 'client'
      ? tlsConnect({
          socket: bytes,
          secureContext: context,
          minVersion,
          // Self-signed peers: the chain is not checked; the fingerprint is (RFC 8122 §5.1).
          rejectUnauthorized: false,
          checkServerIdentity: () => undefined,
        })
      : new TLSSocket(bytes, {
          isServer: true,
          secureContext: context,
          // RFC 8122 §6.2: the server MUST request a certificate.
          requestCert: true,
          rejectUnauthorized: false,
        });
  debug('TLS %s handshake starts over a %s connection', role, conn.transport);

  const failures: { error?: SecureError } = {};
  // A call, not an inline check: TypeScript keeps a property's narrowing
  // across `await`, but `fail` may have set it meanwhile.
  const throwIfFailed = (): void => {
    if (failures.error) throw failures.error;
  };
  let wake: (() => void) | undefined;
  const fail = (error: SecureError): void => {
    failures.error ??= error;
    wake?.();
  };
  const onTlsError = (error: Error): void => {
    if (bytes.connectionClosed) {
      fail(new SecureError('ERR_TLS_TRANSPORT_CLOSED', 'the connection closed during the TLS handshake', { cause: error }));
    } else {
      fail(new SecureError('ERR_TLS_HANDSHAKE_FAILED', `TLS handshake failed: ${error.message}`, { cause: error }));
    }
  };
  const onTlsClose = (): void => fail(new SecureError('ERR_TLS_TRANSPORT_CLOSED', 'the connection closed during the TLS handshake'));
  const onAbort = (): void => fail(new SecureError('ERR_TLS_ABORTED', 'the TLS handshake was aborted'));
  const timer = setTimeout(
    () => fail(new SecureError('ERR_TLS_HANDSHAKE_TIMEOUT', `no verified TLS handshake within ${handshakeTimeoutMs} ms`)),
    handshakeTimeoutMs,
  );
  tls.on('error', onTlsError);
  tls.on('close', onTlsClose);
  options.signal?.addEventListener('abort', onAbort, { once: true });

  /** Resolves when `event` fires on the TLS socket or a failure is recorded. */
  const until = (event: string): Promise<void> =>
    new Promise<void>((resolve) => {
      wake = resolve;
      tls.once(event, () => resolve());
      if (failures.error) resolve();
    });

  try {
    await until(role === 'client' ? 'secureConnect' : 'secure');
    throwIfFailed();
    if (role === 'server') releaseControl(tls);
    if (fingerprints === undefined) {
      type Settled = { list?: FingerprintList; error?: unknown };
      const settled = await Promise.race<Settled>([
        Promise.resolve(remote as PromiseLike<FingerprintList>).then(
          (list): Settled => ({ list }),
          (error: unknown): Settled => ({ error: error ?? new Error('rejected') }),
        ),
        new Promise<Settled>((resolve) => {
          wake = () => resolve({});
          if (failures.error) resolve({});
        }),
      ]);
      throwIfFailed();
      if (settled.error !== undefined) {
        throw new SecureError('ERR_FINGERPRINT_NONE_USABLE', 'the remote fingerprints promise rejected', { cause: settled.error });
      }
      if (!Array.isArray(settled.list)) throw bad('remoteFingerprints resolved to something other than an array');
      fingerprints = toFingerprints(settled.list);
    }
    const peer = tls.getPeerX509Certificate();
    if (!peer) {
      // RFC 8122 §6.2: both sides MUST present a certificate.
      throw new SecureError('ERR_TLS_NO_PEER_CERTIFICATE', 'the peer presented no certificate (RFC 8122 §6.2)');
    }
    const match = matchCertificate(peer.raw, fingerprints, options.fingerprintPreference);
    if (!match.matched) {
      // RFC 8122 §6.2: a certificate that matches no fingerprint ends the connection.
      throw new SecureError(
        'ERR_TLS_FINGERPRINT_MISMATCH',
        `the peer's certificate (${formatFingerprint(match.actual)}) matches none of the ${match.expected.length} signalled ${match.algorithm} fingerprint(s)`,
      );
    }
    throwIfFailed();
    if (bytes.connectionClosed) {
      throw new SecureError('ERR_TLS_TRANSPORT_CLOSED', 'the connection closed before the TLS handshake was verified');
    }
    debug('TLS %s verified the peer (%s, %s)', role, tls.getProtocol(), formatFingerprint(match.actual));
    tls.off('error', onTlsError);
    tls.off('close', onTlsClose);
    return new SecureConnection(tls, conn, bytes, inbound, {
      role,
      innerFraming,
      peerCertificate: peer,
      peerFingerprint: match.actual,
      closeTransport,
      closeTimeoutMs,
      sendHighWaterMark,
    });
  } catch (error) {
    debug('TLS %s fails: %s', role, (error as Error).message);
    tls.off('close', onTlsClose);
    tls.on('error', () => undefined); // late errors of a socket we abandon
    tls.destroy();
    bytes.destroy();
    if (closeTransport) conn.close();
    throw error;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}
