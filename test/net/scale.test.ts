// The scale benchmark (bench/scale.bench.ts) in small: 200 sessions (ICE_SCALE_SESSIONS)
// in this process, TCP ones all through one shared passive port, then UDP ones;
// every session connects, carries a packet to its own peer, the agents share
// one timer (not a Node timer each), and the heap per connected session (both
// agents, after GC, code warmed up first) stays bounded.
import test from 'ava';
import { SharedPassiveListener } from '../../lib/net/tcp/index.js';
import { connectAll, makeSessions, type LoopbackSession } from './loopback-sessions.js';

const SESSIONS = Number(process.env.ICE_SCALE_SESSIONS ?? 200);
/** Both agents of one idle session; the benchmark measures about 9 KB (UDP) and 12.5 KB (TCP) per agent at 10,000 sessions. */
const MAX_HEAP_PER_SESSION = 64 * 1024;

const gc = (globalThis as { gc?: () => void }).gc;

function heapUsed(): number {
  for (let i = 0; i < 3; i++) gc?.();
  return process.memoryUsage().heapUsed;
}

for (const transport of ['tcp', 'udp'] as const) {
  test.serial(
    `${SESSIONS} ${transport.toUpperCase()} sessions in one process all connect, each carries its own data, one shared timer, heap per session bounded`,
    async (t) => {
      t.timeout(110_000);
      if (gc === undefined) t.fail('run with --expose-gc (ava.config.js sets it)');
      const listener = new SharedPassiveListener({ host: '127.0.0.1', backlog: 1024 });
      const { port } = await listener.listen();
      const warm = makeSessions(10, transport, listener);
      let sessions: LoopbackSession[] = [];
      try {
        await connectAll(warm); // compiles the code paths: not counted per session
        await Promise.all(warm.flatMap((s) => [s.client.close(), s.server.close()]));
        const before = heapUsed();
        sessions = makeSessions(SESSIONS, transport, listener);
        await connectAll(sessions);
        for (const { server } of sessions) {
          const local = server.selectedPair()!.local;
          t.is(local.transport, transport);
          if (transport === 'tcp' && (local.port !== port || local.tcpType !== 'passive'))
            t.fail(`server side on ${local.port}/${local.tcpType}`);
        }
        const arrivals = sessions.map(
          ({ server }, i) =>
            new Promise<boolean>((resolve) => server.connection().once('packet', (p: Buffer) => resolve(p.readUInt32BE(0) === i))),
        );
        sessions.forEach(({ client }, i) => {
          const packet = Buffer.alloc(100, 0x80);
          packet.writeUInt32BE(i, 0);
          client.connection().send(packet);
        });
        t.is((await Promise.all(arrivals)).filter(Boolean).length, SESSIONS, 'every packet reached its own session');
        // One timer heap for every agent of the process (lib/net/agent/timer-wheel.ts), not a Node timer per agent.
        const timers = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
        t.log(`${transport}: ${timers} Node timers for ${2 * SESSIONS} connected agents`);
        t.true(timers < SESSIONS / 4, `${timers} Node timers`);
        const perSession = (heapUsed() - before) / SESSIONS;
        t.log(`${transport}: ${(perSession / 1024).toFixed(1)} KB heap per connected session (two agents)`);
        t.true(perSession < MAX_HEAP_PER_SESSION, `${perSession} bytes per session`);
      } finally {
        await Promise.all(sessions.flatMap((s) => [s.client.close(), s.server.close()]));
        await listener.close();
      }
    },
  );
}
