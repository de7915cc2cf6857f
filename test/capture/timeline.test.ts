/**
 * The ICE timeline on synthetic captures (raw IPv4 link type, UDP): a role
 * conflict (both sides ICE-CONTROLLING, a 487 answer), an unanswered check,
 * a response without its request, a STUN message that does not decode,
 * integrity with a ufrag map, and data before/after nomination.
 */
import test from 'ava';
import { captureFlows, iceTimeline, readCapture, writePcap } from '../../lib/capture/index.js';
import { encodeStun, shortTermKey, StunClass, StunMethod } from '../../lib/stun/index.js';

function udpPacket(src: [string, number], dst: [string, number], payload: Buffer): Buffer {
  const ip = Buffer.alloc(20 + 8 + payload.length);
  ip[0] = 0x45;
  ip.writeUInt16BE(ip.length, 2);
  ip[8] = 64;
  ip[9] = 17;
  src[0].split('.').forEach((o, i) => (ip[12 + i] = Number(o)));
  dst[0].split('.').forEach((o, i) => (ip[16 + i] = Number(o)));
  ip.writeUInt16BE(src[1], 20);
  ip.writeUInt16BE(dst[1], 22);
  ip.writeUInt16BE(8 + payload.length, 24);
  payload.copy(ip, 28);
  return ip;
}

const A: [string, number] = ['10.0.0.1', 5000];
const B: [string, number] = ['10.0.0.2', 6000];
const pwdA = 'passwordofAAAAAAAAAAAAAA';
const pwdB = 'passwordofBBBBBBBBBBBBBB';
const tx = (n: number): Buffer => Buffer.alloc(12, n);

function request(n: number, username: string, key: string, attrs: object): Buffer {
  return encodeStun(
    { class: StunClass.Request, method: StunMethod.Binding, transactionId: tx(n), attributes: { username, priority: 1, ...attrs } },
    { integrityKey: shortTermKey(key), fingerprint: true },
  );
}
function response(n: number, cls: StunClass, key: string, attrs: object): Buffer {
  return encodeStun(
    { class: cls, method: StunMethod.Binding, transactionId: tx(n), attributes: attrs },
    { integrityKey: shortTermKey(key), fingerprint: true },
  );
}

function timeline() {
  const packets: Array<[[string, number], [string, number], Buffer]> = [
    [A, B, request(1, 'ub:ua', pwdB, { iceControlling: 1n })],
    [B, A, request(2, 'ua:ub', pwdA, { iceControlling: 2n })],
    [A, B, response(2, StunClass.ErrorResponse, pwdA, { errorCode: { code: 487, reason: 'Role Conflict' } })],
    [B, A, response(1, StunClass.SuccessResponse, pwdB, { xorMappedAddress: { family: 4, address: A[0], port: A[1] } })],
    [A, B, Buffer.from([0x90, 1, 2, 3])], // data before nomination
    [A, B, request(3, 'ub:ua', pwdB, { iceControlling: 1n, useCandidate: true })],
    [B, A, response(3, StunClass.SuccessResponse, pwdB, { xorMappedAddress: { family: 4, address: A[0], port: A[1] } })],
    [A, B, Buffer.from([0x90, 4, 5, 6])],
    [B, A, Buffer.from([0x90, 4, 5, 6, 7])],
    [B, A, response(9, StunClass.SuccessResponse, pwdA, {})], // no such request
    [A, B, request(4, 'ub:ua', 'wrongpasswordwrongpassword', { iceControlling: 1n })], // never answered, bad integrity
    [A, B, Buffer.concat([Buffer.from('0001000c2112a442', 'hex'), tx(5), Buffer.alloc(4)])], // truncated attribute
  ];
  const bytes = writePcap(
    packets.map(([s, d, p], i) => ({ timeUs: 1e9 + i * 1000, linkType: 101, data: udpPacket(s, d, p) })),
    101,
  );
  return iceTimeline(captureFlows(readCapture(bytes)), { byUfrag: { ua: pwdA, ub: pwdB } });
}

test('role conflicts, nominations, unanswered and unmatched transactions, data per direction', (t) => {
  const tl = timeline();
  t.is(tl.pairs.length, 1);
  const pair = tl.pairs[0];
  t.is(pair.id, 'udp 10.0.0.1:5000 ⇄ 10.0.0.2:6000');
  t.deepEqual(pair.checks, { sent: 4, answered: 2, errors: 1 });
  t.is(pair.roleConflicts, 1);
  t.true(pair.nominated);
  t.is(pair.nominatedBy, '10.0.0.1:5000');
  t.is(pair.nominatedAtMs, 6);
  t.deepEqual(pair.data.packets, [2, 1]);
  t.deepEqual(pair.data.bytes, [8, 5]);
  t.deepEqual(tl.selected, { id: pair.id, reason: 'nominated by 10.0.0.1:5000 at 6 ms (USE-CANDIDATE answered); 2 data packets after it' });
  t.deepEqual(tl.problems, [
    'udp 10.0.0.1:5000 ⇄ 10.0.0.2:6000: both sides sent checks as controlling (a role conflict, RFC 8445 §7.3.1.1)',
  ]);
  t.is(tl.totals.unanswered, 1);
  t.is(tl.totals.integrityFailed, 1);
  const byTx = (n: number) => tl.stun.filter((e) => e.transactionId === tx(n).toString('hex'));
  t.deepEqual(
    byTx(1).map((e) => [e.class, e.integrity, e.integrityKey, e.rttMs]),
    [
      ['request', 'ok', 'ufrag ub', 3],
      ['success', 'ok', 'ufrag ub', 3],
    ],
  );
  t.deepEqual(
    byTx(2).map((e) => [e.class, e.errorCode, e.integrity]),
    [
      ['request', undefined, 'ok'],
      ['error', 487, 'ok'],
    ],
  );
  t.true(byTx(9)[0].unmatched);
  t.is(byTx(9)[0].integrity, 'ok', 'an unmatched response is tried with every known password');
  t.is(byTx(4)[0].integrity, 'failed');
  t.is(tl.decodeProblems.length, 1);
  t.regex(tl.decodeProblems[0].error, /^ERR_STUN_/);
});
