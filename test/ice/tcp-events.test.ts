import test from 'ava';
import { decodeStun } from '../../lib/stun/index.js';
import { Loop, eventsOf, type LoopAgent } from './support/loop.js';

function tcpPair(
  aType: 'active' | 'passive' | 'so',
  bType: 'active' | 'passive' | 'so',
  options: { soAccepts?: boolean; aControlling?: boolean } = {},
) {
  const loop = new Loop();
  loop.soAccepts = options.soAccepts ?? false;
  const a = loop.agent('a', { controlling: options.aControlling ?? true }, 11);
  const b = loop.agent('b', { controlling: !(options.aControlling ?? true) }, 12);
  const ca = loop.addTcpHost(a, '10.0.0.1', 5000, aType);
  const cb = loop.addTcpHost(b, '10.0.0.2', 6000, bType);
  loop.signal(a, b, [ca], [cb]);
  return { loop, a, b };
}

function openConnections(loop: Loop, agent: LoopAgent): string[] {
  return [...loop.tcpEnds.values()].filter((e) => e.agent === agent).map((e) => e.id);
}

test('TCP active -> passive: connect, check over the connection, local prflx, data both ways', (t) => {
  const { loop, a, b } = tcpPair('active', 'passive');
  loop.run(5000);
  t.is(a.core.state, 'completed');
  t.is(b.core.state, 'completed');
  const connect = a.commands.find((c) => c.type === 'connect');
  t.truthy(connect);
  if (connect?.type === 'connect') {
    t.is(connect.tcpType, 'active');
    t.is(connect.local.port, 0, 'active connects from an ephemeral port (RFC 6544 §7.1)');
  }
  t.is(b.commands.filter((c) => c.type === 'connect').length, 0, 'the passive side never connects');
  const prflx = eventsOf(a, 'local-candidate');
  t.is(prflx.length, 1);
  t.is(prflx[0].candidate.tcpType, 'active');
  t.not(prflx[0].candidate.port, 9);
  const remotePrflx = eventsOf(b, 'remote-candidate');
  t.is(remotePrflx[0].candidate.tcpType, 'active');
  const routeA = loop.route(a);
  const routeB = loop.route(b);
  t.is(routeA?.transport, 'tcp');
  t.truthy(routeA?.connectionId);
  t.truthy(routeB?.connectionId);
  t.true(loop.sendData(a, 1, Buffer.from([0x80, 1])));
  t.true(loop.sendData(b, 1, Buffer.from([0x80, 2])));
  loop.run(loop.now + 100);
  t.deepEqual(
    b.data.map((d) => d[1]),
    [1],
  );
  t.deepEqual(
    a.data.map((d) => d[1]),
    [2],
  );
  // No retransmissions over TCP: each transmit on a connection is a distinct transaction.
  const framesA = a.sent.filter((s) => s.connectionId !== undefined);
  const ids = new Set(framesA.map((s) => s.data.subarray(8, 20).toString('hex')));
  t.is(ids.size, framesA.length);
});

test('TCP passive <- active with the passive side controlling', (t) => {
  const { loop, a, b } = tcpPair('passive', 'active');
  loop.run(5000);
  t.is(a.core.state, 'completed');
  t.is(b.core.state, 'completed');
  t.is(a.commands.filter((c) => c.type === 'connect').length, 0);
});

test('S-O <-> S-O: early SYNs are refused, retries cross, one connection', (t) => {
  const { loop, a, b } = tcpPair('so', 'so');
  loop.run(10000);
  t.is(a.core.state, 'completed');
  t.is(b.core.state, 'completed');
  const connectsA = a.commands.filter((c) => c.type === 'connect');
  t.true(connectsA.length >= 1);
  for (const c of connectsA) if (c.type === 'connect') t.is(c.local.port, 5000, 'S-O connects from its bound port');
  t.is(openConnections(loop, a).length, 1);
  t.is(openConnections(loop, b).length, 1);
});

