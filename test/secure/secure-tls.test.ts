// secureTls over the in-memory PacketConnection pair: the handshake, packets,
// the Duplex view, closing, and the failures.
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { isStun } from '../../lib/stun/index.js';
import {
  SecureError,
  computeFingerprint,
  formatFingerprintAttribute,
  formatFingerprintLine,
  generateCertificate,
  secureTls,
} from '../../lib/secure/index.js';
import { memoryPacketPair } from './memory-pair.js';
import { clientCert, closed, connected, fp, handshake, packets, serverCert, stunCheck, tick } from './tls-helpers.js';

test('handshake: TLS 1.3, each side verified the other, packets keep their boundaries', async (t) => {
  const [a, b] = memoryPacketPair();
  const [client, server] = await connected(a, b);
  t.is(client.protocol, 'TLSv1.3');
  t.is(server.protocol, 'TLSv1.3');
  t.is(client.role, 'client');
  t.is(server.role, 'server');
  t.is(client.transport, 'tcp');
  t.deepEqual(client.peerFingerprint, fp(serverCert));
  t.deepEqual(server.peerFingerprint, fp(clientCert));
  t.deepEqual(client.peerCertificate.raw, serverCert.der);
  t.deepEqual(client.exportKeyingMaterial(32, 'EXPORTER-test'), server.exportKeyingMaterial(32, 'EXPORTER-test'));
  t.deepEqual(
    client.exportKeyingMaterial(16, 'EXPORTER-test', Buffer.from('ctx')),
    server.exportKeyingMaterial(16, 'EXPORTER-test', Buffer.from('ctx')),
  );
  const sent = [Buffer.from('one'), Buffer.alloc(0), randomBytes(65535), Buffer.from('last')];
  const got = packets(server, sent.length);
  for (const p of sent) client.send(p);
  t.deepEqual(await got, sent);
  const back = packets(client, 2);
  server.send(Buffer.from('pong'));
  server.send(Buffer.from('pong2'));
  t.deepEqual((await back).map(String), ['pong', 'pong2']);
  client.close();
  await Promise.all([closed(client), closed(server)]);
});

test('no TLS byte on the wire looks like STUN, and TLS records straddle frames', async (t) => {
  const [a, b] = memoryPacketPair();
  const [client, server] = await connected(a, b, { maxFrameSize: 100 }, { maxFrameSize: 100 });
  const got = packets(server, 1);
  client.send(randomBytes(5000));
  await got;
  for (const frame of [...a.sent, ...b.sent]) {
    t.false(isStun(frame));
    t.true(frame.length <= 100);
  }
  t.true(a.sent.length > 50, 'a 5000-byte record went out in many frames');
  client.close();
  await closed(server);
});

test('stream(): a Duplex view carries 2 MiB intact both ways, end() closes', async (t) => {
  const [a, b] = memoryPacketPair({ highWaterMark: 64 * 1024 });
  const [client, server] = await connected(a, b);
  const data = randomBytes(2 * 1024 * 1024);
  const cs = client.stream();
  t.is(client.stream(), cs, 'always the same view');
  const ss = server.stream();
  // The server echoes everything back.
  const echo = pipeline(ss, ss);
  const hash = createHash('sha256');
  let received = 0;
  const reading = (async () => {
    for await (const chunk of cs) {
      hash.update(chunk as Buffer);
      received += (chunk as Buffer).length;
      if (received === data.length) break;
    }
  })();
  await pipeline(Readable.from([data.subarray(0, 1_000_000), data.subarray(1_000_000)]), cs, { end: false });
  await reading;
  t.is(received, data.length);
  t.is(hash.digest('hex'), createHash('sha256').update(data).digest('hex'));
  cs.end();
  await Promise.all([closed(client), closed(server), echo.catch(() => undefined)]);
  t.true(a.closed && b.closed, 'closing the secure connection closed the transport (default)');
});

