import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { FramedConnection } from '../../lib/framing/index.js';
import type { Route } from '../../lib/ice/types.js';
import type { IceAgentTcpOptions } from '../../lib/net/agent/agent-options.js';
import { TcpTransport } from '../../lib/net/tcp/index.js';
import { agentPair, handleCensus, settleHandles, wire } from './helpers.js';

const onlyTcp = (tcp: IceAgentTcpOptions) => ({ udp: false as const, tcp: { active: false, passive: false, so: false, ...tcp } });

async function connectOverTcp(
  t: import('ava').ExecutionContext,
  leftTcp: IceAgentTcpOptions,
  rightTcp: IceAgentTcpOptions,
  expectLeft: 'active' | 'passive',
  address = '127.0.0.1',
): Promise<void> {
  const before = handleCensus();
  const { left, right } = agentPair({ addresses: [address] }, onlyTcp(leftTcp), onlyTcp(rightTcp));
  t.teardown(() => Promise.all([left.close(), right.close()]));
  await wire(left, right);
  const [cl, cr] = await Promise.all([left.connect({ timeoutMs: 10_000 }), right.connect({ timeoutMs: 10_000 })]);
  t.is(cl.transport, 'tcp');
  t.is(cl.selectedPair?.local.tcpType, expectLeft);
  const got = new Promise<Buffer>((resolve) => cr.once('packet', resolve));
  t.true(cl.send(Buffer.from('over tcp')));
  t.is(String(await got), 'over tcp');
  const back = new Promise<Buffer>((resolve) => cl.once('packet', resolve));
  cr.send(Buffer.from([0, 1, 2, 3])); // starts like STUN, is data
  t.deepEqual([...(await back)], [0, 1, 2, 3]);
  await Promise.all([left.close(), right.close()]);
  t.deepEqual(await settleHandles(before), []);
}

test.serial('TCP only: our active → their passive', (t) => connectOverTcp(t, { active: true }, { passive: true }, 'active'));
test.serial('TCP only: our passive ← their active', (t) => connectOverTcp(t, { passive: true }, { active: true }, 'passive'));
// S-O ↔ S-O alone needs the two agents in different threads (one thread never
// has both sockets in SYN-SENT at once on loopback): test/net/tcp/tcp-transport.agent-so.test.ts.
test.serial('TCP only over ::1: active → passive', (t) => connectOverTcp(t, { active: true }, { passive: true }, 'active', '::1'));

test.serial('10 MB each way through the Duplex over a TCP pair: equal sha256, backpressure end to end', async (t) => {
  const before = handleCensus();
  const { left, right } = agentPair({ addresses: ['127.0.0.1'], udp: false });
  t.teardown(() => Promise.all([left.close(), right.close()]));
  await wire(left, right);
  const [cl, cr] = await Promise.all([left.connect({ timeoutMs: 10_000 }), right.connect({ timeoutMs: 10_000 })]);
  t.is(cl.transport, 'tcp');
  const size = 10 * 1024 * 1024;
  const toRight = randomBytes(size);
  const toLeft = randomBytes(size);
  const receive = (stream: NodeJS.ReadableStream) =>
    new Promise<string>((resolve) => {
      const hash = createHash('sha256');
      let n = 0;
      stream.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        n += chunk.length;
        if (n >= size) resolve(hash.digest('hex'));
      });
    });
  const send = async (stream: NodeJS.WritableStream, data: Buffer) => {
    for (let offset = 0; offset < data.length; offset += 65536) {
      if (!stream.write(data.subarray(offset, offset + 65536))) await new Promise((r) => stream.once('drain', r));
    }
  };
  const sl = cl.stream();
  const sr = cr.stream();
  const atRight = receive(sr);
  const atLeft = receive(sl);
  await Promise.all([send(sl, toRight), send(sr, toLeft)]);
  t.is(await atRight, createHash('sha256').update(toRight).digest('hex'));
  t.is(await atLeft, createHash('sha256').update(toLeft).digest('hex'));
  await Promise.all([left.close(), right.close()]);
  t.deepEqual(await settleHandles(before), []);
});

test.serial('with UDP and TCP gathered, UDP is selected by default (RFC 6544 §4.2: TCP one below UDP)', async (t) => {
  const { left, right } = agentPair({ addresses: ['127.0.0.1'], tcp: true });
  t.teardown(() => Promise.all([left.close(), right.close()]));
  await wire(left, right);
  const [cl] = await Promise.all([left.connect({ timeoutMs: 10_000 }), right.connect({ timeoutMs: 10_000 })]);
  t.is(cl.transport, 'udp');
  t.deepEqual([...new Set(left.localCandidates.map((c) => (c.transport === 'tcp' ? c.tcpType : 'udp')))].sort(), [
    'active',
    'passive',
    'so',
    'udp',
  ]);
});

test.serial('with UDP and TCP gathered and preferTcp on both sides, a TCP pair is selected (RFC 6544 §4.2)', async (t) => {
  const { left, right } = agentPair({ addresses: ['127.0.0.1'], tcp: true, preferTcp: true });
  t.teardown(() => Promise.all([left.close(), right.close()]));
  await wire(left, right);
  const [cl, cr] = await Promise.all([left.connect({ timeoutMs: 10_000 }), right.connect({ timeoutMs: 10_000 })]);
  t.is(cl.transport, 'tcp');
  t.is(cr.transport, 'tcp');
  const got = new Promise<Buffer>((resolve) => cr.once('packet', resolve));
  cl.send(Buffer.from('preferred'));
  t.is(String(await got), 'preferred');
});

test.serial(
  'the selected TCP connection reset mid-session: the active side reconnects and the same IceConnection carries on',
  async (t) => {
    const plugin = new TcpTransport({ active: true, passive: false, so: false });
    const { left, right } = agentPair(
      { addresses: ['127.0.0.1'], udp: false },
      { tcp: { active: false, passive: false, so: false }, plugins: [plugin] },
      onlyTcp({ passive: true }),
    );
    t.teardown(() => Promise.all([left.close(), right.close()]));
    await wire(left, right);
    const [cl, cr] = await Promise.all([left.connect({ timeoutMs: 10_000 }), right.connect({ timeoutMs: 10_000 })]);
    const received: number[] = [];
    cr.on('packet', (p: Buffer) => received.push(p[0]));
    const first = cl.route!;
    const framed = plugin.routeConnection(first.transportId, first.remote, first.connectionId) as FramedConnection;
    (framed.stream as Socket).resetAndDestroy(); // RST
    const moved = new Promise<void>((resolve) =>
      cl.on('route', (r: Route | null) => r !== null && r.connectionId !== first.connectionId && resolve()),
    );
    // The socket is destroyed already: these are queued (not written into the dead connection) until the route moves.
    for (let i = 0; i < 10; i++) t.false(cl.send(Buffer.from([i + 10])));
    await moved;
    for (let i = 10; i < 20; i++) cl.send(Buffer.from([i + 10]));
    while (received.length < 20) await new Promise((r) => setTimeout(r, 10));
    t.deepEqual(
      received,
      Array.from({ length: 20 }, (_, i) => i + 10),
      'every packet, once, in order',
    );
    t.not(cl.route!.connectionId, first.connectionId);
  },
);
