/**
 * Passive TCP candidates on a chosen port shared by many agents
 * (`tcp.passivePort`), and announced addresses for hosts behind a 1:1 NAT
 * (`announcedAddress`). The 1:1 NAT itself is exercised in test/lab.
 */
import test from 'ava';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { IceAgent } from '../../lib/net/agent/agent.js';
import { portListenerUsers } from '../../lib/net/tcp/port-listeners.js';
import { wire } from './helpers.js';

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test.serial('two sessions share one passive port; each connects to its own peer through it; the port is released after', async (t) => {
  const port = await freePort();
  const servers = [0, 1].map(
    () =>
      new IceAgent({
        controlling: false,
        addresses: ['127.0.0.1'],
        udp: false,
        tcp: { active: false, so: false, passive: true, passivePort: port },
      }),
  );
  const clients = [0, 1].map(
    () => new IceAgent({ controlling: true, addresses: ['127.0.0.1'], udp: false, tcp: { active: true, so: false, passive: false } }),
  );
  t.teardown(() => Promise.all([...servers, ...clients].map((a) => a.close())));
  await Promise.all([wire(clients[0], servers[0]), wire(clients[1], servers[1])]);
  for (const s of servers) {
    const passive = s.localCandidates.filter((c) => c.tcpType === 'passive');
    t.deepEqual(
      passive.map((c) => c.port),
      [port],
    );
  }
  t.is(portListenerUsers('127.0.0.1', port), 2, 'one listener, two users');
  await Promise.all([...clients, ...servers].map((a) => a.connect({ timeoutMs: 10_000 })));
  for (const [i, s] of servers.entries()) {
    const selected = s.selectedPair()!;
    t.is(selected.local.port, port, `session ${i} selected its passive candidate on the chosen port`);
    t.is(selected.remote.address, '127.0.0.1');
  }
  // the two sessions are routed by ufrag: different connections, different remote ports
  t.not(servers[0].selectedPair()!.remote.port, servers[1].selectedPair()!.remote.port);
  await servers[0].close();
  t.is(portListenerUsers('127.0.0.1', port), 1);
  await servers[1].close();
  t.is(portListenerUsers('127.0.0.1', port), 0);
  const again = createServer();
  again.listen(port, '127.0.0.1');
  await once(again, 'listening');
  again.close();
  t.pass();
});

test('passivePort must be 1..65535', (t) => {
  for (const bad of [0, -1, 65536, 1.5]) {
    const error = t.throws(() => new IceAgent({ controlling: true, addresses: ['127.0.0.1'], tcp: { passivePort: bad } }));
    // One bad-option code from the constructor; the TCP layer's own error is the cause.
    t.is((error as { code?: string }).code, 'ERR_AGENT_BAD_OPTION', String(bad));
    t.is((error?.cause as { code?: string }).code, 'ERR_TCP_BAD_OPTION', String(bad));
  }
});

test('a passive port in use: no passive candidate, the other kinds still gathered', async (t) => {
  const blocker = createServer();
  blocker.listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  const port = (blocker.address() as { port: number }).port;
  const agent = new IceAgent({ controlling: true, addresses: ['127.0.0.1'], udp: true, tcp: { passivePort: port } });
  const candidates = await agent.gather();
  await agent.close();
  blocker.close();
  t.false(candidates.some((c) => c.tcpType === 'passive'));
  t.true(candidates.some((c) => c.tcpType === 'active'));
  t.true(candidates.some((c) => c.transport === 'udp'));
  t.is(portListenerUsers('127.0.0.1', port), 0);
});

test('announcedAddress: UDP host and passive candidates carry the public address; active and S-O do not', async (t) => {
  const agent = new IceAgent({ controlling: true, addresses: ['127.0.0.1'], announcedAddress: '198.51.100.7' });
  const candidates = await agent.gather();
  await agent.close();
  const by = (transport: string, tcpType?: string) => candidates.find((c) => c.transport === transport && c.tcpType === tcpType)!;
  t.is(by('udp').address, '198.51.100.7');
  t.is(by('udp').type, 'host');
  t.is(by('tcp', 'passive').address, '198.51.100.7');
  t.is(by('tcp', 'active').address, '127.0.0.1');
  t.is(by('tcp', 'so').address, '127.0.0.1');
});

test('announcedAddress as a map; only the mapped local address is announced', async (t) => {
  const agent = new IceAgent({
    controlling: true,
    addresses: ['127.0.0.1', '127.0.0.2'],
    tcp: false,
    announcedAddress: { '127.0.0.2': '203.0.113.9' },
  });
  const candidates = await agent.gather();
  await agent.close();
  t.deepEqual(candidates.map((c) => c.address).sort(), ['127.0.0.1', '203.0.113.9']);
});

test('announcedAddress: bad values are ERR_AGENT_BAD_OPTION', (t) => {
  for (const bad of ['not-an-ip', '::1', { '127.0.0.1': '::1' }, { x: '1.2.3.4' }, 42, ['1.2.3.4']] as unknown[]) {
    const error = t.throws(() => new IceAgent({ controlling: true, addresses: ['127.0.0.1'], announcedAddress: bad as string }));
    t.is((error as { code?: string }).code, 'ERR_AGENT_BAD_OPTION', JSON.stringify(bad));
  }
});
