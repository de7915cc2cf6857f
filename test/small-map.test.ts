import test from 'ava';
import { SmallMap } from '../lib/small-map.js';
import { flat } from '../lib/flat-string.js';

/** Runs the same operations on a SmallMap and a Map and compares what they say after each. */
function same(t: import('ava').ExecutionContext, ops: Array<['set', string, number] | ['delete', string] | ['clear']>): void {
  const small = new SmallMap<string, number>();
  const map = new Map<string, number>();
  for (const op of ops) {
    if (op[0] === 'set') {
      small.set(op[1], op[2]);
      map.set(op[1], op[2]);
    } else if (op[0] === 'delete') t.is(small.delete(op[1]), map.delete(op[1]), `delete ${op[1]}`);
    else {
      small.clear();
      map.clear();
    }
    t.is(small.size, map.size);
    t.deepEqual([...small], [...map]);
    t.deepEqual([...small.keys()], [...map.keys()]);
    t.deepEqual([...small.values()], [...map.values()]);
    for (const key of ['a', 'b', 'c', 'x']) {
      t.is(small.get(key), map.get(key), `get ${key}`);
      t.is(small.has(key), map.has(key), `has ${key}`);
    }
  }
}

test('SmallMap behaves as a Map through the one-entry field and the Map it grows into', (t) => {
  same(t, [
    ['set', 'a', 1],
    ['set', 'a', 2], // a known key keeps its place
    ['delete', 'x'],
    ['set', 'b', 3], // grows into a Map, order kept
    ['set', 'a', 4],
    ['set', 'c', 5],
    ['delete', 'a'],
    ['delete', 'b'],
    ['delete', 'c'], // empty: the Map goes
    ['set', 'c', 6],
    ['delete', 'c'],
    ['delete', 'c'],
    ['set', 'a', 7],
    ['set', 'b', 8],
    ['clear'],
    ['set', 'b', 9],
  ]);
});

test('SmallMap: deleting while iterating, as with a Map', (t) => {
  for (const n of [1, 3]) {
    const small = new SmallMap<number, string>();
    for (let i = 0; i < n; i++) small.set(i, `v${i}`);
    const seen: number[] = [];
    for (const [key] of small) {
      seen.push(key);
      small.delete(key);
    }
    t.deepEqual(
      seen,
      Array.from({ length: n }, (_, i) => i),
    );
    t.is(small.size, 0);
  }
});

test('SmallMap keeps undefined values and distinguishes a missing key', (t) => {
  const small = new SmallMap<string, undefined>();
  small.set('a', undefined);
  t.true(small.has('a'));
  t.false(small.has('b'));
  t.is(small.size, 1);
});

test('flat returns the same text (a flat copy), and a string normalization would change as it is', (t) => {
  const port = String(40_000 + Math.floor(Math.random() * 1000));
  const built = 'tcp-passive:' + '127.0.0.1' + ':' + port;
  t.is(flat(built), `tcp-passive:127.0.0.1:${port}`);
  const decomposed = 'caf\u0065\u0301-tcp-passive-1234567890';
  t.is(flat(decomposed), decomposed);
  t.is(flat(''), '');
});
