// The record layer after the handshake: tampered, replayed, reordered,
// duplicated and truncated records; the replay window; fragment reassembly
// with overlaps, conflicts and bounds; renegotiation refused.
import test from 'ava';
import { Reassembler } from '../../lib/dtls/reassembler.js';
import { ReplayWindow } from '../../lib/dtls/replay-window.js';
import { parseHandshakeFragments, encodeHandshakeFragment, fragmentMessage } from '../../lib/dtls/handshake-header.js';
import { VirtualNet, makePair } from './helpers.js';

function connected() {
  const pair = makePair();
  const net = new VirtualNet(pair.client, pair.server);
  net.run();
  return { ...pair, net };
}

/** Three application records from the client, captured (not delivered). */
function records(client: ReturnType<typeof makePair>['client']): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const text of ['one', 'two', 'three']) {
    client.send(Buffer.from(text));
    out.push(client.pollTransmit()!);
  }
  return out;
}

const texts = (events: ReturnType<typeof connected>['net']['events']['server']) =>
  events.flatMap((e) => (e.type === 'data' ? [Buffer.from(e.data).toString()] : []));

test('a tampered record is dropped silently (no data, no alert, the session lives on)', (t) => {
  const { client, server } = connected();
  const [a, b] = records(client);
  const bad = Uint8Array.from(a);
  bad[bad.length - 1] ^= 1;
  server.handleDatagram(1, bad);
  t.is(server.pollEvent(), undefined);
  t.is(server.pollTransmit(), undefined, 'no alert answers a forged record');
  t.is(server.recordStats.unauthenticated, 1);
  t.is(server.state, 'connected');
  server.handleDatagram(2, b);
  t.deepEqual(Buffer.from((server.pollEvent() as { data: Uint8Array }).data).toString(), 'two');
});

test('a tampered header (sequence number, type, epoch) does not authenticate either', (t) => {
  const { client, server } = connected();
  const [a] = records(client);
  for (const offset of [0, 10, 4]) {
    const bad = Uint8Array.from(a);
    bad[offset] ^= offset === 0 ? 0x02 : 1; // type 23 → 21, sequence +1, epoch 1 → 0
    server.handleDatagram(1, bad);
  }
  t.is(server.pollEvent(), undefined);
  t.is(server.state, 'connected');
  server.handleDatagram(2, a);
  t.is((server.pollEvent() as { type: string }).type, 'data');
});

test('replayed and duplicated records are delivered once; reordered ones within the window are delivered', (t) => {
  const { client, server, net } = connected();
  const [a, b, c] = records(client);
  for (const d of [c, a, a, b, c, b]) server.handleDatagram(5, d);
  for (let e = server.pollEvent(); e; e = server.pollEvent()) net.events.server.push(e);
  t.deepEqual(texts(net.events.server), ['three', 'one', 'two']);
  t.is(server.recordStats.replayed, 3);
});

test('truncated records and datagrams are dropped; what precedes them in the datagram is kept', (t) => {
  const { client, server } = connected();
  const [a, b] = records(client);
  server.handleDatagram(1, a.subarray(0, a.length - 1)); // fragment shorter than its length
  server.handleDatagram(1, a.subarray(0, 7)); // header cut
  t.is(server.pollEvent(), undefined);
  server.handleDatagram(1, Buffer.concat([b, a.subarray(0, 20)]));
  t.deepEqual(Buffer.from((server.pollEvent() as { data: Uint8Array }).data).toString(), 'two');
  t.is(server.pollEvent(), undefined);
  t.true(server.recordStats.dropped >= 3);
});

test('a record older than the replay window is dropped', (t) => {
  const { client, server } = connected();
  const first = records(client)[0];
  for (let i = 0; i < 70; i++) {
    client.send(Buffer.from(`n${i}`));
    server.handleDatagram(1, client.pollTransmit()!);
  }
  while (server.pollEvent()) {
    /* drain */
  }
  server.handleDatagram(2, first);
  t.is(server.pollEvent(), undefined);
  t.is(server.recordStats.replayed, 1);
});

