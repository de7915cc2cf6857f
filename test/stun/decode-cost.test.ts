/**
 * The cost of decoding a hostile message before any authentication: linear
 * in its size, with a bounded list of unknown comprehension-required types
 * (RFC 8489 §6.3.1 needs one to answer 420). A regression: a 64 KiB
 * datagram with ~16,000 distinct unknown types once cost 100-200 ms (an
 * `includes` per attribute over a growing list).
 */
import test from 'ava';
import { answerBindingRequest } from '../../lib/net/stun-server/binding-responder.js';
import { MAX_UNKNOWN_REQUIRED, decodeStun } from '../../lib/stun/index.js';

/** A Binding request of `n` empty attributes of distinct unknown comprehension-required types (0x0100 + i). */
function manyUnknown(n: number): Buffer {
  const b = Buffer.alloc(20 + 4 * n);
  b.writeUInt16BE(0x0001, 0);
  b.writeUInt16BE(4 * n, 2);
  b.writeUInt32BE(0x2112a442, 4);
  for (let i = 0; i < n; i++) b.writeUInt16BE(0x0100 + i, 20 + 4 * i);
  return b;
}

/** The most that fit one IPv4 UDP datagram (65,507 bytes of payload): a 65,504-byte message. */
const MOST = Math.floor((65_507 - 20) / 4); // 16,371

/** Median and minimum of `runs` decodes, in ms. */
function time(message: Buffer, runs: number): { median: number; min: number } {
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    decodeStun(message);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[runs >> 1], min: samples[0] };
}

test.serial('the 64 KiB message of 16,371 distinct unknown required types decodes in a few ms', (t) => {
  const message = manyUnknown(MOST);
  t.is(message.length, 65_504);
  time(message, 3); // warm up
  const { median } = time(message, 9);
  t.log(`median decode of the 64 KiB case: ${median.toFixed(3)} ms`);
  t.true(median < 20, `median ${median.toFixed(2)} ms`);
});

test.serial('decode work is linear: 16x the attributes cost far less than 256x the time', (t) => {
  const small = manyUnknown(1000);
  const large = manyUnknown(16_000);
  time(small, 5);
  time(large, 5);
  // Minimum of many runs: the least disturbed by other load on the machine.
  const ratio = time(large, 21).min / time(small, 21).min;
  t.log(`16,000 vs 1,000 attributes: ${ratio.toFixed(1)}x the time (linear: ~16x, quadratic: ~256x)`);
  t.true(ratio < 64, `ratio ${ratio.toFixed(1)}`);
});

test('unknownRequired stops at MAX_UNKNOWN_REQUIRED distinct types, in order, and says it was cut', (t) => {
  const m = decodeStun(manyUnknown(MOST));
  t.is(m.unknownRequired.length, MAX_UNKNOWN_REQUIRED);
  t.deepEqual(
    m.unknownRequired,
    Array.from({ length: MAX_UNKNOWN_REQUIRED }, (_, i) => 0x0100 + i),
  );
  t.true(m.unknownRequiredTruncated);
  const exact = decodeStun(manyUnknown(MAX_UNKNOWN_REQUIRED));
  t.is(exact.unknownRequired.length, MAX_UNKNOWN_REQUIRED);
  t.false(exact.unknownRequiredTruncated, 'exactly the bound: nothing left out');
});

test('duplicates never count against the bound', (t) => {
  // 40 copies of each of 3 types: 3 listed, nothing cut.
  const b = manyUnknown(120);
  for (let i = 0; i < 120; i++) b.writeUInt16BE(0x0100 + (i % 3), 20 + 4 * i);
  const m = decodeStun(b);
  t.deepEqual(m.unknownRequired, [0x0100, 0x0101, 0x0102]);
  t.false(m.unknownRequiredTruncated);
});

test('the STUN server still answers 420 to the hostile message, with a bounded UNKNOWN-ATTRIBUTES (RFC 8489 §6.3.1)', (t) => {
  const answer = answerBindingRequest(manyUnknown(MOST), { family: 4, address: '127.0.0.1', port: 5000 });
  t.is(answer.kind, 'error');
  const response = decodeStun(answer.response!);
  t.is(response.attributes.errorCode?.code, 420);
  t.is(response.attributes.unknownAttributes?.length, MAX_UNKNOWN_REQUIRED);
  t.true(answer.response!.length < 200, `a ${answer.response!.length}-byte answer`);
});
