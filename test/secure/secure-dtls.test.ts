// secureDtls over real UDP sockets on 127.0.0.1: fingerprints known up front
// or arriving later (RFC 8122 §6.2), mismatches both ways, RFC 7983 demux,
// and the man in the middle that werift-dtls lets through (DTLS.md): a
// relay that swaps Mallory's certificate for the real server's on the wire.
import test from 'ava';
import { once } from 'node:events';
import { computeFingerprint, generateCertificate, secureDtls } from '../../lib/secure/index.js';
import { HandshakeType } from '../../lib/dtls/handshake-header.js';
import { encodeCertificate } from '../../lib/dtls/key-messages.js';
import { UdpPacketConnection } from '../dtls/udp-packet-connection.js';
import { rewriteHandshake } from '../dtls/wire.js';

const alice = generateCertificate({ commonName: 'alice' });
const bob = generateCertificate({ commonName: 'bob' });
const mallory = generateCertificate({ commonName: 'mallory' });
const fp = (c: { der: Buffer }) => computeFingerprint(c.der);

/** Two UDP sockets that talk to each other. */
async function udpPair(): Promise<[UdpPacketConnection, UdpPacketConnection]> {
  const a = await UdpPacketConnection.open();
  const b = await UdpPacketConnection.open({ address: '127.0.0.1', port: a.port });
  a.remote = { address: '127.0.0.1', port: b.port };
  return [a, b];
}

test('fingerprints given as a promise that resolves after the handshake: data held until they match', async (t) => {
  const [a, b] = await udpPair();
  let resolveLate!: (list: string[]) => void;
  const late = new Promise<string[]>((r) => (resolveLate = r));
  const server = secureDtls(a, { role: 'server', certificate: alice, remoteFingerprints: late });
  const client = await secureDtls(b, { role: 'client', certificate: bob, remoteFingerprints: [fp(alice)] });
  client.send(Buffer.from('early'));
  await new Promise((r) => setTimeout(r, 100));
  resolveLate([`sha-256 ${fp(bob).value}`]);
  const s = await server;
  const [first] = (await once(s, 'packet')) as [Buffer];
  t.is(first.toString(), 'early', 'held, then delivered after the check');
  t.is(s.peerFingerprint?.value, fp(bob).value);
  client.close();
  await once(s, 'close');
});

test('a mismatch with fingerprints known up front ends the handshake on both sides', async (t) => {
  const [a, b] = await udpPair();
  const server = secureDtls(a, { role: 'server', certificate: alice, remoteFingerprints: [fp(bob)], handshakeTimeoutMs: 5000 });
  const client = secureDtls(b, { role: 'client', certificate: bob, remoteFingerprints: [fp(mallory)], handshakeTimeoutMs: 5000 });
  const [s, c] = await Promise.allSettled([server, client]);
  t.is(c.status === 'rejected' ? (c.reason as { code: string }).code : 'fulfilled', 'ERR_DTLS_FINGERPRINT_MISMATCH');
  t.is(
    s.status === 'rejected' ? (s.reason as { code: string }).code : 'fulfilled',
    'ERR_DTLS_HANDSHAKE_FAILED',
    'the server got bad_certificate',
  );
});

test('a mismatch found after the handshake (late fingerprints) rejects and delivers nothing', async (t) => {
  const [a, b] = await udpPair();
  const server = secureDtls(a, { role: 'server', certificate: alice, remoteFingerprints: Promise.resolve([fp(mallory)]) });
  const client = secureDtls(b, { role: 'client', certificate: bob, remoteFingerprints: [fp(alice)] });
  const [s] = await Promise.allSettled([server, client]);
  t.is(s.status === 'rejected' ? (s.reason as { code: string }).code : 'fulfilled', 'ERR_DTLS_FINGERPRINT_MISMATCH');
});

