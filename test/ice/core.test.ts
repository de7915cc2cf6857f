import test from 'ava';
import { Loop, eventsOf } from './support/loop.js';

/** The data disposition of component 1. */
const dataOf1 = { kind: 'data', component: 1 } as const;

test('two full agents connect over UDP and exchange data', (t) => {
  const loop = new Loop();
  const a = loop.agent('a', { controlling: true }, 1);
  const b = loop.agent('b', { controlling: false }, 2);
  const ca = loop.addUdpHost(a, '10.0.0.1', 5000);
  const cb = loop.addUdpHost(b, '10.0.0.2', 6000);
  loop.signal(a, b, [ca], [cb]);
  loop.run(5000);
  t.is(a.core.state, 'completed');
  t.is(b.core.state, 'completed');
  const selA = eventsOf(a, 'selected-pair');
  const selB = eventsOf(b, 'selected-pair');
  t.is(selA.length, 1);
  t.is(selB.length, 1);
  t.true(selA[0].pair.nominated);
  t.true(loop.sendData(a, 1, Buffer.from([0x80, 1, 2, 3])));
  t.true(loop.sendData(b, 1, Buffer.from([0x80, 4, 5, 6])));
  loop.run(loop.now + 100);
  t.deepEqual(
    b.data.map((d) => [...d]),
    [[0x80, 1, 2, 3]],
  );
  t.deepEqual(
    a.data.map((d) => [...d]),
    [[0x80, 4, 5, 6]],
  );
});

import { decodeStun, encodeStun, shortTermKey, StunClass, StunMethod } from '../../lib/stun/index.js';
import { IceCore, IceError, seededRandom } from '../../lib/ice/index.js';
import { udpHost } from './support/loop.js';

function udpPairOfAgents(options: { a?: Record<string, unknown>; b?: Record<string, unknown>; seedA?: number; seedB?: number } = {}) {
  const loop = new Loop();
  const a = loop.agent('a', { controlling: true, ...options.a }, options.seedA ?? 1);
  const b = loop.agent('b', { controlling: false, ...options.b }, options.seedB ?? 2);
  const ca = loop.addUdpHost(a, '10.0.0.1', 5000);
  const cb = loop.addUdpHost(b, '10.0.0.2', 6000);
  return { loop, a, b, ca, cb };
}

test('the first check goes out at once, the next ones one Ta apart', (t) => {
  const loop = new Loop();
  const a = loop.agent('a', { controlling: true, ta: 50 }, 1);
  const b = loop.agent('b', { controlling: false }, 2);
  const ca = loop.addUdpHost(a, '10.0.0.1', 5000);
  const remotes = [
    udpHost('10.0.0.2', 6000),
    { ...udpHost('10.0.0.3', 6000), foundation: 'x2' },
    { ...udpHost('10.0.0.4', 6000), foundation: 'x3' },
  ];
  loop.signal(a, b, [ca], remotes);
  loop.drain();
  t.is(a.sent.length, 1, 'first check immediately');
  t.is(a.core.pollTimeout(), 50);
  a.core.handleTimeout(30);
  loop.drain();
  t.is(a.sent.length, 1, 'an early timeout call sends nothing');
  a.core.handleTimeout(50);
  loop.drain();
  t.is(a.sent.length, 2);
  a.core.handleTimeout(100);
  loop.drain();
  t.is(a.sent.length, 3);
  const targets = a.sent.map((s) => s.to.address);
  t.deepEqual(new Set(targets).size, 3);
});

test('role conflict: both controlling resolves to one controlling side, both complete', (t) => {
  for (const [ta, tb] of [
    [5n, 9n],
    [9n, 5n],
  ] as const) {
    const { loop, a, b, ca, cb } = udpPairOfAgents({ a: { tieBreaker: ta }, b: { controlling: true, tieBreaker: tb } });
    loop.signal(a, b, [ca], [cb]);
    loop.run(5000);
    t.is(a.core.state, 'completed');
    t.is(b.core.state, 'completed');
    t.not(a.core.controlling, b.core.controlling);
    const roles = [...eventsOf(a, 'role'), ...eventsOf(b, 'role')];
    t.true(roles.length >= 1);
  }
});

