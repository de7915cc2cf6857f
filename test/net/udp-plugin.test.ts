import test from 'ava';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import createDebug from 'debug';
import { candidatePriority } from '../../lib/candidate/index.js';
import type { ConnectionEvent, LocalCandidateInit, PacketInput } from '../../lib/ice/types.js';
import { UdpTransport } from '../../lib/net/udp/udp-plugin.js';
import { UdpRoute } from '../../lib/net/udp/udp-route.js';
import { StunServer } from '../../lib/net/stun-server/stun-server.js';
import type { GatherContext, TransportHost } from '../../lib/net/agent/transport-plugin.js';
import { IceAgentError } from '../../lib/net/net-errors.js';

/** A host that records what the plugin reports. */
function recordingHost() {
  const packets: PacketInput[] = [];
  const connections: ConnectionEvent[] = [];
  const candidates: LocalCandidateInit[] = [];
  const host: TransportHost = {
    onPacket: (p) => void packets.push(p),
    onConnection: (e) => void connections.push(e),
    onCandidate: (c) => void candidates.push(c),
    log: createDebug('ice-tcp:test'),
  };
  return { host, packets, connections, candidates };
}

function context(overrides: Partial<GatherContext> = {}): GatherContext {
  return { addresses: ['127.0.0.1'], components: [1], stunServers: [], priority: {}, localUfrag: 'ufrag', ...overrides };
}

async function stunServer(address = '127.0.0.1') {
  const server = new StunServer();
  const { udp } = await server.listen({ udpPort: 0, tcpPort: false, address });
  return { server, port: udp!.port };
}

test('host candidates per address and component, with RFC 8445 priorities unique per address', async (t) => {
  const udp = new UdpTransport();
  const { host, candidates } = recordingHost();
  udp.attach(host);
  await udp.gather(context({ addresses: ['127.0.0.1', '::1'], components: [1, 2] }));
  t.is(candidates.length, 4);
  const byKey = new Map(candidates.map((c) => [`${c.candidate.address}/${c.candidate.component}`, c.candidate]));
  const v4c1 = byKey.get('127.0.0.1/1')!;
  t.like(v4c1, { type: 'host', transport: 'udp', component: 1, address: '127.0.0.1' });
  t.is(v4c1.priority, candidatePriority({ type: 'host', transport: 'udp', component: 1, localPreference: 65535 }));
  t.is(byKey.get('::1/2')!.priority, candidatePriority({ type: 'host', transport: 'udp', component: 2, localPreference: 65534 }));
  t.is(new Set(candidates.map((c) => c.transportId)).size, 4, 'one socket per address and component');
  t.is(new Set(candidates.map((c) => c.candidate.foundation)).size, 2, 'foundation per base address (RFC 8445 §5.1.1.3)');
  t.deepEqual(
    udp
      .bases()
      .map((b) => b.transportId)
      .sort(),
    candidates.map((c) => c.transportId).sort(),
  );
  await udp.close();
});

test('server-reflexive gathering against the bundled StunServer on loopback (kept although redundant, raddr = base)', async (t) => {
  const { server, port } = await stunServer();
  const udp = new UdpTransport({ keepRedundantCandidates: true });
  const { host, candidates } = recordingHost();
  udp.attach(host);
  await udp.gather(context({ stunServers: [{ host: '127.0.0.1', port }] }));
  const [hostCandidate, srflx] = [candidates[0].candidate, candidates[1]?.candidate];
  t.truthy(srflx);
  t.like(srflx, {
    type: 'srflx',
    transport: 'udp',
    address: '127.0.0.1',
    port: hostCandidate.port,
    relatedAddress: '127.0.0.1',
    relatedPort: hostCandidate.port,
  });
  t.is(srflx.priority, candidatePriority({ type: 'srflx', transport: 'udp', component: 1 }));
  t.not(srflx.foundation, hostCandidate.foundation);
  t.is(candidates[1].transportId, candidates[0].transportId, 'the srflx candidate has the host socket as base');
  t.is(server.stats.udpAnswered, 1);
  await udp.close();
  await server.close();
});

test('server-reflexive gathering over IPv6, by host name, and only towards servers of the same family', async (t) => {
  const { server, port } = await stunServer('::1');
  // No DNS traffic leaves the machine: the name is resolved by a local table.
  const resolve = async (name: string, family: 4 | 6): Promise<string> => {
    if (name === 'stun.test' && family === 6) return '::1';
    throw new Error(`${name} (IPv${family}) is not in the test table`);
  };
  const udp = new UdpTransport({ keepRedundantCandidates: true, resolve });
  const { host, candidates } = recordingHost();
  udp.attach(host);
  await udp.gather(
    context({
      addresses: ['127.0.0.1', '::1'],
      stunServers: [
        { host: 'stun.test', port },
        { host: '::1', port },
      ],
    }),
  );
  const srflx = candidates.filter((c) => c.candidate.type === 'srflx').map((c) => c.candidate);
  t.is(srflx.length, 2, 'one per IPv6 server answer (redundant ones kept by option)');
  for (const c of srflx) t.is(c.address, '::1');
  t.is(server.stats.udpAnswered, 2, 'the IPv4 socket asked no IPv6 server');
  t.is(candidates.filter((c) => c.candidate.type === 'host').length, 2);
  await udp.close();
  await server.close();
});

