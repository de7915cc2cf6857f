// TcpTransport gathering on loopback: host candidates of each kind (RFC 6544
// §4.1, §5.1), priorities (§4.2, App. C values), port 9 for active (§4.5),
// switches, a shared passive listener for several agents, server-reflexive
// S-O candidates from a STUN Binding over TCP (§5.2), and option checks.
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import test from 'ava';
import { FrameDecoder, encodeFrame } from '../../../lib/framing/index.js';
import type { GatherContext } from '../../../lib/net/agent/transport-plugin.js';
import { SharedPassiveListener, TcpTransport, TcpTransportError, type TcpTransportOptions } from '../../../lib/net/tcp/index.js';
import { StunClass, StunMethod, decodeStun, encodeStun, type TransportAddress } from '../../../lib/stun/index.js';
import { RecordingHost, bindingRequest, rawConnect, sleep, whenClosed, writeFrame } from './helpers.js';

const plugins: TcpTransport[] = [];
test.after.always(() => Promise.all(plugins.map((p) => p.close())));

function context(over: Partial<GatherContext> = {}): GatherContext {
  return {
    addresses: ['127.0.0.1'],
    components: [1],
    stunServers: [],
    priority: {},
    localUfrag: `u${Math.random().toString(36).slice(2, 8)}`,
    ...over,
  };
}

async function gathered(options: TcpTransportOptions = {}, over: Partial<GatherContext> = {}) {
  const plugin = new TcpTransport(options);
  plugins.push(plugin);
  const host = new RecordingHost();
  plugin.attach(host);
  const ctx = context(over);
  await plugin.gather(ctx);
  return { plugin, host, ctx };
}

test('one passive, one S-O and one active host candidate per address, with RFC 6544 App. C priorities', async (t) => {
  const { plugin, host } = await gathered({}, { priority: { preferTcp: true } });
  t.is(host.candidates.length, 3);
  const passive = host.candidate('passive');
  const so = host.candidate('so');
  const active = host.candidate('active');
  // RFC 6544 App. C (TCP at the RFC 8445 type preferences, other-pref 8191).
  t.is(active.candidate.priority, 2128609279);
  t.is(passive.candidate.priority, 2124414975);
  t.is(so.candidate.priority, 2120220671);
  t.is(active.candidate.port, 9, 'RFC 6544 §4.5');
  t.not(passive.candidate.port, so.candidate.port, 'RFC 6544 §5.1: different ports');
  for (const c of [passive, so, active]) {
    t.is(c.candidate.transport, 'tcp');
    t.is(c.candidate.type, 'host');
    t.is(c.candidate.address, '127.0.0.1');
    t.is(c.candidate.component, 1);
    t.is(c.candidate.foundation, passive.candidate.foundation, 'same type, base IP and transport: same foundation');
  }
  t.is(new Set([passive.transportId, so.transportId, active.transportId]).size, 3);
  t.deepEqual(plugin.transportIds.sort(), [passive.transportId, so.transportId, active.transportId].sort());
  // The passive candidate listens; the S-O port does not (connect-only).
  (await rawConnect(passive.candidate.port)).destroy();
  const { connect } = await import('node:net');
  const probe = connect({ host: '127.0.0.1', port: so.candidate.port });
  const [error] = (await once(probe, 'error')) as [NodeJS.ErrnoException];
  t.is(error.code, 'ECONNREFUSED');
});

test('other-pref is unique per interface address; foundations differ per address', async (t) => {
  const { host } = await gathered({}, { addresses: ['127.0.0.1', '127.0.0.2'] });
  t.is(host.candidates.length, 6);
  for (const tcpType of ['active', 'passive', 'so'] as const) {
    const [first, second] = host.candidates
      .filter((c) => c.candidate.tcpType === tcpType)
      .sort((a, b) => (a.candidate.address < b.candidate.address ? -1 : 1));
    t.is(first.candidate.address, '127.0.0.1');
    t.is(second.candidate.address, '127.0.0.2');
    // RFC 6544 §4.2: local pref = 2^13 * direction + other-pref; other-pref 8191 then 8190.
    t.is(first.candidate.priority - second.candidate.priority, 256, tcpType);
    t.not(first.candidate.foundation, second.candidate.foundation);
  }
  // Default (UDP preferred): TCP host type preference 125 (RFC 6544 App. C second example).
  t.is(host.candidate('active').candidate.priority >>> 24, 125);
});

