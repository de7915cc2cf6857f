/**
 * RFC 3489 ("classic") Binding requests (RFC 5389 §12.2): the responder's
 * known answers and negative cases, and the STUN server answering them over
 * UDP with its own counter. libnice's discovery against it: test/lab.
 */
import test from 'ava';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { answerClassicBinding } from '../../lib/net/stun-server/classic-binding.js';
import { StunServer } from '../../lib/net/stun-server/stun-server.js';

/** A classic request: type 0x0001, 16-byte transaction id (no magic cookie), `attrs` as the body. */
function classicRequest(id: Buffer, attrs: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(20);
  header.writeUInt16BE(0x0001, 0);
  header.writeUInt16BE(attrs.length, 2);
  id.copy(header, 4);
  return Buffer.concat([header, attrs]);
}

const ID = Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex');

test('known answer: MAPPED-ADDRESS (not XOR), the whole 128-bit id echoed, nothing else', (t) => {
  const answer = answerClassicBinding(classicRequest(ID), { family: 4, address: '198.51.100.2', port: 40000 });
  t.is(answer.kind, 'success');
  const r = (answer as { response: Buffer }).response;
  t.is(r.toString('hex'), '0101' + '000c' + ID.toString('hex') + '0001' + '0008' + '0001' + '9c40' + 'c6336402');
});

test('known answer over IPv6: MAPPED-ADDRESS family 2 with the 16-byte address', (t) => {
  const answer = answerClassicBinding(classicRequest(ID), { family: 6, address: '2001:db8::1', port: 3478 });
  const r = (answer as { response: Buffer }).response;
  t.is(r.readUInt16BE(2), 24);
  t.is(r.subarray(24).toString('hex'), '0002' + '0d96' + '20010db8000000000000000000000001');
});

test('an RFC 5389/8489 request (magic cookie) and non-STUN bytes are not classic', (t) => {
  const modern = classicRequest(Buffer.from('2112a442' + '00'.repeat(12), 'hex'));
  t.is(answerClassicBinding(modern, { family: 4, address: '127.0.0.1', port: 1 }).kind, 'not-classic');
  t.is(
    answerClassicBinding(Buffer.from('hello, this is not stun at all'), { family: 4, address: '127.0.0.1', port: 1 }).kind,
    'not-classic',
  );
  t.is(answerClassicBinding(Buffer.alloc(10), { family: 4, address: '127.0.0.1', port: 1 }).kind, 'not-classic');
  // a length that does not match the datagram
  const bad = classicRequest(ID);
  bad.writeUInt16BE(8, 2);
  t.is(answerClassicBinding(bad, { family: 4, address: '127.0.0.1', port: 1 }).kind, 'not-classic');
  // a classic response is not a request
  const response = classicRequest(ID);
  response.writeUInt16BE(0x0101, 0);
  t.is(answerClassicBinding(response, { family: 4, address: '127.0.0.1', port: 1 }).kind, 'not-classic');
});

test('CHANGE-REQUEST (comprehension-required, not implemented): a 420 listing it, RFC 5389 §12.2', (t) => {
  const changeRequest = Buffer.from('0003' + '0004' + '00000006', 'hex');
  const answer = answerClassicBinding(classicRequest(ID, changeRequest), { family: 4, address: '127.0.0.1', port: 1 });
  t.is(answer.kind, 'error');
  const r = (answer as { response: Buffer }).response;
  t.is(r.readUInt16BE(0), 0x0111);
  t.deepEqual(r.subarray(4, 20), ID);
  t.is(r.readUInt16BE(2), r.length - 20);
  t.is(r.subarray(20, 28).toString('hex'), '0009' + '0015' + '0000' + '0414'); // ERROR-CODE 420
  const tail = r.subarray(r.length - 8);
  t.is(tail.toString('hex'), '000a' + '0004' + '0003' + '0003'); // UNKNOWN-ATTRIBUTES, odd count repeated
});

test('truncated attributes are ignored with a reason, never thrown', (t) => {
  const runsPast = Buffer.from('8022' + '0010' + '41414141', 'hex'); // says 16 bytes, has 4
  const answer = answerClassicBinding(classicRequest(ID, runsPast), { family: 4, address: '127.0.0.1', port: 1 });
  t.is(answer.kind, 'ignored');
  // comprehension-optional attributes (SOFTWARE-like 0x8022) are fine
  const optional = Buffer.from('8022' + '0004' + '41414141', 'hex');
  t.is(answerClassicBinding(classicRequest(ID, optional), { family: 4, address: '127.0.0.1', port: 1 }).kind, 'success');
});

test('the STUN server answers classic requests over UDP and counts them apart', async (t) => {
  const server = new StunServer();
  const { udp } = await server.listen({ udpPort: 0, tcpPort: false, address: '127.0.0.1' });
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  try {
    const reply = once(socket, 'message', { signal: AbortSignal.timeout(5000) });
    socket.send(classicRequest(ID), udp!.port, '127.0.0.1');
    const [msg] = (await reply) as [Buffer];
    t.is(msg.readUInt16BE(0), 0x0101);
    t.deepEqual(msg.subarray(4, 20), ID);
    t.is(msg.readUInt16BE(20), 0x0001);
    t.is(msg.readUInt16BE(26), socket.address().port);
    t.is(server.stats.udpClassicAnswered, 1);
    t.is(server.stats.udpAnswered, 0);
    t.is(server.stats.ignored, 0);
  } finally {
    socket.close();
    await server.close();
  }
});
