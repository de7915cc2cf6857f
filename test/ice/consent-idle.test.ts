/**
 * Consent follows application data (RFC 7675 §5.1, `consent.whenIdle`,
 * default `'suspend'`): an idle pair stops its consent checks and keeps its
 * NAT bindings with a keepalive every Tr = 15 s (RFC 8445 §11); the first
 * send restarts checks at once, data going at once while consent is fresh
 * and waiting for an answer once it is stale; a peer that stays silent is
 * probed and lost as usual; `'maintain'` keeps checking. On the virtual
 * network with its virtual clock.
 */
import test from 'ava';
import { StunClass } from '../../lib/stun/index.js';
import { dataPacket, dataSeq } from './vnet/data.js';
import { bothCompleted, newWorld, twoAgents } from './vnet/scenario.js';
import { Wire, type WireStun } from './vnet/wire.js';

type WhenIdle = 'suspend' | 'maintain';

function connected(seed: number, options: { whenIdle?: WhenIdle; bobWhenIdle?: WhenIdle; maxLogEntries?: number; noWire?: boolean } = {}) {
  const consentOf = (w: WhenIdle | undefined) => (w === undefined ? undefined : { consent: { whenIdle: w } });
  const s = twoAgents({
    seed,
    a: { name: 'alice', controlling: true, core: consentOf(options.whenIdle), maxLogEntries: options.maxLogEntries },
    b: { name: 'bob', controlling: false, core: consentOf(options.bobWhenIdle ?? options.whenIdle), maxLogEntries: options.maxLogEntries },
  });
  // The sniffer keeps every message: left out where the heap is measured.
  const wire = options.noWire === true ? new Wire(newWorld().net) : new Wire(s.world.net);
  s.signalling.endOfCandidates(s.a);
  s.signalling.endOfCandidates(s.b);
  if (!s.world.runUntil(() => bothCompleted(s), 10000)) throw new Error('setup did not connect');
  return { s, wire, connectedAt: s.world.now };
}

const isKeepalive = (w: WireStun): boolean =>
  w.msg.class === StunClass.Indication && !w.msg.hasIntegrity && w.msg.hasFingerprint && w.msg.attributes.username === undefined;
const from = (wire: Wire, host: string, after: number): WireStun[] => wire.stun.filter((w) => w.fromHost === host && w.at > after);

test('idle: consent checks stop after the first idle interval; a keepalive every 15 s instead; the state stays completed', (t) => {
  const { s, wire, connectedAt } = connected(61);
  s.world.runFor(10 * 60000);
  for (const host of ['alice', 'bob']) {
    // The first check comes due 4–6 s after the pair succeeded: nothing was sent, so none goes, nor any later.
    const requests = from(wire, host, connectedAt).filter((w) => w.msg.class === StunClass.Request);
    t.deepEqual(
      requests.map((w) => w.at),
      [],
      `${host}: no consent check on an idle pair (RFC 7675 §5.1)`,
    );
    const keepalives = from(wire, host, connectedAt).filter(isKeepalive);
    t.is(from(wire, host, connectedAt).length, keepalives.length, `${host}: nothing but keepalives`);
    t.true(keepalives.length >= 38 && keepalives.length <= 40, `${host}: ${keepalives.length} keepalives in 10 min`);
    t.true(keepalives[0].at - connectedAt >= 15000 + 4000 && keepalives[0].at - connectedAt <= 15000 + 6100, 'Tr after suspension');
    for (let i = 1; i < keepalives.length; i++) t.is(keepalives[i].at - keepalives[i - 1].at, 15000, 'every Tr = 15 s (RFC 8445 §11)');
    t.true(
      keepalives.every((k) => Object.keys(k.msg.attributes).every((a) => a === 'fingerprint')),
      'FINGERPRINT only, no authentication (RFC 8445 §11)',
    );
  }
  t.is(s.a.core.state, 'completed');
  t.is(s.b.core.state, 'completed');
  t.deepEqual(s.a.stateHistory().slice(-1), ['completed'], 'never disconnected by our own silence');
  t.false(s.a.eventsOf('consent').some((c) => !c.granted));
  // Consent older than 30 s is stale: the route is withdrawn (data would wait), without any state change.
  const nullRoute = s.a.eventsOf('route').find((e) => e.route === null);
  t.truthy(nullRoute);
  t.true(nullRoute!.at - connectedAt >= 29000 && nullRoute!.at - connectedAt <= 30100, `route null at +${nullRoute!.at - connectedAt} ms`);
  t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
});

