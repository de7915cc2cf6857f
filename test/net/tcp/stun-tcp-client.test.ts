// The answer reader of the STUN-over-TCP client: RFC 4571 answers through
// FrameDecoder, bare STUN messages by their own length (RFC 8489 §6.2.2).
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { encodeFrame } from '../../../lib/framing/index.js';
import { answerReader } from '../../../lib/net/tcp/stun-tcp-client.js';
import { StunClass, StunMethod, encodeStun } from '../../../lib/stun/index.js';

const answer = (): Buffer =>
  encodeStun(
    {
      class: StunClass.SuccessResponse,
      method: StunMethod.Binding,
      transactionId: randomBytes(12),
      attributes: { xorMappedAddress: { family: 4, address: '192.0.2.1', port: 4242 } },
    },
    { fingerprint: true },
  );

test('rfc4571: an answer cut at every byte comes out whole, once complete', (t) => {
  const message = answer();
  const stream = encodeFrame(message);
  for (let cut = 1; cut < stream.length; cut++) {
    const read = answerReader('rfc4571');
    t.is(read(stream.subarray(0, cut)), undefined, `cut at ${cut}`);
    t.deepEqual(read(stream.subarray(cut)), message);
  }
});

test('rfc4571: several frames in one chunk: the first is the answer', (t) => {
  const first = answer();
  const read = answerReader('rfc4571');
  t.deepEqual(read(Buffer.concat([encodeFrame(first), encodeFrame(answer()), Buffer.from([0, 9, 1])])), first);
});

test('rfc4571: a header announcing more than 1500 bytes is oversized at once, even split', (t) => {
  t.is(answerReader('rfc4571')(Buffer.from([0x05, 0xdd])), 'oversized', '1501');
  const read = answerReader('rfc4571');
  t.is(read(Buffer.from([0xff])), undefined);
  t.is(read(Buffer.from([0xff])), 'oversized');
  const max = answerReader('rfc4571')(Buffer.concat([Buffer.from([0x05, 0xdc]), Buffer.alloc(1500)]));
  t.true(Buffer.isBuffer(max) && max.length === 1500, '1500 is fine');
});

test('plain: bare STUN delimited by its length field, split or followed by more', (t) => {
  const message = answer();
  const read = answerReader('plain');
  t.is(read(message.subarray(0, 3)), undefined);
  t.is(read(message.subarray(3, 25)), undefined);
  t.deepEqual(read(Buffer.concat([message.subarray(25), Buffer.from('more')])), message);
  const big = Buffer.alloc(20);
  big.writeUInt16BE(1500, 2);
  t.is(answerReader('plain')(big), 'oversized');
});
