import test from 'ava';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import createDebug from 'debug';
import { encodeFrame, FrameDecoder } from '../../lib/framing/index.js';
import { StunClass, StunMethod, decodeStun, encodeStun, verifyFingerprint, type StunMessage } from '../../lib/stun/index.js';
import { StunServer, peerAddress } from '../../lib/net/stun-server/stun-server.js';
import { IceAgentError } from '../../lib/net/net-errors.js';

function bindingRequest(extra?: Array<{ type: number; value: Uint8Array }>): { tid: Buffer; bytes: Buffer } {
  const tid = randomBytes(12);
  const bytes = encodeStun(
    { class: StunClass.Request, method: StunMethod.Binding, transactionId: tid, ...(extra ? { extraAttributes: extra } : {}) },
    { fingerprint: true },
  );
  return { tid, bytes };
}

async function udpExchange(socket: UdpSocket, port: number, address: string, data: Buffer): Promise<StunMessage> {
  const reply = once(socket, 'message');
  socket.send(data, port, address);
  const [msg] = (await reply) as [Buffer];
  return decodeStun(msg);
}

async function listenLoopback(options: ConstructorParameters<typeof StunServer>[0] = {}, address = '127.0.0.1') {
  const server = new StunServer(options);
  const addresses = await server.listen({ udpPort: 0, tcpPort: 0, address });
  return { server, udp: addresses.udp!, tcp: addresses.tcp! };
}

async function tcpClient(port: number, host = '127.0.0.1'): Promise<Socket> {
  const socket = connect({ port, host });
  await once(socket, 'connect');
  return socket;
}

