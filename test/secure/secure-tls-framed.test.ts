// secureTls over RFC 4571 FramedConnections on a loopback TCP socket pair,
// with STUN (checks and their responses) flowing beside TLS on the same
// connection, as the ICE core would send them.
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { FramedConnection } from '../../lib/framing/index.js';
import { StunClass, decodeStun, encodeStun, isStun } from '../../lib/stun/index.js';
import { SecureError, generateCertificate } from '../../lib/secure/index.js';
import { closed, connected, fp, handshake, packets, stunCheck, tick } from './tls-helpers.js';

interface LoopbackPair {
  client: FramedConnection;
  server: FramedConnection;
  sockets: [net.Socket, net.Socket];
}

async function framedPair(): Promise<LoopbackPair> {
  const listener = net.createServer();
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const { port } = listener.address() as net.AddressInfo;
  const accepted = once(listener, 'connection') as Promise<[net.Socket]>;
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const [serverSocket] = await accepted;
  listener.close();
  return { client: new FramedConnection(socket), server: new FramedConnection(serverSocket), sockets: [socket, serverSocket] };
}

/** Polls `condition` every 5 ms for up to 5 s. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await tick(5);
}

/** Answers every STUN Binding request arriving on `conn` with a success response (the ICE side's job). */
function answerStun(conn: FramedConnection): void {
  conn.on('packet', (p: Buffer) => {
    if (!isStun(p, { requireFingerprint: true })) return;
    const msg = decodeStun(p);
    if (msg.class !== StunClass.Request) return;
    conn.send(encodeStun({ class: StunClass.SuccessResponse, method: 1, transactionId: msg.transactionId }, { fingerprint: true }));
  });
}

/** Sends a STUN request every `ms` and counts the matching responses (consent-like). */
function consentLoop(conn: FramedConnection, ms: number) {
  const outstanding = new Set<string>();
  const stats = { sent: 0, answered: 0 };
  conn.on('packet', (p: Buffer) => {
    if (!isStun(p, { requireFingerprint: true })) return;
    const msg = decodeStun(p);
    if (msg.class === StunClass.SuccessResponse && outstanding.delete(msg.transactionId.toString('hex'))) stats.answered++;
  });
  const timer = setInterval(() => {
    const check = stunCheck();
    outstanding.add(decodeStun(check).transactionId.toString('hex'));
    stats.sent++;
    conn.send(check);
  }, ms);
  return { stats, stop: () => clearInterval(timer) };
}

test('TLS over a FramedConnection loopback pair: packets, an 8 MiB stream, close', async (t) => {
  const { client: a, server: b, sockets } = await framedPair();
  const [client, server] = await connected(a, b);
  t.is(client.protocol, 'TLSv1.3');
  const sent = [Buffer.from('hello'), randomBytes(65535), Buffer.alloc(0)];
  const got = packets(server, sent.length);
  for (const p of sent) client.send(p);
  t.deepEqual(await got, sent);

  const data = randomBytes(8 * 1024 * 1024);
  const hash = createHash('sha256');
  let n = 0;
  const reading = (async () => {
    for await (const chunk of server.stream()) {
      hash.update(chunk as Buffer);
      n += (chunk as Buffer).length;
      if (n === data.length) break;
    }
  })();
  const cs = client.stream();
  for (let off = 0; off < data.length; off += 256 * 1024) {
    if (!cs.write(data.subarray(off, off + 256 * 1024))) await once(cs, 'drain');
  }
  await reading;
  t.is(hash.digest('hex'), createHash('sha256').update(data).digest('hex'));
  client.close();
  await Promise.all([closed(client), closed(server)]);
  await tick(10);
  t.true(sockets[0].destroyed && sockets[1].destroyed, 'the TCP connection is closed too');
});

