import test from 'ava';
import { decodeStun, encodeStun, shortTermKey, StunClass, StunMethod, type StunMessage } from '../../lib/stun/index.js';
import { IceCore, seededRandom, type IceEvent, type Transmit } from '../../lib/ice/index.js';
import { udpHost } from './support/loop.js';

const PEER = { ufrag: 'peer', pwd: 'peerpasswordpeerpassword' };
const R1 = { ...udpHost('10.0.0.2', 6001), priority: 3000, foundation: 'r1' };
const R2 = { ...udpHost('10.0.0.2', 6002), priority: 2000, foundation: 'r2' };
const R3 = { ...udpHost('10.0.0.2', 6003), priority: 1000, foundation: 'r3' };

function setup(options: { controlling?: boolean } = {}) {
  const core = new IceCore({
    controlling: options.controlling ?? false,
    random: seededRandom(17),
    localCredentials: { ufrag: 'mine', pwd: 'minepasswordminepassword' },
  });
  core.addLocalCandidate(0, { candidate: udpHost('10.0.0.1', 5000), transportId: 't' });
  core.setRemoteCredentials(0, PEER);
  for (const r of [R1, R2, R3]) core.addRemoteCandidate(0, r);
  return core;
}

function drain(core: IceCore): { tx: Transmit[]; msgs: StunMessage[]; events: IceEvent[] } {
  const tx: Transmit[] = [];
  for (let t = core.pollTransmit(); t; t = core.pollTransmit()) tx.push(t);
  const events: IceEvent[] = [];
  for (let e = core.pollEvent(); e; e = core.pollEvent()) events.push(e);
  return { tx, msgs: tx.map((t) => decodeStun(t.data)), events };
}

function requestFrom(core: IceCore, now: number, port: number, options: { useCandidate?: boolean; id?: number } = {}) {
  const data = encodeStun(
    {
      class: StunClass.Request,
      method: StunMethod.Binding,
      transactionId: Buffer.alloc(12, options.id ?? port & 0xff),
      attributes: { username: 'mine:peer', priority: 1234, iceControlling: 1n, useCandidate: options.useCandidate },
    },
    { integrityKey: shortTermKey('minepasswordminepassword'), fingerprint: true },
  );
  return core.handlePacket(now, { transportId: 't', from: { address: '10.0.0.2', port }, data });
}

function respond(core: IceCore, now: number, request: Transmit, msg: StunMessage, errorCode?: number) {
  const data = encodeStun(
    {
      class: errorCode === undefined ? StunClass.SuccessResponse : StunClass.ErrorResponse,
      method: StunMethod.Binding,
      transactionId: msg.transactionId,
      attributes:
        errorCode === undefined
          ? { xorMappedAddress: { family: 4, address: '10.0.0.1', port: 5000 } }
          : { errorCode: { code: errorCode, reason: 'x' } },
    },
    { integrityKey: shortTermKey(PEER.pwd), fingerprint: true },
  );
  return core.handlePacket(now, { transportId: 't', from: request.to, data });
}

const requests = (d: ReturnType<typeof drain>) => d.tx.filter((_, i) => d.msgs[i].class === StunClass.Request);

test('a request for a Waiting pair queues it as a triggered check ahead of higher-priority pairs', (t) => {
  const core = setup();
  const first = requests(drain(core));
  t.deepEqual(
    first.map((x) => x.to.port),
    [6001],
    'the highest-priority pair first, at once',
  );
  t.is(requestFrom(core, 10, 6003), 'stun');
  const answered = drain(core);
  t.is(answered.msgs[0].class, StunClass.SuccessResponse);
  core.handleTimeout(50);
  t.deepEqual(
    requests(drain(core)).map((x) => x.to.port),
    [6003],
    'the triggered pair beats 6002',
  );
  core.handleTimeout(100);
  t.deepEqual(
    requests(drain(core)).map((x) => x.to.port),
    [6002],
  );
});

test('a request for an In-Progress pair cancels its retransmissions and sends a new check', (t) => {
  const core = setup();
  const [check] = requests(drain(core));
  const oldId = decodeStun(check.data).transactionId.toString('hex');
  requestFrom(core, 10, 6001);
  drain(core);
  core.handleTimeout(50);
  const again = requests(drain(core));
  t.is(again[0].to.port, 6001);
  t.not(decodeStun(again[0].data).transactionId.toString('hex'), oldId);
  // Run through 40 s: the cancelled transaction is never retransmitted.
  const ids: string[] = [];
  for (let now = 100; now < 40000; now += 50) {
    core.handleTimeout(now);
    for (const x of requests(drain(core))) ids.push(decodeStun(x.data).transactionId.toString('hex'));
  }
  t.false(ids.includes(oldId));
});

