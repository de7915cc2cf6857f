// What an idle, connected session keeps (README "Capacity and speed", issue 16:
// <= 16 KB of heap per session at 10,000 sessions). Heap bytes at small N swing
// with code warm-up and GC timing, so this test counts objects instead: the
// live Map, Set and WeakMap instances per agent (through the inspector's
// Runtime.queryObjects, which collects garbage first), and the gathering
// state (AbortController) left behind. An empty Map costs about 150 bytes and
// a one-entry one about 190; before the tables were made lazy or replaced by
// fields, a TCP agent kept about 18 of them (runtime, transport plugin,
// connection set, IceAgent, core tables). bench/scale.bench.ts measures the bytes.
import test from 'ava';
import { Session } from 'node:inspector';
import { SharedPassiveListener } from '../../lib/net/tcp/index.js';
import { connectAll, makeSessions, type LoopbackSession } from './loopback-sessions.js';

const SESSIONS = 40;
/**
 * Maps, Sets and WeakMaps per idle connected agent, at most. Now: one (the
 * IceConnection's table of listeners on its route connection); the
 * transports' and the core's tables hold their one entry in fields.
 */
const MAX_TABLES_PER_AGENT = 2;

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result as T))));
}

/** Live instances of a global constructor (`'Map'`, …), counted by V8 after a GC. */
async function countInstances(session: Session, name: string): Promise<number> {
  const { result: prototype } = await post<{ result: { objectId: string } }>(session, 'Runtime.evaluate', {
    expression: `${name}.prototype`,
  });
  const { objects } = await post<{ objects: { objectId: string } }>(session, 'Runtime.queryObjects', {
    prototypeObjectId: prototype.objectId,
  });
  const { result } = await post<{ result: { value: number } }>(session, 'Runtime.callFunctionOn', {
    objectId: objects.objectId,
    functionDeclaration: 'function () { return this.length; }',
    returnByValue: true,
  });
  await post(session, 'Runtime.releaseObject', { objectId: objects.objectId });
  await post(session, 'Runtime.releaseObject', { objectId: prototype.objectId });
  return result.value;
}

const KINDS = ['Map', 'Set', 'WeakMap', 'AbortController'] as const;

async function census(session: Session): Promise<Record<(typeof KINDS)[number], number>> {
  const out = {} as Record<(typeof KINDS)[number], number>;
  for (const kind of KINDS) out[kind] = await countInstances(session, kind);
  return out;
}

for (const transport of ['tcp', 'udp'] as const) {
  test.serial(
    `an idle connected ${transport.toUpperCase()} agent keeps at most ${MAX_TABLES_PER_AGENT} Map/Set/WeakMap and no gathering state`,
    async (t) => {
      t.timeout(110_000);
      const session = new Session();
      session.connect();
      const listener = new SharedPassiveListener({ host: '127.0.0.1', backlog: 512 });
      await listener.listen();
      let pairs: LoopbackSession[] = [];
      try {
        // Warm-up: the first sessions of a process create module-level tables (timer wheel, listener routes).
        const warm = makeSessions(4, transport, listener);
        await connectAll(warm);
        await Promise.all(warm.flatMap((p) => [p.client.close(), p.server.close()]));
        const before = await census(session);
        pairs = makeSessions(SESSIONS, transport, listener);
        await connectAll(pairs);
        // Let the checks' last answers, nominations and the selected-pair events settle.
        await new Promise((resolve) => setTimeout(resolve, 500));
        for (const { client, server } of pairs) {
          t.true(client.selectedPair() !== undefined && server.selectedPair() !== undefined, 'every session has its selected pair');
          t.is(client.gatheringState, 'complete');
        }
        const after = await census(session);
        const agents = 2 * SESSIONS;
        const perAgent = (kind: (typeof KINDS)[number]): number => (after[kind] - before[kind]) / agents;
        const tables = perAgent('Map') + perAgent('Set') + perAgent('WeakMap');
        t.log(
          `${transport}: per idle agent ${perAgent('Map').toFixed(2)} Map, ${perAgent('Set').toFixed(2)} Set, ${perAgent('WeakMap').toFixed(2)} WeakMap, ${perAgent('AbortController').toFixed(2)} AbortController`,
        );
        t.true(tables <= MAX_TABLES_PER_AGENT, `${tables.toFixed(2)} Map/Set/WeakMap per idle agent (at most ${MAX_TABLES_PER_AGENT})`);
        t.true(perAgent('AbortController') <= 0, 'no gathering AbortController kept after gathering');
      } finally {
        await Promise.all(pairs.flatMap((p) => [p.client.close(), p.server.close()]));
        await listener.close();
        session.disconnect();
      }
    },
  );
}
