// Interop over UDP on 127.0.0.1 with GnuTLS's command-line peers (Debian's
// gnutls-bin): `gnutls-serv --udp --echo` (which requires a
// HelloVerifyRequest cookie round trip) with us as client, and
// `gnutls-cli --udp` with us as server, for each of our suites, data both
// ways, both certificates checked.
import { computeFingerprint, secureDtls } from '../../lib/secure/index.js';
import type { CipherSuiteName } from '../../lib/dtls/index.js';
import { certs } from './helpers.js';
import { Tool, UdpPacketConnection, freeUdpPort, interopTestFor, pemFiles } from './udp-helpers.js';

const interop = interopTestFor('GnuTLS', 'gnutls-cli', ['--version'], 'apt-get install gnutls-bin');

const GNUTLS_CIPHER: Record<CipherSuiteName, string> = {
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'AES-128-GCM',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'AES-256-GCM',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'CHACHA20-POLY1305',
};
const priority = (suite: CipherSuiteName): string =>
  `NORMAL:-VERS-ALL:+VERS-DTLS1.2:-CIPHER-ALL:+${GNUTLS_CIPHER[suite]}:-KX-ALL:+ECDHE-ECDSA`;

function collect(conn: { on(e: 'packet', l: (p: Buffer) => void): unknown }): () => string {
  let got = '';
  conn.on('packet', (p) => (got += p.toString()));
  return () => got;
}

async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

for (const suite of Object.keys(GNUTLS_CIPHER) as CipherSuiteName[]) {
  interop(`we are the client, gnutls-serv --udp the server (with its cookie exchange): ${suite}`, async (t) => {
    const c = certs();
    const files = pemFiles(c.server, 'server');
    const port = await freeUdpPort();
    const server = new Tool('gnutls-serv', [
      '--udp',
      '--echo',
      '-p',
      String(port),
      '--x509certfile',
      files.cert,
      '--x509keyfile',
      files.key,
      '--require-client-cert',
      '--priority',
      priority(suite),
    ]);
    t.teardown(() => server.stop());
    await server.waitFor(/UDP server ready|listening/i);
    const udp = await UdpPacketConnection.open({ address: '127.0.0.1', port });
    const dtls = await secureDtls(udp, {
      role: 'client',
      certificate: c.client,
      remoteFingerprints: [computeFingerprint(c.server.der)],
      handshakeTimeoutMs: 20_000,
    });
    t.teardown(() => dtls.close());
    t.is(dtls.cipherSuite, suite);
    const got = collect(dtls);
    dtls.send(Buffer.from('echo me please'));
    await until(() => got().includes('echo me please'), 'the echo');
    t.pass();
  });

  interop(`we are the server, gnutls-cli --udp the client: ${suite}`, async (t) => {
    const c = certs();
    const files = pemFiles(c.client, 'client');
    const udp = await UdpPacketConnection.open();
    const handshake = secureDtls(udp, {
      role: 'server',
      certificate: c.server,
      remoteFingerprints: [computeFingerprint(c.client.der)],
      handshakeTimeoutMs: 20_000,
      helloVerify: true,
    });
    const client = new Tool('gnutls-cli', [
      '--udp',
      '-p',
      String(udp.port),
      '127.0.0.1',
      '--insecure',
      '--x509certfile',
      files.cert,
      '--x509keyfile',
      files.key,
      '--priority',
      priority(suite),
    ]);
    t.teardown(() => client.stop());
    const dtls = await handshake;
    t.teardown(() => dtls.close());
    t.is(dtls.cipherSuite, suite);
    await client.waitFor(/Handshake was completed/);
    const got = collect(dtls);
    client.write('hello from gnutls\n');
    await until(() => got().includes('hello from gnutls'), 'gnutls-cli data');
    dtls.send(Buffer.from('hello from ice-tcp\n'));
    await client.waitFor(/hello from ice-tcp/);
    t.pass();
  });
}