test('ReplayWindow: the RFC 4303 sliding window', (t) => {
  const w = new ReplayWindow(64);
  for (const s of [5, 3, 70]) {
    t.true(w.check(s));
    w.accept(s);
  }
  t.false(w.check(5), '5 is older than 70 - 64');
  t.false(w.check(70));
  t.true(w.check(69));
  t.true(w.check(7));
  t.false(w.check(6));
  t.true(w.check(2 ** 48 - 1));
});

test('plaintext application data and plaintext alerts after the handshake are ignored', (t) => {
  const { server } = connected();
  // type 23 / 21, DTLS 1.2, epoch 0, seq 99
  const header = (type: number, body: number[]) => Uint8Array.from([type, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 99, 0, body.length, ...body]);
  server.handleDatagram(1, header(23, [1, 2, 3]));
  server.handleDatagram(1, header(21, [2, 40]));
  t.is(server.pollEvent(), undefined);
  t.is(server.state, 'connected');
});

test('renegotiation is refused: the client ignores a HelloRequest in epoch 0 and the server does not restart', (t) => {
  const { server, client } = connected();
  const hello = encodeHandshakeFragment(0, 0, 5, 0, new Uint8Array(0));
  client.handleDatagram(1, Uint8Array.from([22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 50, 0, hello.length, ...hello]));
  t.is(client.state, 'connected');
  t.is(server.state, 'connected');
});

test('Reassembler: fragments in any order and overlapping retransmissions make the message', (t) => {
  const body = Uint8Array.from({ length: 100 }, (_, i) => i);
  const r = new Reassembler(1000);
  const frags = fragmentMessage(11, 0, body, 12 + 30).flatMap((f) => parseHandshakeFragments(f));
  const overlap = parseHandshakeFragments(encodeHandshakeFragment(11, 100, 0, 20, body.subarray(20, 70)))[0];
  for (const f of [frags[3], overlap, frags[1], frags[0]]) t.is(r.add(f), 'held');
  t.is(r.poll(), undefined, 'bytes 70..89 are still missing');
  t.is(r.add(frags[2]), 'held');
  const m = r.poll()!;
  t.deepEqual(Buffer.from(m.body), Buffer.from(body));
  t.is(r.add(frags[0]), 'old');
});

test('Reassembler: a conflicting overlap is dropped, type/length disagreement and oversize are errors', (t) => {
  const r = new Reassembler(64);
  t.is(r.add({ msgType: 11, length: 40, messageSeq: 0, offset: 0, body: new Uint8Array(20).fill(1) }), 'held');
  t.is(r.add({ msgType: 11, length: 40, messageSeq: 0, offset: 10, body: new Uint8Array(20).fill(2) }), 'ignored');
  t.throws(() => r.add({ msgType: 12, length: 40, messageSeq: 0, offset: 20, body: new Uint8Array(1) }), { code: 'ERR_DTLS_DECODE' });
  t.throws(() => r.add({ msgType: 11, length: 41, messageSeq: 0, offset: 20, body: new Uint8Array(1) }), { code: 'ERR_DTLS_DECODE' });
  t.throws(() => r.add({ msgType: 11, length: 65, messageSeq: 1, offset: 0, body: new Uint8Array(1) }), {
    code: 'ERR_DTLS_HANDSHAKE_TOO_LARGE',
  });
  t.is(r.add({ msgType: 11, length: 4, messageSeq: 100, offset: 0, body: new Uint8Array(4) }), 'ignored', 'too far ahead');
});

test('a fragment overrunning its message is a decode error', (t) => {
  const bad = Uint8Array.from([11, 0, 0, 10, 0, 0, 0, 0, 0, 8, 0, 0, 4, 1, 2, 3, 4]);
  t.throws(() => parseHandshakeFragments(bad), { code: 'ERR_DTLS_DECODE' });
});