test('STUN checks keep working during and after the handshake, outside TLS', async (t) => {
  const { client: a, server: b } = await framedPair();
  answerStun(a);
  answerStun(b);
  const fromA = consentLoop(a, 2);
  const fromB = consentLoop(b, 2);
  await tick(10);
  const [client, server] = await connected(a, b);
  const duringHandshake = fromA.stats.answered;
  const duringSent = fromA.stats.sent;
  // Application data both ways while the checks go on.
  const got = packets(server, 200);
  const back = packets(client, 200);
  for (let i = 0; i < 200; i++) {
    client.send(randomBytes(1000));
    server.send(randomBytes(1000));
    if (i % 20 === 0) await tick(1);
  }
  await Promise.all([got, back]);
  await until(() => fromA.stats.sent > duringSent + 5 && fromB.stats.sent > 10);
  fromA.stop();
  fromB.stop();
  await until(() => fromA.stats.answered === fromA.stats.sent && fromB.stats.answered === fromB.stats.sent);
  t.true(fromA.stats.sent > 10 && fromB.stats.sent > 10);
  t.is(fromA.stats.answered, fromA.stats.sent, 'every check from A was answered');
  t.is(fromB.stats.answered, fromB.stats.sent, 'every check from B was answered');
  t.true(fromA.stats.answered > duringHandshake, 'checks went on after the handshake');
  t.true(server.stunPacketsSkipped > 0 && client.stunPacketsSkipped > 0);
  client.close();
  await closed(server);
});

test('after close_notify (closeTransport false) the TCP connection stays up and STUN still flows', async (t) => {
  const { client: a, server: b, sockets } = await framedPair();
  const [client, server] = await connected(a, b, { closeTransport: false }, { closeTransport: false });
  client.close();
  await Promise.all([closed(client), closed(server)]);
  t.false(sockets[0].destroyed || sockets[1].destroyed);
  answerStun(b);
  const loop = consentLoop(a, 5);
  await until(() => loop.stats.sent >= 5);
  loop.stop();
  await until(() => loop.stats.answered === loop.stats.sent);
  t.is(loop.stats.answered, loop.stats.sent);
  a.close();
  await closed(b);
});

test('fingerprint mismatch in both directions over TCP', async (t) => {
  for (const side of ['client', 'server'] as const) {
    const { client: a, server: b, sockets } = await framedPair();
    const wrong = { remoteFingerprints: [fp(generateCertificate())] };
    const [c, s] = await handshake(a, b, side === 'client' ? wrong : {}, side === 'server' ? wrong : {});
    const mine = side === 'client' ? c : s;
    t.is(mine.status, 'rejected', side);
    t.true((mine as PromiseRejectedResult).reason instanceof SecureError);
    t.is(((mine as PromiseRejectedResult).reason as SecureError).code, 'ERR_TLS_FINGERPRINT_MISMATCH', side);
    const other = side === 'client' ? s : c;
    if (other.status === 'fulfilled') {
      const delivered: Buffer[] = [];
      other.value.on('packet', (p: Buffer) => delivered.push(p));
      await closed(other.value);
      t.deepEqual(delivered, []);
    }
    await tick(20);
    t.true(sockets[0].destroyed && sockets[1].destroyed, `${side}: the connection is closed`);
  }
});

test('cleartext before the handshake over TCP is dropped; the handshake succeeds', async (t) => {
  const { client: a, server: b } = await framedPair();
  a.send(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
  await tick(10);
  const [client, server] = await connected(a, b);
  t.is(server.preTlsPacketsDropped, 1);
  const got = packets(server, 1);
  client.send(Buffer.from('real'));
  t.deepEqual((await got).map(String), ['real']);
  client.close();
  await closed(server);
});

test('the peer resetting TCP mid-session closes the secure connection with a typed error', async (t) => {
  const { client: a, server: b, sockets } = await framedPair();
  const [client, server] = await connected(a, b);
  const errors: Error[] = [];
  server.on('error', (e: Error) => errors.push(e));
  sockets[0].resetAndDestroy();
  const error = await closed(server);
  t.true(error instanceof SecureError || error === undefined);
  for (const e of errors) t.true(e instanceof SecureError);
  await closed(client);
});
