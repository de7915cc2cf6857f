// Property tests of the STUN codec (issue 2, point 5): encode -> decode
// round-trips for random attribute sets, and random mutations of valid
// messages never throw anything but StunError. FC_RUNS sets the number of
// runs (default 10,000 each).
import test from 'ava';
import fc from 'fast-check';
import { SocketAddress } from 'node:net';
import {
  StunClass,
  StunError,
  decodeStun,
  encodeStun,
  findAttribute,
  isStun,
  verifyFingerprint,
  verifyIntegrity,
  verifyIntegritySha256,
  type StunAttributes,
  type StunMessageInit,
  type TransportAddress,
} from '../../lib/stun/index.js';
import { FC_RUNS } from './helpers.js';

const KNOWN = new Set([
  0x0001, 0x0006, 0x0008, 0x0009, 0x000a, 0x0014, 0x0015, 0x001c, 0x0020, 0x0024, 0x0025, 0x8022, 0x8023, 0x8028, 0x8029, 0x802a,
]);

const text = fc.string({ unit: 'binary', maxLength: 40 });
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join('.'));
const word = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
// node:net's own printing of the address is the canonical form we expect back.
const ipv6 = fc
  .array(word, { minLength: 8, maxLength: 8 })
  .map((w) => new SocketAddress({ address: w.map((x) => x.toString(16)).join(':'), family: 'ipv6' }).address);
const transportAddress: fc.Arbitrary<TransportAddress> = fc.oneof(
  fc.record({ family: fc.constant(4 as const), address: ipv4, port: fc.nat(0xffff) }),
  fc.record({ family: fc.constant(6 as const), address: ipv6, port: fc.nat(0xffff) }),
);
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });

const attributes: fc.Arbitrary<StunAttributes> = fc.record(
  {
    username: text,
    priority: fc.integer({ min: 0, max: 0xffffffff }),
    useCandidate: fc.constant(true),
    iceControlling: u64,
    iceControlled: u64,
    xorMappedAddress: transportAddress,
    mappedAddress: transportAddress,
    alternateServer: transportAddress,
    errorCode: fc.record({ code: fc.integer({ min: 300, max: 699 }), reason: text }),
    unknownAttributes: fc.array(fc.nat(0xffff), { maxLength: 7 }),
    realm: text,
    nonce: text,
    software: text,
  },
  { requiredKeys: [] },
);

const extraType = fc.integer({ min: 0, max: 0xffff }).filter((t) => !KNOWN.has(t));
const extraAttributes = fc.array(fc.record({ type: extraType, value: fc.uint8Array({ maxLength: 24 }) }), { maxLength: 4 });

const init: fc.Arbitrary<StunMessageInit> = fc.record({
  class: fc.constantFrom(StunClass.Request, StunClass.Indication, StunClass.SuccessResponse, StunClass.ErrorResponse),
  method: fc.nat(0xfff),
  transactionId: fc.uint8Array({ minLength: 12, maxLength: 12 }),
  attributes,
  extraAttributes,
});

const options = fc.record({
  integrityKey: fc.option(fc.uint8Array({ minLength: 1, maxLength: 32 }), { nil: undefined }),
  integritySha256Key: fc.option(fc.uint8Array({ minLength: 1, maxLength: 32 }), { nil: undefined }),
  fingerprint: fc.boolean(),
});

test('encode -> decode round-trips random messages, and integrity / fingerprint verify', (t) => {
  fc.assert(
    fc.property(init, options, (msg, opts) => {
      const buf = encodeStun(msg, opts);
      const m = decodeStun(buf);
      t.is(m.class, msg.class);
      t.is(m.method, msg.method);
      t.deepEqual(new Uint8Array(m.transactionId), msg.transactionId);
      t.deepEqual(m.attributes, msg.attributes);
      // Unknown attributes: the comprehension-required ones are reported once each, in order.
      const required = [...new Set(msg.extraAttributes!.map((x) => x.type).filter((x) => x < 0x8000))];
      t.deepEqual(m.unknownRequired, required);
      for (const x of msg.extraAttributes!) {
        const first = msg.extraAttributes!.find((y) => y.type === x.type)!;
        t.deepEqual(new Uint8Array(findAttribute(m, x.type)!), first.value);
      }
      t.is(verifyIntegrity(m, opts.integrityKey ?? new Uint8Array(1)), opts.integrityKey !== undefined);
      t.is(verifyIntegritySha256(m, opts.integritySha256Key ?? new Uint8Array(1)), opts.integritySha256Key !== undefined);
      t.is(verifyFingerprint(m), opts.fingerprint);
      t.true(isStun(buf, { requireFingerprint: opts.fingerprint }));
    }),
    { numRuns: FC_RUNS },
  );
});

