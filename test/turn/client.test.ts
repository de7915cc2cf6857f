/**
 * The sans-IO TURN client against a scripted server, on a virtual clock with
 * seeded randomness: one test per rule of RFC 8656 / RFC 8489 §9.2 it
 * enforces.
 */
import test from 'ava';
import { StunClass } from '../../lib/stun/index.js';
import { TurnClient, type TurnClientEvent, type TurnClientOptions } from '../../lib/turn/client.js';
import { TurnMethod } from '../../lib/turn/turn-constants.js';
import { decodeChannelData } from '../../lib/turn/channel-data.js';
import {
  authenticated,
  challenge,
  channelOf,
  dataIndication,
  decode,
  failure,
  lifetimeOf,
  PASS,
  peerOf,
  seeded,
  success,
  USER,
} from './fake-server.js';

const PEER = { address: '192.0.2.7', port: 6000 };

function client(options: Partial<TurnClientOptions> = {}): TurnClient {
  return new TurnClient({ credentials: { username: USER, password: PASS }, random: seeded(), reliable: false, ...options });
}

function drain(c: TurnClient): Buffer[] {
  const out: Buffer[] = [];
  let b: Buffer | undefined;
  while ((b = c.pollTransmit()) !== undefined) out.push(b);
  return out;
}

function events(c: TurnClient): TurnClientEvent[] {
  const out: TurnClientEvent[] = [];
  let e: TurnClientEvent | undefined;
  while ((e = c.pollEvent()) !== undefined) out.push(e);
  return out;
}

/** Allocates through the 401 challenge; returns the client at `now` = 0, allocated with `lifetime`. */
function allocated(options: Partial<TurnClientOptions> = {}, lifetime = 600): TurnClient {
  const c = client(options);
  c.allocate(0);
  const [first] = drain(c);
  c.handleMessage(0, challenge(decode(first), 401, 'n1'));
  const [second] = drain(c);
  c.handleMessage(0, success(decode(second), { lifetime }));
  events(c);
  return c;
}

test('Allocate: first without credentials, then USERNAME/REALM/NONCE/MESSAGE-INTEGRITY after 401 (RFC 8489 §9.2.4)', (t) => {
  const c = client();
  c.allocate(0);
  const [first] = drain(c).map(decode);
  t.is(first.method, TurnMethod.Allocate);
  t.is(first.attributes.username, undefined);
  t.false(first.hasIntegrity);
  c.handleMessage(5, challenge(first, 401, 'nonce-1'));
  const [second] = drain(c).map(decode);
  t.is(second.attributes.username, USER);
  t.is(second.attributes.nonce, 'nonce-1');
  t.true(authenticated(second));
  t.false(second.transactionId.equals(first.transactionId));
  c.handleMessage(6, success(second, { lifetime: 600 }));
  const [ev] = events(c);
  t.like(ev, {
    type: 'allocated',
    relayed: { address: '198.51.100.1', port: 50000 },
    mapped: { address: '203.0.113.5', port: 40000 },
    lifetimeS: 600,
  });
  t.is(c.state, 'allocated');
});

test('wrong credentials: a 401 to an authenticated request fails with ERR_TURN_UNAUTHORIZED and nothing more is sent', (t) => {
  const c = client();
  c.allocate(0);
  c.handleMessage(0, challenge(decode(drain(c)[0]), 401, 'n'));
  c.handleMessage(0, challenge(decode(drain(c)[0]), 401, 'n2'));
  const [ev] = events(c);
  t.is(ev?.type, 'failed');
  t.is((ev as { error: { code: string } }).error.code, 'ERR_TURN_UNAUTHORIZED');
  t.is(c.state, 'failed');
  for (let now = 0; now < 100_000; now += 500) c.handleTimeout(now);
  t.deepEqual(drain(c), []);
  t.is(c.pollTimeout(), undefined);
  t.false(c.send(1000, PEER, Buffer.from('x')));
});

