/**
 * ClientHello, ServerHello (RFC 5246 §7.4.1, RFC 6347 §4.2.1) and
 * HelloVerifyRequest (RFC 6347 §4.2.1) bodies.
 *
 * @module
 */
import { ByteReader, concat, decodeError, u16, u8, vec16, vec8 } from './bytes.js';
import { type Extensions, encodeExtensions, parseExtensions } from './extensions.js';

/** `TLS_EMPTY_RENEGOTIATION_INFO_SCSV` (RFC 5746 §3.3). */
export const EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff;

export interface ClientHello {
  readonly version: number;
  readonly random: Uint8Array;
  readonly sessionId: Uint8Array;
  readonly cookie: Uint8Array;
  readonly cipherSuites: number[];
  readonly compressionMethods: Uint8Array;
  readonly extensions: Extensions;
}

export interface ServerHello {
  readonly version: number;
  readonly random: Uint8Array;
  readonly sessionId: Uint8Array;
  readonly cipherSuite: number;
  readonly compressionMethod: number;
  readonly extensions: Extensions;
}

/** @throws DtlsError `ERR_DTLS_DECODE`. */
export function parseClientHello(body: Uint8Array): ClientHello {
  const r = new ByteReader(body);
  const version = r.u16('client_version');
  const random = r.take(32, 'random');
  const sessionId = r.vec8('session_id');
  if (sessionId.length > 32) throw decodeError('session_id longer than 32');
  const cookie = r.vec8('cookie');
  const suites = new ByteReader(r.vec16('cipher_suites', 2));
  if (suites.remaining % 2 !== 0) throw decodeError('cipher_suites has an odd length');
  const cipherSuites: number[] = [];
  while (suites.remaining > 0) cipherSuites.push(suites.u16());
  const compressionMethods = r.vec8('compression_methods', 1);
  const extensions = parseExtensions(r);
  r.end('ClientHello');
  return { version, random, sessionId, cookie, cipherSuites, compressionMethods, extensions };
}

export function encodeClientHello(
  h: Omit<ClientHello, 'extensions'>,
  extensions: ReadonlyArray<readonly [number, Uint8Array]>,
): Uint8Array {
  return concat(
    u16(h.version),
    h.random,
    vec8(h.sessionId),
    vec8(h.cookie),
    vec16(concat(...h.cipherSuites.map(u16))),
    vec8(h.compressionMethods),
    encodeExtensions(extensions),
  );
}

/** @throws DtlsError `ERR_DTLS_DECODE`. */
export function parseServerHello(body: Uint8Array): ServerHello {
  const r = new ByteReader(body);
  const version = r.u16('server_version');
  const random = r.take(32, 'random');
  const sessionId = r.vec8('session_id');
  if (sessionId.length > 32) throw decodeError('session_id longer than 32');
  const cipherSuite = r.u16('cipher_suite');
  const compressionMethod = r.u8('compression_method');
  const extensions = parseExtensions(r);
  r.end('ServerHello');
  return { version, random, sessionId, cipherSuite, compressionMethod, extensions };
}

export function encodeServerHello(
  h: Omit<ServerHello, 'extensions'>,
  extensions: ReadonlyArray<readonly [number, Uint8Array]>,
): Uint8Array {
  return concat(u16(h.version), h.random, vec8(h.sessionId), u16(h.cipherSuite), u8(h.compressionMethod), encodeExtensions(extensions));
}

/** HelloVerifyRequest: `server_version(2) cookie<0..2^8-1>`. @throws DtlsError `ERR_DTLS_DECODE`. */
export function parseHelloVerifyRequest(body: Uint8Array): { version: number; cookie: Uint8Array } {
  const r = new ByteReader(body);
  const version = r.u16('server_version');
  const cookie = r.vec8('cookie');
  r.end('HelloVerifyRequest');
  return { version, cookie };
}

export function encodeHelloVerifyRequest(version: number, cookie: Uint8Array): Uint8Array {
  return concat(u16(version), vec8(cookie));
}