test('each kind can be switched off; addresses that are not IPs are skipped', async (t) => {
  const kinds = { active: false, passive: false, so: false };
  for (const on of ['active', 'passive', 'so'] as const) {
    const { host } = await gathered({ ...kinds, [on]: true }, { addresses: ['127.0.0.1', 'not-an-ip'] });
    t.deepEqual(
      host.candidates.map((c) => c.candidate.tcpType),
      [on],
    );
  }
  const { host } = await gathered(kinds);
  t.is(host.candidates.length, 0);
});

test('components each get their own candidates and ports', async (t) => {
  const { host } = await gathered({ active: false }, { components: [1, 2] });
  const byComponent = (c: number) => host.candidates.filter((x) => x.candidate.component === c);
  t.is(byComponent(1).length, 2);
  t.is(byComponent(2).length, 2);
  t.is(
    byComponent(1)[0].candidate.priority -
      byComponent(2).find((x) => x.candidate.tcpType === byComponent(1)[0].candidate.tcpType)!.candidate.priority,
    1,
  );
  t.is(new Set(host.candidates.map((c) => c.candidate.port)).size, 4);
});

test('an aborted gather reports nothing', async (t) => {
  const controller = new AbortController();
  controller.abort();
  const { host } = await gathered({}, { signal: controller.signal });
  t.is(host.candidates.length, 0);
});

test('options and states are checked with typed errors', async (t) => {
  const bad: TcpTransportOptions[] = [
    { active: 'yes' as unknown as boolean },
    { passive: 1 as unknown as boolean },
    { so: null as unknown as boolean },
    { connectTimeoutMs: 0 },
    { maxFrameSize: 65536 },
    { maxBufferedPackets: 0 },
    { stunTimeoutMs: -1 },
    { closeGraceMs: 1.5 },
    { stunFraming: 'tls' as 'plain' },
    { listener: {} as SharedPassiveListener },
    { passiveListener: { firstFrameTimeoutMs: 0 } },
  ];
  for (const options of bad) {
    const error = t.throws(() => new TcpTransport(options), { instanceOf: TcpTransportError });
    t.is(error?.code, 'ERR_TCP_BAD_OPTION', JSON.stringify(options));
  }
  t.throws(() => new TcpTransport(null as unknown as TcpTransportOptions), { code: 'ERR_TCP_BAD_OPTION' });
  const plugin = new TcpTransport();
  plugins.push(plugin);
  await t.throwsAsync(plugin.gather(context()), { code: 'ERR_TCP_STATE' });
  const host = new RecordingHost();
  plugin.attach(host);
  plugin.attach(host); // same host again: fine
  t.throws(() => plugin.attach(new RecordingHost()), { code: 'ERR_TCP_STATE' });
  await t.throwsAsync(plugin.gather({ ...context(), addresses: 'x' as unknown as string[] }), { code: 'ERR_TCP_BAD_OPTION' });
  await t.throwsAsync(plugin.gather(context({ localUfrag: 'a:b' })), { code: 'ERR_TCP_BAD_OPTION' });
  t.is(plugin.protocol, 'tcp');
  // Commands before attach are ignored with a debug line.
  const detached = new TcpTransport();
  detached.command({ type: 'close', connectionId: 'x', transportId: 'tcp:x', reason: 'none' });
  t.false(detached.send({ transportId: 'x', connectionId: 'y', to: { address: '127.0.0.1', port: 1 }, data: Buffer.alloc(1) }));
  await detached.close();
});