test('fingerprint mismatch seen by the client: typed error, transport closed, no data delivered', async (t) => {
  const [a, b] = memoryPacketPair();
  const serverPackets: Buffer[] = [];
  const [c, s] = await handshake(a, b, { remoteFingerprints: [fp(generateCertificate())] });
  t.is(c.status, 'rejected');
  const error = (c as PromiseRejectedResult).reason as SecureError;
  t.true(error instanceof SecureError);
  t.is(error.code, 'ERR_TLS_FINGERPRINT_MISMATCH');
  t.true(a.closed);
  // TLS 1.3: the server may have finished before the client checked; it then
  // sees the connection close, and anything it sent was never read.
  if (s.status === 'fulfilled') {
    s.value.on('packet', (p: Buffer) => serverPackets.push(p));
    s.value.send(Buffer.from('secret'));
    await closed(s.value);
  } else {
    t.true(s.reason instanceof SecureError);
  }
  t.is(serverPackets.length, 0);
});

test('fingerprint mismatch seen by the server: typed error; the client data sent meanwhile is never delivered', async (t) => {
  const [a, b] = memoryPacketPair();
  const [c, s] = await handshake(a, b, {}, { remoteFingerprints: [fp(generateCertificate())] });
  t.is(s.status, 'rejected');
  t.is(((s as PromiseRejectedResult).reason as SecureError).code, 'ERR_TLS_FINGERPRINT_MISMATCH');
  await closed(b);
  t.true(b.closed);
  if (c.status === 'fulfilled') {
    // The client finished first (TLS 1.3) and may already have sent data: the
    // server never delivered it, and the client sees its connection close.
    c.value.send(Buffer.from('for the server only'));
    const error = await closed(c.value);
    t.true(error === undefined || error instanceof SecureError);
  }
});

test('fingerprints given as a promise: data is held until they arrive, then delivered (RFC 8122 §6.2)', async (t) => {
  const [a, b] = memoryPacketPair();
  let release!: (list: string[]) => void;
  const later = new Promise<string[]>((resolve) => (release = resolve));
  const clientSide = secureTls(a, { role: 'client', certificate: clientCert, remoteFingerprints: [fp(serverCert)] });
  const serverSide = secureTls(b, { role: 'server', certificate: serverCert, remoteFingerprints: later });
  const client = await clientSide;
  client.send(Buffer.from('early'));
  await tick(30);
  let settled = false;
  void serverSide.then(
    () => (settled = true),
    () => (settled = true),
  );
  await tick(10);
  t.false(settled, 'the server waits for the answer fingerprints');
  release([formatFingerprintAttribute(fp(clientCert))]);
  const server = await serverSide;
  t.deepEqual((await packets(server, 1)).map(String), ['early']);
  client.close();
  await closed(server);
});

test('fingerprints given as a promise that brings a wrong value: the held data is discarded', async (t) => {
  const [a, b] = memoryPacketPair();
  const clientSide = secureTls(a, { role: 'client', certificate: clientCert, remoteFingerprints: [fp(serverCert)] });
  const serverSide = secureTls(b, {
    role: 'server',
    certificate: serverCert,
    remoteFingerprints: tick(50).then(() => [formatFingerprintLine(fp(generateCertificate()))]),
  });
  const client = await clientSide;
  client.send(Buffer.from('early secret'));
  const error = await t.throwsAsync(serverSide, { instanceOf: SecureError });
  t.is(error?.code, 'ERR_TLS_FINGERPRINT_MISMATCH');
  await closed(client);
});

test('a peer without a certificate is refused (RFC 8122 §6.2)', async (t) => {
  const tls = await import('node:tls');
  const { createTlsByteStream } = await import('../../lib/secure/index.js');
  const [a, b] = memoryPacketPair();
  const bare = tls.connect({ socket: createTlsByteStream(a).stream, rejectUnauthorized: false });
  bare.on('error', () => undefined);
  const error = await t.throwsAsync(secureTls(b, { role: 'server', certificate: serverCert, remoteFingerprints: [fp(clientCert)] }), {
    instanceOf: SecureError,
  });
  t.is(error?.code, 'ERR_TLS_NO_PEER_CERTIFICATE');
  bare.destroy();
});