test('441 Wrong Credentials is ERR_TURN_UNAUTHORIZED too', (t) => {
  const c = client();
  c.allocate(0);
  c.handleMessage(0, challenge(decode(drain(c)[0]), 401, 'n'));
  c.handleMessage(0, failure(decode(drain(c)[0]), 441, 'Wrong Credentials'));
  const [ev] = events(c);
  t.is((ev as { error: { code: string; stunCode: number } }).error.code, 'ERR_TURN_UNAUTHORIZED');
});

test('438 Stale Nonce: retried with the new nonce, at most 3 times in a row (RFC 8489 §9.2.5)', (t) => {
  const c = allocated();
  c.handleTimeout(540_000); // refresh due at 600 - 60 s
  let [refresh] = drain(c).map(decode);
  t.is(refresh.method, TurnMethod.Refresh);
  c.handleMessage(540_001, challenge(refresh, 438, 'fresh'));
  [refresh] = drain(c).map(decode);
  t.is(refresh.attributes.nonce, 'fresh');
  t.true(authenticated(refresh));
  c.handleMessage(540_002, success(refresh, { lifetime: 600 }));
  t.like(events(c)[0], { type: 'refreshed', lifetimeS: 600 });
  // A server that answers 438 forever: three retries, then a failure.
  c.handleTimeout(1_080_002);
  for (let i = 0; i < 3; i++) c.handleMessage(1_080_003, challenge(decode(drain(c)[0]), 438, `n${i}`));
  c.handleMessage(1_080_004, challenge(decode(drain(c)[0]), 438, 'again'));
  t.deepEqual(drain(c), []);
  t.is(events(c).at(-1)?.type, 'failed');
});

test('refresh before expiry: 60 s before, or at half a short lifetime (RFC 8656 §8)', (t) => {
  const c = allocated({}, 600);
  t.is(c.pollTimeout(), 540_000);
  c.handleTimeout(539_999);
  t.deepEqual(drain(c), []);
  c.handleTimeout(540_000);
  const [refresh] = drain(c).map(decode);
  t.is(refresh.method, TurnMethod.Refresh);
  t.is(lifetimeOf(refresh), 600);
  c.handleMessage(540_010, success(refresh, { lifetime: 30 }));
  t.is(c.pollTimeout(), 540_010 + 15_000);
});

test('UDP retransmission: RTO 500 ms doubling, 7 sends, then 16 × RTO; the allocation times out (RFC 8489 §6.2.1)', (t) => {
  const c = client();
  c.allocate(0);
  const sendTimes = [0];
  drain(c);
  let now = 0;
  while (c.state === 'allocating' && now < 100_000) {
    now = c.pollTimeout()!;
    c.handleTimeout(now);
    if (drain(c).length > 0) sendTimes.push(now);
  }
  t.deepEqual(sendTimes, [0, 500, 1500, 3500, 7500, 15500, 31500]);
  t.is(now, 39_500);
  t.like(events(c)[0], { type: 'failed', error: { code: 'ERR_TURN_TIMEOUT' } });
});

test('over TCP/TLS: no retransmission, one Ti timeout of 39.5 s (RFC 8489 §6.2.2)', (t) => {
  const c = client({ reliable: true });
  c.allocate(0);
  t.is(drain(c).length, 1);
  t.is(c.pollTimeout(), 39_500);
  c.handleTimeout(39_499);
  t.deepEqual(drain(c), []);
  c.handleTimeout(39_500);
  t.is(c.state, 'failed');
});

test('send: the first packet asks for a permission and waits; Send indications after it (RFC 8656 §9, §11)', (t) => {
  const c = allocated();
  t.true(c.send(10, PEER, Buffer.from('one')));
  t.true(c.send(11, PEER, Buffer.from('two')));
  const out = drain(c).map(decode);
  t.is(out.length, 1);
  t.is(out[0].method, TurnMethod.CreatePermission);
  t.is(peerOf(out[0])?.address, PEER.address);
  t.true(authenticated(out[0]));
  c.handleMessage(20, success(out[0]));
  const sent = drain(c).map(decode);
  t.deepEqual(
    sent.map((m) => [m.class, m.method]),
    [
      [StunClass.Indication, TurnMethod.Send],
      [StunClass.Indication, TurnMethod.Send],
    ],
  );
  t.false(sent[0].hasIntegrity);
  t.like(events(c)[0], { type: 'permission', ip: PEER.address });
});