test('a server-reflexive candidate equal to its base is eliminated by default (RFC 8445 §5.1.3)', async (t) => {
  const { server, port } = await stunServer();
  const udp = new UdpTransport();
  const { host, candidates } = recordingHost();
  udp.attach(host);
  await udp.gather(
    context({
      stunServers: [
        { host: '127.0.0.1', port },
        { host: '127.0.0.1', port, transport: 'tcp' },
      ],
    }),
  );
  t.deepEqual(
    candidates.map((c) => c.candidate.type),
    ['host'],
  );
  t.is(server.stats.udpAnswered, 1, 'asked once: the tcp server is not for UDP');
  await udp.close();
  await server.close();
});

test('a silent STUN server costs at most the deadline; retransmissions follow RFC 8489 §6.2.1', async (t) => {
  const silent = createSocket('udp4');
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
  const arrivals: number[] = [];
  silent.on('message', () => arrivals.push(performance.now()));
  const udp = new UdpTransport({ stun: { rtoMs: 20, deadlineMs: 250 } });
  // Released even when an assertion fails, so that the test process can exit.
  t.teardown(async () => {
    silent.close();
    await udp.close();
  });
  const { host, candidates } = recordingHost();
  udp.attach(host);
  const started = performance.now();
  await udp.gather(context({ stunServers: [{ host: '127.0.0.1', port: silent.address().port }] }));
  const elapsed = performance.now() - started;
  t.true(elapsed >= 240 && elapsed < 1000, `${elapsed} ms`);
  t.deepEqual(
    candidates.map((c) => c.candidate.type),
    ['host'],
  );
  // Sends at 0, 20, 60, 140 (RTO doubling); the next would be at 300, after the deadline.
  t.is(arrivals.length, 4);
  // A send cannot happen before its timer fires, and a datagram is seen no
  // earlier than it was sent; on a loaded machine both may come late (two
  // arrivals can even be read in one event-loop turn). So each arrival is
  // checked against its RTO-doubling send time as a lower bound (1 ms slack):
  // a constant RTO would put the 4th send at 60 ms, not 140.
  const offsets = arrivals.map((a) => a - started);
  const label = `arrivals at ${offsets.map(Math.round).join(', ')} ms`;
  [0, 20, 60, 140].forEach((due, i) => t.true(offsets[i] >= due - 1, label));
});

test('an unresolvable STUN server name is skipped; a bind failure skips that address only', async (t) => {
  const udp = new UdpTransport();
  const { host, candidates } = recordingHost();
  udp.attach(host);
  // 192.0.2.123 is not on this host: bind fails with EADDRNOTAVAIL (nothing is sent).
  const udpWithResolver = new UdpTransport({ resolve: () => Promise.reject(new Error('ENOTFOUND')) });
  udpWithResolver.attach(host);
  await udpWithResolver.gather(context({ stunServers: [{ host: 'no-such-host.invalid', port: 3478 }] }));
  t.deepEqual(
    candidates.map((c) => c.candidate.type),
    ['host'],
    'an unresolvable server is skipped',
  );
  await udpWithResolver.close();
  candidates.length = 0;
  await udp.gather(context({ addresses: ['192.0.2.123', '127.0.0.1'] }));
  t.deepEqual(
    candidates.map((c) => c.candidate.address),
    ['127.0.0.1'],
  );
  await udp.close();
});

