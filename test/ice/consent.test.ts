import test from 'ava';
import { ConsentTracker, MIN_CONSENT_INTERVAL_MS } from '../../lib/ice/consent.js';
import { seededRandom } from '../../lib/ice/seeded-random.js';

const timing = { intervalMs: 5000, expiryMs: 30000, disconnectedAfterMs: 10000 };

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