test('a shared listener serves the passive candidates of several agents on one port, routed by ufrag', async (t) => {
  const listener = new SharedPassiveListener({ host: '127.0.0.1' });
  const one = await gathered({ listener, active: false, so: false }, { localUfrag: 'agent1' });
  const two = await gathered({ listener, active: false, so: false }, { localUfrag: 'agent2' });
  const port = listener.address!.port;
  t.is(one.host.candidate('passive').candidate.port, port);
  t.is(two.host.candidate('passive').candidate.port, port);
  const socket = await rawConnect(port);
  const request = bindingRequest('agent2', 'peer');
  writeFrame(socket, request);
  writeFrame(socket, Buffer.from('after'));
  const accepted = await two.host.event('accepted');
  t.is(accepted.transportId, two.host.candidate('passive').transportId);
  t.deepEqual((await two.host.packet(accepted.connectionId)).data, request);
  t.deepEqual((await two.host.packet(accepted.connectionId, 2)).data, Buffer.from('after'));
  t.is(one.host.events.length, 0);
  // ICE restart: the new ufrag is routed, the previous one stays, older ones go.
  one.plugin.setLocalUfrag('agent1b');
  one.plugin.setLocalUfrag('agent1c');
  one.plugin.setLocalUfrag('agent1c');
  t.false(listener.has('agent1'));
  t.true(listener.has('agent1b'));
  t.true(listener.has('agent1c'));
  t.throws(() => two.plugin.setLocalUfrag('agent1c'), { code: 'ERR_TCP_UFRAG_IN_USE' });
  // A second component gets no passive candidate on a shared port; another address is not served.
  const three = await gathered(
    { listener, active: false, so: false },
    { localUfrag: 'agent3', components: [1, 2], addresses: ['127.0.0.1', '127.0.0.2'] },
  );
  t.deepEqual(
    three.host.candidates.map((c) => [c.candidate.component, c.candidate.address]),
    [[1, '127.0.0.1']],
  );
  await Promise.all([one.plugin.close(), two.plugin.close(), three.plugin.close()]);
  t.is(listener.registeredUfrags, 0, 'plugins unregister on close');
  t.truthy(listener.address, 'a shared listener outlives the plugins');
  socket.destroy();
  await listener.close();
});

test('a wildcard shared listener serves every address of its family', async (t) => {
  const listener = new SharedPassiveListener({ host: '0.0.0.0' });
  const { host, plugin } = await gathered(
    { listener, active: false, so: false },
    { localUfrag: 'wild', addresses: ['127.0.0.1', '127.0.0.2', '::1'] },
  );
  t.deepEqual(host.candidates.map((c) => c.candidate.address).sort(), ['127.0.0.1', '127.0.0.2']);
  const socket = await rawConnect(listener.address!.port, '127.0.0.2');
  writeFrame(socket, bindingRequest('wild', 'peer'));
  const accepted = await host.event('accepted');
  t.is(accepted.local.address, '127.0.0.2');
  t.is(accepted.transportId, host.candidates.find((c) => c.candidate.address === '127.0.0.2')!.transportId);
  socket.destroy();
  await plugin.close();
  await listener.close();
});

