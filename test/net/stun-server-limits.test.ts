/**
 * The STUN server's TCP bounds against clients that hold connections, trickle
 * bytes or send junk frames (real sockets on loopback; the attackers use
 * other loopback source addresses, 127.0.0.2..). Regressions: its 1,024
 * slots could be held forever by one client (no per-source cap, no eviction,
 * any byte restarted the idle timer), and every zero-length frame went
 * through the decoder and a thrown error.
 */
import test from 'ava';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { format } from 'node:util';
import createDebug from 'debug';
import { encodeFrame, FrameDecoder } from '../../lib/framing/index.js';
import { StunServer, type StunServerOptions } from '../../lib/net/stun-server/stun-server.js';
import { StunClass, StunMethod, decodeStun, encodeStun, type StunMessage } from '../../lib/stun/index.js';

function bindingRequest(): { tid: Buffer; bytes: Buffer } {
  const tid = randomBytes(12);
  return { tid, bytes: encodeStun({ class: StunClass.Request, method: StunMethod.Binding, transactionId: tid }, { fingerprint: true }) };
}

async function listen(options: StunServerOptions): Promise<{ server: StunServer; port: number }> {
  const server = new StunServer(options);
  const addresses = await server.listen({ udpPort: false, tcpPort: 0 });
  return { server, port: addresses.tcp!.port };
}

/** A connection from `localAddress`; resolves once connected, or with the error/close that came first. */
function open(port: number, localAddress: string): Promise<Socket> {
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  socket.on('error', () => undefined); // a refused or evicted connection is reset: expected here
  return new Promise((resolve) => {
    socket.once('connect', () => resolve(socket));
    socket.once('close', () => resolve(socket));
  });
}

/** Sends one framed Binding request and resolves with the answer, or `undefined` if the connection closes or `ms` pass. */
async function framedExchange(socket: Socket, ms = 5000): Promise<StunMessage | undefined> {
  const request = bindingRequest();
  const decoder = new FrameDecoder();
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    socket.on('data', (chunk: Buffer) =>
      decoder.push(chunk, (frame) => {
        clearTimeout(timer);
        resolve(decodeStun(Buffer.from(frame)));
      }),
    );
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    socket.write(encodeFrame(request.bytes));
  });
}

