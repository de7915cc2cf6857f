// HoldBuffer: the one "hold until the reader is ready" buffer (lib/hold-buffer.ts).
import test from 'ava';
import { HoldBuffer } from '../lib/hold-buffer.js';

const p = (text: string): Buffer => Buffer.from(text);

test('offer() holds within both bounds and refuses (holding nothing) beyond either', (t) => {
  const byCount = new HoldBuffer({ maxPackets: 2, maxBytes: 1000 });
  t.true(byCount.offer(p('a')));
  t.false(byCount.full);
  t.true(byCount.offer(p('bb')));
  t.true(byCount.full);
  t.false(byCount.offer(p('c')), 'a third packet is refused');
  t.is(byCount.size, 2);
  t.is(byCount.bytes, 3);

  const byBytes = new HoldBuffer({ maxPackets: 100, maxBytes: 5 });
  t.true(byBytes.offer(p('abc')));
  t.false(byBytes.offer(p('def')), '3 + 3 bytes would pass 5');
  t.true(byBytes.offer(p('de')), '3 + 2 bytes fit exactly');
  t.true(byBytes.full);
  t.false(byBytes.offer(p('f')), 'full by bytes');
  t.true(byBytes.offer(Buffer.alloc(0)), 'an empty packet still fits (it adds no byte)');
  t.is(byBytes.bytes, 5);

  const none = new HoldBuffer({ maxPackets: 0, maxBytes: 1000 });
  t.false(none.offer(p('x')), 'maxPackets 0 holds nothing');
});

test('push() always holds and says stop once a bound is reached', (t) => {
  const b = new HoldBuffer({ maxPackets: 2, maxBytes: 1000 });
  t.true(b.push(p('1')));
  t.false(b.push(p('2')), 'the second reaches maxPackets: stop the source');
  t.false(b.push(p('3')), 'what the source still hands over is held all the same');
  t.is(b.size, 3);
  const bytes = new HoldBuffer({ maxPackets: 100, maxBytes: 4 });
  t.true(bytes.push(p('ab')));
  t.false(bytes.push(p('cdef')), 'over maxBytes');
  t.is(bytes.bytes, 6);
});

test('shift() and drain() hand packets out once, oldest first; the bounds free up', (t) => {
  const b = new HoldBuffer({ maxPackets: 3, maxBytes: 100 });
  for (const s of ['1', '22', '333']) b.offer(p(s));
  t.is(String(b.shift()), '1');
  t.is(b.bytes, 5);
  t.false(b.full);
  const out: string[] = [];
  t.is(
    b.drain(
      () => true,
      (packet) => out.push(String(packet)),
    ),
    2,
  );
  t.deepEqual(out, ['22', '333']);
  t.is(b.size, 0);
  t.is(b.bytes, 0);
  t.is(b.shift(), undefined);
});

test('drain() stops when the reader stops being ready (a reader that pauses inside a delivery)', (t) => {
  const b = new HoldBuffer({ maxPackets: 10, maxBytes: 100 });
  for (const s of ['a', 'b', 'c']) b.offer(p(s));
  let ready = true;
  const out: string[] = [];
  b.drain(
    () => ready,
    (packet) => {
      out.push(String(packet));
      ready = false;
    },
  );
  t.deepEqual(out, ['a']);
  t.is(b.size, 2);
});

test('drain() is not re-entered: a reader resumed from inside a delivery lets the outer loop go on, in order', (t) => {
  const b = new HoldBuffer({ maxPackets: 10, maxBytes: 100 });
  for (const s of ['a', 'b', 'c']) b.offer(p(s));
  const out: string[] = [];
  const deliver = (packet: Buffer): void => {
    out.push(String(packet));
    t.is(
      b.drain(
        () => true,
        (inner) => out.push(`inner:${String(inner)}`),
      ),
      0,
      'the inner call returns at once',
    );
  };
  b.drain(() => true, deliver);
  t.deepEqual(out, ['a', 'b', 'c']);
});

test('clear() forgets everything and says how many; bad bounds are a RangeError', (t) => {
  const b = new HoldBuffer({ maxPackets: 10, maxBytes: 100 });
  b.offer(p('a'));
  b.offer(p('b'));
  t.is(b.clear(), 2);
  t.is(b.size, 0);
  t.is(b.bytes, 0);
  t.deepEqual(b.limits, { maxPackets: 10, maxBytes: 100 });
  t.throws(() => new HoldBuffer({ maxPackets: -1, maxBytes: 1 }), { instanceOf: RangeError });
  t.throws(() => new HoldBuffer({ maxPackets: 1, maxBytes: 1.5 }), { instanceOf: RangeError });
});