test('a connect and an accept racing for one 5-tuple leave one connection', (t) => {
  const { loop, a, b } = tcpPair('so', 'so', { soAccepts: true });
  loop.run(10000);
  t.is(a.core.state, 'completed');
  t.is(b.core.state, 'completed');
  t.is(openConnections(loop, a).length, 1, 'exactly one connection stays open');
  t.is(openConnections(loop, b).length, 1);
  const closes = [...a.commands, ...b.commands].filter((c) => c.type === 'close');
  t.true(closes.some((c) => c.type === 'close' && /duplicate|not selected/.test(c.reason)));
});

for (const [label, aControlling] of [
  ['controlling', true],
  ['controlled', false],
] as const) {
  test(`selected connection reset: the ${label} active side reconnects, the passive side waits, data resumes`, (t) => {
    const { loop, a, b } = tcpPair('active', 'passive', { aControlling });
    loop.run(5000);
    t.is(a.core.state, 'completed');
    const before = loop.route(a)!.connectionId!;
    loop.resetConnection(before);
    loop.run(loop.now + 5);
    t.is(loop.route(a), null, 'route is null while the connection is down');
    loop.run(loop.now + 5000);
    t.is(a.core.state, 'completed');
    t.is(b.core.state, 'completed');
    const after = loop.route(a)!.connectionId!;
    t.not(after, before);
    t.truthy(loop.route(b)?.connectionId);
    t.is(b.commands.filter((c) => c.type === 'connect').length, 0, 'the passive side never connects');
    t.true(eventsOf(a, 'state').some((e) => e.state === 'disconnected'));
    t.true(loop.sendData(a, 1, Buffer.from([0x80, 7])));
    t.true(loop.sendData(b, 1, Buffer.from([0x80, 8])));
    loop.run(loop.now + 100);
    t.deepEqual(
      b.data.map((d) => d[1]),
      [7],
    );
    t.deepEqual(
      a.data.map((d) => d[1]),
      [8],
    );
  });
}

test('reconnect fails repeatedly: the controlling side restarts ICE with new credentials', (t) => {
  const { loop, a, b } = tcpPair('active', 'passive');
  loop.run(5000);
  const old = a.core.localCredentials;
  const conn = loop.route(a)!.connectionId!;
  loop.blackholes.add('10.0.0.2:6000');
  loop.resetConnection(conn);
  loop.run(loop.now + 120000);
  const errors = eventsOf(a, 'error').filter((e) => e.code === 'ERR_ICE_TCP_RECONNECT_FAILED');
  t.is(errors.length, 1);
  const restart = eventsOf(a, 'restart');
  t.is(restart.length, 1);
  t.not(restart[0].credentials.ufrag, old.ufrag);
  t.deepEqual(a.core.localCredentials, restart[0].credentials);
  t.is(b.commands.filter((c) => c.type === 'connect').length, 0);
});

test('a connect that fails fails its pair with the reason', (t) => {
  const loop = new Loop();
  const a = loop.agent('a', { controlling: true }, 1);
  const b = loop.agent('b', { controlling: false }, 2);
  const ca = loop.addTcpHost(a, '10.0.0.1', 5000, 'active');
  // b advertises a passive candidate on a port nobody listens on
  const cb = { ...loop.addTcpHost(b, '10.0.0.2', 6000, 'passive'), port: 6001 };
  loop.signal(a, b, [ca], [cb]);
  a.core.endOfRemoteCandidates(loop.now);
  loop.run(5000);
  const failed = eventsOf(a, 'pair-state').filter((e) => e.pair.state === 'failed');
  t.is(failed.length, 1);
  t.regex(failed[0].reason ?? '', /connect failed: refused/);
  t.is(a.core.state, 'failed');
});