test('a peer that closes right after its handshake: end and close still come', async (t) => {
  const tls = await import('node:tls');
  const { createTlsByteStream } = await import('../../lib/secure/index.js');
  const [a, b] = memoryPacketPair();
  const peer = tls.connect({
    socket: createTlsByteStream(a, { closeTransportOnEnd: false }).stream,
    cert: clientCert.pem,
    key: clientCert.privateKeyPem,
    rejectUnauthorized: false,
  });
  peer.on('error', () => undefined);
  peer.on('secureConnect', () => peer.end()); // close_notify at once
  const server = await secureTls(b, {
    role: 'server',
    certificate: serverCert,
    remoteFingerprints: tick(100).then(() => [fp(clientCert)]),
    closeTransport: false,
  });
  const ended = once(server, 'end');
  await ended;
  await closed(server);
  t.true(server.closed);
  peer.destroy();
});

test('cleartext sent before the handshake is dropped and never delivered; the handshake succeeds', async (t) => {
  const [a, b] = memoryPacketPair();
  const serverSide = secureTls(b, { role: 'server', certificate: serverCert, remoteFingerprints: [fp(clientCert)] });
  // The peer's application sends before it starts TLS (e.g. as soon as ICE said "connected").
  a.send(Buffer.from('hello in the clear'));
  a.send(Buffer.from([0x16])); // even a lone plausible first byte
  a.send(Buffer.from('more'));
  await tick(5);
  const clientSide = secureTls(a, { role: 'client', certificate: clientCert, remoteFingerprints: [fp(serverCert)] });
  const [client, server] = await Promise.all([clientSide, serverSide]);
  t.is(server.preTlsPacketsDropped, 3);
  const got = packets(server, 1);
  client.send(Buffer.from('first real packet'));
  t.deepEqual((await got).map(String), ['first real packet']);
  client.close();
  await closed(server);
});

test('cleartext injected after TLS started breaks the handshake with a typed error', async (t) => {
  const [a, b] = memoryPacketPair();
  let injected = false;
  a.onSend = () => {
    if (!injected) {
      injected = true;
      // Right after the first TLS frame (onSend runs before it is queued).
      queueMicrotask(() => b.inject(Buffer.from('garbage in the middle of the ClientHello stream')));
    }
  };
  const [c, s] = await handshake(a, b, { handshakeTimeoutMs: 2000 }, { handshakeTimeoutMs: 2000 });
  t.is(s.status, 'rejected');
  t.is(((s as PromiseRejectedResult).reason as SecureError).code, 'ERR_TLS_HANDSHAKE_FAILED');
  if (c.status === 'fulfilled') {
    // TLS 1.3: the server's flight may have reached the client before the
    // server read the garbage; the client then sees its connection close.
    const got: Buffer[] = [];
    c.value.on('packet', (p: Buffer) => got.push(p));
    await closed(c.value);
    t.deepEqual(got, []);
  } else {
    t.true(c.reason instanceof SecureError);
  }
});

test('STUN interleaved with TLS during and after the handshake stays out of TLS and keeps flowing', async (t) => {
  const [a, b] = memoryPacketPair();
  // The "ICE side" of each end sees every packet, STUN included.
  const stunSeen = { a: 0, b: 0 };
  a.on('packet', (p: Buffer) => isStun(p, { requireFingerprint: true }) && stunSeen.a++);
  b.on('packet', (p: Buffer) => isStun(p, { requireFingerprint: true }) && stunSeen.b++);
  // After every packet a side sends, a STUN check follows on the same stream.
  a.onSend = () => b.inject(stunCheck());
  b.onSend = () => a.inject(stunCheck());
  b.inject(stunCheck()); // and one before anything else
  const [client, server] = await connected(a, b);
  t.true(server.stunPacketsSkipped > 0 && client.stunPacketsSkipped > 0, 'STUN arrived during the handshake');
  const duringHandshake = server.stunPacketsSkipped;
  const got = packets(server, 50);
  for (let i = 0; i < 50; i++) {
    client.send(Buffer.from(`packet ${i}`));
    a.send(stunCheck()); // the ICE side's own checks between application packets
    if (i % 10 === 0) await tick();
  }
  t.deepEqual(
    (await got).map(String),
    Array.from({ length: 50 }, (_, i) => `packet ${i}`),
  );
  const echoed = packets(client, 1);
  server.send(Buffer.from('reply'));
  await echoed;
  await tick(5);
  t.is(stunSeen.b, server.stunPacketsSkipped);
  t.is(stunSeen.a, client.stunPacketsSkipped);
  t.true(stunSeen.b >= duringHandshake + 50, 'STUN kept flowing after the handshake');
  client.close();
  await closed(server);
});

