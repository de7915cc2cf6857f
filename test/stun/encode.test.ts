import test from 'ava';
import {
  MAGIC_COOKIE,
  StunAttr,
  StunClass,
  StunMethod,
  decodeStun,
  encodeStun,
  findAttribute,
  stunErrorReason,
  type StunMessageInit,
} from '../../lib/stun/index.js';
import { TID, throwsStun } from './helpers.js';

const base = (attributes: StunMessageInit['attributes'] = {}): StunMessageInit => ({
  class: StunClass.Request,
  method: StunMethod.Binding,
  transactionId: TID,
  attributes,
});

/** [type, length, value offset] of each attribute of an encoded message. */
function walk(buf: Buffer): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  for (let o = 20; o < buf.length;) {
    const len = buf.readUInt16BE(o + 2);
    out.push([buf.readUInt16BE(o), len, o + 4]);
    o += 4 + ((len + 3) & ~3);
  }
  return out;
}

test('the header: type per class (RFC 8489 §5), length, cookie, transaction id', (t) => {
  const types: Array<[StunClass, number]> = [
    [StunClass.Request, 0x0001],
    [StunClass.Indication, 0x0011],
    [StunClass.SuccessResponse, 0x0101],
    [StunClass.ErrorResponse, 0x0111],
  ];
  for (const [cls, type] of types) {
    const buf = encodeStun({ class: cls, method: StunMethod.Binding, transactionId: TID });
    t.is(buf.length, 20);
    t.is(buf.readUInt16BE(0), type);
    t.is(buf.readUInt16BE(2), 0);
    t.is(buf.readUInt32BE(4), MAGIC_COOKIE);
    t.deepEqual(buf.subarray(8), TID);
  }
  t.is(encodeStun({ class: StunClass.ErrorResponse, method: 0xfff, transactionId: TID }).readUInt16BE(0), 0x3fff);
});

test('known attributes are written in the documented order, with zero padding', (t) => {
  // Fill the allocation pool with garbage first, so that unwritten padding would show.
  for (let i = 0; i < 64; i++) Buffer.allocUnsafe(128).fill(0xee);
  const buf = encodeStun(
    base({
      username: 'a:b',
      realm: 'r',
      nonce: 'nn',
      software: 'sw',
      priority: 1,
      iceControlled: 2n,
      iceControlling: 3n,
      useCandidate: true,
      mappedAddress: { family: 4, address: '10.0.0.1', port: 1 },
      xorMappedAddress: { family: 6, address: '::1', port: 2 },
      alternateServer: { family: 4, address: '10.0.0.2', port: 3 },
      errorCode: { code: 420, reason: 'Unknown Attribute' },
      unknownAttributes: [0x0003],
    }),
    { integrityKey: Buffer.from('k'), integritySha256Key: Buffer.from('k2'), fingerprint: true },
  );
  const types = walk(buf).map(([type]) => type);
  t.deepEqual(types, [
    StunAttr.Software,
    StunAttr.MappedAddress,
    StunAttr.XorMappedAddress,
    StunAttr.AlternateServer,
    StunAttr.ErrorCode,
    StunAttr.UnknownAttributes,
    StunAttr.Priority,
    StunAttr.IceControlled,
    StunAttr.IceControlling,
    StunAttr.UseCandidate,
    StunAttr.Username,
    StunAttr.Nonce,
    StunAttr.Realm,
    StunAttr.MessageIntegrity,
    StunAttr.MessageIntegritySha256,
    StunAttr.Fingerprint,
  ]);
  for (const [, len, v] of walk(buf)) {
    for (let i = v + len; i < v + ((len + 3) & ~3); i++) t.is(buf[i], 0, `padding byte at ${i}`);
  }
  t.is(buf.readUInt16BE(2), buf.length - 20);
});

test('ERROR-CODE: class and number split (RFC 8489 §14.8); UNKNOWN-ATTRIBUTES padded normally', (t) => {
  const buf = encodeStun({
    class: StunClass.ErrorResponse,
    method: 1,
    transactionId: TID,
    attributes: { errorCode: { code: 487, reason: stunErrorReason(487) }, unknownAttributes: [0x7fff] },
  });
  const [[, len, v], [, ulen, uv]] = walk(buf);
  t.is(len, 4 + 'Role Conflict'.length);
  t.deepEqual([...buf.subarray(v, v + 4)], [0, 0, 4, 87]);
  t.is(buf.toString('utf8', v + 4, v + len), 'Role Conflict');
  t.is(ulen, 2);
  t.deepEqual([...buf.subarray(uv, uv + 4)], [0x7f, 0xff, 0, 0]);
  t.deepEqual(decodeStun(buf).attributes.errorCode, { code: 487, reason: 'Role Conflict' });
});

test('USE-CANDIDATE is written only when true', (t) => {
  t.is(encodeStun(base({ useCandidate: false })).length, 20);
  t.is(encodeStun(base({ useCandidate: true })).length, 24);
});

