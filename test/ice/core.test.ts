import test from 'ava';
import { Loop, eventsOf } from './support/loop.js';

test('two full agents connect over UDP and exchange data', (t) => {
  const loop = new Loop();
  const a = loop.agent('a', { controlling: true }, 1);
  const b = loop.agent('b', { controlling: false }, 2);
  const ca = loop.addUdpHost(a, '10.0.0.1', 5000);
  const cb = loop.addUdpHost(b, '10.0.0.2', 6000);
  loop.signal(a, b, [ca], [cb]);
  loop.run(5000);
  t.is(a.core.state, 'completed');
  t.is(b.core.state, 'completed');
  const selA = eventsOf(a, 'selected-pair');
  const selB = eventsOf(b, 'selected-pair');
  t.is(selA.length, 1);
  t.is(selB.length, 1);
  t.true(selA[0]!.pair.nominated);
  t.true(loop.sendData(a, 1, Buffer.from([0x80, 1, 2, 3])));
  t.true(loop.sendData(b, 1, Buffer.from([0x80, 4, 5, 6])));
  loop.run(loop.now + 100);
  t.deepEqual(b.data.map((d) => [...d]), [[0x80, 1, 2, 3]]);
  t.deepEqual(a.data.map((d) => [...d]), [[0x80, 4, 5, 6]]);
});