test('role conflict: both controlled resolves', (t) => {
  const { loop, a, b, ca, cb } = udpPairOfAgents({ a: { controlling: false, tieBreaker: 7n }, b: { tieBreaker: 3n } });
  loop.signal(a, b, [ca], [cb]);
  loop.run(5000);
  t.is(a.core.state, 'completed');
  t.is(b.core.state, 'completed');
  t.true(a.core.controlling, 'the larger tie-breaker becomes controlling');
  t.false(b.core.controlling);
});

test('a full agent facing a lite agent is controlling and nominates; the lite agent never sends requests', (t) => {
  const { loop, a, b, ca, cb } = udpPairOfAgents({ a: { controlling: false }, b: { lite: true, controlling: true } });
  loop.signal(a, b, [ca], [cb], { bLite: true });
  loop.run(5000);
  t.true(a.core.controlling);
  t.false(b.core.controlling);
  t.is(a.core.state, 'completed');
  t.is(b.core.state, 'completed');
  const requests = b.sent.filter((s) => decodeStun(s.data).class === StunClass.Request);
  t.is(requests.length, 0);
  // Its only timer is the keepalive on the selected pair (RFC 8445 §11, Tr = 15 s).
  const next = b.core.pollTimeout();
  t.true(next !== undefined && next > loop.now && next <= loop.now + 15000, `next timer at ${String(next)}`);
  loop.run(loop.now + 15000);
  t.is(b.sent.filter((s) => decodeStun(s.data).class === StunClass.Request).length, 0, 'still no requests');
  t.true(
    b.sent.some((s) => decodeStun(s.data).class === StunClass.Indication),
    'a keepalive went out',
  );
});

test('an aggressive controlling agent nominates with its first checks on UDP', (t) => {
  const { loop, a, b, ca, cb } = udpPairOfAgents({ a: { nomination: 'aggressive' } });
  loop.signal(a, b, [ca], [cb]);
  loop.run(5000);
  const first = decodeStun(a.sent[0].data);
  t.true(first.attributes.useCandidate);
  t.is(b.core.state, 'completed');
  t.is(a.core.state, 'completed');
});

test('30% loss still connects', (t) => {
  const { loop, a, b, ca, cb } = udpPairOfAgents();
  const prng = seededRandom(99);
  loop.drop = () => prng.bytes(1)[0] < 77;
  loop.signal(a, b, [ca], [cb]);
  loop.run(40000);
  t.is(a.core.state, 'completed');
  t.is(b.core.state, 'completed');
});

test('trickle: a late remote candidate is checked; end-of-candidates fails only when all pairs failed', (t) => {
  const { loop, a, b, ca } = udpPairOfAgents();
  loop.signal(a, b, [udpHost('10.9.9.8', 1)], [udpHost('10.9.9.9', 1)]);
  loop.run(45000);
  t.is(a.core.state, 'checking', 'no end-of-candidates yet: still checking after the only pair failed');
  a.core.addRemoteCandidate(loop.now, udpHost('10.0.0.2', 6000));
  b.core.addRemoteCandidate(loop.now, ca);
  loop.run(loop.now + 5000);
  t.is(a.core.state, 'completed');
  t.is(b.core.state, 'completed');
});

test('end-of-candidates with every pair failed fails the agent', (t) => {
  const { loop, a, b } = udpPairOfAgents();
  loop.signal(a, b, [udpHost('10.9.9.8', 1)], [udpHost('10.9.9.9', 1)]);
  a.core.endOfRemoteCandidates(loop.now);
  loop.run(45000);
  t.is(a.core.state, 'failed');
  t.true(eventsOf(a, 'error').some((e) => e.code === 'ERR_ICE_CHECKLIST_FAILED'));
  const failed = eventsOf(a, 'pair-state').find((e) => e.pair.state === 'failed');
  t.regex(failed?.reason ?? '', /timeout/);
  t.true(failed!.pair.state === 'failed' && loop.now >= 39500);
});

test('a request before the peer candidates is answered, and its triggered check runs once credentials arrive', (t) => {
  const { loop, a, b, ca, cb } = udpPairOfAgents();
  // b learns a's credentials and candidate; a learns nothing yet.
  b.core.setRemoteCredentials(loop.now, a.core.localCredentials);
  b.core.addRemoteCandidate(loop.now, ca);
  loop.run(200);
  t.true(
    a.sent.some((s) => decodeStun(s.data).class === StunClass.SuccessResponse),
    'answered at once',
  );
  t.false(
    a.sent.some((s) => decodeStun(s.data).class === StunClass.Request),
    'no triggered check without credentials',
  );
  a.core.setRemoteCredentials(loop.now, b.core.localCredentials);
  loop.run(loop.now + 3000);
  t.is(eventsOf(a, 'remote-candidate').length, 1, 'the source became a remote prflx');
  t.is(a.core.state, 'completed');
  t.is(b.core.state, 'completed');
  t.truthy(cb);
});

