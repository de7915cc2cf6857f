/**
 * Abuse: floods, junk and trickles at the STUN server over UDP and TCP, from
 * several loopback source addresses, while legitimate clients ask for their
 * mapping. Asserts: every legitimate client is answered, the TCP connection
 * count never exceeds its bound, and sockets and heap come back.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect } from 'node:net';
import { encodeFrame, FrameDecoder } from '../../lib/framing/index.js';
import { StunServer } from '../../lib/net/stun-server/stun-server.js';
import { StunClass, StunMethod, decodeStun, encodeStun } from '../../lib/stun/index.js';
import { heapAfterGc, hostileBattery, socketHandles } from './hostile.js';

function bindingRequest(): Buffer {
  return encodeStun({ class: StunClass.Request, method: StunMethod.Binding, transactionId: randomBytes(12) }, { fingerprint: true });
}

/** The 64 KiB request of ~16,000 distinct unknown comprehension-required attributes (a decode-cost attack). */
function unknownAttributeBomb(): Buffer {
  const n = Math.floor((65_507 - 20) / 4);
  const b = Buffer.alloc(20 + 4 * n);
  b.writeUInt16BE(0x0001, 0);
  b.writeUInt16BE(4 * n, 2);
  b.writeUInt32BE(0x2112a442, 4);
  randomBytes(12).copy(b, 8);
  for (let i = 0; i < n; i++) b.writeUInt16BE(0x0100 + i, 20 + 4 * i);
  return b;
}

/** Junk datagrams of several kinds (index-selected, so the mix is fixed). */
function junkDatagram(i: number, bomb: Buffer): Buffer {
  switch (i % 6) {
    case 0:
      return Buffer.alloc(0);
    case 1:
      return randomBytes(1 + (i % 500));
    case 2: {
      const m = bindingRequest();
      m[m.length - 1] ^= 0xff; // bad FINGERPRINT
      return m;
    }
    case 3:
      return encodeStun({ class: StunClass.Indication, method: StunMethod.Binding, transactionId: randomBytes(12) });
    case 4:
      return i % 60 === 4 ? bomb : encodeStun({ class: StunClass.Request, method: 0x003, transactionId: randomBytes(12) });
    default: {
      const m = bindingRequest();
      return m.subarray(0, 20 + ((i * 7) % (m.length - 20))); // truncated
    }
  }
}

/**
 * A legitimate UDP client: one request, retransmitted (RFC 8489 §6.2.1: RTO
 * doubling, here from 100 ms up to 1 s, 12 tries, about 9.5 s in all) until
 * answered. A flood may fill the server's socket buffer (the kernel drops
 * datagrams then, the legitimate ones too): retransmission is how a real
 * client gets through.
 */
async function udpAsk(client: UdpSocket, port: number): Promise<boolean> {
  const request = bindingRequest();
  const tid = request.subarray(8, 20);
  return new Promise((resolve) => {
    let tries = 0;
    const onMessage = (msg: Buffer): void => {
      if (msg.length >= 20 && msg.subarray(8, 20).equals(tid) && decodeStun(msg).class === StunClass.SuccessResponse) done(true);
    };
    const send = (): void => {
      if (++tries > 12) return done(false);
      client.send(request, port, '127.0.0.1');
      timer = setTimeout(send, Math.min(1000, 100 * 2 ** (tries - 1)));
    };
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve(ok);
    };
    let timer: NodeJS.Timeout;
    client.on('message', onMessage);
    send();
  });
}

/** A legitimate TCP client (RFC 4571 framed, as ICE-TCP agents ask): connect, ask, read the answer. */
function tcpAsk(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const decoder = new FrameDecoder();
    const timer = setTimeout(() => done(false), 5000);
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
    socket.on('connect', () => socket.write(encodeFrame(bindingRequest())));
    socket.on('data', (chunk: Buffer) =>
      decoder.push(chunk, (frame) => done(decodeStun(Buffer.from(frame)).class === StunClass.SuccessResponse)),
    );
  });
}

