// The process-wide timer of the ICE runtimes (lib/net/agent/timer-wheel.ts):
// slots fire in deadline order, not before their deadline; moving and
// cancelling a slot work at any heap position; a slot re-armed from its
// callback for a past time waits for the next tick; one throwing callback
// does not stop the others; and no Node timer is left once every slot is
// disarmed (the process can exit); deadlines a second or more ahead share
// wake-ups on a 32/64 ms grid, never early, at most one grid step late.
import test from 'ava';
import { performance } from 'node:perf_hooks';
import { TimerSlot, TimerWheel, fireTime } from '../../lib/net/agent/timer-wheel.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('slots fire in deadline order, never before their deadline, once each', async (t) => {
  const wheel = new TimerWheel();
  const fired: Array<{ i: number; late: number }> = [];
  const base = performance.now();
  // 200 deadlines in shuffled order, 0..99 ms ahead (some equal).
  const order = Array.from({ length: 200 }, (_, i) => i).sort((a, b) => ((a * 7919) % 200) - ((b * 7919) % 200));
  for (const i of order) {
    const at = base + (i % 100);
    const slot = new TimerSlot(() => fired.push({ i, late: performance.now() - at }));
    wheel.schedule(slot, at);
  }
  t.is(wheel.size, 200);
  while (fired.length < 200) await sleep(20);
  await sleep(30);
  t.is(fired.length, 200, 'each fired once');
  t.true(
    fired.every((f) => f.late >= -1),
    'none fired early',
  );
  const deadlines = fired.map((f) => f.i % 100);
  t.deepEqual(
    deadlines,
    [...deadlines].sort((a, b) => a - b),
    'in deadline order',
  );
  t.is(wheel.size, 0);
});

test('moving a slot later, earlier, and cancelling it anywhere in the heap', async (t) => {
  const wheel = new TimerWheel();
  const fired: string[] = [];
  const now = performance.now();
  const slots = Array.from({ length: 50 }, (_, i) => new TimerSlot(() => fired.push(`s${i}`)));
  slots.forEach((s, i) => wheel.schedule(s, now + 200 + i));
  wheel.schedule(slots[0], now + 10_000); // later
  wheel.schedule(slots[49], now + 5); // earlier
  for (const i of [10, 20, 30, 40]) wheel.cancel(slots[i]);
  wheel.cancel(slots[10]); // twice: nothing
  t.is(wheel.size, 46);
  t.is(slots[20].index, -1);
  // 50 slots, 4 cancelled, 1 moved 10 s ahead: 45 fire (within a generous wait on a loaded machine).
  for (let waited = 0; fired.length < 45 && waited < 10_000; waited += 50) await sleep(50);
  await sleep(50);
  t.is(fired[0], 's49');
  t.false(fired.includes('s0'), 'moved later: not yet');
  t.false(
    ['s10', 's20', 's30', 's40'].some((s) => fired.includes(s)),
    'cancelled ones never fire',
  );
  t.is(fired.length, 45);
  wheel.cancel(slots[0]);
  t.is(wheel.size, 0);
});

test('a slot re-armed from its callback for a past time fires on a later tick, not in the same pass', async (t) => {
  const wheel = new TimerWheel();
  let runs = 0;
  let other = 0;
  const slot = new TimerSlot(() => {
    runs++;
    if (runs < 3) wheel.schedule(slot, performance.now() - 1);
  });
  const sibling = new TimerSlot(() => other++);
  const at = performance.now() + 5;
  wheel.schedule(slot, at);
  wheel.schedule(sibling, at);
  for (let waited = 0; runs < 3 && waited < 10_000; waited += 20) await sleep(20);
  t.is(runs, 3);
  t.is(other, 1);
  t.is(wheel.size, 0);
});

test('a throwing callback does not stop the others; the error surfaces on its own tick', async (t) => {
  const wheel = new TimerWheel();
  const seen: unknown[] = [];
  const listeners = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  process.on('uncaughtException', (error) => seen.push(error));
  try {
    let ran = false;
    const at = performance.now() + 2;
    wheel.schedule(
      new TimerSlot(() => {
        throw new Error('boom');
      }),
      at,
    );
    wheel.schedule(
      new TimerSlot(() => {
        ran = true;
      }),
      at,
    );
    await sleep(50);
    t.true(ran);
    t.is(seen.length, 1);
    t.is((seen[0] as Error).message, 'boom');
  } finally {
    process.removeAllListeners('uncaughtException');
    for (const l of listeners) process.on('uncaughtException', l);
  }
});

test('fireTime: exact below 1 s ahead; on a 32 ms grid 1-2 s ahead and a 64 ms grid beyond; never early, less than one step late', (t) => {
  const now = 12345.678;
  for (const ahead of [0, 0.5, 1, 50, 500, 999.9]) t.is(fireTime(now + ahead, now), now + ahead);
  t.is(fireTime(now - 5, now), now - 5, 'a past deadline stays as it is');
  for (let ahead = 1000; ahead < 30_000; ahead += 7.31) {
    const at = now + ahead;
    const fire = fireTime(at, now);
    const grid = ahead < 2000 ? 32 : 64;
    t.true(fire >= at && fire - at < grid, `${ahead} ms ahead: fires ${fire - at} ms late`);
    t.is(fire % grid, 0);
  }
});

test('deadlines seconds ahead in one grid cell fire in one pass, in deadline order, none early', async (t) => {
  const wheel = new TimerWheel();
  const now = performance.now();
  const cellEnd = Math.ceil((now + 2100) / 64) * 64;
  const fired: Array<{ i: number; pass: number; early: boolean }> = [];
  let passes = 0;
  let inPass = false;
  // 40 deadlines in the 60 ms before the end of one 64 ms cell, 2.1 s or more ahead, scheduled in shuffled order.
  const deadlines = Array.from({ length: 40 }, (_, i) => cellEnd - 60 + i * 1.5);
  for (const i of Array.from({ length: 40 }, (_, k) => (k * 17) % 40)) {
    wheel.schedule(
      new TimerSlot(() => {
        if (!inPass) {
          passes++;
          inPass = true;
          process.nextTick(() => (inPass = false));
        }
        fired.push({ i, pass: passes, early: performance.now() < deadlines[i] });
      }),
      deadlines[i],
    );
  }
  for (let waited = 0; fired.length < 40 && waited < 20_000; waited += 50) await sleep(50);
  t.is(fired.length, 40);
  t.is(passes, 1, 'one wake-up for the 40 deadlines');
  t.false(
    fired.some((f) => f.early),
    'none early',
  );
  t.deepEqual(
    fired.map((f) => f.i),
    Array.from({ length: 40 }, (_, i) => i),
    'in deadline order',
  );
  t.is(wheel.size, 0);
});