test("'maintain': checks every 4–6 s on an idle pair, no keepalives (as before whenIdle existed)", (t) => {
  const { s, wire, connectedAt } = connected(62, { whenIdle: 'maintain' });
  s.world.runFor(60000);
  const checks = wire.requestsFrom('alice').filter((w) => w.at > connectedAt);
  t.true(checks.length >= 10 && checks.length <= 15, `${checks.length} checks in 60 s`);
  t.deepEqual(from(wire, 'alice', connectedAt).filter(isKeepalive), []);
  t.false(s.a.eventsOf('route').some((e) => e.route === null));
  t.is(s.a.core.state, 'completed');
});

test('data keeps consent checks running; when it stops they stop one interval later', (t) => {
  const { s, wire, connectedAt } = connected(63);
  let n = 0;
  for (let i = 0; i < 30; i++) {
    t.true(s.a.send(dataPacket(n++)));
    s.world.runFor(1000);
  }
  const sendingUntil = s.world.now;
  const during = wire.requestsFrom('alice').filter((w) => w.at > connectedAt && w.at <= sendingUntil);
  t.true(during.length >= 5 && during.length <= 8, `${during.length} checks in 30 s of data`);
  s.world.runFor(60000);
  const after = wire.requestsFrom('alice').filter((w) => w.at > sendingUntil);
  t.true(after.length <= 1, `${after.length} checks after the data stopped: at most the one due within the last interval`);
  t.true(after.every((w) => w.at <= sendingUntil + 6000));
  t.true(from(wire, 'alice', sendingUntil).filter(isKeepalive).length >= 3, 'keepalives once idle');
  // Bob only received: he never sent data, so he checked nothing but kept sending keepalives.
  t.deepEqual(
    wire.requestsFrom('bob').filter((w) => w.at > connectedAt),
    [],
  );
  t.is(s.b.received.length, 30);
});

test('resume with fresh consent: the data goes at once and a consent check with it', (t) => {
  const { s, wire, connectedAt } = connected(64);
  s.world.runFor(15000); // suspended (first check due 4–6 s after success), consent answered at success: 15 s old, fresh
  t.deepEqual(
    wire.requestsFrom('alice').filter((w) => w.at > connectedAt),
    [],
  );
  const at = s.world.now;
  t.true(s.a.send(dataPacket(1)), 'the route is there: no waiting');
  s.world.runFor(50);
  t.is(s.b.received.length, 1);
  t.is(s.b.received[0].at, at + 10, 'delivered after the link latency only');
  const check = wire.requestsFrom('alice').find((w) => w.at >= at);
  t.is(check?.at, at, 'checks restart at once');
  t.true(check!.msg.hasIntegrity, 'an authenticated consent check');
  t.false(s.a.eventsOf('route').some((e) => e.route === null));
});

test('resume with stale consent: data waits until a consent answer, then flows; no state change', (t) => {
  const { s, wire } = connected(65);
  s.world.runFor(60000);
  t.is(s.a.routes.get(1), null, 'stale consent after 30 s of idle: no route');
  t.is(s.a.core.state, 'completed');
  const at = s.world.now;
  t.false(s.a.send(dataPacket(1)), 'must wait: consent is stale (RFC 7675 §5.1)');
  const check = wire.requestsFrom('alice').find((w) => w.at >= at);
  t.is(check?.at, at, 'a consent check goes at once');
  t.true(s.world.runUntil(() => s.a.routes.get(1) != null, 1000));
  t.is(s.world.now, at + 20, 'the route is back when the answer arrives (one round trip)');
  t.true(s.a.send(dataPacket(2)));
  s.world.runFor(50);
  t.deepEqual(
    s.b.received.map((r) => dataSeq(r.data)),
    [2],
    'nothing went out while consent was stale',
  );
  t.deepEqual(s.a.stateHistory().slice(-1), ['completed']);
  t.true(s.a.eventsOf('consent').every((c) => c.granted));
  t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
});

