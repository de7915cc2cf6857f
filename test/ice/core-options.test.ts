import test from 'ava';
import { resolveOptions } from '../../lib/ice/core-options.js';
import type { IceCoreOptions } from '../../lib/ice/types.js';

const random = { bytes: (n: number) => Buffer.alloc(n, 7) };

test('agents resolved to the same options share one frozen object (README "Capacity and speed")', (t) => {
  const make = (): IceCoreOptions => ({ controlling: true, random, priority: { preferTcp: false }, consent: { intervalMs: 5000 } });
  const a = resolveOptions(make());
  const b = resolveOptions({ ...make(), controlling: false }); // the role is not an option the core keeps
  t.is(a, b);
  t.true(Object.isFrozen(a) && Object.isFrozen(a.consent) && Object.isFrozen(a.tcp) && Object.isFrozen(a.tcp.soRetry));
  t.true(Object.isFrozen(a.priority));
  t.throws(() => {
    (a as { ta: number }).ta = 5;
  });
});

test('different values get their own resolved options; the caller changing its objects later changes nothing', (t) => {
  const priority = { preferTcp: true, typePreferences: { host: 120 } };
  const a = resolveOptions({ controlling: true, random, priority });
  priority.preferTcp = false;
  priority.typePreferences.host = 1;
  t.true(a.priority.preferTcp);
  t.is(a.priority.typePreferences?.host, 120);
  const b = resolveOptions({ controlling: true, random, priority: { preferTcp: true, typePreferences: { host: 110 } } });
  t.not(a, b);
  t.is(b.priority.typePreferences?.host, 110);
  const c = resolveOptions({ controlling: true, random, ta: 20 });
  t.not(b, c);
  t.is(c.ta, 20);
  t.is(resolveOptions({ controlling: true, random, consent: { expiryMs: 20_000 } }).consent.expiryMs, 20_000);
});
