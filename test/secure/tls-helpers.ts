// Helpers of the TLS tests: certificates made once, a handshake over any
// pair of packet connections, and waiting on events.
import { randomBytes } from 'node:crypto';
import type { PacketConnection } from '../../lib/connection.js';
import {
  computeFingerprint,
  generateCertificate,
  secureTls,
  type SecureConnection,
  type SecureTlsOptions,
} from '../../lib/secure/index.js';
import { StunClass, encodeStun, shortTermKey } from '../../lib/stun/index.js';

export const clientCert = generateCertificate({ commonName: 'client' });
export const serverCert = generateCertificate({ commonName: 'server' });
export const strangerCert = generateCertificate({ commonName: 'stranger' });

export const fp = (cert: { der: Buffer }) => computeFingerprint(cert.der);

export type Side = Partial<SecureTlsOptions>;

/** Runs secureTls on both connections (client first) and settles both. */
export async function handshake(
  clientConn: PacketConnection,
  serverConn: PacketConnection,
  client: Side = {},
  server: Side = {},
): Promise<[PromiseSettledResult<SecureConnection>, PromiseSettledResult<SecureConnection>]> {
  track(clientConn);
  track(serverConn);
  const c = secureTls(clientConn, {
    role: 'client',
    certificate: clientCert,
    remoteFingerprints: [fp(serverCert)],
    ...client,
  });
  const s = secureTls(serverConn, {
    role: 'server',
    certificate: serverCert,
    remoteFingerprints: [fp(clientCert)],
    ...server,
  });
  void c.then(track, () => undefined);
  void s.then(track, () => undefined);
  return Promise.allSettled([c, s]);
}

/** Both sides of a handshake that must succeed. */
export async function connected(
  clientConn: PacketConnection,
  serverConn: PacketConnection,
  client: Side = {},
  server: Side = {},
): Promise<[SecureConnection, SecureConnection]> {
  const [c, s] = await handshake(clientConn, serverConn, client, server);
  if (c.status === 'rejected') throw c.reason;
  if (s.status === 'rejected') throw s.reason;
  return [c.value, s.value];
}

/** Collects `count` packets from a connection. */
export async function packets(conn: PacketConnection, count: number): Promise<Buffer[]> {
  const got: Buffer[] = [];
  if (count === 0) return got;
  return new Promise((resolve, reject) => {
    const onPacket = (p: Buffer) => {
      got.push(Buffer.from(p));
      if (got.length === count) {
        conn.off('packet', onPacket);
        conn.off('close', onClose);
        resolve(got);
      }
    };
    const onClose = (error?: Error) => reject(error ?? new Error(`closed after ${got.length} of ${count} packets`));
    conn.on('packet', onPacket);
    conn.on('close', onClose);
  });
}

/** Connections whose 'close' was seen, with its argument. */
const closeSeen = new WeakMap<object, Error | undefined>();
const tracked = new WeakSet<object>();

/** Starts recording `conn`'s 'close' for {@link closed} (the contract's `closed` is true from close() on, before 'close'). */
export function track<C extends PacketConnection>(conn: C): C {
  if (tracked.has(conn)) return conn;
  tracked.add(conn);
  conn.once('close', (error?: Error) => closeSeen.set(conn, error));
  return conn;
}

/** Resolves with the 'close' argument (at once when it was already seen). */
export function closed(conn: PacketConnection): Promise<Error | undefined> {
  if (closeSeen.has(conn)) return Promise.resolve(closeSeen.get(conn));
  // An untracked connection: `closed` is the best sign that 'close' came already.
  if (!tracked.has(conn) && conn.closed) return Promise.resolve(undefined);
  // Not events.once: it would reject on an 'error' event, which comes before 'close'.
  return new Promise((resolve) => conn.once('close', (error?: Error) => resolve(error)));
}

/** An ICE-like STUN Binding request with MESSAGE-INTEGRITY and FINGERPRINT. */
export function stunCheck(): Buffer {
  return encodeStun(
    {
      class: StunClass.Request,
      method: 1,
      transactionId: randomBytes(12),
      attributes: { username: 'abcd:efgh', priority: 1845501695, iceControlling: 1n },
    },
    { integrityKey: shortTermKey('0123456789abcdefghijkl'), fingerprint: true },
  );
}

export const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));