function request(
  core: IceCore,
  username: string | undefined,
  pwd: string | undefined,
  extra?: { type: number; value: Uint8Array }[],
): Buffer {
  const attributes: Record<string, unknown> = { priority: 1, iceControlled: 1n };
  if (username !== undefined) attributes.username = username;
  return encodeStun(
    { class: StunClass.Request, method: StunMethod.Binding, transactionId: Buffer.alloc(12, 7), attributes, extraAttributes: extra },
    pwd === undefined ? { fingerprint: true } : { integrityKey: shortTermKey(pwd), fingerprint: true },
  );
}

function answer(core: IceCore, data: Buffer) {
  core.handlePacket(0, { transportId: 't', from: { address: '10.0.0.9', port: 9 }, data });
  const t = core.pollTransmit();
  return t === undefined ? undefined : decodeStun(t.data);
}

test('400 without USERNAME or MI, 401 for an unknown ufrag or bad MI (sent without MI), 420 with UNKNOWN-ATTRIBUTES', (t) => {
  const core = new IceCore({
    controlling: true,
    random: seededRandom(5),
    localCredentials: { ufrag: 'ufragA', pwd: 'passwordpasswordpassword' },
  });
  core.addLocalCandidate(0, { candidate: udpHost('10.0.0.1', 5000), transportId: 't' });
  const noUser = answer(core, request(core, undefined, 'passwordpasswordpassword'));
  t.is(noUser?.attributes.errorCode?.code, 400);
  const noMi = answer(core, request(core, 'ufragA:x', undefined));
  t.is(noMi?.attributes.errorCode?.code, 400);
  const unknown = answer(core, request(core, 'other:x', 'passwordpasswordpassword'));
  t.is(unknown?.attributes.errorCode?.code, 401);
  t.false(unknown!.hasIntegrity);
  const badMi = answer(core, request(core, 'ufragA:x', 'wrongpasswordwrongpassword'));
  t.is(badMi?.attributes.errorCode?.code, 401);
  t.false(badMi!.hasIntegrity);
  const withUnknown = answer(core, request(core, 'ufragA:x', 'passwordpasswordpassword', [{ type: 0x7777, value: new Uint8Array(4) }]));
  t.is(withUnknown?.attributes.errorCode?.code, 420);
  t.deepEqual(withUnknown?.attributes.unknownAttributes, [0x7777]);
  t.true(withUnknown!.hasIntegrity);
  const ok = answer(core, request(core, 'ufragA:x', 'passwordpasswordpassword'));
  t.is(ok?.class, StunClass.SuccessResponse);
  t.deepEqual(ok?.attributes.xorMappedAddress, { family: 4, address: '10.0.0.9', port: 9 });
});

test('a peer with a wrong password gets 401 and is never selected', (t) => {
  const { loop, a, b, ca, cb } = udpPairOfAgents();
  a.core.setRemoteCredentials(loop.now, b.core.localCredentials);
  b.core.setRemoteCredentials(loop.now, { ufrag: a.core.localCredentials.ufrag, pwd: 'notthepasswordnotthepassword' });
  a.core.addRemoteCandidate(loop.now, cb);
  b.core.addRemoteCandidate(loop.now, ca);
  loop.run(5000);
  const rejections = a.sent.map((s) => decodeStun(s.data)).filter((m) => m.attributes.errorCode?.code === 401);
  t.true(rejections.length > 0);
  t.is(eventsOf(b, 'selected-pair').length, 0, 'the side whose checks fail authentication never selects');
  t.true(eventsOf(b, 'pair-state').some((e) => e.pair.state === 'failed' && /401/.test(e.reason ?? '')));
});