test('close() sends close_notify: with closeTransport false the peer sees end over an open transport', async (t) => {
  const [a, b] = memoryPacketPair();
  const [client, server] = await connected(a, b, { closeTransport: false }, { closeTransport: false });
  const ended = once(server, 'end');
  client.close();
  await ended;
  await Promise.all([closed(client), closed(server)]);
  t.false(a.closed || b.closed, 'the packet connection stays up (consent keeps running)');
  t.true(client.closed && server.closed);
  t.false(client.send(Buffer.from('late')));
  // STUN can still flow on it.
  const stunArrives = once(b, 'packet');
  a.send(stunCheck());
  t.true(isStun(((await stunArrives) as [Buffer])[0], { requireFingerprint: true }));
  client.close(); // a second close is a no-op
});

test('close() gives up waiting for the peer close_notify after closeTimeoutMs', async (t) => {
  const [a, b] = memoryPacketPair();
  const [client] = await connected(a, b, { closeTransport: false, closeTimeoutMs: 100 }, { closeTransport: false });
  b.pause(); // the peer stops reading: no close_notify comes back
  const start = Date.now();
  client.close();
  await closed(client);
  t.true(Date.now() - start >= 90);
});

test('destroy(error) tears down at once: close carries the error, the transport is destroyed', async (t) => {
  const [a, b] = memoryPacketPair();
  const [client, server] = await connected(a, b);
  const errors: Error[] = [];
  client.on('error', (e: Error) => errors.push(e));
  const boom = new SecureError('ERR_TLS_CONNECTION_FAILED', 'test');
  client.destroy(boom);
  t.is(await closed(client), boom);
  t.deepEqual(errors, [boom]);
  t.true(a.closed);
  await closed(server);
  client.destroy(); // no-op once closed
});

test('garbage injected after the handshake fails the connection with ERR_TLS_CONNECTION_FAILED', async (t) => {
  const [a, b] = memoryPacketPair();
  const [client, server] = await connected(a, b);
  const failed = once(server, 'error');
  b.inject(Buffer.from([23, 3, 3, 0, 20, ...randomBytes(20)]));
  const [error] = (await failed) as [SecureError];
  t.is(error.code, 'ERR_TLS_CONNECTION_FAILED');
  t.truthy(error.cause);
  t.is(await closed(server), error);
  await closed(client);
});

test("innerFraming 'none': bytes go through as a stream, without packet boundaries", async (t) => {
  const [a, b] = memoryPacketPair();
  const [client, server] = await connected(a, b, { innerFraming: 'none' }, { innerFraming: 'none' });
  t.is(client.innerFraming, 'none');
  const data = randomBytes(100_000);
  const chunks: Buffer[] = [];
  let n = 0;
  const done = new Promise<void>((resolve) =>
    server.on('packet', (p: Buffer) => {
      chunks.push(p);
      n += p.length;
      if (n === data.length) resolve();
    }),
  );
  client.send(data.subarray(0, 70_000)); // no 65535 limit here
  client.send(data.subarray(70_000));
  await done;
  t.deepEqual(Buffer.concat(chunks), data);
  // pause/resume and the stream view work here too.
  server.pause();
  server.resume();
  const echo = once(client, 'packet');
  server.stream().write('x');
  t.is(String(((await echo) as [Buffer])[0]), 'x');
  const ended = once(server, 'end');
  client.close();
  await ended;
  await closed(server);
});