/** A STUN server over TCP for the tests: answers every Binding request with `answer(remote)`. */
async function stunServer(
  framing: 'rfc4571' | 'plain',
  answer: (remote: TransportAddress) => { mapped?: TransportAddress; error?: number },
) {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    const remote: TransportAddress = { family: 4, address: socket.remoteAddress!, port: socket.remotePort! };
    const reply = (bytes: Buffer): void => {
      const message = decodeStun(bytes);
      const { mapped, error } = answer(remote);
      const out = encodeStun({
        class: error ? StunClass.ErrorResponse : StunClass.SuccessResponse,
        method: StunMethod.Binding,
        transactionId: message.transactionId,
        attributes: error ? { errorCode: { code: error, reason: 'Bad Request' } } : { xorMappedAddress: mapped ?? remote },
      });
      socket.write(framing === 'rfc4571' ? encodeFrame(out) : out);
    };
    if (framing === 'rfc4571') {
      const decoder = new FrameDecoder();
      socket.on('data', (chunk: Buffer) => decoder.push(chunk, reply));
    } else {
      socket.on('data', (chunk: Buffer) => reply(chunk));
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const close = async (): Promise<void> => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  return { port, sockets, close };
}

for (const framing of ['rfc4571', 'plain'] as const) {
  test(`a srflx S-O candidate from a STUN Binding over TCP (${framing}) sent from the S-O port`, async (t) => {
    const nat: TransportAddress = { family: 4, address: '192.0.2.7', port: 40_000 };
    const server = await stunServer(framing, () => ({ mapped: nat }));
    const { host, plugin } = await gathered(
      { stunFraming: framing, passive: false, active: false },
      {
        stunServers: [
          { host: '127.0.0.1', port: server.port, transport: 'tcp' },
          { host: '127.0.0.1', port: server.port, transport: 'udp' },
        ],
        priority: { preferTcp: true },
      },
    );
    const so = host.candidate('so');
    const srflx = host.candidate('so', 'srflx');
    // Only connections from our S-O port count: a test running beside this
    // one may aim its S-O retries at a port this server was given.
    const ours = server.sockets.filter((s) => s.remotePort === so.candidate.port);
    t.is(ours.length, 1, 'the request left from the S-O port; only the TCP server is asked');
    t.is(srflx.transportId, so.transportId, 'same base');
    t.is(srflx.candidate.address, nat.address);
    t.is(srflx.candidate.port, nat.port);
    t.is(srflx.candidate.relatedAddress, '127.0.0.1');
    t.is(srflx.candidate.relatedPort, so.candidate.port);
    t.is(srflx.candidate.priority, 1692401663, 'RFC 6544 App. C srflx S-O');
    t.not(srflx.candidate.foundation, so.candidate.foundation);
    // RFC 6544 §4.1: the server connection stays open until ICE completes.
    await sleep(50);
    t.false(ours[0].destroyed);
    const closed = whenClosed(ours[0]);
    plugin.closeServerConnections();
    await closed;
    await plugin.close();
    await server.close();
  });
}

test('no srflx candidate when the mapping equals the base, on an error response, or with no server', async (t) => {
  // Servers speak the default delimiting (plain STUN over TCP), so that the
  // answers are read and it is the mapping / error that yields no srflx.
  const same = await stunServer('plain', () => ({}));
  const failing = await stunServer('plain', () => ({ error: 400 }));
  const { host, plugin } = await gathered(
    { passive: false, active: false, stunTimeoutMs: 500 },
    {
      stunServers: [
        { host: '127.0.0.1', port: same.port, transport: 'tcp' },
        { host: '127.0.0.1', port: failing.port, transport: 'tcp' },
        { host: '::1', port: same.port, transport: 'tcp' }, // other family: not tried
        { host: '127.0.0.1', port: 1, transport: 'tcp' }, // refused
      ],
    },
  );
  t.deepEqual(
    host.candidates.map((c) => c.candidate.type),
    ['host'],
  );
  const soPort = host.candidate('so').candidate.port;
  const fromUs = (server: { sockets: Socket[] }) => server.sockets.filter((s) => s.remotePort === soPort);
  const [ourSame] = fromUs(same);
  t.is(fromUs(same).length, 1);
  t.is(fromUs(failing).length, 1);
  await plugin.close();
  await whenClosed(ourSame);
  await Promise.all([same.close(), failing.close()]);
});

test('a dual-stack shared listener (default host) serves IPv4 and IPv6 addresses; IPv4-mapped peers are unmapped', async (t) => {
  const listener = new SharedPassiveListener();
  const { host, plugin } = await gathered({ listener, active: false, so: false }, { localUfrag: 'dual', addresses: ['127.0.0.1', '::1'] });
  t.true(listener.wildcard);
  t.deepEqual(host.candidates.map((c) => c.candidate.address).sort(), ['127.0.0.1', '::1']);
  for (const address of ['127.0.0.1', '::1']) {
    const socket = await rawConnect(listener.address!.port, address);
    writeFrame(socket, bindingRequest('dual', 'peer'));
    const accepted = await host.event('accepted', (e) => e.local.address === address);
    t.is(accepted.remote.address, address);
    t.is(accepted.transportId, host.candidates.find((c) => c.candidate.address === address)!.transportId);
    socket.destroy();
  }
  await plugin.close();
  await listener.close();
});

test('a shared listener that cannot listen gives no passive candidate, the other kinds still come', async (t) => {
  const taken = new SharedPassiveListener({ host: '127.0.0.1' });
  const { port } = await taken.listen();
  const listener = new SharedPassiveListener({ host: '127.0.0.1', port });
  const { host, plugin } = await gathered({ listener }, { localUfrag: 'nolisten' });
  t.deepEqual(host.candidates.map((c) => c.candidate.tcpType).sort(), ['active', 'so']);
  await plugin.close();
  await Promise.all([taken.close(), listener.close()]);
});
