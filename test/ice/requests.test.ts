import test from 'ava';
import { decodeStun, shortTermKey, StunClass, verifyFingerprint, verifyIntegrity } from '../../lib/stun/index.js';
import { encodeCheckRequest, encodeErrorResponse, encodeSuccessResponse } from '../../lib/ice/check-requests.js';

const key = shortTermKey('remotepasswordremotepassword');

test('a check carries USERNAME, PRIORITY, the role with the tie-breaker, USE-CANDIDATE, MI and FINGERPRINT', (t) => {
  const raw = encodeCheckRequest({
    transactionId: new Uint8Array(12).fill(1),
    username: 'R:L',
    priority: 1862270975,
    controlling: true,
    tieBreaker: 0xfedcba9876543210n,
    useCandidate: true,
    integrityKey: key,
    software: 'x',
  });
  const msg = decodeStun(raw);
  t.is(msg.class, StunClass.Request);
  t.like(msg.attributes, { username: 'R:L', priority: 1862270975, iceControlling: 0xfedcba9876543210n, useCandidate: true, software: 'x' });
  t.is(msg.attributes.iceControlled, undefined);
  t.true(verifyIntegrity(msg, key));
  t.true(verifyFingerprint(msg));
});

test('the controlled side sends ICE-CONTROLLED and never USE-CANDIDATE', (t) => {
  const msg = decodeStun(
    encodeCheckRequest({
      transactionId: new Uint8Array(12),
      username: 'R:L',
      priority: 1,
      controlling: false,
      tieBreaker: 5n,
      useCandidate: true,
      integrityKey: key,
    }),
  );
  t.is(msg.attributes.iceControlled, 5n);
  t.is(msg.attributes.iceControlling, undefined);
  t.falsy(msg.attributes.useCandidate);
});

test('answers: success with XOR-MAPPED-ADDRESS and MI; errors with FINGERPRINT, MI only when given', (t) => {
  const ok = decodeStun(encodeSuccessResponse(new Uint8Array(12), { address: '2001:db8::1', port: 4000 }, key));
  t.is(ok.class, StunClass.SuccessResponse);
  t.deepEqual(ok.attributes.xorMappedAddress, { family: 6, address: '2001:db8::1', port: 4000 });
  t.is(ok.attributes.username, undefined);
  t.true(verifyIntegrity(ok, key));
  const e401 = decodeStun(encodeErrorResponse({ transactionId: new Uint8Array(12), method: 1, code: 401 }));
  t.is(e401.attributes.errorCode?.code, 401);
  t.false(e401.hasIntegrity);
  t.true(verifyFingerprint(e401));
  const e420 = decodeStun(
    encodeErrorResponse({
      transactionId: new Uint8Array(12),
      method: 1,
      code: 420,
      unknownAttributes: [0x7f01],
      integrityKey: key,
      software: 's',
    }),
  );
  t.deepEqual(e420.attributes.unknownAttributes, [0x7f01]);
  t.true(verifyIntegrity(e420, key));
});