test('a peer ending TLS inside an inner frame gives ERR_TLS_INNER_FRAMING', async (t) => {
  const [a, b] = memoryPacketPair();
  const [client, server] = await connected(a, b, { innerFraming: 'none' });
  client.send(Buffer.from([0x00, 0x10, 1, 2])); // a 16-byte frame that never completes
  client.close();
  const error = (await closed(server)) as SecureError;
  t.is(error?.code, 'ERR_TLS_INNER_FRAMING');
});

test('RSA on one side, ECDSA on the other; sha-1 and sha-512 fingerprint sets; lines as input', async (t) => {
  const rsa = generateCertificate({ keyType: 'rsa-2048' });
  const [a, b] = memoryPacketPair();
  const [client, server] = await connected(
    a,
    b,
    { remoteFingerprints: [computeFingerprint(rsa.der, 'sha-1'), computeFingerprint(rsa.der, 'sha-512')] },
    { certificate: rsa, remoteFingerprints: [formatFingerprintLine(computeFingerprint(clientCert.der, 'sha-384'))] },
  );
  t.is(client.peerFingerprint.algorithm, 'sha-512', 'the most preferred offered hash was used');
  t.is(server.peerFingerprint.algorithm, 'sha-384');
  t.is(server.peerCertificate.publicKey.asymmetricKeyType, 'ec');
  t.is(client.peerCertificate.publicKey.asymmetricKeyType, 'rsa');
  client.close();
  await closed(server);
});

test("minVersion 'TLSv1.2' is accepted and still negotiates TLS 1.3 with us", async (t) => {
  const [a, b] = memoryPacketPair();
  const [client, server] = await connected(a, b, { minVersion: 'TLSv1.2' }, { minVersion: 'TLSv1.2' });
  t.is(client.protocol, 'TLSv1.3');
  client.close();
  await closed(server);
});

test('send(): typed errors for bad packets, false once closed; backpressure keeps every packet in order', async (t) => {
  const [a, b] = memoryPacketPair({ highWaterMark: 8 * 1024 });
  const [client, server] = await connected(a, b);
  t.is(t.throws(() => client.send('text' as never), { instanceOf: SecureError })?.code, 'ERR_TLS_BAD_PACKET');
  t.is(t.throws(() => client.send(Buffer.alloc(65536)), { instanceOf: SecureError })?.code, 'ERR_TLS_PACKET_TOO_LARGE');
  const count = 400;
  const got = packets(server, count);
  let refused = 0;
  for (let i = 0; i < count; i++) {
    const p = Buffer.alloc(4096, i & 0xff);
    p.writeUInt32BE(i);
    if (!client.send(p)) {
      refused++;
      await once(client, 'drain');
    }
  }
  const all = await got;
  t.true(refused > 0, 'send() pushed back at least once');
  t.deepEqual(
    all.map((p) => p.readUInt32BE(0)),
    Array.from({ length: count }, (_, i) => i),
  );
  client.close();
  await closed(server);
  t.false(client.send(Buffer.from('after close')));
});

test('sendHighWaterMark raises the point where send() says false; drain follows', async (t) => {
  {
    // Zero: node's own 16 KiB is the limit.
    const [client, server] = await connected(...memoryPacketPair(), { sendHighWaterMark: 0 });
    t.true(client.send(Buffer.alloc(1000)));
    t.false(client.send(Buffer.alloc(20_000)), 'over 16 KiB waiting');
    await once(client, 'drain');
    client.close();
    await closed(server);
  }
  {
    const [client, server] = await connected(...memoryPacketPair(), { sendHighWaterMark: 1 << 20 });
    const answers: boolean[] = [];
    for (let i = 0; i < 20; i++) answers.push(client.send(Buffer.alloc(60_000)));
    t.deepEqual(answers.slice(0, 17), Array(17).fill(true), 'under 1 MiB waiting: true even past 16 KiB');
    t.false(answers[19], 'past 1 MiB: false');
    await once(client, 'drain');
    client.close();
    await closed(server);
  }
});