test('data is delivered only from a valid pair; junk from elsewhere is dropped', (t) => {
  const { loop, a, b, ca, cb } = udpPairOfAgents();
  loop.signal(a, b, [ca], [cb]);
  loop.run(5000);
  const payload = Buffer.from([0x80, 0]);
  t.deepEqual(
    b.core.handlePacket(loop.now, { transportId: 'b/udp/10.0.0.2:6000', from: { address: '10.0.0.1', port: 5000 }, data: payload }),
    dataOf1,
  );
  t.is(
    b.core.handlePacket(loop.now, { transportId: 'b/udp/10.0.0.2:6000', from: { address: '10.0.0.1', port: 5001 }, data: payload }),
    'dropped',
  );
  // RFC 8489 §6.3 / RFC 6544 §10.2: not STUN after all, from a valid pair: data (a byte stream cut into packets may start one with 0-3).
  t.deepEqual(
    b.core.handlePacket(loop.now, {
      transportId: 'b/udp/10.0.0.2:6000',
      from: { address: '10.0.0.1', port: 5000 },
      data: Buffer.from([0, 1, 2]),
    }),
    dataOf1,
    'first byte 0-3 but not STUN, from a valid pair',
  );
  t.is(
    b.core.handlePacket(loop.now, {
      transportId: 'b/udp/10.0.0.2:6000',
      from: { address: '10.0.0.1', port: 5001 },
      data: Buffer.from([0, 1, 2]),
    }),
    'dropped',
    'first byte 0-3, not STUN, not from a valid pair',
  );
  // STUN's header checks pass but an attribute runs past the end: the parse fails; still data from a valid pair.
  const headerOnly = Buffer.from('000100082112a442000102030405060708090a0b00080010aabbccdd', 'hex');
  t.deepEqual(
    b.core.handlePacket(loop.now, { transportId: 'b/udp/10.0.0.2:6000', from: { address: '10.0.0.1', port: 5000 }, data: headerOnly }),
    dataOf1,
    'STUN header, broken body, from a valid pair',
  );
  t.is(
    b.core.handlePacket(loop.now, { transportId: 'b/udp/10.0.0.2:6000', from: { address: '10.0.0.1', port: 5001 }, data: headerOnly }),
    'dropped',
    'STUN header, broken body, from elsewhere',
  );
  t.is(
    b.core.handlePacket(loop.now, { transportId: 'b/udp/10.0.0.2:6000', from: { address: '10.0.0.1', port: 5000 }, data: Buffer.alloc(0) }),
    'dropped',
  );
});

test('consent: a silent peer makes the agent disconnected after 10 s and failed at 30 s; the route goes null', (t) => {
  const { loop, a, b, ca, cb } = udpPairOfAgents();
  loop.signal(a, b, [ca], [cb]);
  loop.run(5000);
  t.is(a.core.state, 'completed');
  const silentFrom = loop.now;
  loop.drop = (from) => from === b;
  loop.run(silentFrom + 60000);
  const states = eventsOf(a, 'state').map((e) => e.state);
  t.deepEqual(states.slice(-2), ['disconnected', 'failed']);
  t.is(loop.route(a), null);
  t.true(eventsOf(a, 'consent').some((e) => !e.granted));
  // Consent checks came 4–6 s apart, each with a new transaction id.
  const consent = a.sent.filter((s) => s.data.length > 0 && decodeStun(s.data).class === StunClass.Request).slice(-5);
  const ids = new Set(consent.map((s) => decodeStun(s.data).transactionId.toString('hex')));
  t.is(ids.size, consent.length);
  t.is(a.core.pollTimeout(), undefined, 'nothing left to do after consent expired');
});