test('datagrams reach the host with their addresses; send() and routeConnection() deliver to the remote', async (t) => {
  const udp = new UdpTransport();
  const { host, packets, candidates } = recordingHost();
  udp.attach(host);
  await udp.gather(context());
  const base = candidates[0];
  const peer = createSocket('udp4');
  await new Promise<void>((r) => peer.bind(0, '127.0.0.1', r));
  const peerAddress = { address: '127.0.0.1', port: peer.address().port };

  peer.send(Buffer.from('to the agent'), base.candidate.port, '127.0.0.1');
  while (packets.length === 0) await new Promise((r) => setTimeout(r, 5));
  t.like(packets[0], { transportId: base.transportId, from: peerAddress, to: { address: '127.0.0.1', port: base.candidate.port } });
  t.is(packets[0].data.toString(), 'to the agent');

  let got = once(peer, 'message');
  t.true(udp.send({ transportId: base.transportId, to: peerAddress, data: Buffer.from('transmit') }));
  t.is(((await got)[0] as Buffer).toString(), 'transmit');
  t.false(udp.send({ transportId: 'udp:nowhere', to: peerAddress, data: Buffer.from('x') }));

  const route = udp.routeConnection(base.transportId, peerAddress)!;
  if (!(route instanceof UdpRoute)) throw new Error('a UDP route is a UdpRoute');
  t.is(route.transport, 'udp');
  t.is(udp.routeConnection(base.transportId, peerAddress), route, 'one view per remote');
  t.is(udp.routeConnection('udp:nowhere', peerAddress), undefined);
  got = once(peer, 'message');
  t.true(route.send(Buffer.from('app data')));
  t.is(((await got)[0] as Buffer).toString(), 'app data');
  udp.command({ type: 'close', connectionId: 'c1', transportId: 'udp:x', reason: 'test' }); // ignored by UDP

  const closed = once(route, 'close');
  await udp.close();
  await closed;
  t.false(route.send(Buffer.from('after close')));
  t.false(udp.send({ transportId: base.transportId, to: peerAddress, data: Buffer.from('x') }));
  peer.close();
});

test('UDP transport options are validated; gather needs attach', async (t) => {
  t.throws(() => new UdpTransport({ receiveBufferSize: 0 }), { instanceOf: IceAgentError, code: 'ERR_AGENT_BAD_OPTION' });
  t.throws(() => new UdpTransport({ sendHighWaterMark: 1.5 }), { code: 'ERR_AGENT_BAD_OPTION' });
  t.throws(() => new UdpTransport({ stun: { deadlineMs: -1 } }), { code: 'ERR_AGENT_BAD_OPTION' });
  t.throws(() => new UdpTransport({ resolve: 'dns' as unknown as () => Promise<string> }), { code: 'ERR_AGENT_BAD_OPTION' });
  await t.throwsAsync(new UdpTransport().gather(context()), { code: 'ERR_AGENT_BAD_OPTION' });
});

test('datagram views: one per remote while in use, forgotten once unused; a bad datagram is a typed error, not a closed view', async (t) => {
  const udp = new UdpTransport();
  const { host, candidates } = recordingHost();
  udp.attach(host);
  await udp.gather(context());
  t.teardown(() => udp.close());
  const id = candidates[0].transportId;
  const a = udp.routeConnection(id, { address: '127.0.0.1', port: 1000 })!;
  const onDrain = () => undefined;
  a.on('drain', onDrain); // in use, as an IceConnection holds it
  t.is(udp.routeConnection(id, { address: '127.0.0.1', port: 1000 }), a, 'the same view while in use');
  const b = udp.routeConnection(id, { address: '127.0.0.1', port: 1001 })!;
  t.not(b, a);
  t.is(udp.routeConnection(id, { address: '127.0.0.1', port: 1000 }), a, 'a view in use is kept');
  a.off('drain', onDrain);
  udp.routeConnection(id, { address: '127.0.0.1', port: 1002 });
  t.not(udp.routeConnection(id, { address: '127.0.0.1', port: 1000 }), a, 'an unused view was forgotten');
  t.throws(() => b.send('text' as unknown as Uint8Array), { instanceOf: IceAgentError, code: 'ERR_CONNECTION_BAD_PACKET' });
  t.true(b.send(Buffer.from('still usable')));
});

test('close() while a STUN server’s name is being resolved: no transaction starts afterwards, gathering ends at once', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const udp = new UdpTransport({ resolve: async () => (await gate, '127.0.0.1') });
  const { host, candidates } = recordingHost();
  udp.attach(host);
  const gathering = udp.gather(context({ stunServers: [{ host: 'stun.invalid', port: 3478 }] }));
  while (candidates.length === 0) await new Promise((r) => setImmediate(r));
  await udp.close();
  const started = Date.now();
  release();
  await gathering;
  t.true(Date.now() - started < 1000, `gathering took ${Date.now() - started} ms after close (a Binding transaction ran to its deadline)`);
  t.is(candidates.length, 1, 'the host candidate only');
});

test('a datagram view whose socket is gone refuses sends (false, debug line) and closes itself', async (t) => {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const route = new UdpRoute(socket, { address: '127.0.0.1', port: 9 });
  t.true(route.send(Buffer.from('while open')));
  await new Promise<void>((resolve) => socket.close(resolve));
  const closed = once(route, 'close');
  t.false(route.send(Buffer.from('after the socket closed')));
  await closed;
  t.true(route.closed);
  t.false(route.send(Buffer.from('after the view closed')));
  route.pause(); // datagrams cannot be paused: no-ops
  route.resume();
});