/** Collects messages from a socket's 'data' events (without consuming the socket) until `count` are in. */
function collect(socket: Socket, count: number, cut: (chunk: Buffer, out: StunMessage[]) => void): Promise<StunMessage[]> {
  return new Promise((resolve, reject) => {
    const out: StunMessage[] = [];
    const onData = (chunk: Buffer): void => {
      cut(chunk, out);
      if (out.length >= count) {
        socket.off('data', onData);
        socket.off('close', onClose);
        resolve(out);
      }
    };
    const onClose = (): void => reject(new Error(`closed after ${out.length} of ${count} messages`));
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}

/** Reads plain STUN messages from a socket until `count` are in. */
function readPlain(socket: Socket, count: number): Promise<StunMessage[]> {
  let buf = Buffer.alloc(0);
  return collect(socket, count, (chunk, out) => {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 20 && buf.length >= 20 + buf.readUInt16BE(2)) {
      const size = 20 + buf.readUInt16BE(2);
      out.push(decodeStun(Buffer.from(buf.subarray(0, size))));
      buf = buf.subarray(size);
    }
  });
}

function readFramed(socket: Socket, count: number): Promise<StunMessage[]> {
  const decoder = new FrameDecoder();
  return collect(socket, count, (chunk, out) => decoder.push(chunk, (frame) => out.push(decodeStun(Buffer.from(frame)))));
}

test('UDP: a Binding request gets XOR-MAPPED-ADDRESS and MAPPED-ADDRESS of its source, with FINGERPRINT', async (t) => {
  const { server, udp } = await listenLoopback();
  const client = createSocket('udp4');
  await new Promise<void>((r) => client.bind(0, '127.0.0.1', r));
  const { tid, bytes } = bindingRequest();
  const response = await udpExchange(client, udp.port, '127.0.0.1', bytes);
  t.is(response.class, StunClass.SuccessResponse);
  t.is(response.method, StunMethod.Binding);
  t.deepEqual(Buffer.from(response.transactionId), tid);
  const expected = { family: 4, address: '127.0.0.1', port: client.address().port };
  t.deepEqual(response.attributes.xorMappedAddress, expected);
  t.deepEqual(response.attributes.mappedAddress, expected);
  t.true(response.hasFingerprint && verifyFingerprint(response));
  t.is(response.attributes.software, 'ice-tcp stun-server');
  t.is(server.stats.udpAnswered, 1);
  client.close();
  await server.close();
});

test('UDP over IPv6 loopback', async (t) => {
  const { server, udp } = await listenLoopback({}, '::1');
  t.is(udp.family, 6);
  const client = createSocket('udp6');
  await new Promise<void>((r) => client.bind(0, '::1', r));
  const response = await udpExchange(client, udp.port, '::1', bindingRequest().bytes);
  t.deepEqual(response.attributes.xorMappedAddress, { family: 6, address: '::1', port: client.address().port });
  client.close();
  await server.close();
});

test('UDP: unknown comprehension-required attributes get 420 with UNKNOWN-ATTRIBUTES (RFC 8489 §6.3.1)', async (t) => {
  const { server, udp } = await listenLoopback({ software: '' });
  const client = createSocket('udp4');
  await new Promise<void>((r) => client.bind(0, '127.0.0.1', r));
  const response = await udpExchange(
    client,
    udp.port,
    '127.0.0.1',
    bindingRequest([{ type: 0x7777, value: Buffer.from([1, 2, 3, 4]) }]).bytes,
  );
  t.is(response.class, StunClass.ErrorResponse);
  t.is(response.attributes.errorCode?.code, 420);
  t.deepEqual(response.attributes.unknownAttributes, [0x7777]);
  t.is(response.attributes.software, undefined);
  t.is(server.stats.errorsSent, 1);
  client.close();
  await server.close();
});

test('UDP: garbage, indications, responses and bad fingerprints are ignored with a debug line; the server keeps answering', async (t) => {
  const lines: string[] = [];
  const originalLog = createDebug.log;
  const previouslyEnabled = createDebug.disable();
  createDebug.enable('ice-tcp:stun-server');
  createDebug.log = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
  t.teardown(() => {
    createDebug.log = originalLog;
    createDebug.enable(previouslyEnabled);
  });
  const { server, udp } = await listenLoopback({ mappedAddress: false });
  const client = createSocket('udp4');
  await new Promise<void>((r) => client.bind(0, '127.0.0.1', r));
  const badFingerprint = bindingRequest().bytes;
  badFingerprint[badFingerprint.length - 1] ^= 0xff;
  const indication = encodeStun({ class: StunClass.Indication, method: StunMethod.Binding, transactionId: randomBytes(12) });
  const otherMethod = encodeStun({ class: StunClass.Request, method: 0x003, transactionId: randomBytes(12) });
  for (const junk of [randomBytes(1), randomBytes(200), Buffer.alloc(0), badFingerprint, indication, otherMethod]) {
    client.send(junk, udp.port, '127.0.0.1');
  }
  const response = await udpExchange(client, udp.port, '127.0.0.1', bindingRequest().bytes);
  t.is(response.class, StunClass.SuccessResponse);
  t.is(response.attributes.mappedAddress, undefined);
  t.is(server.stats.ignored, 6);
  t.true(
    lines.some((l) => l.includes('ignores') && l.includes('FINGERPRINT')),
    lines.join('\n'),
  );
  t.true(lines.filter((l) => l.includes('ignores')).length >= 6);
  client.close();
  await server.close();
});

test('TCP plain STUN (RFC 8489 §6.2.2): messages split and coalesced across writes are all answered in plain form', async (t) => {
  const { server, tcp } = await listenLoopback();
  const socket = await tcpClient(tcp.port);
  const requests = [bindingRequest(), bindingRequest(), bindingRequest()];
  const all = Buffer.concat(requests.map((r) => r.bytes));
  // First write: 5 bytes (not enough to detect), then the rest in odd pieces.
  socket.write(all.subarray(0, 5));
  await new Promise((r) => setTimeout(r, 20));
  socket.write(all.subarray(5, 37));
  socket.write(all.subarray(37));
  const responses = await readPlain(socket, 3);
  t.deepEqual(
    responses.map((m) => Buffer.from(m.transactionId).toString('hex')),
    requests.map((r) => r.tid.toString('hex')),
  );
  for (const m of responses) {
    t.is(m.class, StunClass.SuccessResponse);
    t.deepEqual(m.attributes.xorMappedAddress, { family: 4, address: '127.0.0.1', port: socket.localPort });
  }
  t.is(server.stats.tcpPlain, 1);
  t.is(server.stats.tcpAnswered, 3);
  socket.destroy();
  await server.close();
});

test('TCP RFC 4571 framed STUN: answered with framed responses, connection kept open (RFC 6544 §5)', async (t) => {
  const { server, tcp } = await listenLoopback();
  const socket = await tcpClient(tcp.port);
  const first = bindingRequest();
  socket.write(encodeFrame(first.bytes));
  const [r1] = await readFramed(socket, 1);
  t.deepEqual(Buffer.from(r1.transactionId), first.tid);
  t.deepEqual(r1.attributes.xorMappedAddress, { family: 4, address: '127.0.0.1', port: socket.localPort });
  // A non-STUN frame on a framed connection is ignored; the next request is answered.
  const second = bindingRequest();
  socket.write(Buffer.concat([encodeFrame(Buffer.from('hello, not stun')), encodeFrame(second.bytes)]));
  const [r2] = await readFramed(socket, 1);
  t.deepEqual(Buffer.from(r2.transactionId), second.tid);
  t.is(server.stats.tcpFramed, 1);
  t.is(server.stats.ignored, 1);
  t.is(server.tcpConnections, 1);
  socket.destroy();
  await server.close();
});

test('TCP over IPv6 loopback, framed', async (t) => {
  const { server, tcp } = await listenLoopback({}, '::1');
  const socket = await tcpClient(tcp.port, '::1');
  socket.write(encodeFrame(bindingRequest().bytes));
  const [r] = await readFramed(socket, 1);
  t.deepEqual(r.attributes.xorMappedAddress, { family: 6, address: '::1', port: socket.localPort });
  socket.destroy();
  await server.close();
});

test('TCP: a connection whose first bytes are neither STUN nor a frame of STUN is closed; the server lives on', async (t) => {
  const { server, tcp } = await listenLoopback();
  const junk = await tcpClient(tcp.port);
  junk.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
  await once(junk, 'close');
  t.is(server.stats.tcpRejected, 1);
  const good = await tcpClient(tcp.port);
  good.write(encodeFrame(bindingRequest().bytes));
  const [r] = await readFramed(good, 1);
  t.is(r.class, StunClass.SuccessResponse);
  good.destroy();
  await server.close();
});

test('TCP plain: a message over maxTcpMessageSize or a header out of step closes the connection', async (t) => {
  const { server, tcp } = await listenLoopback({ maxTcpMessageSize: 64 });
  const big = await tcpClient(tcp.port);
  const header = bindingRequest().bytes.subarray(0, 20);
  header.writeUInt16BE(200, 2);
  big.write(header);
  await once(big, 'close');
  const outOfStep = await tcpClient(tcp.port);
  outOfStep.write(Buffer.concat([bindingRequest().bytes, randomBytes(24).fill(0xff)]));
  const responses = await readPlain(outOfStep, 1);
  t.is(responses.length, 1);
  await once(outOfStep, 'close');
  t.is(server.stats.tcpRejected, 2);
  await server.close();
});

test('TCP framed: a frame over the message limit closes the connection', async (t) => {
  const { server, tcp } = await listenLoopback({ maxTcpMessageSize: 100 });
  const socket = await tcpClient(tcp.port);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(5000, 0); // frame length
  header.writeUInt32BE(0x2112a442, 6);
  socket.write(header);
  await once(socket, 'close');
  t.is(server.stats.tcpRejected, 1);
  await server.close();
});

test('TCP: a connection without a request is closed after tcpFirstRequestTimeoutMs; with every slot taken the idlest is evicted', async (t) => {
  const { server, tcp } = await listenLoopback({ tcpFirstRequestTimeoutMs: 50, maxTcpConnections: 1 });
  const idle = await tcpClient(tcp.port);
  const closed = once(idle, 'close');
  const second = await tcpClient(tcp.port);
  await closed; // evicted: the only slot goes to the newcomer
  await once(second, 'close'); // then the newcomer times out, never having sent a request
  t.is(server.stats.tcpRejected, 2);
  t.is(server.stats.tcpEvicted, 1);
  await server.close();
});

test('listen: typed errors for bad options, a second listen and a port in use; close releases everything', async (t) => {
  t.throws(() => new StunServer({ maxTcpConnections: 0 }), { instanceOf: IceAgentError, code: 'ERR_AGENT_BAD_OPTION' });
  t.throws(() => new StunServer({ maxTcpMessageSize: 10 }), { code: 'ERR_AGENT_BAD_OPTION' });
  t.throws(() => new StunServer({ software: 5 as unknown as string }), { code: 'ERR_AGENT_BAD_OPTION' });
  const server = new StunServer();
  await t.throwsAsync(server.listen({ udpPort: 70000 }), { code: 'ERR_AGENT_BAD_OPTION' });
  await t.throwsAsync(server.listen({ address: 'localhost' }), { code: 'ERR_AGENT_BAD_OPTION' });
  const addresses = await server.listen({ udpPort: false, tcpPort: 0 });
  t.is(addresses.udp, undefined);
  t.is(typeof addresses.tcp?.port, 'number');
  await t.throwsAsync(server.listen({ udpPort: 0, tcpPort: false }), { code: 'ERR_STUN_SERVER_STATE' });
  const clash = new StunServer();
  await t.throwsAsync(clash.listen({ udpPort: false, tcpPort: addresses.tcp!.port }), { code: 'ERR_STUN_SERVER_LISTEN' });
  await server.close();
  await clash.close();
});

test('peerAddress answers IPv4 peers of a dual-stack socket with their IPv4 address', (t) => {
  t.deepEqual(peerAddress('::ffff:192.0.2.7', 5), { family: 4, address: '192.0.2.7', port: 5 });
  t.deepEqual(peerAddress('2001:db8::1', 6), { family: 6, address: '2001:db8::1', port: 6 });
  t.deepEqual(peerAddress('192.0.2.1', 7), { family: 4, address: '192.0.2.1', port: 7 });
});
