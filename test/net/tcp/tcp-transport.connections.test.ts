// TcpTransport connections on loopback: active → passive connect and accept,
// frames both ways (0 to 65535 bytes), close and reset reasons, connect
// failures (refused, timeout, unknown base), and plugin close.
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import test from 'ava';
import type { ConnectionCommand } from '../../../lib/ice/types.js';
import { TcpTransport, type TcpTransportOptions } from '../../../lib/net/tcp/index.js';
import { RecordingHost, bindingRequest, pattern, sleep, whenClosed } from './helpers.js';

let ufragCount = 0;
const plugins: TcpTransport[] = [];
test.after.always(() => Promise.all(plugins.map((p) => p.close())));

/** A plugin with a recording host, gathered on 127.0.0.1. */
async function agent(options: TcpTransportOptions) {
  const plugin = new TcpTransport(options);
  plugins.push(plugin);
  const host = new RecordingHost();
  plugin.attach(host);
  const ufrag = `uf${++ufragCount}x`;
  await plugin.gather({ addresses: ['127.0.0.1'], components: [1], stunServers: [], priority: {}, localUfrag: ufrag });
  return { plugin, host, ufrag };
}

/** Active agent A connected to passive agent B, with B's first packet in. */
async function connectedPair(a?: TcpTransportOptions, b?: TcpTransportOptions) {
  const A = await agent({ passive: false, so: false, ...a });
  const B = await agent({ active: false, so: false, ...b });
  const active = A.host.candidate('active');
  const passive = B.host.candidate('passive');
  const attemptId = `a${Math.random()}`;
  A.plugin.command({
    type: 'connect',
    attemptId,
    transportId: active.transportId,
    tcpType: 'active',
    local: { address: '127.0.0.1', port: 0 },
    remote: { address: passive.candidate.address, port: passive.candidate.port },
    timeoutMs: 5000,
  });
  const connected = await A.host.event('connected', (e) => e.attemptId === attemptId);
  const request = bindingRequest(B.ufrag, A.ufrag);
  t0Send(A.plugin, active.transportId, connected.connectionId, connected.remote, request);
  const accepted = await B.host.event('accepted');
  const first = await B.host.packet(accepted.connectionId);
  return { A, B, active, passive, connected, accepted, first, request };
}

function t0Send(
  plugin: TcpTransport,
  transportId: string,
  connectionId: string,
  to: { address: string; port: number },
  data: Buffer,
): boolean {
  return plugin.send({ transportId, connectionId, to, data });
}

test('active connects from an ephemeral port; passive reports accepted, then the first frame', async (t) => {
  const { A, B, active, passive, connected, accepted, first, request } = await connectedPair();
  t.is(connected.transportId, active.transportId);
  t.is(connected.local.address, '127.0.0.1');
  t.not(connected.local.port, 9, 'RFC 6544 §4.5: 9 is only advertised');
  t.deepEqual(connected.remote, { address: '127.0.0.1', port: passive.candidate.port });
  t.is(accepted.transportId, passive.transportId);
  t.deepEqual(accepted.remote, connected.local, 'same 5-tuple on both sides');
  t.deepEqual(accepted.local, connected.remote);
  t.deepEqual(first.data, request);
  t.is(first.transportId, passive.transportId);
  t.deepEqual(first.from, connected.local);
  t.deepEqual(first.to, accepted.local);
  const order = B.host.order.filter((o) => o.endsWith(accepted.connectionId));
  t.deepEqual(order.slice(0, 2), [`accepted:${accepted.connectionId}`, `packet:${accepted.connectionId}`]);
  await Promise.all([A.plugin.close(), B.plugin.close()]);
});

test('frames of 0 to 65535 bytes go both ways in order, batched sends included', async (t) => {
  const { A, B, active, passive, connected, accepted } = await connectedPair();
  const sizes = [0, 1, 2, 1200, 4096, 65535, 0, 7];
  // A 65535-byte frame exceeds the socket's high-water mark: false is backpressure, the frame is still queued.
  const accepted0 = sizes.map((size, i) => t0Send(B.plugin, passive.transportId, accepted.connectionId, accepted.remote, pattern(size, i)));
  t.deepEqual(accepted0.slice(0, 5), [true, true, true, true, true]);
  for (const [i, size] of sizes.entries()) {
    const packet = await A.host.packet(connected.connectionId, i + 1);
    t.deepEqual(packet.data, pattern(size, i), `frame ${i} (${size} bytes)`);
    t.is(packet.transportId, active.transportId);
  }
  for (const [i, size] of sizes.entries())
    t0Send(A.plugin, active.transportId, connected.connectionId, connected.remote, pattern(size, 100 + i));
  for (const [i, size] of sizes.entries()) {
    t.deepEqual((await B.host.packet(accepted.connectionId, i + 2)).data, pattern(size, 100 + i));
  }
  // The route's connection is the framed connection itself.
  const route = A.plugin.routeConnection(active.transportId, connected.remote, connected.connectionId);
  t.truthy(route);
  t.is(route!.transport, 'tcp');
  route!.send(Buffer.from('via the route'));
  t.deepEqual((await B.host.packet(accepted.connectionId, sizes.length + 2)).data, Buffer.from('via the route'));
  t.is(A.plugin.routeConnection(passive.transportId, connected.remote, connected.connectionId), undefined, 'wrong base');
  t.is(A.plugin.routeConnection(active.transportId, { address: '127.0.0.1', port: 1 }, connected.connectionId), undefined, 'wrong remote');
  t.is(A.plugin.routeConnection(active.transportId, connected.remote), undefined, 'no connection id');
  t.is(A.plugin.routeConnection(active.transportId, connected.remote, 'nope'), undefined);
  await Promise.all([A.plugin.close(), B.plugin.close()]);
});

