import test from 'ava';
import { StunAttr, StunClass, StunError, decodeStun, encodeStun, shortTermKey, verifyIntegrity } from '../../lib/stun/index.js';
import { TID, buildMessage, throwsStun } from './helpers.js';

const BINDING_REQUEST = 0x0001;
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

test('an empty Binding request decodes; raw and transactionId are views of the input', (t) => {
  const buf = buildMessage(BINDING_REQUEST, []);
  const m = decodeStun(buf);
  t.is(m.class, StunClass.Request);
  t.is(m.method, 1);
  t.deepEqual(m.attributes, {});
  t.deepEqual(m.unknownRequired, []);
  t.false(m.hasIntegrity);
  t.false(m.hasFingerprint);
  t.is(m.integrityOffset, -1);
  t.is(m.raw, buf);
  t.deepEqual(m.transactionId, TID);
  t.is(m.transactionId.buffer, buf.buffer);
  t.is(m.transactionId.byteOffset, buf.byteOffset + 8);
});

test('a plain Uint8Array is decoded in place (raw shares its memory)', (t) => {
  const buf = buildMessage(BINDING_REQUEST, [{ type: StunAttr.Priority, value: u32(7) }]);
  const u8 = new Uint8Array(buf.length + 8).subarray(4, 4 + buf.length);
  u8.set(buf);
  const m = decodeStun(u8);
  t.is(m.attributes.priority, 7);
  t.true(Buffer.isBuffer(m.raw));
  t.is(m.raw.buffer, u8.buffer);
  t.is(m.raw.byteOffset, 4);
});

test('class and method are taken apart from the type (RFC 8489 §5)', (t) => {
  const cases: Array<[number, StunClass, number]> = [
    [0x0001, StunClass.Request, 1],
    [0x0011, StunClass.Indication, 1],
    [0x0101, StunClass.SuccessResponse, 1],
    [0x0111, StunClass.ErrorResponse, 1],
    [0x3eef, StunClass.Request, 0xfff],
    [0x3fff, StunClass.ErrorResponse, 0xfff],
    [0x0003, StunClass.Request, 3],
  ];
  for (const [type, cls, method] of cases) {
    const m = decodeStun(buildMessage(type, []));
    t.is(m.class, cls, `type 0x${type.toString(16)}`);
    t.is(m.method, method, `type 0x${type.toString(16)}`);
  }
});

test('header errors: truncated, top bits, cookie, length', (t) => {
  const ok = buildMessage(BINDING_REQUEST, [{ type: StunAttr.Priority, value: u32(1) }]);
  throwsStun(t, () => decodeStun(new Uint8Array(0)), 'ERR_STUN_TRUNCATED');
  throwsStun(t, () => decodeStun(ok.subarray(0, 19)), 'ERR_STUN_TRUNCATED');
  throwsStun(t, () => decodeStun(ok.subarray(0, ok.length - 4)), 'ERR_STUN_TRUNCATED');
  for (const first of [0x80, 0x40, 0xc0]) {
    const b = Buffer.from(ok);
    b[0] |= first;
    throwsStun(t, () => decodeStun(b), 'ERR_STUN_NOT_STUN');
    throwsStun(t, () => decodeStun(b.subarray(0, 1)), 'ERR_STUN_NOT_STUN');
  }
  const cookie = Buffer.from(ok);
  cookie[7] ^= 1;
  throwsStun(t, () => decodeStun(cookie), 'ERR_STUN_BAD_COOKIE');
  const odd = Buffer.from(ok);
  odd.writeUInt16BE(6, 2);
  throwsStun(t, () => decodeStun(odd), 'ERR_STUN_BAD_LENGTH');
  throwsStun(t, () => decodeStun(Buffer.concat([ok, Buffer.alloc(4)])), 'ERR_STUN_BAD_LENGTH');
});

test('an attribute running past the end of the message is ERR_STUN_ATTR_OVERRUN', (t) => {
  throwsStun(
    t,
    () => decodeStun(buildMessage(BINDING_REQUEST, [{ type: StunAttr.Username, value: '61626364', lengthField: 5 }])),
    'ERR_STUN_ATTR_OVERRUN',
  );
  throwsStun(
    t,
    () => decodeStun(buildMessage(BINDING_REQUEST, [{ type: 0x8099, value: '', lengthField: 0xffff }])),
    'ERR_STUN_ATTR_OVERRUN',
  );
});

