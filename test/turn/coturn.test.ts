/**
 * The TURN client and plugin against a real coturn (Debian `turnserver`,
 * installed by .ci/run) on 127.0.0.1: allocation over UDP, TCP and TLS,
 * refresh after a lifetime shortened by configuration, stale nonces, wrong
 * credentials (a typed error and no retry storm), permissions and channels,
 * RFC 6062 TCP allocations with a connection through them, and two agents
 * connecting through the relay. Each test starts and kills its own coturn.
 */
import test from 'ava';
import { createServer, type Socket } from 'node:net';
import { createSocket } from 'node:dgram';
import { TurnAllocation } from '../../lib/net/turn/allocation.js';
import type { TurnClientEvent } from '../../lib/turn/client.js';
import type { TurnServerConfig } from '../../lib/turn/server-url.js';
import { IceAgent } from '../../lib/net/agent/agent.js';
import { coturnUnavailable, startCoturn, type Coturn } from './coturn.js';
import { wire } from '../net/helpers.js';

const unavailable = coturnUnavailable();
if (unavailable !== undefined && process.env.CI === undefined) console.log(`coturn tests skipped: ${unavailable}`);
const withCoturn = unavailable === undefined || process.env.CI !== undefined ? test.serial : test.skip;

function server(c: Coturn, transport: 'udp' | 'tcp' | 'tls', password = c.password): TurnServerConfig {
  const port = transport === 'tls' ? c.tlsPort : c.port;
  return {
    host: '127.0.0.1',
    port,
    transport,
    username: c.user,
    password,
    url: `${transport === 'tls' ? 'turns' : 'turn'}:127.0.0.1:${port}`,
  };
}