test('resume with stale consent and no answer: disconnected after 10 s, consent lost after 30 s, as when sending', (t) => {
  const { s } = connected(66);
  s.world.runFor(60000);
  s.b.host.silent = true;
  const at = s.world.now;
  t.false(s.a.send(dataPacket(1)));
  t.true(
    s.world.runUntil(() => s.a.core.state === 'failed', 40000),
    `state ${s.a.core.state}`,
  );
  const disconnectedAt = s.a.eventsOf('state').find((e) => e.at >= at && e.state === 'disconnected')?.at;
  const failedAt = s.a.eventsOf('state').find((e) => e.state === 'failed')!.at;
  t.is(disconnectedAt, at + 10000);
  t.is(failedAt, at + 30000, 'expiryMs after the checks restarted (RFC 7675 §5.1)');
  t.true(s.a.eventsOf('consent').some((c) => !c.granted));
  t.true(s.a.eventsOf('error').some((e) => e.code === 'ERR_ICE_CONSENT_EXPIRED'));
  t.false(s.a.send(dataPacket(2)));
  t.is(s.b.received.length, 0);
});

test('a peer that goes silent while the pair idles: probed after 2 × Tr without a packet, consent lost 30 s later', (t) => {
  const { s, wire } = connected(67);
  s.world.runFor(40000);
  s.b.host.silent = true;
  const silentAt = s.world.now;
  t.true(
    s.world.runUntil(() => s.a.core.state === 'failed', 120000),
    `state ${s.a.core.state}`,
  );
  const probe = wire.requestsFrom('alice').find((w) => w.at > silentAt);
  t.truthy(probe, 'a consent check probes the silent peer');
  const lastHeard = wire.stun.filter((w) => w.fromHost === 'bob' && w.at <= silentAt).at(-1)!.at + 10;
  t.true(probe!.at - lastHeard >= 30000 && probe!.at - lastHeard <= 45000, `probe ${probe!.at - lastHeard} ms after the last packet`);
  const failedAt = s.a.eventsOf('state').find((e) => e.state === 'failed')!.at;
  t.is(failedAt, probe!.at + 30000);
  t.is(s.a.eventsOf('state').find((e) => e.state === 'disconnected')?.at, probe!.at + 10000);
  t.true(s.a.eventsOf('error').some((e) => e.code === 'ERR_ICE_CONSENT_EXPIRED'));
  // Several checks, each sent once with a new transaction id (RFC 7675 §5.1), not a single lost one.
  const probes = wire.requestsFrom('alice').filter((w) => w.at >= probe!.at);
  t.true(probes.length >= 5);
  t.is(new Set(probes.map((w) => w.msg.transactionId.toString('hex'))).size, probes.length);
});

test("two idle agents keep each other alive with keepalives: no probe for hours; a 'maintain' peer's checks keep us alive too", (t) => {
  const both = connected(68, { maxLogEntries: 200 });
  both.s.world.runFor(3 * 3600000);
  t.deepEqual(
    both.wire.requestsFrom('alice').filter((w) => w.at > both.connectedAt),
    [],
    'no probe: the peer keepalives arrive every 15 s',
  );
  t.is(both.s.a.core.state, 'completed');
  t.is(both.s.b.core.state, 'completed');
  const mixed = connected(69, { whenIdle: 'suspend', bobWhenIdle: 'maintain', maxLogEntries: 200 });
  mixed.s.world.runFor(3600000);
  t.deepEqual(
    mixed.wire.requestsFrom('alice').filter((w) => w.at > mixed.connectedAt),
    [],
  );
  t.true(mixed.wire.successesFrom('alice').filter((w) => w.at > mixed.connectedAt).length > 500, "alice answers bob's checks");
  t.is(mixed.s.a.core.state, 'completed');
  t.is(mixed.s.b.core.state, 'completed');
});

test('ten idle hours with keepalives do not grow the heap', (t) => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run ava with --expose-gc (ava.config.js does)');
  const heap = (): number => {
    for (let i = 0; i < 3; i++) gc();
    return process.memoryUsage().heapUsed;
  };
  const { s } = connected(70, { maxLogEntries: 200, noWire: true });
  let keepalives = 0;
  s.world.net.udpTaps.push((trace) => {
    if (trace.fromHost === 'alice' && trace.data[0] === 0x00 && trace.data[1] === 0x11) keepalives++;
  });
  s.world.runFor(3600000);
  const heap1h = heap();
  const at1h = keepalives;
  s.world.runFor(9 * 3600000);
  const growth = heap() - heap1h;
  t.is(keepalives - at1h, 9 * 240, 'one keepalive per 15 s');
  t.is(s.a.core.pairs().length, 1);
  t.is(s.a.core.state, 'completed');
  t.true(growth < 1_000_000, `heap grew by ${growth} bytes over 9 idle hours`);
});