test('known attributes with a wrong size or value are ERR_STUN_BAD_ATTRIBUTE', (t) => {
  const bad: Array<[string, number, string]> = [
    ['PRIORITY of 3 bytes', StunAttr.Priority, '000001'],
    ['PRIORITY of 8 bytes', StunAttr.Priority, '0000000100000002'],
    ['ICE-CONTROLLING of 4 bytes', StunAttr.IceControlling, '00000001'],
    ['ICE-CONTROLLED of 12 bytes', StunAttr.IceControlled, '000000010000000200000003'],
    ['USE-CANDIDATE with a value', StunAttr.UseCandidate, '00000000'],
    ['XOR-MAPPED-ADDRESS family 3', StunAttr.XorMappedAddress, '0003a147e112a643'],
    ['XOR-MAPPED-ADDRESS family 0', StunAttr.XorMappedAddress, '0000a147e112a643'],
    ['XOR-MAPPED-ADDRESS IPv4 of 20 bytes', StunAttr.XorMappedAddress, '0001a147' + '00'.repeat(16)],
    ['XOR-MAPPED-ADDRESS IPv6 of 8 bytes', StunAttr.XorMappedAddress, '0002a147e112a643'],
    ['MAPPED-ADDRESS of 3 bytes', StunAttr.MappedAddress, '000100'],
    ['ALTERNATE-SERVER family 7', StunAttr.AlternateServer, '00070d960a000001'],
    ['ERROR-CODE of 2 bytes', StunAttr.ErrorCode, '0004'],
    ['ERROR-CODE class 2', StunAttr.ErrorCode, '00000200'],
    ['ERROR-CODE class 7', StunAttr.ErrorCode, '00000700'],
    ['ERROR-CODE number 100', StunAttr.ErrorCode, '00000464'],
    ['UNKNOWN-ATTRIBUTES of 3 bytes', StunAttr.UnknownAttributes, '000300'],
    ['MESSAGE-INTEGRITY of 16 bytes', StunAttr.MessageIntegrity, '00'.repeat(16)],
    ['MESSAGE-INTEGRITY-SHA256 of 12 bytes', StunAttr.MessageIntegritySha256, '00'.repeat(12)],
    ['MESSAGE-INTEGRITY-SHA256 of 36 bytes', StunAttr.MessageIntegritySha256, '00'.repeat(36)],
    ['MESSAGE-INTEGRITY-SHA256 of 18 bytes', StunAttr.MessageIntegritySha256, '00'.repeat(18)],
    ['FINGERPRINT of 8 bytes', StunAttr.Fingerprint, '00'.repeat(8)],
  ];
  for (const [what, type, value] of bad) {
    const e = t.throws(() => decodeStun(buildMessage(BINDING_REQUEST, [{ type, value }])), { instanceOf: StunError }, what);
    t.is(e?.code, 'ERR_STUN_BAD_ATTRIBUTE', what);
  }
});

test('FINGERPRINT must be the last attribute (RFC 8489 §14.7)', (t) => {
  const buf = buildMessage(BINDING_REQUEST, [
    { type: StunAttr.Fingerprint, value: '00000000' },
    { type: 0x8099, value: '' },
  ]);
  throwsStun(t, () => decodeStun(buf), 'ERR_STUN_BAD_ATTRIBUTE');
});

test('the first of duplicated attributes wins (RFC 8489 §14)', (t) => {
  const m = decodeStun(
    buildMessage(BINDING_REQUEST, [
      { type: StunAttr.Username, value: Buffer.from('first') },
      { type: StunAttr.Priority, value: u32(10) },
      { type: StunAttr.Username, value: Buffer.from('second') },
      { type: StunAttr.Priority, value: u32(20) },
      { type: StunAttr.Priority, value: '0102' }, // a malformed duplicate is not even looked at
    ]),
  );
  t.is(m.attributes.username, 'first');
  t.is(m.attributes.priority, 10);
});

test('unknown comprehension-required types are listed once each, in order; optional ones are not', (t) => {
  const m = decodeStun(
    buildMessage(BINDING_REQUEST, [
      { type: 0x7fff, value: '01' },
      { type: 0x8fff, value: '02' },
      { type: 0x0003, value: '00000000' },
      { type: 0x7fff, value: '' },
      { type: StunAttr.Priority, value: u32(5) },
    ]),
  );
  t.deepEqual(m.unknownRequired, [0x7fff, 0x0003]);
  t.is(m.attributes.priority, 5);
});

test('padding bytes of any value are accepted (RFC 8489 §14)', (t) => {
  for (const pad of [0x00, 0x20, 0xff, 0xa5]) {
    const m = decodeStun(
      buildMessage(BINDING_REQUEST, [
        { type: StunAttr.Username, value: Buffer.from('abcde'), pad },
        { type: StunAttr.Software, value: Buffer.from('x'), pad },
        { type: StunAttr.UnknownAttributes, value: '0003', pad },
      ]),
    );
    t.is(m.attributes.username, 'abcde');
    t.is(m.attributes.software, 'x');
    t.deepEqual(m.attributes.unknownAttributes, [3]);
  }
});