test('permission queue is bounded: packets beyond maxQueued are dropped with a warning', (t) => {
  const c = allocated({ maxQueued: 2 });
  t.true(c.send(1, PEER, Buffer.from('a')));
  t.true(c.send(1, PEER, Buffer.from('b')));
  t.false(c.send(1, PEER, Buffer.from('c')));
  t.like(events(c).at(-1), { type: 'warning', error: { code: 'ERR_TURN_TOO_MANY' } });
});

test('permissions are bounded by maxPermissions', (t) => {
  const c = allocated({ maxPermissions: 2 });
  c.send(1, { address: '192.0.2.1', port: 1 }, Buffer.from('a'));
  c.send(1, { address: '192.0.2.2', port: 1 }, Buffer.from('a'));
  t.false(c.send(1, { address: '192.0.2.3', port: 1 }, Buffer.from('a')));
  t.is(drain(c).length, 2);
});

test('a used permission is refreshed every 240 s of its 300 s; an unused one lapses (RFC 8656 §9)', (t) => {
  const c = allocated({ channelAfterPackets: 0 });
  c.send(0, PEER, Buffer.from('a'));
  c.handleMessage(0, success(decode(drain(c)[0])));
  drain(c);
  events(c);
  c.send(200_000, PEER, Buffer.from('still used'));
  drain(c);
  c.handleTimeout(239_999);
  t.deepEqual(drain(c), []);
  c.handleTimeout(240_000);
  const [refresh] = drain(c).map(decode);
  t.is(refresh.method, TurnMethod.CreatePermission);
  c.handleMessage(240_001, success(refresh));
  // Used at 200 s, within the last 300 s: refreshed again at 480 s.
  c.handleTimeout(480_001);
  const [again] = drain(c)
    .map(decode)
    .filter((m) => m.method === TurnMethod.CreatePermission);
  t.truthy(again);
  c.handleMessage(480_002, success(again));
  // Unused since 200 s: at the next refresh time (720 s) it lapses instead.
  c.handleTimeout(720_002);
  t.deepEqual(
    drain(c)
      .map(decode)
      .filter((m) => m.method === TurnMethod.CreatePermission),
    [],
  );
  // The next packet to it asks for a new one.
  c.send(720_003, PEER, Buffer.from('b'));
  t.is(decode(drain(c)[0]).method, TurnMethod.CreatePermission);
});

test('ChannelBind after a few packets, then ChannelData (unpadded over UDP); rebind before 600 s (RFC 8656 §12)', (t) => {
  const c = allocated({ channelAfterPackets: 2 });
  c.send(0, PEER, Buffer.from('a'));
  c.handleMessage(0, success(decode(drain(c)[0])));
  drain(c);
  c.send(1, PEER, Buffer.from('b'));
  const out = drain(c).map(decode);
  const bind = out.find((m) => m.method === TurnMethod.ChannelBind)!;
  t.truthy(bind);
  const number = channelOf(bind)!;
  t.true(number >= 0x4000 && number <= 0x4fff);
  t.deepEqual(peerOf(bind), { family: 4, ...PEER });
  c.handleMessage(2, success(bind));
  t.like(
    events(c).find((e) => e.type === 'channel'),
    { type: 'channel', channel: number },
  );
  c.send(3, PEER, Buffer.from('hello'));
  const [frame] = drain(c);
  t.is(frame.length, 4 + 5);
  t.deepEqual(decodeChannelData(frame), { channel: number, data: Buffer.from('hello') });
  // Data back on the channel is the peer's.
  c.handleMessage(4, Buffer.from([number >> 8, number & 0xff, 0, 2, 0x68, 0x69]));
  t.like(events(c)[0], { type: 'data', peer: PEER });
  c.send(500_000, PEER, Buffer.from('x'));
  drain(c);
  c.handleTimeout(540_002);
  const rebinds = drain(c)
    .map(decode)
    .filter((m) => m.method === TurnMethod.ChannelBind);
  t.is(rebinds.length, 1);
  t.is(channelOf(rebinds[0]), number);
});

