import test from 'ava';
import { ConsentTracker, MIN_CONSENT_INTERVAL_MS } from '../../lib/ice/consent.js';
import { seededRandom } from '../../lib/ice/seeded-random.js';
import { IceCore } from '../../lib/ice/index.js';

// These tests are about the schedule of checks themselves: consent maintained whether data flows or not.
const timing = { intervalMs: 5000, expiryMs: 30000, disconnectedAfterMs: 10000, whenIdle: 'maintain', keepaliveIntervalMs: 15000 } as const;
const idleTiming = { ...timing, whenIdle: 'suspend' } as const;

test('checks are 4-6 s apart with jitter, never below 4 s', (t) => {
  const tracker = new ConsentTracker(0, timing, seededRandom(3));
  const intervals: number[] = [];
  for (let i = 0; i < 500; i++) intervals.push(tracker.interval());
  t.true(intervals.every((x) => x >= 4000 && x <= 6000));
  t.true(Math.min(...intervals) < 4200 && Math.max(...intervals) > 5800, 'the whole 0.8-1.2 range is used');
  const fast = new ConsentTracker(0, { ...timing, intervalMs: 4000 }, seededRandom(3));
  for (let i = 0; i < 100; i++) t.true(fast.interval() >= MIN_CONSENT_INTERVAL_MS);
});

test('late after 10 s without an answer, expired at 30 s; a late response does not revive consent', (t) => {
  const tracker = new ConsentTracker(0, timing, seededRandom(3));
  t.is(tracker.evaluate(9999), 'fresh');
  t.is(tracker.evaluate(10000), 'late');
  t.true(tracker.granted(12000));
  t.is(tracker.evaluate(12000), 'fresh');
  t.is(tracker.evaluate(41999), 'late');
  t.is(tracker.evaluate(42000), 'expired');
  t.false(tracker.granted(42001), 'responses after expiry do not count (RFC 7675 §5.1)');
  t.is(tracker.evaluate(42001), 'expired');
  t.is(tracker.nextDeadline(), undefined);
  t.false(tracker.takeDueCheck(100000));
});

test('takeDueCheck fires once per interval and the deadline covers checks and expiry', (t) => {
  const tracker = new ConsentTracker(0, timing, seededRandom(9));
  const first = tracker.nextCheckAt;
  t.true(first >= 4000 && first <= 6000);
  t.false(tracker.takeDueCheck(first - 1));
  t.true(tracker.takeDueCheck(first));
  t.false(tracker.takeDueCheck(first));
  t.true(tracker.nextCheckAt >= first + 4000);
  t.is(tracker.nextDeadline(), Math.min(tracker.nextCheckAt, 10000));
  tracker.revoke();
  t.is(tracker.health, 'expired');
});

test('suspend: a due check on a pair that sent nothing since the last one suspends checks; lateness and expiry stop counting', (t) => {
  const tracker = new ConsentTracker(0, idleTiming, seededRandom(3));
  const due = tracker.nextCheckAt;
  t.false(tracker.takeDueCheck(due), 'no check: nothing was sent since the route came up');
  t.true(tracker.suspended);
  t.is(tracker.keepaliveAt, due + 15000);
  t.is(tracker.evaluate(due + 20000), 'fresh', 'our own silence is not lateness');
  t.false(tracker.held);
  t.is(tracker.nextDeadline(), due + 15000, 'the next keepalive');
  t.is(tracker.takeIdleTick(due + 14999), undefined);
  tracker.noteHeard(due + 10000);
  t.is(tracker.takeIdleTick(due + 15000), 'keepalive');
  t.is(tracker.keepaliveAt, due + 30000);
  t.is(tracker.nextDeadline(), 30000, 'consent turns stale 30 s after the last answer');
  t.is(tracker.evaluate(30000), 'fresh');
  t.true(tracker.held, 'stale: data must wait until consent is regained (RFC 7675 §5.1)');
  t.false(tracker.takeDueCheck(100000));
});