test('a request for a Succeeded pair triggers nothing; for a Failed one it retries; an unknown source becomes a remote prflx', (t) => {
  const core = setup();
  const d = drain(core);
  const [check] = requests(d);
  respond(core, 20, check, decodeStun(check.data));
  const after = drain(core);
  t.true(after.events.some((e) => e.type === 'pair-state' && e.pair.remote.port === 6001 && e.pair.state === 'succeeded'));
  requestFrom(core, 30, 6001);
  const noCheck = drain(core);
  t.is(requests(noCheck).length, 0);
  core.handleTimeout(50);
  const next = requests(drain(core));
  t.is(next[0]?.to.port, 6002, 'the ordinary schedule continues');
  respond(core, 60, next[0], decodeStun(next[0].data), 400);
  const failed = drain(core);
  t.true(
    failed.events.some(
      (e) => e.type === 'pair-state' && e.pair.remote.port === 6002 && e.pair.state === 'failed' && /400/.test(e.reason ?? ''),
    ),
  );
  requestFrom(core, 70, 6002);
  drain(core);
  core.handleTimeout(100);
  t.is(requests(drain(core))[0]?.to.port, 6002, 'the failed pair is checked again');
  requestFrom(core, 110, 7777);
  const learned = drain(core);
  const prflx = learned.events.find((e) => e.type === 'remote-candidate');
  t.truthy(prflx);
  if (prflx?.type === 'remote-candidate') {
    t.is(prflx.candidate.type, 'prflx');
    t.is(prflx.candidate.priority, 1234, 'priority from the PRIORITY attribute');
  }
  core.handleTimeout(150);
  t.is(requests(drain(core))[0]?.to.port, 7777);
});

test('USE-CANDIDATE on a Succeeded pair nominates it at once on the controlled side', (t) => {
  const core = setup();
  const [check] = requests(drain(core));
  respond(core, 20, check, decodeStun(check.data));
  drain(core);
  requestFrom(core, 30, 6001, { useCandidate: true });
  const d = drain(core);
  const selected = d.events.find((e) => e.type === 'selected-pair');
  t.truthy(selected);
  t.is(core.state, 'completed');
  t.is(core.pairs().length, 1, 'the other pairs were removed (RFC 8445 §8.1.2)');
});

test('a 487 switches the role, draws a new tie-breaker and retries as a triggered check', (t) => {
  const core = setup({ controlling: true });
  const before = core.tieBreaker;
  const [check] = requests(drain(core));
  t.true(decodeStun(check.data).attributes.iceControlling !== undefined);
  respond(core, 20, check, decodeStun(check.data), 487);
  const d = drain(core);
  t.false(core.controlling);
  t.not(core.tieBreaker, before);
  t.true(d.events.some((e) => e.type === 'role' && !e.controlling));
  core.handleTimeout(50);
  const retry = requests(drain(core));
  t.is(retry[0]?.to.port, 6001);
  t.true(decodeStun(retry[0].data).attributes.iceControlled !== undefined);
});

test('responses that fail authentication are dropped on UDP; a non-symmetric one fails the pair', (t) => {
  const core = setup();
  const [check] = requests(drain(core));
  const msg = decodeStun(check.data);
  const forged = encodeStun(
    {
      class: StunClass.SuccessResponse,
      method: StunMethod.Binding,
      transactionId: msg.transactionId,
      attributes: { xorMappedAddress: { family: 4, address: '1.1.1.1', port: 1 } },
    },
    { integrityKey: shortTermKey('wrongwrongwrongwrongwrong'), fingerprint: true },
  );
  core.handlePacket(20, { transportId: 't', from: check.to, data: forged });
  t.false(drain(core).events.some((e) => e.type === 'pair-state' && e.pair.state !== 'in-progress'));
  respond(core, 30, { ...check, to: { address: '10.0.0.2', port: 9999 } }, msg);
  const d = drain(core);
  t.true(d.events.some((e) => e.type === 'pair-state' && e.pair.state === 'failed' && /non-symmetric/.test(e.reason ?? '')));
});

test('after completion, requests from ever new source addresses are answered but learn no candidate (bounded memory)', (t) => {
  const core = setup();
  const [check] = requests(drain(core));
  respond(core, 10, check, decodeStun(check.data));
  requestFrom(core, 20, 6001, { useCandidate: true });
  t.is(core.state, 'completed');
  drain(core);
  const remotes = () => (core as unknown as { ctx: { remotes: { all: unknown[] } } }).ctx.remotes.all.length;
  const before = remotes();
  // A peer whose NAT mapping keeps changing, or a stray authenticated sender: 500 new source ports.
  for (let port = 7000; port < 7500; port++) t.is(requestFrom(core, 30 + port, port), 'stun');
  const after = drain(core);
  t.is(after.msgs.filter((m) => m.class === StunClass.SuccessResponse).length, 500, 'each one answered (RFC 8445 §8.1.2)');
  t.deepEqual(
    after.events.filter((e) => e.type === 'remote-candidate'),
    [],
    'no peer-reflexive candidate learned: no pair would use it',
  );
  t.is(remotes(), before);
  t.is(core.pairs().length, 1);
});

test('events keep what they said: a peer-reflexive candidate later signalled as host still reads prflx in earlier events', (t) => {
  const core = setup();
  drain(core);
  requestFrom(core, 10, 6009);
  const learned = drain(core).events;
  const event = learned.find((e) => e.type === 'remote-candidate');
  const pairEvent = learned.find((e) => e.type === 'pair-state' && e.pair.remote.port === 6009);
  t.is(event?.type === 'remote-candidate' ? event.candidate.type : undefined, 'prflx');
  core.addRemoteCandidate(20, { ...udpHost('10.0.0.2', 6009), foundation: 'r9' });
  t.is(event?.type === 'remote-candidate' ? event.candidate.type : undefined, 'prflx', 'the remote-candidate event is unchanged');
  t.is(pairEvent?.type === 'pair-state' ? pairEvent.pair.remote.type : undefined, 'prflx', 'the pair-state event too');
  t.is(core.pairs().find((p) => p.remote.port === 6009)?.remote.type, 'host', 'while the core now knows it as host (RFC 8445 §7.3.1.3)');
});