test('packets that arrive before anyone listens are held, not lost', async (t) => {
  for (const innerFraming of ['rfc4571', 'none'] as const) {
    const [a, b] = memoryPacketPair();
    const [client, server] = await connected(a, b, { innerFraming }, { innerFraming });
    client.send(Buffer.from('early one'));
    client.send(Buffer.from('early two'));
    await tick(50);
    const got: Buffer[] = [];
    await new Promise<void>((resolve) =>
      server.on('packet', (p: Buffer) => {
        got.push(p);
        if (Buffer.concat(got).length === 18) resolve();
      }),
    );
    t.is(Buffer.concat(got).toString(), 'early oneearly two', innerFraming);
    client.close();
    await closed(server);
  }
});

test('pause()/resume() hold and release packets', async (t) => {
  const [a, b] = memoryPacketPair();
  const [client, server] = await connected(a, b);
  server.pause();
  const got: string[] = [];
  server.on('packet', (p: Buffer) => got.push(String(p)));
  client.send(Buffer.from('held'));
  await tick(30);
  t.deepEqual(got, []);
  const delivered = once(server, 'packet');
  server.resume();
  await delivered;
  t.deepEqual(got, ['held']);
  client.close();
  await closed(server);
});

test('works over a packet connection without pause()/resume()', async (t) => {
  const [a, b] = memoryPacketPair({ pausable: false });
  const [client, server] = await connected(a, b);
  const got = packets(server, 20);
  for (let i = 0; i < 20; i++) client.send(randomBytes(30_000));
  t.is((await got).length, 20);
  client.close();
  await closed(server);
});

