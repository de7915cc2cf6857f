/**
 * Consent freshness stories (RFC 7675): a connected pair is refreshed every
 * 5 s ±20% with a new transaction each time; a peer that goes silent makes
 * the agent disconnected and then failed on the RFC's clock, and sending
 * stops; a peer that comes back in time is welcomed back; hours of idle
 * consent traffic do not grow the heap. These run with consent maintained
 * on idle pairs (`consent.whenIdle: 'maintain'`), and the silent-peer ones
 * also with the default (`'suspend'`) while Alice sends data every second:
 * consent then runs on the same clock. Idle suspension itself:
 * consent-idle.test.ts.
 */
import test from 'ava';
import { dataPacket } from './vnet/data.js';
import { bothCompleted, twoAgents } from './vnet/scenario.js';
import { Wire } from './vnet/wire.js';

type WhenIdle = 'suspend' | 'maintain';

function connected(seed: number, maxLogEntries?: number, whenIdle?: WhenIdle) {
  const core = whenIdle === undefined ? undefined : { consent: { whenIdle } };
  const s = twoAgents({
    seed,
    a: { name: 'alice', controlling: true, maxLogEntries, core },
    b: { name: 'bob', controlling: false, maxLogEntries, core },
  });
  s.signalling.endOfCandidates(s.a);
  s.signalling.endOfCandidates(s.b);
  if (!s.world.runUntil(() => bothCompleted(s), 10000)) throw new Error('setup did not connect');
  return s;
}

test("consent: authenticated Binding requests every 5 s ±20%, a fresh transaction id each time (RFC 7675 §5.1; idle, 'maintain')", (t) => {
  const s = connected(41, undefined, 'maintain');
  const wire = new Wire(s.world.net);
  const start = s.world.now;
  s.world.runFor(120000);
  const checks = wire.requestsFrom('alice').filter((r) => r.at > start);
  t.true(checks.length >= 20 && checks.length <= 30, `${checks.length} consent checks in 120 s`);
  const ids = new Set(checks.map((c) => c.msg.transactionId.toString('hex')));
  t.is(ids.size, checks.length, 'never a retransmission, never a reused id');
  for (let i = 1; i < checks.length; i++) {
    const gap = checks[i].at - checks[i - 1].at;
    t.true(gap >= 4000 && gap <= 6000, `gap ${gap} ms`);
  }
  t.true(checks.every((c) => c.msg.hasIntegrity && c.msg.hasFingerprint && c.msg.attributes.username !== undefined));
  // Jitter is really random: the gaps are not all equal.
  t.true(new Set(checks.slice(1).map((c, i) => c.at - checks[i].at)).size > 3);
  t.is(s.a.core.state, 'completed');
  t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
});

/**
 * Runs the world for up to `ms` (until `done`, if given). `sending`: Alice
 * sends a packet every second meanwhile, as an application with data does.
 */
function advance(s: ReturnType<typeof connected>, sending: boolean, ms: number, done?: () => boolean): boolean {
  if (!sending) return done === undefined ? (s.world.runFor(ms), true) : s.world.runUntil(done, ms);
  const end = s.world.now + ms;
  let n = 0;
  while (s.world.now < end) {
    if (done?.() === true) return true;
    s.a.send(dataPacket(++n & 0x7f));
    if (done === undefined) s.world.runFor(Math.min(1000, end - s.world.now));
    else if (s.world.runUntil(done, Math.min(1000, end - s.world.now))) return true;
  }
  return done === undefined || done();
}

const modes: Array<[WhenIdle, boolean, string]> = [
  ['maintain', false, "idle, 'maintain'"],
  ['suspend', true, "Alice sending, 'suspend'"],
];