test('ICE restart switches to a new pair while the old one keeps carrying data', (t) => {
  const loop = new Loop();
  const a = loop.agent('a', { controlling: true }, 1);
  const b = loop.agent('b', { controlling: false }, 2);
  const ca = loop.addUdpHost(a, '10.0.0.1', 5000);
  const cb = loop.addUdpHost(b, '10.0.0.2', 6000);
  loop.signal(a, b, [ca], [cb]);
  loop.run(5000);
  const oldRoute = loop.route(a);
  const ca2 = loop.addUdpHost(a, '10.0.1.1', 5100);
  const cb2 = loop.addUdpHost(b, '10.0.1.2', 6100);
  const credsA = a.core.restart(loop.now);
  const credsB = b.core.restart(loop.now);
  t.deepEqual(loop.route(a), oldRoute, 'the route is kept during the restart');
  t.true(loop.sendData(a, 1, Buffer.from([0x80, 1])));
  loop.run(loop.now + 20);
  t.is(b.data.length, 1, 'data flows on the old pair during the restart');
  a.core.setRemoteCredentials(loop.now, credsB);
  b.core.setRemoteCredentials(loop.now, credsA);
  a.core.addRemoteCandidate(loop.now, cb2);
  b.core.addRemoteCandidate(loop.now, ca2);
  loop.run(loop.now + 5000);
  t.is(a.core.state, 'completed');
  t.is(b.core.state, 'completed');
  t.not(loop.route(a)?.pairId, oldRoute?.pairId);
  t.is(loop.route(a)?.remote.address, '10.0.1.2');
  t.true(loop.sendData(b, 1, Buffer.from([0x80, 2])));
  loop.run(loop.now + 20);
  t.is(a.data.length, 1);
});

test('bad options and credentials throw IceError with stable codes', (t) => {
  t.throws(() => new IceCore({ controlling: true, random: seededRandom(1), ta: 1 }), {
    instanceOf: IceError,
    code: 'ERR_ICE_BAD_OPTION',
  } as never);
  t.throws(() => new IceCore({ controlling: true, random: seededRandom(1), localCredentials: { ufrag: 'a', pwd: 'b' } }), {
    code: 'ERR_ICE_BAD_CREDENTIALS',
  } as never);
  const core = new IceCore({ controlling: true, random: seededRandom(1) });
  t.throws(() => core.addLocalCandidate(0, { candidate: udpHost('10.0.0.1', 1, 2), transportId: 't' }), {
    code: 'ERR_ICE_BAD_CANDIDATE',
  } as never);
  t.throws(() => core.setRemoteCredentials(0, { ufrag: 'x:y', pwd: 'p' }), { code: 'ERR_ICE_BAD_CREDENTIALS' } as never);
  core.close(0);
  t.is(core.state, 'closed');
  t.throws(() => core.restart(0), { code: 'ERR_ICE_CLOSED' } as never);
});

test('an authenticated 403 to a consent check revokes consent at once', (t) => {
  const { loop, a, b, ca, cb } = udpPairOfAgents();
  loop.signal(a, b, [ca], [cb]);
  loop.run(5000);
  // a sends data, so consent checks run (RFC 7675 §5.1; an idle pair would suspend them).
  t.true(loop.sendData(a, 1, Buffer.from([0x80, 0])));
  // b answers the next consent request from a with 403 instead of success.
  loop.drop = (from, tx) => {
    if (from !== b) return false;
    const msg = decodeStun(tx.data);
    if (msg.class !== StunClass.SuccessResponse) return false;
    const forbidden = encodeStun(
      {
        class: StunClass.ErrorResponse,
        method: StunMethod.Binding,
        transactionId: msg.transactionId,
        attributes: { errorCode: { code: 403, reason: 'Forbidden' } },
      },
      { integrityKey: shortTermKey(b.core.localCredentials.pwd), fingerprint: true },
    );
    loop.schedule(loop.latency, () =>
      a.core.handlePacket(loop.now, { transportId: 'a/udp/10.0.0.1:5000', from: { address: '10.0.0.2', port: 6000 }, data: forbidden }),
    );
    return true;
  };
  const start = loop.now;
  loop.run(start + 7000);
  t.is(a.core.state, 'failed');
  t.is(loop.route(a), null);
  const revoked = eventsOf(a, 'error').find((e) => e.code === 'ERR_ICE_CONSENT_EXPIRED');
  t.regex(revoked?.message ?? '', /403/);
});

test("an idle connected pair over hours, consent maintained ('maintain'): consent traffic only, bounded state", (t) => {
  // What this test measures is the maintained check rate on an idle pair.
  const consent = { whenIdle: 'maintain' } as const;
  const { loop, a, b, ca, cb } = udpPairOfAgents({ a: { consent }, b: { consent } });
  loop.signal(a, b, [ca], [cb]);
  loop.run(5000);
  const eventsBefore = a.events.length + b.events.length;
  const sentBefore = a.sent.length;
  loop.run(loop.now + 3 * 3600 * 1000);
  t.is(a.core.state, 'completed');
  t.is(b.core.state, 'completed');
  t.is(a.events.length + b.events.length, eventsBefore, 'no events while idle');
  const perHour = (a.sent.length - sentBefore) / 3;
  t.true(perHour > 1200 && perHour < 1800, `about two packets (request, response) per 5 s per side: ${perHour}/h`);
  const internals = (x: typeof a) => (x.core as unknown as { ctx: { transactions: { size: number }; dataRoutes: { size: number } } }).ctx;
  t.true(internals(a).transactions.size <= 1);
  t.is(internals(a).dataRoutes.size, 1);
  t.is(a.core.pairs().length, 1);
});

