import test from 'ava';
import { createSocket, type Socket } from 'node:dgram';
import { StunClass, StunMethod, decodeStun, encodeStun } from '../../lib/stun/index.js';
import { UdpBindingClient } from '../../lib/net/udp/udp-binding-client.js';
import { IceAgentError } from '../../lib/net/net-errors.js';

async function bound(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return socket;
}

/**
 * A client socket and a scripted "server" socket: `answer` turns each request
 * into the datagrams the server sends back (and from which socket).
 */
async function scripted(answer: (request: Buffer, client: { port: number }) => Array<{ data: Buffer; via?: Socket }>) {
  const client = await bound();
  const server = await bound();
  const stranger = await bound();
  const bindingClient = new UdpBindingClient((data, port, address) => client.send(data, port, address));
  client.on('message', (data, rinfo) => {
    if (!bindingClient.handleResponse(data, { family: 4, address: rinfo.address, port: rinfo.port })) unclaimed.push(data);
  });
  const unclaimed: Buffer[] = [];
  server.on('message', (request, rinfo) => {
    for (const { data, via } of answer(request, { port: rinfo.port })) (via ?? server).send(data, rinfo.port, rinfo.address);
  });
  const serverAddress = { family: 4 as const, address: '127.0.0.1', port: server.address().port };
  const close = () => [client, server, stranger].forEach((s) => s.close());
  return { bindingClient, serverAddress, unclaimed, stranger, close };
}

function response(request: Buffer, cls: StunClass, attributes: object, method: number = StunMethod.Binding): Buffer {
  const { transactionId } = decodeStun(request);
  return encodeStun({ class: cls, method, transactionId, attributes }, { fingerprint: true });
}

test('a success answer resolves with XOR-MAPPED-ADDRESS; unrelated datagrams are not claimed', async (t) => {
  const s = await scripted((req, client) => [
    { data: Buffer.from('unrelated') },
    { data: response(req, StunClass.SuccessResponse, { xorMappedAddress: { family: 4, address: '192.0.2.1', port: client.port } }) },
  ]);
  const mapped = await s.bindingClient.request(s.serverAddress);
  t.is(mapped.address, '192.0.2.1');
  t.is(s.bindingClient.size, 0);
  t.deepEqual(s.unclaimed.map(String), ['unrelated']);
  s.close();
});

test('answers from another source, malformed, wrong method, indications and bad fingerprints are claimed and ignored', async (t) => {
  let stranger: Socket | undefined;
  const s = await scripted((req) => {
    const ok = response(req, StunClass.SuccessResponse, { mappedAddress: { family: 4, address: '192.0.2.2', port: 1 } });
    const badFingerprint = Buffer.from(ok);
    badFingerprint[badFingerprint.length - 1] ^= 1;
    const malformed = Buffer.concat([ok.subarray(0, 20), Buffer.from([0x00, 0x20, 0x00, 0x04, 0, 9, 0, 0])]);
    malformed.writeUInt16BE(8, 2);
    return [
      { data: ok, via: stranger },
      { data: malformed },
      { data: response(req, StunClass.SuccessResponse, {}, 0x002) },
      { data: response(req, StunClass.Indication, {}) },
      { data: badFingerprint },
      { data: ok },
    ];
  });
  stranger = s.stranger;
  const mapped = await s.bindingClient.request(s.serverAddress, { deadlineMs: 2000 });
  t.deepEqual(mapped, { family: 4, address: '192.0.2.2', port: 1 }, 'MAPPED-ADDRESS is the fallback');
  t.deepEqual(s.unclaimed, []);
  s.close();
});

test('an error answer or one without a mapped address fails with ERR_SRFLX_FAILED', async (t) => {
  const s = await scripted((req) => [
    { data: response(req, StunClass.ErrorResponse, { errorCode: { code: 500, reason: 'Server Error' } }) },
  ]);
  const error = await t.throwsAsync(s.bindingClient.request(s.serverAddress), { instanceOf: IceAgentError });
  t.is(error?.code, 'ERR_SRFLX_FAILED');
  t.regex(error.message, /500/);
  s.close();
  const empty = await scripted((req) => [{ data: response(req, StunClass.SuccessResponse, {}) }]);
  await t.throwsAsync(empty.bindingClient.request(empty.serverAddress), { code: 'ERR_SRFLX_FAILED', message: /without a mapped address/ });
  empty.close();
});

test('Rc requests then Rm × RTO of silence fail with ERR_SRFLX_TIMEOUT (RFC 8489 §6.2.1); cancelAll fails the rest', async (t) => {
  let requests = 0;
  const s = await scripted(() => {
    requests++;
    return [];
  });
  const started = performance.now();
  await t.throwsAsync(s.bindingClient.request(s.serverAddress, { rtoMs: 10, maxSends: 3, lastWaitFactor: 4, deadlineMs: 5000 }), {
    code: 'ERR_SRFLX_TIMEOUT',
    message: /after 3 requests/,
  });
  const elapsed = performance.now() - started;
  // Sends at 0, 10, 30; failure at 30 + 4 × 10 = 70 ms.
  t.true(elapsed >= 65 && elapsed < 1000, `${elapsed} ms`);
  t.is(requests, 3);
  const pending = s.bindingClient.request(s.serverAddress, { rtoMs: 1000 });
  s.bindingClient.cancelAll('test over');
  await t.throwsAsync(pending, { code: 'ERR_SRFLX_FAILED', message: /test over/ });
  t.is(s.bindingClient.size, 0);
  s.close();
});