for (const [whenIdle, sending, label] of modes) {
  test(`a peer that goes silent: disconnected after 10 s without an answer, failed when consent expires at 30 s, and sending stops (${label})`, (t) => {
    const s = connected(42, undefined, whenIdle);
    const wire = new Wire(s.world.net);
    advance(s, sending, 20000);
    s.b.host.silent = true;
    const silentAt = s.world.now;
    t.true(
      advance(s, sending, 60000, () => s.a.core.state === 'failed'),
      `state ${s.a.core.state}`,
    );
    // The last authenticated answer Alice got was the last success Bob sent before going silent (10 ms on the way).
    const lastAnswer =
      wire
        .successesFrom('bob')
        .filter((x) => x.at <= silentAt && !x.lost)
        .at(-1)!.at + 10;
    const disconnectedAt = s.a.eventsOf('state').find((e) => e.state === 'disconnected')?.at;
    const failedAt = s.a.eventsOf('state').find((e) => e.state === 'failed')!.at;
    t.truthy(disconnectedAt, 'went through disconnected');
    t.true(
      disconnectedAt! - lastAnswer >= 10000 && disconnectedAt! - lastAnswer <= 11000,
      `disconnected ${disconnectedAt! - lastAnswer} ms after the last answer`,
    );
    t.true(
      failedAt - lastAnswer >= 30000 && failedAt - lastAnswer <= 31000,
      `failed ${failedAt - lastAnswer} ms after the last answer (RFC 7675 §5.1)`,
    );
    // Consent lost: the route is withdrawn and the application can no longer send.
    t.true(s.a.eventsOf('consent').some((c) => !c.granted));
    t.is(s.a.routes.get(1), null);
    t.false(s.a.send(dataPacket(1)));
    // Nothing but (at most) the consent checks went to Bob after expiry.
    const after = wire.stun.filter((w) => w.fromHost === 'alice' && w.at > failedAt);
    t.deepEqual(
      after.map((w) => w.msg.class),
      [],
      'no more traffic on the expired pair',
    );
    t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
  });

  test(`a peer silent for 15 s and then back: disconnected, then connected again before consent expires (${label})`, (t) => {
    const s = connected(43, undefined, whenIdle);
    advance(s, sending, 10000);
    s.b.host.silent = true;
    advance(s, sending, 15000);
    t.is(s.a.core.state, 'disconnected');
    s.b.host.silent = false;
    t.true(
      advance(s, sending, 10000, () => s.a.core.state === 'connected' || s.a.core.state === 'completed'),
      `state ${s.a.core.state}`,
    );
    t.false(s.a.stateHistory().includes('failed'));
    const before = s.b.received.length;
    t.true(s.a.send(dataPacket(7)));
    s.world.runFor(100);
    t.is(s.b.received.length, before + 1);
    t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
  });
}

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run ava with --expose-gc (ava.config.js does)');
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

test("ten hours of idle consent traffic do not grow the heap ('maintain')", (t) => {
  // Keep the harness's own logs bounded so that only the cores can grow.
  const s = connected(44, 200, 'maintain');
  let consentChecks = 0;
  s.world.net.udpTaps.push((trace) => {
    if (trace.fromHost === 'alice' && trace.data[0] === 0 && trace.data[1] === 1) consentChecks++;
  });
  const HOUR = 3600000;
  s.world.runFor(HOUR);
  const pairsAt1h = s.a.core.pairs().length;
  const heap1h = heapAfterGc();
  const checksAt1h = consentChecks;
  s.world.runFor(9 * HOUR);
  const heap10h = heapAfterGc();
  t.is(s.a.core.state, 'completed');
  t.is(s.b.core.state, 'completed');
  t.true(consentChecks - checksAt1h > 9 * 600, `${consentChecks - checksAt1h} consent checks in 9 h`);
  t.is(s.a.core.pairs().length, pairsAt1h);
  const growth = heap10h - heap1h;
  t.log(
    `heap ${(heap1h / 1e6).toFixed(2)} MB at 1 h, ${(heap10h / 1e6).toFixed(2)} MB at 10 h (${consentChecks} consent checks from Alice)`,
  );
  t.true(growth < 1_000_000, `heap grew by ${growth} bytes over 9 h (${consentChecks - checksAt1h} checks)`);
  t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
});