async function until(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function run<T>(extra: string[], body: (c: Coturn) => Promise<T>): Promise<T> {
  const c = await startCoturn({ extra });
  try {
    return await body(c);
  } finally {
    await c.stop();
  }
}

for (const transport of ['udp', 'tcp', 'tls'] as const) {
  withCoturn(`allocates over ${transport}, relays both ways, deallocates on close`, async (t) => {
    await run([], async (c) => {
      const events: TurnClientEvent[] = [];
      const allocation = new TurnAllocation(server(c, transport), '127.0.0.1', { tls: { ca: c.certPem } }, (e) => events.push(e));
      const allocated = await allocation.open();
      t.is(allocated.relayed.address, '127.0.0.1');
      t.is(allocated.lifetimeS, 600);
      // A UDP peer on loopback (coturn: allow-loopback-peers).
      const peer = createSocket('udp4');
      await new Promise<void>((r) => peer.bind(0, '127.0.0.1', () => r()));
      const peerAddress = { address: '127.0.0.1', port: peer.address().port };
      const got: Buffer[] = [];
      peer.on('message', (m, rinfo) => {
        got.push(m);
        peer.send(Buffer.concat([Buffer.from('echo:'), m]), rinfo.port, rinfo.address);
      });
      for (let i = 0; i < 6; i++) allocation.send(peerAddress, Buffer.from(`hello ${i}`));
      await until('the echoes', () => events.filter((e) => e.type === 'data').length >= 6);
      t.deepEqual(
        got.map(String).sort(),
        [0, 1, 2, 3, 4, 5].map((i) => `hello ${i}`),
      );
      const data = events.filter((e): e is Extract<TurnClientEvent, { type: 'data' }> => e.type === 'data');
      t.true(data.every((e) => e.peer.port === peerAddress.port && String(e.data).startsWith('echo:hello')));
      // The permission came first, then (after 4 packets) a channel: later packets go as ChannelData.
      t.true(events.some((e) => e.type === 'permission'));
      await until('the channel', () => events.some((e) => e.type === 'channel'));
      await allocation.close();
      t.true(events.some((e) => e.type === 'closed'));
      await until('coturn to log the deallocation', () => /refreshed.*lifetime=0/.test(c.log()));
      peer.close();
    });
  });
}

withCoturn('refreshes an allocation whose lifetime the server shortened (max-allocate-lifetime)', async (t) => {
  await run(['max-allocate-lifetime=4'], async (c) => {
    const events: TurnClientEvent[] = [];
    const allocation = new TurnAllocation(server(c, 'udp'), '127.0.0.1', {}, (e) => events.push(e));
    const allocated = await allocation.open();
    t.is(allocated.lifetimeS, 4);
    // Refreshed at half the lifetime (2 s) each time: after 9 s, at least 3 refreshes and the allocation alive.
    await new Promise((r) => setTimeout(r, 9000));
    t.true(events.filter((e) => e.type === 'refreshed').length >= 3, JSON.stringify(events.map((e) => e.type)));
    t.false(events.some((e) => e.type === 'failed'));
    t.is(allocation.client.state, 'allocated');
    await allocation.close();
  });
});

withCoturn('stale nonce (stale-nonce=2): 438 answers are retried with the new nonce', async (t) => {
  await run(['stale-nonce=2', 'max-allocate-lifetime=4'], async (c) => {
    const events: TurnClientEvent[] = [];
    const allocation = new TurnAllocation(server(c, 'tcp'), '127.0.0.1', {}, (e) => events.push(e));
    await allocation.open();
    await new Promise((r) => setTimeout(r, 7000));
    t.true(/438/.test(c.log()), 'coturn answered 438 at least once');
    t.true(events.filter((e) => e.type === 'refreshed').length >= 2);
    t.false(events.some((e) => e.type === 'failed'));
    await allocation.close();
  });
});

withCoturn('wrong credentials: ERR_TURN_UNAUTHORIZED, two requests in all, no retry', async (t) => {
  await run([], async (c) => {
    const events: TurnClientEvent[] = [];
    const allocation = new TurnAllocation(server(c, 'udp', 'wrong-password'), '127.0.0.1', {}, (e) => events.push(e));
    const error = await t.throwsAsync(allocation.open());
    t.is((error as { code?: string }).code, 'ERR_TURN_UNAUTHORIZED');
    t.is((error as { stunCode?: number }).stunCode, 401);
    await new Promise((r) => setTimeout(r, 2000));
    const requests = c.log().match(/incoming packet message processed, error 401/g) ?? [];
    t.is(requests.length, 2, 'one unauthenticated Allocate and one with the wrong key, nothing after');
    t.is(allocation.client.pollTimeout(), undefined);
    await allocation.close();
  });
});

withCoturn('RFC 6062: a TCP allocation over TCP, a Connect to a peer and bytes through it both ways', async (t) => {
  await run([], async (c) => {
    const events: TurnClientEvent[] = [];
    const allocation = new TurnAllocation(server(c, 'tcp'), '127.0.0.1', { relayProtocol: 'tcp' }, (e) => events.push(e));
    const allocated = await allocation.open();
    let accepted: Socket | undefined;
    const received: Buffer[] = [];
    const listener = createServer((socket) => {
      accepted = socket;
      socket.on('error', () => undefined);
      socket.on('data', (d) => received.push(d));
    });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
    const peer = { address: '127.0.0.1', port: (listener.address() as { port: number }).port };
    const { TcpRelay } = await import('../../lib/net/turn/tcp-relay.js');
    const connections: unknown[] = [];
    const packets: Buffer[] = [];
    const relay = new TcpRelay(
      allocation,
      allocated.relayed,
      { onPacket: (p) => packets.push(p.data), onConnection: (e) => connections.push(e) },
      {},
      { bytes: (n) => Buffer.alloc(n, 7 + connections.length) },
      'c',
    );
    // Route the client's connect results to the relay, as the plugin does.
    const pump = setInterval(() => {
      for (const e of events.splice(0)) if (e.type === 'connect-result') relay.onConnectResult(e.peer, e.connectionId, e.error);
    }, 10);
    relay.connect('a1', 'tid', peer);
    await until('connected', () => connections.length > 0);
    clearInterval(pump);
    const connected = connections[0] as { type: string; connectionId: string; local: { port: number } };
    t.is(connected.type, 'connected');
    t.is(connected.local.port, allocated.relayed.port);
    t.truthy(accepted);
    t.is(accepted!.remoteAddress, '127.0.0.1');
    // RFC 4571 frames end to end: our frame arrives as-is at the peer, its frame back as a packet.
    t.true(relay.send(connected.connectionId, Buffer.from('ping')));
    await until('the peer to receive', () => Buffer.concat(received).length >= 6);
    t.deepEqual(Buffer.concat(received), Buffer.from([0, 4, ...Buffer.from('ping')]));
    accepted!.write(Buffer.from([0, 4, ...Buffer.from('pong')]));
    await until('the pong', () => packets.length > 0);
    t.is(String(packets[0]), 'pong');
    relay.destroyAll();
    listener.close();
    accepted?.destroy();
    await allocation.close();
  });
});

withCoturn('two agents on 127.0.0.1, one relay-only through coturn (UDP), exchange data over a relay pair', async (t) => {
  await run([], async (c) => {
    const iceServers = [{ urls: `turn:127.0.0.1:${c.port}`, username: c.user, credential: c.password }];
    const left = new IceAgent({ controlling: true, addresses: ['127.0.0.1'], tcp: false, iceServers, iceTransportPolicy: 'relay' });
    const right = new IceAgent({ controlling: false, addresses: ['127.0.0.1'], tcp: false });
    try {
      await wire(left, right);
      t.true(left.localCandidates.length > 0 && left.localCandidates.every((cand) => cand.toCandidate().type === 'relay'));
      const [a, b] = await Promise.all([left.connect({ timeoutMs: 20_000 }), right.connect({ timeoutMs: 20_000 })]);
      t.is(left.selectedPair()?.local.type, 'relay');
      const got = new Promise<Buffer>((resolve) => b.once('packet', resolve));
      a.send(Buffer.from('through the relay'));
      t.is(String(await got), 'through the relay');
      const back = new Promise<Buffer>((resolve) => a.once('packet', resolve));
      b.send(Buffer.from('and back'));
      t.is(String(await back), 'and back');
    } finally {
      await Promise.all([left.close(), right.close()]);
    }
    await until('the deallocation', () => /lifetime=0/.test(c.log()));
  });
});

withCoturn('an agent with wrong TURN credentials emits ERR_TURN_UNAUTHORIZED and gathers no relayed candidate', async (t) => {
  await run([], async (c) => {
    const agent = new IceAgent({
      controlling: true,
      addresses: ['127.0.0.1'],
      tcp: false,
      iceServers: [{ urls: `turn:127.0.0.1:${c.port}`, username: c.user, credential: 'not-the-password' }],
    });
    const errors: Array<{ code?: string }> = [];
    agent.on('warning', (e) => errors.push(e));
    try {
      const candidates = await agent.gather();
      t.deepEqual(
        errors.map((e) => e.code),
        ['ERR_TURN_UNAUTHORIZED'],
      );
      t.true(candidates.length > 0 && candidates.every((cand) => cand.toCandidate().type === 'host'));
    } finally {
      await agent.close();
    }
  });
});

withCoturn('turns: verifies the server certificate by default: without the test CA the allocation fails', async (t) => {
  await run([], async (c) => {
    const allocation = new TurnAllocation(server(c, 'tls'), '127.0.0.1', {}, () => undefined);
    const error = await t.throwsAsync(allocation.open());
    t.is((error as { code?: string }).code, 'ERR_TURN_CONNECTION');
    t.regex(error.message, /self[- ]signed|certificate/i);
    await allocation.close();
    // With the CA, the same server is accepted.
    const trusted = new TurnAllocation(server(c, 'tls'), '127.0.0.1', { tls: { ca: c.certPem } }, () => undefined);
    await t.notThrowsAsync(trusted.open());
    await trusted.close();
  });
});
