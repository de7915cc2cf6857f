// Interop over UDP on 127.0.0.1 with OpenSSL's command-line peers (Debian's
// openssl 3): `openssl s_server -dtls1_2` with us as client and
// `openssl s_client -dtls1_2` with us as server, for each of our suites,
// data both ways, both certificates checked, and the DTLS-SRTP keying
// material (RFC 5764 §4.2) equal to what OpenSSL exports for the session.
import { computeFingerprint, secureDtls, type DtlsConnection } from '../../lib/secure/index.js';
import type { CipherSuiteName } from '../../lib/dtls/index.js';
import { certs } from './helpers.js';
import { Tool, UdpPacketConnection, freeUdpPort, interopTestFor, pemFiles } from './udp-helpers.js';

const interop = interopTestFor('OpenSSL', 'openssl', ['version'], 'apt-get install openssl');

const OPENSSL_NAMES: Record<CipherSuiteName, string> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
};
const SRTP = ['-use_srtp', 'SRTP_AES128_CM_SHA1_80', '-keymatexport', 'EXTRACTOR-dtls_srtp', '-keymatexportlen', '60'];

async function received(conn: DtlsConnection, text: string): Promise<void> {
  let got = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${JSON.stringify(text)}; got ${JSON.stringify(got)}`)), 15_000);
    conn.on('packet', (p: Buffer) => {
      got += p.toString();
      if (got.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

for (const suite of Object.keys(OPENSSL_NAMES) as CipherSuiteName[]) {
  interop(`we are the client, openssl s_server -dtls1_2 the server: ${suite}`, async (t) => {
    const c = certs();
    const files = pemFiles(c.server, 'server');
    const port = await freeUdpPort();
    const server = new Tool('openssl', [
      's_server',
      '-dtls1_2',
      '-accept',
      `127.0.0.1:${port}`,
      '-cert',
      files.cert,
      '-key',
      files.key,
      '-cipher',
      OPENSSL_NAMES[suite],
      '-verify',
      '1',
      ...SRTP,
    ]);
    t.teardown(() => server.stop());
    await server.waitFor(/ACCEPT/);
    const udp = await UdpPacketConnection.open({ address: '127.0.0.1', port });
    const dtls = await secureDtls(udp, {
      role: 'client',
      certificate: c.client,
      remoteFingerprints: [computeFingerprint(c.server.der)],
      srtpProfiles: ['SRTP_AES128_CM_HMAC_SHA1_80'],
      handshakeTimeoutMs: 20_000,
    });
    t.teardown(() => dtls.close());
    t.is(dtls.cipherSuite, suite);
    t.is(dtls.srtpProfile, 'SRTP_AES128_CM_HMAC_SHA1_80');
    const theirs = (await server.waitFor(/Keying material: ([0-9A-F]+)/i))[1].toUpperCase();
    t.is(
      dtls.exportKeyingMaterial(60, 'EXTRACTOR-dtls_srtp').toString('hex').toUpperCase(),
      theirs,
      'same SRTP keying material as OpenSSL',
    );
    dtls.send(Buffer.from('hello from ice-tcp\n'));
    await server.waitFor(/hello from ice-tcp/);
    const answer = received(dtls, 'hello from openssl');
    server.write('hello from openssl\n');
    await answer;
    // OpenSSL saw (and did not reject) our client certificate.
    t.regex(server.out, /Client certificate|subject=.*CN\s*=\s*client/i);
  });

  interop(`we are the server, openssl s_client -dtls1_2 the client: ${suite}`, async (t) => {
    const c = certs();
    const files = pemFiles(c.client, 'client');
    const udp = await UdpPacketConnection.open();
    const handshake = secureDtls(udp, {
      role: 'server',
      certificate: c.server,
      remoteFingerprints: [computeFingerprint(c.client.der)],
      srtpProfiles: ['SRTP_AES128_CM_HMAC_SHA1_80'],
      handshakeTimeoutMs: 20_000,
    });
    const client = new Tool('openssl', [
      's_client',
      '-dtls1_2',
      '-connect',
      `127.0.0.1:${udp.port}`,
      '-cert',
      files.cert,
      '-key',
      files.key,
      '-cipher',
      OPENSSL_NAMES[suite],
      ...SRTP,
    ]);
    t.teardown(() => client.stop());
    const dtls = await handshake;
    t.teardown(() => dtls.close());
    t.is(dtls.cipherSuite, suite);
    const theirs = (await client.waitFor(/Keying material: ([0-9A-F]+)/i))[1].toUpperCase();
    t.is(
      dtls.exportKeyingMaterial(60, 'EXTRACTOR-dtls_srtp').toString('hex').toUpperCase(),
      theirs,
      'same SRTP keying material as OpenSSL',
    );
    t.regex(client.out, /Extended master secret: yes/);
    dtls.send(Buffer.from('hello from ice-tcp\n'));
    await client.waitFor(/hello from ice-tcp/);
    const answer = received(dtls, 'hello from openssl');
    client.write('hello from openssl\n');
    await answer;
  });
}

interop('renegotiation is refused: openssl s_client "R" gets no_renegotiation (RFC 5746), it does not restart the handshake', async (t) => {
  const c = certs();
  const files = pemFiles(c.client, 'client');
  const udp = await UdpPacketConnection.open();
  const handshake = secureDtls(udp, {
    role: 'server',
    certificate: c.server,
    remoteFingerprints: [computeFingerprint(c.client.der)],
    handshakeTimeoutMs: 20_000,
  });
  const client = new Tool('openssl', ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${udp.port}`, '-cert', files.cert, '-key', files.key]);
  t.teardown(() => client.stop());
  const dtls = await handshake;
  await client.waitFor(/Secure Renegotiation IS supported/);
  client.write('R\n'); // s_client's interactive command: renegotiate
  await client.waitFor(/no renegotiation/i);
  t.is(dtls.endpoint.renegotiationsRefused, 1);
  dtls.destroy();
});
