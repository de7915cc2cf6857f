import test from 'ava';
import { TlsStartGate } from '../../lib/secure/index.js';

const run = (gate: TlsStartGate, packets: number[][]): number[][] => {
  const out: number[][] = [];
  for (const p of packets) gate.push(Buffer.from(p), (b) => out.push([...b]));
  return out;
};

test('a TLS handshake record opens the gate and everything after passes', (t) => {
  const gate = new TlsStartGate();
  t.false(gate.isOpen);
  t.deepEqual(run(gate, [[22, 3, 1, 0, 5], [1, 2, 3], [0xff]]), [[22, 3, 1, 0, 5], [1, 2, 3], [0xff]]);
  t.true(gate.isOpen);
  t.is(gate.droppedPackets, 0);
});

test('an alert record (a server refusing a ClientHello) also opens it', (t) => {
  const gate = new TlsStartGate();
  t.deepEqual(run(gate, [[21, 3, 3, 0, 2, 2, 40]]), [[21, 3, 3, 0, 2, 2, 40]]);
  t.true(gate.isOpen);
});

test('cleartext before TLS is dropped and counted; the handshake that follows passes', (t) => {
  const gate = new TlsStartGate();
  const hello = [...Buffer.from('hello before TLS')];
  t.deepEqual(run(gate, [hello, [0x16, 0x04], [22, 3, 3, 0, 1]]), [[22, 3, 3, 0, 1]]);
  t.is(gate.droppedPackets, 2);
  t.true(gate.isOpen);
});

test('records split into 1-byte packets are held until the version byte decides', (t) => {
  const gate = new TlsStartGate();
  t.deepEqual(run(gate, [[22]]), []);
  t.false(gate.isOpen);
  t.deepEqual(run(gate, [[3], [1], [0]]), [[22], [3], [1], [0]]);
  t.true(gate.isOpen);
});

test('a held byte followed by a non-TLS byte is dropped, and a real start right after still opens', (t) => {
  const gate = new TlsStartGate();
  // 22 then 22,3: the first 22 was not followed by 3, but the second packet starts TLS by itself.
  t.deepEqual(run(gate, [[22], [22, 3, 1]]), [[22, 3, 1]]);
  t.is(gate.droppedPackets, 1);
  const gate2 = new TlsStartGate();
  t.deepEqual(run(gate2, [[21], [22], [3]]), [[22], [3]]);
  t.is(gate2.droppedPackets, 1);
  const gate3 = new TlsStartGate();
  t.deepEqual(run(gate3, [[22], [7, 7]]), []);
  t.is(gate3.droppedPackets, 2);
});

test('empty packets are skipped before the gate opens and passed after', (t) => {
  const gate = new TlsStartGate();
  t.deepEqual(run(gate, [[], [22, 3], []]), [[22, 3], []]);
  t.is(gate.droppedPackets, 0);
});
