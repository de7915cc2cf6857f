import test from 'ava';
import { Fifo } from '../../lib/ice/outputs.js';

test('Fifo hands items out once, in order, and compacts behind a long-lived head', (t) => {
  const q = new Fifo<number>();
  t.is(q.shift(), undefined);
  for (let i = 0; i < 3000; i++) q.push(i);
  const out: number[] = [];
  for (let i = 0; i < 2000; i++) out.push(q.shift()!);
  t.is(q.length, 1000);
  q.push(3000);
  for (let v = q.shift(); v !== undefined; v = q.shift()) out.push(v);
  t.deepEqual(
    out,
    Array.from({ length: 3001 }, (_, i) => i),
  );
  t.is(q.length, 0);
});