test.serial('UDP: 30,000 junk datagrams (with 64 KiB attribute bombs) from 4 sources; 40 legitimate clients answered', async (t) => {
  const server = new StunServer();
  const { udp } = await server.listen({ udpPort: 0, tcpPort: false });
  t.teardown(() => server.close());
  const heapBefore = heapAfterGc();
  const bomb = unknownAttributeBomb();
  const attackers = await Promise.all(
    ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'].map(
      (address) =>
        new Promise<UdpSocket>((resolve) => {
          const s = createSocket('udp4');
          s.on('error', () => undefined);
          s.bind(0, address, () => resolve(s));
        }),
    ),
  );
  t.teardown(() => attackers.forEach((s) => s.close()));
  const TOTAL = 30_000;
  let sent = 0;
  let floodDone = false;
  const flood = (async () => {
    // Paced (100 datagrams a millisecond at most) so that the server, not only the kernel's buffer, sees them.
    while (sent < TOTAL) {
      for (let k = 0; k < 100 && sent < TOTAL; k++, sent++)
        attackers[sent % attackers.length].send(junkDatagram(sent, bomb), udp!.port, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 1));
    }
    floodDone = true;
  })();
  const client = createSocket('udp4');
  await new Promise<void>((r) => client.bind(0, '127.0.0.1', r));
  client.setMaxListeners(64); // one 'message' listener per client waiting
  t.teardown(() => client.close());
  // 40 clients, one every 5 ms from the start of the flood: most ask while it runs.
  let askedDuringFlood = 0;
  const started = performance.now();
  const asks: Promise<boolean>[] = [];
  for (let i = 0; i < 40; i++) {
    if (!floodDone) askedDuringFlood++;
    asks.push(udpAsk(client, udp!.port));
    await new Promise((r) => setTimeout(r, 5));
  }
  const results = await Promise.all(asks);
  const asked = results.length;
  const answered = results.filter(Boolean).length;
  const askMs = performance.now() - started;
  await flood;
  t.is(answered, asked, 'every legitimate client answered (with retransmissions)');
  t.true(askedDuringFlood >= 10, `${askedDuringFlood} clients asked while the flood ran`);
  const heapGrowth = heapAfterGc() - heapBefore;
  t.true(heapGrowth < 32 * 2 ** 20, `heap grew ${(heapGrowth / 2 ** 20).toFixed(1)} MiB`);
  t.log(
    `udp: ${sent} junk datagrams (${Math.ceil(TOTAL / 60)} attribute bombs), ${server.stats.ignored} ignored, ${server.stats.errorsSent} 420s; ${answered}/${asked} legitimate answered (${askedDuringFlood} during the flood) in ${Math.round(askMs)} ms; heap +${(heapGrowth / 2 ** 20).toFixed(1)} MiB`,
  );
});

test.serial(
  'TCP: 3,000 hostile connections from 6 sources (hold, trickle, junk, zero-length floods); legitimate clients answered; slots bounded',
  async (t) => {
    const MAX = 128;
    const server = new StunServer({ maxTcpConnections: MAX, maxTcpConnectionsPerSource: 32, tcpFirstRequestTimeoutMs: 1500 });
    const { tcp } = await server.listen({ udpPort: false, tcpPort: 0 });
    t.teardown(() => server.close());
    const socketsBefore = socketHandles();
    const heapBefore = heapAfterGc();
    let maxOpen = 0;
    const sample = (): void => void (maxOpen = Math.max(maxOpen, server.tcpConnections));
    const sampler = setInterval(sample, 5);
    const flood = hostileBattery(tcp!.port, {
      total: 3000,
      concurrency: 200,
      maxHoldMs: 8000, // generous: a loaded machine may leave a connection in the accept queue for a while
      sources: ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6', '127.0.0.7'],
      kinds: [
        'silent',
        'trickle',
        'junk',
        'oversize-header',
        'not-stun-frame',
        'zero-frames',
        'reset',
        'plain-junk-stun',
        'stun-indication',
      ],
      onTick: sample,
    });
    await new Promise((r) => setTimeout(r, 300));
    let answered = 0;
    for (let i = 0; i < 30; i++) if (await tcpAsk(tcp!.port)) answered++;
    const tally = await flood;
    clearInterval(sampler);
    t.is(answered, 30, 'every legitimate TCP client answered during the flood');
    t.true(maxOpen <= MAX, `at most ${MAX} connections, saw ${maxOpen}`);
    t.is(tally.gaveUp, 0, 'no hostile connection outlived the first-request deadline');
    await server.close();
    const deadline = Date.now() + 5000;
    while (socketHandles() > socketsBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    t.true(socketHandles() <= socketsBefore, `sockets ${socketsBefore} → ${socketHandles()}`);
    const heapGrowth = heapAfterGc() - heapBefore;
    t.true(heapGrowth < 32 * 2 ** 20, `heap grew ${(heapGrowth / 2 ** 20).toFixed(1)} MiB`);
    const s = server.stats;
    t.log(
      `tcp: ${tally.opened} hostile connections (${tally.closedByServer} closed by the server, ${tally.failed} refused); max open ${maxOpen}/${MAX}; rejected ${s.tcpRejected} (evicted ${s.tcpEvicted}), ignored ${s.ignored}; 30/30 legitimate answered; heap +${(heapGrowth / 2 ** 20).toFixed(1)} MiB`,
    );
  },
);