test('handshake timeout, abort and transport loss give typed errors and close the transport', async (t) => {
  {
    const [a] = memoryPacketPair();
    const error = await t.throwsAsync(
      secureTls(a, { role: 'client', certificate: clientCert, remoteFingerprints: [fp(serverCert)], handshakeTimeoutMs: 100 }),
      { instanceOf: SecureError },
    );
    t.is(error?.code, 'ERR_TLS_HANDSHAKE_TIMEOUT');
    await tick(5);
    t.true(a.closed);
  }
  {
    const [a] = memoryPacketPair();
    const ac = new AbortController();
    const p = secureTls(a, { role: 'client', certificate: clientCert, remoteFingerprints: [fp(serverCert)], signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    t.is((await t.throwsAsync(p, { instanceOf: SecureError }))?.code, 'ERR_TLS_ABORTED');
    const error = await t.throwsAsync(
      secureTls(memoryPacketPair()[0], { role: 'client', certificate: clientCert, remoteFingerprints: [], signal: ac.signal }),
      { instanceOf: SecureError },
    );
    t.is(error?.code, 'ERR_TLS_ABORTED');
  }
  {
    const [a, b] = memoryPacketPair();
    const p = secureTls(a, { role: 'client', certificate: clientCert, remoteFingerprints: [fp(serverCert)] });
    setTimeout(() => b.destroy(), 20);
    t.is((await t.throwsAsync(p, { instanceOf: SecureError }))?.code, 'ERR_TLS_TRANSPORT_CLOSED');
  }
  {
    // A timeout while waiting for the remote fingerprints.
    const [a, b] = memoryPacketPair();
    const [, s] = await handshake(a, b, {}, { remoteFingerprints: new Promise(() => undefined), handshakeTimeoutMs: 300 });
    t.is(((s as PromiseRejectedResult).reason as SecureError).code, 'ERR_TLS_HANDSHAKE_TIMEOUT');
  }
});

test('closeTransport false: a failed handshake leaves the transport open', async (t) => {
  const [a] = memoryPacketPair();
  const error = await t.throwsAsync(
    secureTls(a, {
      role: 'client',
      certificate: clientCert,
      remoteFingerprints: [fp(serverCert)],
      handshakeTimeoutMs: 50,
      closeTransport: false,
    }),
    { instanceOf: SecureError },
  );
  t.is(error?.code, 'ERR_TLS_HANDSHAKE_TIMEOUT');
  await tick(5);
  t.false(a.closed);
});

test('bad options and bad fingerprints reject with typed errors before any handshake', async (t) => {
  const [a] = memoryPacketPair();
  const base = { role: 'client' as const, certificate: clientCert, remoteFingerprints: [fp(serverCert)] };
  const cases: Array<[unknown, string]> = [
    [{ ...base, role: 'both' }, 'ERR_SECURE_BAD_OPTION'],
    [{ ...base, minVersion: 'TLSv1.1' }, 'ERR_SECURE_BAD_OPTION'],
    [{ ...base, innerFraming: 'json' }, 'ERR_SECURE_BAD_OPTION'],
    [{ ...base, handshakeTimeoutMs: 0 }, 'ERR_SECURE_BAD_OPTION'],
    [{ ...base, closeTimeoutMs: Number.NaN }, 'ERR_SECURE_BAD_OPTION'],
    [{ ...base, certificate: undefined }, 'ERR_SECURE_BAD_OPTION'],
    [{ ...base, certificate: { pem: 'x', privateKeyPem: 'y' } }, 'ERR_SECURE_BAD_OPTION'],
    [{ ...base, certificate: { pem: clientCert.pem, privateKeyPem: serverCert.privateKeyPem } }, 'ERR_SECURE_BAD_OPTION'],
    [{ ...base, remoteFingerprints: 'sha-256 AB' }, 'ERR_SECURE_BAD_OPTION'],
    [{ ...base, remoteFingerprints: ['md5 AB:CD'] }, 'ERR_FINGERPRINT_HASH_FORBIDDEN'],
    [{ ...base, remoteFingerprints: ['sha-256 AB:CD'] }, 'ERR_FINGERPRINT_SYNTAX'],
    [{ ...base, remoteFingerprints: [] }, 'ERR_FINGERPRINT_NONE_USABLE'],
    [{ ...base, maxFrameSize: 70000 }, 'ERR_SECURE_BAD_OPTION'],
    [{ ...base, sendHighWaterMark: -1 }, 'ERR_SECURE_BAD_OPTION'],
    [{ ...base, sendHighWaterMark: 1.5 }, 'ERR_SECURE_BAD_OPTION'],
    [null, 'ERR_SECURE_BAD_OPTION'],
  ];
  for (const [options, code] of cases) {
    const conn = code === 'ERR_FINGERPRINT_NONE_USABLE' ? memoryPacketPair()[0] : a;
    const p = secureTls(conn, options as never);
    if (code === 'ERR_FINGERPRINT_NONE_USABLE') {
      // An empty list is only found wanting once the peer's certificate is there.
      const [, b] = [conn, conn.peer];
      void secureTls(b, { role: 'server', certificate: serverCert, remoteFingerprints: [fp(clientCert)] }).catch(() => undefined);
    }
    const error = await t.throwsAsync(p, { instanceOf: SecureError }, JSON.stringify(options));
    t.is<string | undefined, string>(error?.code, code, JSON.stringify(options)?.slice(0, 80));
  }
  const udp = Object.assign(memoryPacketPair()[0], { transport: 'udp' });
  t.is((await t.throwsAsync(secureTls(udp as never, base), { instanceOf: SecureError }))?.code, 'ERR_SECURE_BAD_OPTION');
  t.is((await t.throwsAsync(secureTls({} as never, base), { instanceOf: SecureError }))?.code, 'ERR_SECURE_BAD_OPTION');
  t.false(a.closed, 'option errors touch nothing');
  const [gone] = memoryPacketPair();
  gone.destroy();
  t.is((await t.throwsAsync(secureTls(gone, base), { instanceOf: SecureError }))?.code, 'ERR_TLS_TRANSPORT_CLOSED');
});

test('remote fingerprints promise: rejection and a non-array are typed errors', async (t) => {
  for (const [promise, code] of [
    [Promise.reject(new Error('signalling failed')), 'ERR_FINGERPRINT_NONE_USABLE'],
    [Promise.resolve('sha-256 AB'), 'ERR_SECURE_BAD_OPTION'],
  ] as const) {
    void promise.catch(() => undefined);
    const [a, b] = memoryPacketPair();
    const [, s] = await handshake(a, b, {}, { remoteFingerprints: promise as never });
    t.is(((s as PromiseRejectedResult).reason as SecureError).code, code);
  }
});
