// Handshakes over a lossy, reordering, duplicating virtual network, and the
// retransmission timer of RFC 6347 §4.2.4 (1 s, doubling, capped, giving up).
import test from 'ava';
import { DtlsEndpoint } from '../../lib/dtls/index.js';
import { seededRandom } from '../../lib/ice/seeded-random.js';
import { VirtualNet, certs, makePair, seededBytes, type Tamper } from './helpers.js';

function lossy(seed: number, loss: number, jitterMs: number, duplicate: number): Tamper {
  const rng = seededRandom(seed);
  const u = () => Buffer.from(rng.bytes(4)).readUInt32BE(0) / 2 ** 32;
  return (d) => {
    const out: Array<{ bytes: Uint8Array; delay: number }> = [];
    if (u() >= loss) out.push({ bytes: d.bytes, delay: 5 + u() * jitterMs });
    if (u() < duplicate) out.push({ bytes: d.bytes, delay: 5 + u() * jitterMs });
    return out;
  };
}

test('30% loss, reordering jitter and 20% duplication: 40 seeded handshakes all complete and carry data', (t) => {
  let totalTime = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const { client, server } = makePair({ seed, server: { helloVerify: seed % 2 === 0 }, client: { mtu: seed % 3 === 0 ? 300 : 1200 } });
    const net = new VirtualNet(client, server, lossy(seed, 0.3, 300, 0.2));
    net.run(undefined, 600_000);
    t.is(client.state, 'connected', `seed ${seed}: client ${client.state} ${net.failure('client') ?? ''}`);
    t.is(server.state, 'connected', `seed ${seed}: server ${server.state} ${net.failure('server') ?? ''}`);
    totalTime += net.now;
    // Data over the same lossy network: send until one copy arrives each way.
    for (let i = 0; i < 20 && !(net.data('server').includes('up') && net.data('client').includes('down')); i++) {
      client.send(Buffer.from('up'));
      server.send(Buffer.from('down'));
      net.step(() => false, 400);
    }
    t.true(net.data('server').includes('up') && net.data('client').includes('down'), `seed ${seed}: data both ways`);
  }
  t.log(`mean virtual handshake time ${(totalTime / 40 / 1000).toFixed(1)} s`);
});

test('a small MTU cuts the certificate flights into fragments that never exceed it', (t) => {
  const { client, server } = makePair({ client: { mtu: 256 }, server: { mtu: 256 } });
  const net = new VirtualNet(client, server);
  net.run();
  t.is(client.state, 'connected');
  t.true(
    net.sent.every((d) => d.bytes.length <= 256),
    `largest ${Math.max(...net.sent.map((d) => d.bytes.length))}`,
  );
});

test('retransmission: 1 s, then doubling, capped by retransmitMaxMs; gives up after maxRetransmits', (t) => {
  const c = certs();
  const client = new DtlsEndpoint({
    role: 'client',
    certificate: c.client,
    random: seededBytes(3),
    retransmitMaxMs: 4000,
    maxRetransmits: 5,
  });
  const sentAt: number[] = [];
  client.start(0);
  let now = 0;
  for (let i = 0; i < 20 && client.state === 'handshaking'; i++) {
    while (client.pollTransmit()) sentAt.push(now);
    const next = client.pollTimeout();
    if (next === undefined) break;
    now = next;
    client.handleTimeout(now);
  }
  while (client.pollTransmit()) sentAt.push(now);
  t.deepEqual(sentAt, [0, 1000, 3000, 7000, 11000, 15000]);
  t.is(client.state, 'failed');
  const events = [];
  for (let e = client.pollEvent(); e; e = client.pollEvent()) events.push(e);
  t.is(
    events.at(-1)?.type === 'failed' ? (events.at(-1) as { error: { code: string } }).error.code : undefined,
    'ERR_DTLS_HANDSHAKE_TIMEOUT',
  );
});

test('a configurable initial timeout (retransmitInitialMs)', (t) => {
  const c = certs();
  const client = new DtlsEndpoint({ role: 'client', certificate: c.client, retransmitInitialMs: 250 });
  client.start(100);
  t.is(client.pollTimeout(), 350);
  t.throws(() => new DtlsEndpoint({ role: 'client', certificate: c.client, retransmitInitialMs: 0 }), { code: 'ERR_DTLS_BAD_OPTION' });
  t.throws(() => new DtlsEndpoint({ role: 'client', certificate: c.client, mtu: 100 }), { code: 'ERR_DTLS_BAD_OPTION' });
  t.throws(() => new DtlsEndpoint({ role: 'client', certificate: { pem: c.client.pem, privateKeyPem: c.server.privateKeyPem } }), {
    code: 'ERR_DTLS_BAD_OPTION',
  });
  t.throws(() => new DtlsEndpoint({ role: 'client', certificate: c.client, cipherSuites: ['TLS_RSA_WITH_RC4' as never] }), {
    code: 'ERR_DTLS_BAD_OPTION',
  });
});

test('a lost final flight: the client retransmits flight 5 and the server answers with flight 6 again', (t) => {
  const { client, server } = makePair();
  let dropped = false;
  // Drop the server's first flight-6 datagram (the one after the client's flight 5).
  const net = new VirtualNet(client, server, (d, i) => {
    if (d.from === 'server' && i >= 2 && !dropped && server.state === 'connected') {
      dropped = true;
      return [];
    }
    return [{ bytes: d.bytes, delay: 10 }];
  });
  net.run();
  t.true(dropped);
  t.is(client.state, 'connected');
  t.true(net.now >= 1000, 'it took a retransmission');
});