test('extraAttributes are written as given, before MESSAGE-INTEGRITY, and found again', (t) => {
  const buf = encodeStun(
    {
      ...base({ priority: 1 }),
      extraAttributes: [
        { type: 0x8099, value: Buffer.from('abc') },
        { type: 0x0003, value: new Uint8Array(4) },
      ],
    },
    { integrityKey: Buffer.from('k') },
  );
  t.deepEqual(
    walk(buf).map(([type]) => type),
    [StunAttr.Priority, 0x8099, 0x0003, StunAttr.MessageIntegrity],
  );
  const m = decodeStun(buf);
  t.deepEqual(m.unknownRequired, [0x0003]);
  t.is(findAttribute(m, 0x8099)?.toString(), 'abc');
  t.deepEqual(findAttribute(m, 0x0003), Buffer.alloc(4));
  t.is(findAttribute(m, 0x0099), undefined);
});

test('invalid arguments are ERR_STUN_BAD_ARGUMENT', (t) => {
  const bad: Array<[string, StunMessageInit]> = [
    ['class 4', { ...base(), class: 4 as StunClass }],
    ['method 0x1000', { ...base(), method: 0x1000 }],
    ['method -1', { ...base(), method: -1 }],
    ['method 1.5', { ...base(), method: 1.5 }],
    ['11-byte transaction id', { ...base(), transactionId: new Uint8Array(11) }],
    ['transaction id not bytes', { ...base(), transactionId: 'abcdefghijkl' as unknown as Uint8Array }],
    ['priority -1', base({ priority: -1 })],
    ['priority 2^32', base({ priority: 2 ** 32 })],
    ['priority 1.5', base({ priority: 1.5 })],
    ['tie-breaker 2^64', base({ iceControlling: 1n << 64n })],
    ['tie-breaker -1', base({ iceControlled: -1n })],
    ['tie-breaker as number', base({ iceControlled: 5 as unknown as bigint })],
    ['error code 299', base({ errorCode: { code: 299, reason: '' } })],
    ['error code 700', base({ errorCode: { code: 700, reason: '' } })],
    ['error reason not a string', base({ errorCode: { code: 400, reason: 4 as unknown as string } })],
    ['username not a string', base({ username: 5 as unknown as string })],
    ['unknown attribute 0x10000', base({ unknownAttributes: [0x10000] })],
    ['unknown attributes not an array', base({ unknownAttributes: 3 as unknown as number[] })],
    ['IPv4 address 1.2.3', base({ xorMappedAddress: { family: 4, address: '1.2.3', port: 1 } })],
    ['IPv4 address 256.1.1.1', base({ mappedAddress: { family: 4, address: '256.1.1.1', port: 1 } })],
    ['IPv6 text with family 4', base({ mappedAddress: { family: 4, address: '::1', port: 1 } })],
    ['IPv4 text with family 6', base({ xorMappedAddress: { family: 6, address: '1.2.3.4', port: 1 } })],
    ['family 5', base({ alternateServer: { family: 5 as 4, address: '1.2.3.4', port: 1 } })],
    ['address not an object', base({ alternateServer: null as unknown as { family: 4; address: string; port: number } })],
    ['port 65536', base({ mappedAddress: { family: 4, address: '1.2.3.4', port: 65536 } })],
    ['port -1', base({ xorMappedAddress: { family: 6, address: '::', port: -1 } })],
    ['address not a string', base({ mappedAddress: { family: 6, address: 7 as unknown as string, port: 1 } })],
    ['extra MESSAGE-INTEGRITY', { ...base(), extraAttributes: [{ type: StunAttr.MessageIntegrity, value: new Uint8Array(20) }] }],
    ['extra FINGERPRINT', { ...base(), extraAttributes: [{ type: StunAttr.Fingerprint, value: new Uint8Array(4) }] }],
    ['extra MI-SHA256', { ...base(), extraAttributes: [{ type: StunAttr.MessageIntegritySha256, value: new Uint8Array(32) }] }],
    ['extra type 0x10000', { ...base(), extraAttributes: [{ type: 0x10000, value: new Uint8Array(0) }] }],
    ['extra value not bytes', { ...base(), extraAttributes: [{ type: 0x8001, value: 'x' as unknown as Uint8Array }] }],
  ];
  for (const [what, msg] of bad) {
    throwsStun(t, () => encodeStun(msg), 'ERR_STUN_BAD_ARGUMENT', what);
  }
});

test('a message over 65532 body bytes is ERR_STUN_TOO_LARGE, never truncated', (t) => {
  const max = encodeStun({ ...base(), extraAttributes: [{ type: 0x8001, value: new Uint8Array(65528) }] });
  t.is(max.length, 20 + 65532);
  t.is(decodeStun(max).raw.length, 65552);
  throwsStun(t, () => encodeStun({ ...base(), extraAttributes: [{ type: 0x8001, value: new Uint8Array(65529) }] }), 'ERR_STUN_TOO_LARGE');
  throwsStun(t, () => encodeStun({ ...base({ username: 'x'.repeat(65528) }) }, { fingerprint: true }), 'ERR_STUN_TOO_LARGE');
});

test('stunErrorReason gives the registered phrases and a generic one otherwise', (t) => {
  t.is(stunErrorReason(400), 'Bad Request');
  t.is(stunErrorReason(401), 'Unauthenticated');
  t.is(stunErrorReason(403), 'Forbidden');
  t.is(stunErrorReason(420), 'Unknown Attribute');
  t.is(stunErrorReason(438), 'Stale Nonce');
  t.is(stunErrorReason(487), 'Role Conflict');
  t.is(stunErrorReason(500), 'Server Error');
  t.is(stunErrorReason(300), 'Try Alternate');
  t.is(stunErrorReason(499), 'Error 499');
});