test('at most 5 outstanding connects per remote IP (RFC 6544 §12)', (t) => {
  const loop = new Loop();
  const a = loop.agent('a', { controlling: true }, 1);
  const b = loop.agent('b', { controlling: false }, 2);
  const ca = loop.addTcpHost(a, '10.0.0.1', 5000, 'active');
  const remotes = Array.from({ length: 8 }, (_, i) => ({ ...loop.addTcpHost(b, '10.0.0.2', 6000 + i, 'passive'), foundation: `f${i}` }));
  for (const r of remotes) loop.blackholes.add(`10.0.0.2:${r.port}`);
  loop.signal(a, b, [ca], remotes);
  loop.run(2000);
  const connects = a.commands.filter((c) => c.type === 'connect');
  t.is(connects.length, 5);
  loop.run(10000 + 1000);
  // The first five timed out in the core (connect timeout 10 s): three more went out.
  t.is(a.commands.filter((c) => c.type === 'connect').length, 8);
});

test('a passive side closes a connection whose first frame is not STUN', (t) => {
  const { loop, a, b } = tcpPair('active', 'passive');
  // Let a connect but swallow its check, then send junk first.
  let junkSent = false;
  loop.drop = (from, tx) => {
    if (from === a && tx.connectionId !== undefined && !junkSent) {
      junkSent = true;
      loop.sendFrame(a, tx.connectionId, Buffer.from('GET / HTTP/1.1\r\n'));
      return true;
    }
    return false;
  };
  loop.run(200);
  const close = b.commands.find((c) => c.type === 'close');
  t.truthy(close);
  if (close?.type === 'close') t.regex(close.reason, /first frame/);
});

test('the first reply on a connection we opened is not STUN: close it and fail every pair with that remote', (t) => {
  const { loop, a, b } = tcpPair('active', 'passive');
  // b answers a's connection with junk instead of STUN
  loop.drop = (from, tx) => {
    if (from === b && tx.connectionId !== undefined) {
      loop.sendFrame(b, tx.connectionId, Buffer.from([0x16, 3, 1, 0, 0]));
      return true;
    }
    return false;
  };
  loop.run(3000);
  const close = a.commands.find((c) => c.type === 'close');
  t.truthy(close);
  if (close?.type === 'close') t.regex(close.reason, /not STUN/);
  const failed = eventsOf(a, 'pair-state').filter((e) => e.pair.state === 'failed');
  t.true(failed.length >= 1);
  t.is(eventsOf(a, 'selected-pair').length, 0);
});

test('a wrong MESSAGE-INTEGRITY in the first frame over TCP is answered 401 and the connection closed', (t) => {
  const loop = new Loop();
  const a = loop.agent('a', { controlling: true }, 1);
  const b = loop.agent('b', { controlling: false }, 2);
  const ca = loop.addTcpHost(a, '10.0.0.1', 5000, 'active');
  const cb = loop.addTcpHost(b, '10.0.0.2', 6000, 'passive');
  a.core.setRemoteCredentials(loop.now, { ufrag: b.core.localCredentials.ufrag, pwd: 'notthepasswordnotthepassword' });
  b.core.setRemoteCredentials(loop.now, a.core.localCredentials);
  a.core.addRemoteCandidate(loop.now, cb);
  b.core.addRemoteCandidate(loop.now, ca);
  loop.run(3000);
  const answer = b.sent.find((s) => s.connectionId !== undefined);
  t.truthy(answer);
  const close = b.commands.find((c) => c.type === 'close');
  t.truthy(close);
  if (close?.type === 'close') t.regex(close.reason, /first frame/);
  const failed = eventsOf(a, 'pair-state').find((e) => e.pair.state === 'failed');
  t.regex(failed?.reason ?? '', /401|closed/);
});