/** A mutation of a valid message. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bits: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }), fixLength: fc.boolean() }),
  fc.record({ kind: fc.constant('overwrite' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('length16' as const), at: fc.nat(), value: fc.nat(0xffff) }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }), fixLength: fc.boolean() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(src: Buffer, muts: Mutation[]): Buffer {
  let b = Buffer.from(src);
  for (const m of muts) {
    const n = b.length;
    switch (m.kind) {
      case 'flip':
        if (n > 0) b[m.at % n] ^= m.bits;
        break;
      case 'truncate':
        b = b.subarray(0, m.at % (n + 1));
        break;
      case 'append':
        b = Buffer.concat([b, m.bytes]);
        if (m.fixLength && b.length >= 4) b.writeUInt16BE((b.length - 20) & 0xffff, 2);
        break;
      case 'overwrite':
        if (n > 0) b.set(m.bytes.subarray(0, Math.max(0, n - (m.at % n))), m.at % n);
        break;
      case 'length16': {
        // Rewrite a 16-bit field on a 4-byte boundary: the header length or an attribute length/type.
        const at = (m.at % Math.max(1, n >> 1)) * 2;
        if (at + 2 <= n) b.writeUInt16BE(m.value, at);
        break;
      }
      case 'splice': {
        const at = n > 0 ? m.at % n : 0;
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.count)]);
        if (m.fixLength && b.length >= 4) b.writeUInt16BE((b.length - 20) & 0xffff, 2);
        break;
      }
    }
  }
  return b;
}

/** Everything a receiver does with a packet; only StunError may escape. */
function receive(bytes: Uint8Array): void {
  isStun(bytes);
  isStun(bytes, { requireFingerprint: true });
  const m = decodeStun(bytes);
  verifyIntegrity(m, new Uint8Array([1, 2, 3]));
  verifyIntegritySha256(m, new Uint8Array([1, 2, 3]));
  verifyFingerprint(m);
  findAttribute(m, 0x8099);
}

test('random mutations of valid messages throw nothing but StunError', (t) => {
  let decoded = 0;
  let rejected = 0;
  fc.assert(
    fc.property(
      init,
      options,
      fc.array(mutation, { minLength: 1, maxLength: 4 }),
      // Or: attributes of *known* types with random values, to reach every value check.
      fc.option(
        fc.array(
          fc.record({
            type: fc.constantFrom(...KNOWN).filter((x) => x !== 0x0008 && x !== 0x001c && x !== 0x8028),
            value: fc.uint8Array({ maxLength: 24 }),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        { nil: undefined },
      ),
      (msg, opts, muts, knownExtras) => {
        const src = encodeStun(knownExtras ? { ...msg, attributes: {}, extraAttributes: knownExtras } : msg, opts);
        const bytes = mutate(src, muts);
        try {
          receive(bytes);
          decoded++;
        } catch (e) {
          if (!(e instanceof StunError)) throw e;
          rejected++;
        }
      },
    ),
    { numRuns: FC_RUNS },
  );
  t.log(`decoded ${decoded}, rejected ${rejected}`);
  t.true(decoded > 0 && rejected > 0, 'both outcomes occur');
});

test('random bytes behind a valid header throw nothing but StunError', (t) => {
  fc.assert(
    fc.property(fc.nat(0x3fff), fc.uint8Array({ maxLength: 96 }), fc.boolean(), (type, body, fixLength) => {
      const header = Buffer.alloc(20);
      header.writeUInt16BE(type, 0);
      header.writeUInt16BE(fixLength ? body.length : (body.length + 3) & ~3, 2);
      header.writeUInt32BE(0x2112a442, 4);
      try {
        receive(Buffer.concat([header, body]));
      } catch (e) {
        if (!(e instanceof StunError)) throw e;
      }
    }),
    { numRuns: FC_RUNS },
  );
  t.pass();
});
