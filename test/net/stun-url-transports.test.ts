/**
 * Which transports a `stun:` URL serves: without `?transport=` both UDP and
 * TCP (the bundled server answers both); `?transport=udp|tcp` restricts; a
 * TCP try of a plain URL that gets no answer gives up after its own short
 * timeout and never holds up the UDP candidates.
 */
import test from 'ava';
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { IceAgent } from '../../lib/net/agent/agent.js';
import { StunServer } from '../../lib/net/stun-server/stun-server.js';
import { parseStunUrl } from '../../lib/net/stun-url.js';
import { IMPLICIT_TCP_STUN_TIMEOUT_MS } from '../../lib/net/tcp/tcp-transport.js';

test('parse: no ?transport means both (no transport field); ?transport=udp|tcp keeps it', (t) => {
  t.deepEqual(parseStunUrl('stun:127.0.0.1:3479'), { host: '127.0.0.1', port: 3479 });
  t.deepEqual(parseStunUrl('stun:127.0.0.1:3479?transport=udp'), { host: '127.0.0.1', port: 3479, transport: 'udp' });
  t.deepEqual(parseStunUrl('stun:127.0.0.1:3479?transport=tcp'), { host: '127.0.0.1', port: 3479, transport: 'tcp' });
});

test.serial('stun:host:port asks the server over UDP and TCP; ?transport=udp|tcp only over that one', async (t) => {
  const server = new StunServer();
  // the bundled server on one port number for both transports
  let bound = await server.listen({ udpPort: 0, tcpPort: false, address: '127.0.0.1' });
  await server.close();
  const port = bound.udp!.port;
  const both = new StunServer();
  bound = await both.listen({ udpPort: port, tcpPort: port, address: '127.0.0.1' });
  t.teardown(() => both.close());
  const expected: Array<[string, number, number]> = [
    ['', 1, 1],
    ['?transport=udp', 1, 0],
    ['?transport=tcp', 0, 1],
  ];
  for (const [query, udp, tcp] of expected) {
    const before = { ...both.stats };
    const agent = new IceAgent({
      controlling: true,
      addresses: ['127.0.0.1'],
      stunServers: [`stun:127.0.0.1:${port}${query}`],
      tcp: { active: false, passive: false, so: true },
    });
    await agent.gather();
    await agent.close();
    t.is(both.stats.udpAnswered - before.udpAnswered, udp, `udp answers for "${query}"`);
    t.is(both.stats.tcpAnswered - before.tcpAnswered, tcp, `tcp answers for "${query}"`);
  }
});

test.serial(
  'a plain stun: URL whose TCP side never answers: UDP candidates at once, gathering done after the short TCP timeout',
  async (t) => {
    const server = new StunServer();
    const { udp } = await server.listen({ udpPort: 0, tcpPort: false, address: '127.0.0.1' });
    // a TCP listener on the same port number that accepts and stays silent
    const accepted: Socket[] = [];
    const silent = createServer((s) => accepted.push(s));
    silent.listen(udp!.port, '127.0.0.1');
    await once(silent, 'listening');
    t.teardown(async () => {
      for (const s of accepted) s.destroy();
      silent.close();
      await server.close();
    });
    const agent = new IceAgent({
      controlling: true,
      addresses: ['127.0.0.1'],
      stunServers: [`stun:127.0.0.1:${udp!.port}`],
      // the explicit-TCP timeout is long; the plain URL's TCP try must not use it
      tcp: { active: false, passive: false, so: true, stunTimeoutMs: 30_000 },
      udp: { keepRedundantCandidates: true },
    });
    const started = Date.now();
    let udpSrflxAt: number | undefined;
    agent.on('candidate', (c: { type: string; transport: string }) => {
      if (c.transport === 'udp' && c.type === 'srflx') udpSrflxAt ??= Date.now() - started;
    });
    await agent.gather();
    const doneAt = Date.now() - started;
    await agent.close();
    t.is(accepted.length, 1, 'the TCP try was made');
    t.is(server.stats.udpAnswered, 1);
    t.not(udpSrflxAt, undefined, 'a UDP srflx candidate');
    t.true(udpSrflxAt! < doneAt, 'UDP srflx before the end of gathering');
    t.true(doneAt >= IMPLICIT_TCP_STUN_TIMEOUT_MS - 50, `done after ${doneAt} ms: the TCP try waited its timeout`);
    t.true(doneAt < 10_000, `done after ${doneAt} ms, not after the 30 s explicit-TCP timeout`);
  },
);