test('RFC 7983: packets whose first byte is not DTLS (STUN, RTP) are dropped, DTLS goes on', async (t) => {
  const [a, b] = await udpPair();
  const [s, c] = await Promise.all([
    secureDtls(a, { role: 'server', certificate: alice, remoteFingerprints: [fp(bob)] }),
    secureDtls(b, { role: 'client', certificate: bob, remoteFingerprints: [fp(alice)] }),
  ]);
  b.socket.send(Buffer.from([0x00, 0x01, 0, 0, 0x21, 0x12, 0xa4, 0x42, ...new Array(12).fill(0)]), a.port, '127.0.0.1');
  b.socket.send(Buffer.from([0x80, 0x60, 0, 1]), a.port, '127.0.0.1');
  c.send(Buffer.from('after'));
  const [p] = (await once(s, 'packet')) as [Buffer];
  t.is(p.toString(), 'after');
  t.is(s.counters.otherPacketsDropped, 2);
  c.close();
  await once(s, 'close');
});

test('MITM (the attack werift-dtls lets through): Mallory relays with the real server certificate swapped in, and fails', async (t) => {
  // client ⇄ relay ⇄ Mallory's DTLS server. The relay rewrites Mallory's Certificate message into Alice's (public) certificate,
  // so the fingerprint the client expects (Alice's) matches; only the ServerKeyExchange signature can tell.
  const toClient = await UdpPacketConnection.open();
  const toMallory = await UdpPacketConnection.open();
  const malloryUdp = await UdpPacketConnection.open({ address: '127.0.0.1', port: toMallory.port });
  toMallory.remote = { address: '127.0.0.1', port: malloryUdp.port };
  const client = await UdpPacketConnection.open({ address: '127.0.0.1', port: toClient.port });
  toClient.remote = { address: '127.0.0.1', port: client.port };
  let swapped = 0;
  toClient.on('packet', (p: Buffer) => toMallory.send(p));
  toMallory.on('packet', (p: Buffer) =>
    toClient.send(
      rewriteHandshake(p, (m) => {
        if (m.msgType !== HandshakeType.certificate) return m;
        swapped++;
        return { ...m, body: encodeCertificate([alice.der]) };
      }),
    ),
  );
  const malloryServer = secureDtls(malloryUdp, {
    role: 'server',
    certificate: mallory,
    remoteFingerprints: [fp(bob)],
    handshakeTimeoutMs: 5000,
  });
  const victim = secureDtls(client, { role: 'client', certificate: bob, remoteFingerprints: [fp(alice)], handshakeTimeoutMs: 5000 });
  const [v, m] = await Promise.allSettled([victim, malloryServer]);
  t.true(swapped >= 1);
  t.is(v.status, 'rejected');
  const reason = (v as PromiseRejectedResult).reason as { code: string; cause?: { code: string } };
  t.is(reason.code, 'ERR_DTLS_HANDSHAKE_FAILED');
  t.is(reason.cause?.code, 'ERR_DTLS_BAD_SIGNATURE');
  t.is(m.status, 'rejected');
  toClient.close();
  toMallory.close();
});

test('the Duplex view: writes become records, records are read as bytes, end() closes with close_notify', async (t) => {
  const [a, b] = await udpPair();
  const [s, c] = await Promise.all([
    secureDtls(a, { role: 'server', certificate: alice, remoteFingerprints: [fp(bob)] }),
    secureDtls(b, { role: 'client', certificate: bob, remoteFingerprints: [fp(alice)] }),
  ]);
  t.is(s.stream(), s.stream(), 'always the same object');
  const payload = Buffer.from(Array.from({ length: 40_000 }, (_, i) => i & 0xff));
  const chunks: Buffer[] = [];
  const reader = s.stream();
  const got = new Promise<void>((resolve) => {
    reader.on('data', (d: Buffer) => {
      chunks.push(d);
      if (Buffer.concat(chunks).length >= payload.length) resolve();
    });
  });
  const writer = c.stream();
  writer.write(payload.subarray(0, 20_000)); // cut into records of at most 16384 bytes
  writer.write(payload.subarray(20_000));
  await got;
  t.true(Buffer.concat(chunks).equals(payload));
  t.true(chunks.every((ch) => ch.length <= 16384));
  const ended = once(reader, 'end');
  writer.end();
  await ended;
  t.true(s.closed);
});