test('aggressive nomination is never used on TCP pairs; completion closes the unselected connections', (t) => {
  const loop = new Loop();
  const a = loop.agent('a', { controlling: true, nomination: 'aggressive' }, 1);
  const b = loop.agent('b', { controlling: false }, 2);
  const ca = loop.addTcpHost(a, '10.0.0.1', 5000, 'active');
  const cb1 = loop.addTcpHost(b, '10.0.0.2', 6000, 'passive');
  const cb2 = { ...loop.addTcpHost(b, '10.0.0.2', 6001, 'passive'), foundation: 'other', priority: cb1.priority - 1 };
  loop.signal(a, b, [ca], [cb1, cb2]);
  loop.run(5000);
  t.is(a.core.state, 'completed');
  const firstChecks = a.sent.filter((s) => s.connectionId !== undefined).slice(0, 2);
  for (const s of firstChecks) t.falsy(decodeStun(s.data).attributes.useCandidate);
  const open = [...loop.tcpEnds.values()].filter((e) => e.agent === a);
  t.is(open.length, 1, 'only the selected connection stays (RFC 6544 §8)');
  t.is(open[0].id, loop.route(a)?.connectionId ?? '');
});

test('repeated reconnects do not accumulate candidates, pairs or connections', (t) => {
  const { loop, a, b } = tcpPair('active', 'passive');
  loop.run(5000);
  type Internals = {
    ctx: { locals: { all: unknown[] }; remotes: { all: unknown[] }; tcp: { size: number }; transactions: { size: number } };
  };
  const inside = (x: typeof a) => (x.core as unknown as Internals).ctx;
  const sizes = () =>
    [a, b].map((x) => [inside(x).locals.all.length, inside(x).remotes.all.length, x.core.pairs().length, inside(x).tcp.size]);
  const before = sizes();
  for (let i = 0; i < 10; i++) {
    loop.resetConnection(loop.route(a)!.connectionId!);
    loop.run(loop.now + 3000);
    t.is(a.core.state, 'completed');
  }
  loop.run(loop.now + 60000);
  t.deepEqual(sizes(), before);
  t.true(inside(a).transactions.size <= 2);
});

test('a TCP check without an answer fails after Ti = 39.5 s and is never retransmitted', (t) => {
  const { loop, a, b } = tcpPair('active', 'passive');
  // b never answers anything on TCP
  loop.drop = (from, tx) => from === b && tx.connectionId !== undefined;
  a.core.endOfRemoteCandidates(loop.now);
  loop.run(39000);
  const checks = a.sent.filter((s) => s.connectionId !== undefined);
  t.is(checks.length, 1, 'one request, no retransmission over TCP');
  t.is(a.core.state, 'checking');
  loop.run(40000);
  const failed = eventsOf(a, 'pair-state').find((e) => e.pair.state === 'failed');
  t.regex(failed?.reason ?? '', /Ti/);
  t.is(a.core.state, 'failed');
});

test('after completion, a new connection whose check triggers nothing is answered, then closed (RFC 6544 §8)', (t) => {
  const { loop, a, b } = tcpPair('active', 'passive');
  loop.run(5000);
  t.is(b.core.state, 'completed');
  const closesBefore = b.commands.filter((c) => c.type === 'close').length;
  // A late connection from another address of the peer with a valid check on it (the same address would be a reconnect, RFC 6544 §11.1).
  const transportId = 'b/tcp-passive/10.0.0.2:6000';
  const local = { address: '10.0.0.2', port: 6000 };
  const remote = { address: '10.0.0.3', port: 45000 };
  b.core.handleConnection(loop.now, { type: 'accepted', connectionId: 'late', transportId, local, remote });
  const check = a.sent.find((s) => s.connectionId !== undefined && decodeStun(s.data).class === 0)!;
  t.is(b.core.handlePacket(loop.now, { transportId, connectionId: 'late', from: remote, data: Buffer.from(check.data) }), 'stun');
  loop.drain();
  const answer = b.sent.at(-1)!;
  t.is(answer.connectionId, 'late');
  t.is(decodeStun(answer.data).class, 2, 'the check is answered (RFC 8445 §8.1.2)');
  const closes = b.commands.filter((c) => c.type === 'close').slice(closesBefore);
  t.deepEqual(
    closes.map((c) => c.type === 'close' && c.connectionId),
    ['late'],
    'and the connection, which nothing uses, is closed',
  );
  t.is(b.core.state, 'completed');
  t.is(loop.route(b)?.connectionId, openConnections(loop, b)[0], 'the selected connection is untouched');
});
