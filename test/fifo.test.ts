import test from 'ava';
import { Fifo } from '../lib/fifo.js';

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

test('Fifo: peek does not take, clear forgets and says how many', (t) => {
  const q = new Fifo<string>();
  t.is(q.peek(), undefined);
  q.push('a');
  q.push('b');
  t.is(q.peek(), 'a');
  t.is(q.length, 2);
  t.is(q.clear(), 2);
  t.is(q.length, 0);
  t.is(q.shift(), undefined);
});
