/**
 * Options of a {@link DtlsEndpoint}, their defaults and their checks.
 *
 * @module
 */
import { X509Certificate, createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import { CipherSuite, type CipherSuiteName, DEFAULT_CIPHER_SUITES } from './cipher-suites.js';
import { DtlsError } from './dtls-error.js';
import { NamedGroup } from './extensions.js';
import { DEFAULT_GROUPS } from './key-exchange.js';
import { DEFAULT_MAX_HANDSHAKE_MESSAGE } from './reassembler.js';
import { DEFAULT_REPLAY_WINDOW } from './replay-window.js';
import { SrtpProfile, type SrtpProfileName } from './srtp-profiles.js';

/** Group names. */
export type DtlsGroupName = 'x25519' | 'secp256r1';

/** Options of a DTLS endpoint. */
export interface DtlsEndpointOptions {
  /** `'client'` or `'server'` (from `a=setup`: active is the client, RFC 5763 §5). */
  role: 'client' | 'server';
  /** Our ECDSA P-256 certificate and key, PEM (what `generateCertificate()` makes). */
  certificate: { readonly pem: string; readonly privateKeyPem: string };
  /**
   * Checks the peer's certificate (DER) when it arrives; `false` fails the
   * handshake with bad_certificate. Used for the RFC 8122 fingerprint check
   * when the fingerprints are known before the handshake. Without it, the
   * caller must check `peerCertificate` on `'connected'` before trusting data.
   */
  verifyPeerCertificate?: (der: Uint8Array) => boolean;
  /** Suites by preference (default AES-128-GCM, ChaCha20-Poly1305, AES-256-GCM). */
  cipherSuites?: readonly CipherSuiteName[];
  /** ECDHE groups by preference (default X25519, P-256). */
  groups?: readonly DtlsGroupName[];
  /** SRTP profiles to negotiate with use_srtp (RFC 5764), by preference; none by default. */
  srtpProfiles?: readonly SrtpProfileName[];
  /** Largest datagram for handshake flights, bytes (default 1200; 256..65507). Application records are not cut. */
  mtu?: number;
  /** First retransmission timeout, ms (RFC 6347 §4.2.4.1: 1000, the default). */
  retransmitInitialMs?: number;
  /** Largest retransmission timeout, ms (default 60000, RFC 6347 §4.2.4.1). */
  retransmitMaxMs?: number;
  /** Retransmissions of one flight before the handshake fails (default 8). */
  maxRetransmits?: number;
  /** Server: answer a ClientHello without a valid cookie with a HelloVerifyRequest (RFC 6347 §4.2.1). Default false. */
  helloVerify?: boolean;
  /**
   * Server: send a CertificateRequest and require the client's certificate
   * (default true: RFC 8122 §6.2, both sides present one). With `false` the
   * client is not asked and stays anonymous.
   */
  requireClientCertificate?: boolean;
  /** Largest handshake message accepted, bytes (default 16384). */
  maxHandshakeMessageSize?: number;
  /** Width of the anti-replay window, records (default 64, RFC 6347 §4.1.2.6). */
  replayWindow?: number;
  /** Randomness (default `crypto.randomBytes`); tests inject a seeded source. */
  random?: (length: number) => Uint8Array;
}

/** Options after defaults and checks. */
export interface ResolvedOptions {
  readonly role: 'client' | 'server';
  readonly certificateDer: Uint8Array;
  readonly privateKey: KeyObject;
  readonly verifyPeerCertificate: ((der: Uint8Array) => boolean) | undefined;
  readonly cipherSuites: readonly number[];
  readonly groups: readonly number[];
  readonly srtpProfiles: readonly number[];
  readonly mtu: number;
  readonly retransmitInitialMs: number;
  readonly retransmitMaxMs: number;
  readonly maxRetransmits: number;
  readonly helloVerify: boolean;
  readonly requireClientCertificate: boolean;
  readonly maxHandshakeMessageSize: number;
  readonly replayWindow: number;
  readonly random: (length: number) => Uint8Array;
}

export const DEFAULT_MTU = 1200;
export const DEFAULT_RETRANSMIT_INITIAL_MS = 1000;
export const DEFAULT_RETRANSMIT_MAX_MS = 60_000;
export const DEFAULT_MAX_RETRANSMITS = 8;

function bad(message: string, cause?: unknown): DtlsError {
  return new DtlsError('ERR_DTLS_BAD_OPTION', message, { cause });
}

function intIn(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min || v > max) throw bad(`${name} must be an integer in ${min}..${max}, got ${String(v)}`);
  return v;
}