test('send refuses what it cannot carry, with false and no exception', async (t) => {
  const { A, active, connected } = await connectedPair();
  t.false(A.plugin.send({ transportId: active.transportId, to: connected.remote, data: Buffer.alloc(1) }), 'no connection id');
  t.false(A.plugin.send({ transportId: active.transportId, connectionId: 'nope', to: connected.remote, data: Buffer.alloc(1) }));
  t.false(
    t0Send(A.plugin, active.transportId, connected.connectionId, connected.remote, Buffer.alloc(65536)),
    'over 65535: not truncated, refused',
  );
  await A.plugin.close();
});

test('a close command gives closed/local here and closed/end on the peer', async (t) => {
  const { A, B, connected, accepted } = await connectedPair();
  A.plugin.command({
    type: 'close',
    connectionId: connected.connectionId,
    transportId: connected.transportId,
    reason: 'not selected, RFC 6544 §8',
  });
  A.plugin.command({ type: 'close', connectionId: connected.connectionId, transportId: connected.transportId, reason: 'twice' });
  A.plugin.command({ type: 'close', connectionId: 'unknown', transportId: connected.transportId, reason: 'ignored' });
  const here = await A.host.event('closed');
  const there = await B.host.event('closed');
  t.is(here.connectionId, connected.connectionId);
  t.is(here.reason, 'local');
  t.is(there.connectionId, accepted.connectionId);
  t.is(there.reason, 'end');
  t.false(A.plugin.send({ transportId: 'x', connectionId: connected.connectionId, to: connected.remote, data: Buffer.alloc(1) }));
  t.is(A.host.events.filter((e) => e.type === 'closed').length, 1);
  await Promise.all([A.plugin.close(), B.plugin.close()]);
});

test('a reset by the peer is reported as closed/reset', async (t) => {
  const { A, B, passive, connected, accepted } = await connectedPair();
  const route = B.plugin.routeConnection(passive.transportId, accepted.remote, accepted.connectionId) as unknown as {
    stream: import('node:net').Socket;
  };
  route.stream.resetAndDestroy();
  const closed = await A.host.event('closed');
  t.is(closed.connectionId, connected.connectionId);
  t.is(closed.reason, 'reset');
  t.regex(closed.message ?? '', /ECONNRESET/);
  await Promise.all([A.plugin.close(), B.plugin.close()]);
});

test('a frame over maxFrameSize closes the connection with reason error', async (t) => {
  const { A, B, passive, connected, accepted } = await connectedPair({ maxFrameSize: 1000 });
  t0Send(B.plugin, passive.transportId, accepted.connectionId, accepted.remote, Buffer.alloc(1000, 1));
  t0Send(B.plugin, passive.transportId, accepted.connectionId, accepted.remote, Buffer.alloc(1001, 2));
  t.is((await A.host.packet(connected.connectionId)).data.length, 1000);
  const closed = await A.host.event('closed');
  t.is(closed.reason, 'error');
  t.regex(closed.message ?? '', /1001/);
  await Promise.all([A.plugin.close(), B.plugin.close()]);
});

test('connect to a closed port fails as refused; to an unknown base as error', async (t) => {
  const A = await agent({ passive: false, so: false });
  const active = A.host.candidate('active');
  // A port nothing listens on: bind one, read it, close it.
  const { createServer } = await import('node:net');
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const closedPort = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  const command = (attemptId: string, transportId: string, tcpType: 'active' | 'so'): Extract<ConnectionCommand, { type: 'connect' }> => ({
    type: 'connect',
    attemptId,
    transportId,
    tcpType,
    local: { address: '127.0.0.1', port: 0 },
    remote: { address: '127.0.0.1', port: closedPort },
    timeoutMs: 5000,
  });
  A.plugin.command(command('r1', active.transportId, 'active'));
  const refused = await A.host.event('connect-failed', (e) => e.attemptId === 'r1');
  t.is(refused.reason, 'refused');
  t.regex(refused.message ?? '', /ECONNREFUSED/);
  A.plugin.command(command('u1', 'no-such-base', 'active'));
  A.plugin.command(command('u2', active.transportId, 'so'));
  t.is((await A.host.event('connect-failed', (e) => e.attemptId === 'u1')).reason, 'error');
  t.is((await A.host.event('connect-failed', (e) => e.attemptId === 'u2')).reason, 'error');
  A.plugin.command({ ...command('bad', active.transportId, 'active'), remote: { address: '127.0.0.1', port: 70000 } });
  t.is((await A.host.event('connect-failed', (e) => e.attemptId === 'bad')).reason, 'error');
  await A.plugin.close();
});