test('suspend: data keeps checks running; the first send after suspension checks at once', (t) => {
  const tracker = new ConsentTracker(0, idleTiming, seededRandom(4));
  tracker.noteSent(100);
  const first = tracker.nextCheckAt;
  t.true(tracker.takeDueCheck(first), 'data went out: the check goes');
  tracker.granted(first + 20);
  const second = tracker.nextCheckAt;
  t.false(tracker.takeDueCheck(second), 'nothing sent since: suspended');
  t.true(tracker.suspended);
  tracker.noteSent(second + 7000);
  t.false(tracker.suspended);
  t.is(tracker.nextCheckAt, second + 7000);
  t.true(tracker.takeDueCheck(second + 7000), 'checks restart at once');
  t.false(tracker.held, 'consent answered 7 s ago is still fresh: data goes at once');
  t.is(tracker.evaluate(second + 7000), 'fresh');
});

test('suspend: a pair whose last check went unanswered keeps checking (a dead peer is not hidden by idleness)', (t) => {
  const tracker = new ConsentTracker(0, idleTiming, seededRandom(5));
  tracker.noteSent(10);
  const first = tracker.nextCheckAt;
  t.true(tracker.takeDueCheck(first));
  const second = tracker.nextCheckAt;
  t.true(tracker.takeDueCheck(second), 'no answer to the previous check: no suspension');
  t.false(tracker.suspended);
  t.is(tracker.evaluate(30000), 'expired');
});

test('suspend: stale consent, then a send: checks restart, data waits until an answer, lost after expiryMs without one', (t) => {
  const tracker = new ConsentTracker(0, idleTiming, seededRandom(6));
  t.false(tracker.takeDueCheck(tracker.nextCheckAt));
  tracker.noteHeard(50000);
  t.is(tracker.evaluate(50000), 'fresh');
  t.true(tracker.held);
  tracker.noteSent(60000);
  t.true(tracker.takeDueCheck(60000));
  t.is(tracker.evaluate(60000), 'fresh', 'lateness counts from the restart, not from the last answer');
  t.true(tracker.held, 'still stale: data waits');
  t.is(tracker.evaluate(69999), 'fresh');
  t.is(tracker.evaluate(70000), 'late');
  t.true(tracker.granted(71000));
  t.is(tracker.evaluate(71000), 'fresh');
  t.false(tracker.held, 'regained');
  const other = new ConsentTracker(0, idleTiming, seededRandom(6));
  other.takeDueCheck(other.nextCheckAt);
  other.noteSent(60000);
  other.takeDueCheck(60000);
  t.is(other.evaluate(89999), 'late');
  t.is(other.evaluate(90000), 'expired', 'no answer within expiryMs of the restart: consent lost');
});

test('suspend: nothing heard from the peer for 2 × Tr: the keepalive tick becomes a probe', (t) => {
  const tracker = new ConsentTracker(0, idleTiming, seededRandom(7));
  const due = tracker.nextCheckAt;
  tracker.takeDueCheck(due);
  t.is(tracker.takeIdleTick(due + 15000), 'keepalive', `silent for ${due + 15000} ms only`);
  t.is(tracker.takeIdleTick(due + 30000), 'probe', 'silent for more than 30 s');
  t.false(tracker.suspended);
  t.true(tracker.takeDueCheck(due + 30000), 'the probe is a consent check, now');
  t.is(tracker.evaluate(due + 30000 + 29999), 'late');
  t.is(tracker.evaluate(due + 60000), 'expired');
});

test('consent.whenIdle and consent.keepaliveIntervalMs are checked: a typo or a Tr under 15 s (RFC 8445 §11) is ERR_ICE_BAD_OPTION', (t) => {
  const make = (consent: Record<string, unknown>) => () => new IceCore({ controlling: true, random: seededRandom(1), consent });
  t.throws(make({ whenIdle: 'sometimes' }), { code: 'ERR_ICE_BAD_OPTION', message: /consent\.whenIdle/ } as never);
  t.throws(make({ keepaliveIntervalMs: 14999 }), { code: 'ERR_ICE_BAD_OPTION', message: /consent\.keepaliveIntervalMs/ } as never);
  t.notThrows(make({ whenIdle: 'maintain', keepaliveIntervalMs: 60000 }));
  t.notThrows(make({}));
});