function names<T extends string>(
  what: string,
  list: readonly T[] | undefined,
  fallback: readonly T[],
  table: Record<string, number>,
): number[] {
  const chosen = list ?? fallback;
  // Callers from JavaScript may pass anything: the declared type is not a guarantee here.
  const given: unknown = chosen;
  if (!Array.isArray(given)) throw bad(`${what} must be an array`);
  return chosen.map((name) => {
    if (!Object.hasOwn(table, name)) throw bad(`unknown ${what} entry ${JSON.stringify(name)}`);
    return table[name];
  });
}

/** @throws DtlsError `ERR_DTLS_BAD_OPTION`. */
export function resolveOptions(o: DtlsEndpointOptions): ResolvedOptions {
  if (o === null || typeof o !== 'object') throw bad('options are required');
  if (o.role !== 'client' && o.role !== 'server') throw bad(`role must be 'client' or 'server', got ${String(o.role)}`);
  const cert = o.certificate;
  if (cert === null || typeof cert !== 'object' || typeof cert.pem !== 'string' || typeof cert.privateKeyPem !== 'string') {
    throw bad('certificate must be { pem, privateKeyPem }');
  }
  let certificateDer: Uint8Array;
  let privateKey: KeyObject;
  try {
    const x509 = new X509Certificate(cert.pem);
    privateKey = createPrivateKey(cert.privateKeyPem);
    if (!x509.checkPrivateKey(privateKey)) throw new Error('the key does not belong to the certificate');
    certificateDer = x509.raw;
  } catch (error) {
    throw bad(`certificate or key unusable: ${(error as Error).message}`, error);
  }
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw bad('the certificate key must be ECDSA P-256');
  }
  if (o.verifyPeerCertificate !== undefined && typeof o.verifyPeerCertificate !== 'function')
    throw bad('verifyPeerCertificate must be a function');
  if (o.random !== undefined && typeof o.random !== 'function') throw bad('random must be a function');
  const cipherSuites = names('cipherSuites', o.cipherSuites, DEFAULT_CIPHER_SUITES, CipherSuite);
  if (cipherSuites.length === 0) throw bad('cipherSuites must not be empty');
  const groups = names(
    'groups',
    o.groups,
    DEFAULT_GROUPS.map((g) => (g === NamedGroup.x25519 ? 'x25519' : 'secp256r1')),
    NamedGroup,
  );
  if (groups.length === 0) throw bad('groups must not be empty');
  const srtpProfiles = names('srtpProfiles', o.srtpProfiles, [], SrtpProfile);
  const retransmitInitialMs = intIn('retransmitInitialMs', o.retransmitInitialMs, DEFAULT_RETRANSMIT_INITIAL_MS, 1, 600_000);
  return {
    role: o.role,
    certificateDer,
    privateKey,
    verifyPeerCertificate: o.verifyPeerCertificate,
    cipherSuites,
    groups,
    srtpProfiles,
    mtu: intIn('mtu', o.mtu, DEFAULT_MTU, 256, 65507),
    retransmitInitialMs,
    retransmitMaxMs: intIn(
      'retransmitMaxMs',
      o.retransmitMaxMs,
      Math.max(DEFAULT_RETRANSMIT_MAX_MS, retransmitInitialMs),
      retransmitInitialMs,
      3_600_000,
    ),
    maxRetransmits: intIn('maxRetransmits', o.maxRetransmits, DEFAULT_MAX_RETRANSMITS, 0, 64),
    helloVerify: o.helloVerify ?? false,
    requireClientCertificate: o.requireClientCertificate ?? true,
    maxHandshakeMessageSize: intIn('maxHandshakeMessageSize', o.maxHandshakeMessageSize, DEFAULT_MAX_HANDSHAKE_MESSAGE, 256, 1 << 24),
    replayWindow: intIn('replayWindow', o.replayWindow, DEFAULT_REPLAY_WINDOW, 32, 1024),
    random: o.random ?? ((n) => randomBytes(n)),
  };
}