test('ChannelData is padded to 4 bytes over TCP/TLS (RFC 8656 §12.5)', (t) => {
  const c = allocated({ reliable: true, channelAfterPackets: 0 });
  c.bindChannel(0, PEER);
  c.handleMessage(0, success(decode(drain(c)[0])));
  c.send(1, PEER, Buffer.from('hello'));
  const [frame] = drain(c);
  t.is(frame.length, 4 + 8);
  t.is(frame.readUInt16BE(2), 5);
});

test('Data indications become data events; ChannelData on an unbound channel is dropped', (t) => {
  const c = allocated();
  t.true(c.handleMessage(0, dataIndication(PEER, Buffer.from('hi'))));
  t.like(events(c)[0], { type: 'data', peer: PEER });
  t.false(c.handleMessage(0, Buffer.from([0x40, 0x01, 0, 1, 7, 0, 0, 0])));
  t.false(c.handleMessage(0, Buffer.from([0x40, 0x01, 0, 9, 7])));
});

test('a success response with a bad MESSAGE-INTEGRITY is ignored (RFC 8489 §9.2.5)', (t) => {
  const c = client();
  c.allocate(0);
  c.handleMessage(0, challenge(decode(drain(c)[0]), 401, 'n'));
  const request = decode(drain(c)[0]);
  t.false(c.handleMessage(1, success(request, { key: Buffer.alloc(16, 1) })));
  t.is(c.state, 'allocating');
  t.true(c.handleMessage(2, success(request)));
  t.is(c.state, 'allocated');
});

test('close: Refresh with LIFETIME 0, then closed (RFC 8656 §8)', (t) => {
  const c = allocated();
  c.close(10);
  const [refresh] = drain(c).map(decode);
  t.is(refresh.method, TurnMethod.Refresh);
  t.is(lifetimeOf(refresh), 0);
  t.true(authenticated(refresh));
  c.handleMessage(11, success(refresh, { lifetime: 0 }));
  t.like(events(c).at(-1), { type: 'closed' });
  t.is(c.state, 'closed');
});

test('RFC 6062: REQUESTED-TRANSPORT TCP needs a reliable link; Connect asks a permission and returns the CONNECTION-ID', (t) => {
  t.throws(() => client({ relayProtocol: 'tcp' }), { code: 'ERR_TURN_BAD_OPTION' });
  const c = allocated({ relayProtocol: 'tcp', reliable: true });
  c.connect(0, PEER);
  c.connect(0, PEER); // RFC 6062 §4.3: not twice at once for one peer
  const out = drain(c).map(decode);
  t.deepEqual(
    out.map((m) => m.method),
    [TurnMethod.CreatePermission, TurnMethod.Connect],
  );
  c.handleMessage(1, success(out[0]));
  c.handleMessage(1, success(out[1], { connectionId: 0x1234 }));
  t.like(
    events(c).find((e) => e.type === 'connect-result'),
    { peer: PEER, connectionId: 0x1234 },
  );
});

test('channels are bounded by maxChannels; a refused ChannelBind frees its number and packets keep flowing as Send indications', (t) => {
  const c = allocated({ maxChannels: 1, channelAfterPackets: 0 });
  const other = { address: '192.0.2.8', port: 7000 };
  t.true(c.bindChannel(0, PEER));
  t.false(c.bindChannel(0, other));
  t.like(events(c).at(-1), { type: 'warning', error: { code: 'ERR_TURN_TOO_MANY' } });
  const [bind] = drain(c).map(decode);
  c.handleMessage(1, failure(bind, 400, 'Bad Request'));
  t.like(events(c).at(-1), { type: 'warning', error: { code: 'ERR_TURN_REJECTED', stunCode: 400 } });
  t.true(c.bindChannel(2, other)); // the slot is free again
  c.send(3, PEER, Buffer.from('x'));
  const out = drain(c).map(decode);
  t.true(out.some((m) => m.method === TurnMethod.CreatePermission));
});