function closedWithin(socket: Socket, ms: number): Promise<boolean> {
  if (socket.closed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

test.serial(
  'sources holding every slot: a per-source cap, and a legitimate client is still answered (the idlest holder evicted)',
  async (t) => {
    const { server, port } = await listen({ maxTcpConnections: 24, maxTcpConnectionsPerSource: 8 });
    t.teardown(() => server.close());
    const held: Socket[] = [];
    t.teardown(() => held.forEach((s) => s.destroy()));
    // One source tries 12: 8 are kept, 4 refused.
    for (let i = 0; i < 12; i++) held.push(await open(port, '127.0.0.2'));
    await new Promise((r) => setTimeout(r, 200));
    t.is(held.filter((s) => !s.closed).length, 8, 'the per-source cap');
    // Two more sources fill the table.
    for (const source of ['127.0.0.3', '127.0.0.4']) for (let i = 0; i < 8; i++) held.push(await open(port, source));
    await new Promise((r) => setTimeout(r, 200));
    t.is(server.tcpConnections, 24);
    // Three legitimate clients in turn: each is answered.
    for (let i = 0; i < 3; i++) {
      const client = await open(port, '127.0.0.1');
      const answer = await framedExchange(client);
      t.is(answer?.class, StunClass.SuccessResponse, `legitimate client ${i + 1} answered`);
      t.true(server.tcpConnections <= 24);
      client.destroy();
    }
    t.true(server.stats.tcpEvicted >= 1);
    t.true(server.stats.tcpAnswered >= 3);
  },
);

test.serial('a trickle of single bytes does not keep a connection open past tcpFirstRequestTimeoutMs', async (t) => {
  const { server, port } = await listen({ tcpFirstRequestTimeoutMs: 400, tcpIdleTimeoutMs: 400 });
  t.teardown(() => server.close());
  const socket = await open(port, '127.0.0.2');
  // A plain STUN header announcing 1000 bytes (under the size limit), then one byte every 50 ms: it never completes.
  const header = Buffer.from('000103e82112a442', 'hex');
  socket.write(header);
  const trickle = setInterval(() => socket.writable && socket.write(Buffer.from([0])), 50);
  t.teardown(() => clearInterval(trickle));
  t.true(await closedWithin(socket, 3000), 'closed although bytes kept coming');
  clearInterval(trickle);
  for (let i = 0; i < 100 && server.tcpConnections > 0; i++) await new Promise((r) => setTimeout(r, 10));
  t.is(server.tcpConnections, 0);
});

test.serial('after an answer, bytes that never complete a request do not extend tcpIdleTimeoutMs', async (t) => {
  const { server, port } = await listen({ tcpIdleTimeoutMs: 400 });
  t.teardown(() => server.close());
  const socket = await open(port, '127.0.0.2');
  t.is((await framedExchange(socket))?.class, StunClass.SuccessResponse);
  socket.write(Buffer.from([0x00, 0x40])); // a frame header announcing 64 bytes
  const trickle = setInterval(() => socket.writable && socket.write(Buffer.from([0])), 50);
  t.teardown(() => clearInterval(trickle));
  t.true(await closedWithin(socket, 3000), 'closed although bytes kept coming');
});

test.serial('zero-length frames are dropped without decoding and close the connection past the budget, with a debug line', async (t) => {
  const lines: string[] = [];
  const originalLog = createDebug.log;
  const previouslyEnabled = createDebug.disable();
  createDebug.enable('ice-tcp:stun-server');
  createDebug.log = (...args: unknown[]) => void lines.push(format(...args));
  t.teardown(() => {
    createDebug.log = originalLog;
    createDebug.enable(previouslyEnabled);
  });
  const { server, port } = await listen({ maxTcpIgnoredMessages: 32 });
  t.teardown(() => server.close());
  const attacker = await open(port, '127.0.0.2');
  t.is((await framedExchange(attacker))?.class, StunClass.SuccessResponse); // framed from now on
  // 10,000 empty frames (20 KB) in one write.
  attacker.write(Buffer.alloc(2 * 10_000));
  t.true(await closedWithin(attacker, 5000), 'closed past the budget');
  t.is(server.stats.ignored, 33, 'stops at the budget: the rest of the flood is not even looked at');
  const dropped = lines.filter((l) => l.includes('ignores a 0-byte message'));
  t.is(dropped.length, 33);
  t.true(
    dropped.every((l) => l.includes('shorter than a STUN header')),
    'dropped before the decoder (which would say ERR_STUN_TRUNCATED)',
  );
  t.true(
    lines.some((l) => l.includes('in a row ignored')),
    lines.slice(-3).join('\n'),
  );
  // Junk interleaved with requests does not exhaust the budget: it counts ignored messages in a row.
  const client = await open(port, '127.0.0.1');
  t.is((await framedExchange(client))?.class, StunClass.SuccessResponse); // framed from now on
  for (let round = 0; round < 5; round++) {
    client.write(Buffer.alloc(2 * 20));
    t.is((await framedExchange(client))?.class, StunClass.SuccessResponse);
  }
  t.false(client.closed);
  client.destroy();
});

test('option checks: the new bounds are positive integers', (t) => {
  for (const bad of [0, -1, 1.5]) {
    t.throws(() => new StunServer({ maxTcpConnectionsPerSource: bad }), { code: 'ERR_AGENT_BAD_OPTION' });
    t.throws(() => new StunServer({ tcpFirstRequestTimeoutMs: bad }), { code: 'ERR_AGENT_BAD_OPTION' });
    t.throws(() => new StunServer({ maxTcpIgnoredMessages: bad }), { code: 'ERR_AGENT_BAD_OPTION' });
  }
});

test.serial('UDP: empty and random datagrams are dropped before the decoder; requests are still answered', async (t) => {
  const lines: string[] = [];
  const originalLog = createDebug.log;
  const previouslyEnabled = createDebug.disable();
  createDebug.enable('ice-tcp:stun-server');
  createDebug.log = (...args: unknown[]) => void lines.push(format(...args));
  t.teardown(() => {
    createDebug.log = originalLog;
    createDebug.enable(previouslyEnabled);
  });
  const server = new StunServer();
  const { udp } = await server.listen({ udpPort: 0, tcpPort: false });
  t.teardown(() => server.close());
  const { createSocket } = await import('node:dgram');
  const client = createSocket('udp4');
  t.teardown(() => client.close());
  await new Promise<void>((r) => client.bind(0, '127.0.0.1', r));
  for (let i = 0; i < 200; i++)
    client.send(i % 2 === 0 ? Buffer.alloc(0) : Buffer.from([0xff, ...randomBytes(40)]), udp!.port, '127.0.0.1');
  const reply = once(client, 'message');
  client.send(bindingRequest().bytes, udp!.port, '127.0.0.1');
  const [message] = (await reply) as [Buffer];
  t.is(decodeStun(message).class, StunClass.SuccessResponse);
  t.is(server.stats.ignored, 200);
  // The decoder's own reasons (ERR_STUN_TRUNCATED, ERR_STUN_NOT_STUN) would mean a thrown error per datagram.
  const ignoredLines = lines.filter((l) => l.includes('ignores'));
  t.is(ignoredLines.length, 200);
  t.false(
    ignoredLines.some((l) => l.includes('ERR_STUN')),
    ignoredLines[0],
  );
});
