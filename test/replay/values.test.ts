/**
 * The value encoding of recordings and the comparison that names the first
 * difference.
 */
import test from 'ava';
import { decodeValue, encodeValue, findDifference, summarize } from '../../lib/replay/index.js';

test('encodeValue/decodeValue round-trip what crosses the core surface', (t) => {
  const value = {
    data: Buffer.from('0001ff', 'hex'),
    view: new Uint8Array([1, 2, 3]).subarray(1),
    tieBreaker: 0xffffffffffffffffn,
    list: [1, undefined, 'x', null, true],
    absent: undefined,
    odd: [NaN, Infinity, -Infinity],
    nested: { $weird: 1, plain: { deeper: [Buffer.alloc(0)] } },
  };
  const encoded = encodeValue(value);
  const json = JSON.parse(JSON.stringify(encoded));
  const back = decodeValue(json) as typeof value & { view: Buffer };
  t.true(Buffer.isBuffer(back.data));
  t.deepEqual([...back.data], [0, 1, 255]);
  t.deepEqual([...back.view], [2, 3], 'a view encodes only its own bytes');
  t.is(back.tieBreaker, 0xffffffffffffffffn);
  t.deepEqual(back.list, [1, undefined, 'x', null, true]);
  t.false('absent' in back);
  t.true(Number.isNaN(back.odd[0]));
  t.deepEqual(back.odd.slice(1), [Infinity, -Infinity]);
  t.deepEqual(back.nested.$weird, 1, 'keys starting with $ survive');
  t.is((back.nested.plain.deeper[0] as Buffer).length, 0);
  t.deepEqual(
    encodeValue(() => 1),
    { $unsupported: 'function' },
  );
  t.deepEqual(encodeValue(Symbol('s')), { $unsupported: 'symbol' });
});

test('findDifference names the first differing place', (t) => {
  const e = encodeValue({ to: { address: '10.0.0.1', port: 1 }, data: Buffer.from([1, 2, 3]), list: [1, 2] });
  t.is(findDifference(e, e), undefined);
  t.deepEqual(findDifference(e, encodeValue({ to: { address: '10.0.0.1', port: 2 }, data: Buffer.from([1, 2, 3]), list: [1, 2] })), {
    path: '.to.port',
    expected: '1',
    actual: '2',
  });
  t.deepEqual(
    findDifference(e, encodeValue({ to: { address: '10.0.0.1', port: 1 }, data: Buffer.from([1, 9, 3]), list: [1, 2] }))?.path,
    '.data[byte 1]',
  );
  const shorter = findDifference(e, encodeValue({ to: { address: '10.0.0.1', port: 1 }, data: Buffer.from([1, 2]), list: [1, 2] }))!;
  t.is(shorter.path, '.data[byte 2]');
  t.is(shorter.actual, '(end) (2 bytes)');
  t.is(
    findDifference(e, encodeValue({ to: { address: '10.0.0.1', port: 1 }, data: Buffer.from([1, 2, 3]), list: [1, 2, 3] }))?.path,
    '.list.length',
  );
  t.is(findDifference(e, encodeValue({ to: { address: '10.0.0.1', port: 1 }, data: Buffer.from([1, 2, 3]) }))?.path, '.list');
  t.is(findDifference(encodeValue(1), encodeValue('1'))?.path, '(root)');
  t.is(findDifference(undefined, encodeValue(1))?.expected, '(absent)');
  t.is(findDifference(encodeValue({ reason: 'a', n: 1 }), encodeValue({ reason: 'b', n: 1 }), '', new Set(['reason'])), undefined);
});

test('summaries are short', (t) => {
  t.regex(summarize(encodeValue(Buffer.alloc(100, 0xab))), /^<100 bytes (ab){24}…>$/);
  t.true(summarize(encodeValue('x'.repeat(1000))).length < 200);
  t.is(summarize(encodeValue({ a: 1 })), '{"a":1}');
});