test('connect to a peer that never answers fails as timeout after timeoutMs', async (t) => {
  const shared = new SharedArrayBuffer(4);
  const worker = new Worker(new URL('./workers/blocked-listener.js', import.meta.url), { workerData: { shared } });
  const [port] = (await once(worker, 'message')) as [number];
  // Fill the blocked listener's accept queue (backlog 1): later SYNs are dropped.
  const fillers = [];
  for (let i = 0; i < 4; i++) {
    const { connect } = await import('node:net');
    const s = connect({ host: '127.0.0.1', port });
    s.on('error', () => undefined);
    fillers.push(s);
  }
  await sleep(100);
  const A = await agent({ passive: false, so: false, connectTimeoutMs: 400 });
  const active = A.host.candidate('active');
  const start = Date.now();
  A.plugin.command({
    type: 'connect',
    attemptId: 't1',
    transportId: active.transportId,
    tcpType: 'active',
    local: { address: '127.0.0.1', port: 0 },
    remote: { address: '127.0.0.1', port },
    timeoutMs: 10_000, // the plugin's connectTimeoutMs (400) is the upper bound
  });
  const failed = await A.host.event('connect-failed', (e) => e.attemptId === 't1');
  const elapsed = Date.now() - start;
  t.is(failed.reason, 'timeout');
  t.true(elapsed >= 390 && elapsed < 3000, `${elapsed} ms`);
  // Without a plugin cap, the command's own timeoutMs rules.
  const B = await agent({ passive: false, so: false });
  const startB = Date.now();
  B.plugin.command({
    type: 'connect',
    attemptId: 't2',
    transportId: B.host.candidate('active').transportId,
    tcpType: 'active',
    local: { address: '127.0.0.1', port: 0 },
    remote: { address: '127.0.0.1', port },
    timeoutMs: 300,
  });
  t.is((await B.host.event('connect-failed', (e) => e.attemptId === 't2')).reason, 'timeout');
  const elapsedB = Date.now() - startB;
  t.true(elapsedB >= 290 && elapsedB < 3000, `${elapsedB} ms`);
  await B.plugin.close();
  for (const s of fillers) s.destroy();
  Atomics.store(new Int32Array(shared), 0, 1);
  Atomics.notify(new Int32Array(shared), 0);
  await once(worker, 'exit');
  await A.plugin.close();
});

test('close() releases every socket, reports nothing more and is idempotent', async (t) => {
  const { A, B, connected, accepted } = await connectedPair();
  const eventsBefore = A.host.events.length;
  // An attempt in flight is aborted too.
  A.plugin.command({
    type: 'connect',
    attemptId: 'late',
    transportId: A.host.candidate('active').transportId,
    tcpType: 'active',
    local: { address: '127.0.0.1', port: 0 },
    remote: { address: '127.0.0.1', port: B.host.candidate('passive').candidate.port },
    timeoutMs: 5000,
  });
  await Promise.all([A.plugin.close(), A.plugin.close()]);
  await sleep(50);
  t.is(A.host.events.length, eventsBefore, 'no events after close');
  const there = await B.host.event('closed', (e) => e.connectionId === accepted.connectionId);
  t.true(there.reason === 'end' || there.reason === 'reset');
  t.false(A.plugin.send({ transportId: 'x', connectionId: connected.connectionId, to: connected.remote, data: Buffer.alloc(1) }));
  A.plugin.command({ type: 'close', connectionId: connected.connectionId, transportId: connected.transportId, reason: 'after close' });
  await t.throwsAsync(A.plugin.gather({ addresses: ['127.0.0.1'], components: [1], stunServers: [], priority: {}, localUfrag: 'zzzz' }), {
    code: 'ERR_TCP_STATE',
  });
  t.throws(() => A.plugin.attach(new RecordingHost()), { code: 'ERR_TCP_STATE' });
  // B's passive port is closed with B.
  const port = B.host.candidate('passive').candidate.port;
  await B.plugin.close();
  const { connect } = await import('node:net');
  const probe = connect({ host: '127.0.0.1', port });
  const [error] = (await once(probe, 'error')) as [NodeJS.ErrnoException];
  t.is(error.code, 'ECONNREFUSED');
  await whenClosed(probe);
});