test("an idle connected pair over hours (default 'suspend'): a keepalive per 15 s per side, no checks, only a null route once consent is stale, bounded state", (t) => {
  const { loop, a, b, ca, cb } = udpPairOfAgents();
  loop.signal(a, b, [ca], [cb]);
  loop.run(7000);
  const [aBefore, bBefore] = [a.events.length, b.events.length];
  const sentBefore = a.sent.length;
  loop.run(loop.now + 3 * 3600 * 1000);
  t.is(a.core.state, 'completed');
  t.is(b.core.state, 'completed');
  // The only events: once consent is stale (30 s after the last answer) the route goes null, data would wait (RFC 7675 §5.1).
  t.deepEqual(
    [...a.events.slice(aBefore), ...b.events.slice(bBefore)].map((e) => [e.type, e.type === 'route' ? e.route : undefined]),
    [
      ['route', null],
      ['route', null],
    ],
  );
  const sent = a.sent.slice(sentBefore).map((s) => decodeStun(s.data));
  t.true(
    sent.every((m) => m.class === StunClass.Indication && !m.hasIntegrity && m.hasFingerprint),
    'only keepalives: Binding Indications with FINGERPRINT, unauthenticated (RFC 8445 §11)',
  );
  t.is(sent.length, (3 * 3600) / 15, 'one every Tr = 15 s');
  const internals = (x: typeof a) => (x.core as unknown as { ctx: { transactions: { size: number }; dataRoutes: { size: number } } }).ctx;
  t.is(internals(a).transactions.size, 0);
  t.is(internals(a).dataRoutes.size, 1);
  t.is(a.core.pairs().length, 1);
});

test('two components: each checklist selects its own pair; completed only when both are', (t) => {
  const loop = new Loop();
  const a = loop.agent('a', { controlling: true, components: 2 }, 1);
  const b = loop.agent('b', { controlling: false, components: 2 }, 2);
  const ca = [loop.addUdpHost(a, '10.0.0.1', 5000, 1), loop.addUdpHost(a, '10.0.0.1', 5001, 2)];
  const cb = [loop.addUdpHost(b, '10.0.0.2', 6000, 1), loop.addUdpHost(b, '10.0.0.2', 6001, 2)];
  loop.signal(a, b, ca, cb);
  loop.run(5000);
  t.is(a.core.state, 'completed');
  t.is(b.core.state, 'completed');
  const selected = eventsOf(a, 'selected-pair').map((e) => [e.pair.component, e.pair.local.port, e.pair.remote.port]);
  t.deepEqual(selected.sort(), [
    [1, 5000, 6000],
    [2, 5001, 6001],
  ]);
  t.is(loop.route(a, 2)?.remote.port, 6001);
});

test('an answerer may take the peer restart credentials before calling restart() itself', (t) => {
  const { loop, a, b, ca, cb } = udpPairOfAgents();
  loop.signal(a, b, [ca], [cb]);
  loop.run(5000);
  const oldB = b.core.localCredentials;
  const newA = a.core.restart(loop.now);
  b.core.setRemoteCredentials(loop.now, newA);
  const newB = b.core.restart(loop.now);
  t.not(newB.ufrag, oldB.ufrag);
  t.deepEqual(b.core.localCredentials, newB);
  a.core.setRemoteCredentials(loop.now, newB);
  a.core.addRemoteCandidate(loop.now, cb);
  b.core.addRemoteCandidate(loop.now, ca);
  loop.run(loop.now + 5000);
  t.is(a.core.state, 'completed');
  t.is(b.core.state, 'completed');
  const last = a.sent
    .map((s) => decodeStun(s.data))
    .filter((m) => m.class === StunClass.Request)
    .at(-1);
  t.is(last?.attributes.username, `${newB.ufrag}:${newA.ufrag}`);
});