test('attributes after MESSAGE-INTEGRITY are ignored, except MI-SHA256 and FINGERPRINT (RFC 8489 §9)', (t) => {
  const key = shortTermKey('pass');
  const signed = encodeStun(
    { class: StunClass.Request, method: 1, transactionId: TID, attributes: { priority: 9 } },
    { integrityKey: key },
  );
  // Append USERNAME, an unknown comprehension-required attribute and a second
  // MESSAGE-INTEGRITY after the first one; fix the length field.
  const tail = Buffer.from('0006000378797a00' + '7777000000080014' + '00'.repeat(20), 'hex');
  const buf = Buffer.concat([signed, tail]);
  buf.writeUInt16BE(buf.length - 20, 2);
  const m = decodeStun(buf);
  t.is(m.attributes.priority, 9);
  t.is(m.attributes.username, undefined);
  t.deepEqual(m.unknownRequired, []);
  t.is(m.integrityOffset, signed.length - 24);
  t.true(verifyIntegrity(m, key), 'the length is adjusted to the end of MI, so what follows does not matter');

  const both = encodeStun(
    { class: StunClass.Request, method: 1, transactionId: TID, attributes: { priority: 9 } },
    { integrityKey: key, integritySha256Key: key, fingerprint: true },
  );
  const m2 = decodeStun(both);
  t.true(m2.hasIntegrity && m2.hasIntegritySha256 && m2.hasFingerprint);
  t.true(m2.integrityOffset < m2.integritySha256Offset && m2.integritySha256Offset < m2.fingerprintOffset);
});

test('after MESSAGE-INTEGRITY-SHA256 a MESSAGE-INTEGRITY is ignored (RFC 8489 §14.6)', (t) => {
  const m = decodeStun(
    buildMessage(BINDING_REQUEST, [
      { type: StunAttr.MessageIntegritySha256, value: '00'.repeat(32) },
      { type: StunAttr.MessageIntegrity, value: '00'.repeat(20) },
      { type: StunAttr.MessageIntegrity, value: '00' }, // malformed, but ignored
    ]),
  );
  t.true(m.hasIntegritySha256);
  t.false(m.hasIntegrity);
  t.is(m.integritySha256Offset, 20);
});

test('address attributes: MAPPED-ADDRESS, XOR-MAPPED-ADDRESS, ALTERNATE-SERVER for IPv4 and IPv6', (t) => {
  const m = decodeStun(
    buildMessage(0x0101, [
      { type: StunAttr.MappedAddress, value: '0001 0d96 c0000201'.replace(/ /g, '') },
      // 2001:db8::1 port 3478, XORed with cookie || TID
      { type: StunAttr.XorMappedAddress, value: xorV6('20010db8000000000000000000000001', 3478) },
      { type: StunAttr.AlternateServer, value: '0002 0d96 fe800000000000000000000000000001'.replace(/ /g, '') },
    ]),
  );
  t.deepEqual(m.attributes.mappedAddress, { family: 4, address: '192.0.2.1', port: 3478 });
  t.deepEqual(m.attributes.xorMappedAddress, { family: 6, address: '2001:db8::1', port: 3478 });
  t.deepEqual(m.attributes.alternateServer, { family: 6, address: 'fe80::1', port: 3478 });
});

function xorV6(hex: string, port: number): string {
  const key = Buffer.concat([Buffer.from('2112a442', 'hex'), TID]);
  const addr = Buffer.from(hex, 'hex');
  for (let i = 0; i < 16; i++) addr[i] ^= key[i];
  const head = Buffer.alloc(4);
  head[1] = 2;
  head.writeUInt16BE(port ^ 0x2112, 2);
  return Buffer.concat([head, addr]).toString('hex');
}

test('ERROR-CODE, UNKNOWN-ATTRIBUTES, REALM, NONCE, SOFTWARE, ICE attributes', (t) => {
  const m = decodeStun(
    buildMessage(0x0111, [
      { type: StunAttr.ErrorCode, value: 'fffffc14' + Buffer.from('Unknown Attribute').toString('hex') }, // reserved bits ignored
      { type: StunAttr.UnknownAttributes, value: '00037fff8001' },
      { type: StunAttr.Realm, value: Buffer.from('example.org') },
      { type: StunAttr.Nonce, value: Buffer.from('n0nce') },
      { type: StunAttr.Software, value: Buffer.from('ice-tcp ✓') },
      { type: StunAttr.IceControlling, value: 'ffffffffffffffff' },
      { type: StunAttr.IceControlled, value: '8000000000000001' },
      { type: StunAttr.UseCandidate, value: '' },
      { type: StunAttr.Priority, value: 'ffffffff' },
    ]),
  );
  t.deepEqual(m.attributes, {
    errorCode: { code: 420, reason: 'Unknown Attribute' },
    unknownAttributes: [0x0003, 0x7fff, 0x8001],
    realm: 'example.org',
    nonce: 'n0nce',
    software: 'ice-tcp ✓',
    iceControlling: 0xffffffffffffffffn,
    iceControlled: 0x8000000000000001n,
    useCandidate: true,
    priority: 0xffffffff,
  });
  t.is(m.class, StunClass.ErrorResponse);
});
