/**
 * Abuse: hostile connections to passive ICE-TCP ports (a SharedPassiveListener
 * shared by agents, and an agent's own passive listener) while two agents
 * connect through that port and exchange data. Asserts: the legitimate
 * session is served (every packet, both ways), pending connections never
 * exceed the cap, and sockets and heap come back to their baseline.
 */
import test from 'ava';
import type { IceAgent } from '../../lib/net/agent/agent.js';
import { SharedPassiveListener, TcpTransport } from '../../lib/net/tcp/index.js';
import { agentPair, wire } from '../net/helpers.js';
import { heapAfterGc, hostileBattery, socketHandles, type HostileTally } from './hostile.js';

const noTcp = { active: false, passive: false, so: false };

/** Connects the two agents and sends `count` packets each way; resolves with what arrived. */
async function legitimateSession(left: IceAgent, right: IceAgent, count: number): Promise<{ toRight: number; toLeft: number }> {
  await wire(left, right);
  const [cl, cr] = await Promise.all([left.connect({ timeoutMs: 20_000 }), right.connect({ timeoutMs: 20_000 })]);
  const got = { toRight: 0, toLeft: 0 };
  cr.on('packet', () => got.toRight++);
  cl.on('packet', () => got.toLeft++);
  for (let i = 0; i < count; i++) {
    cl.send(Buffer.from(`left ${i}`));
    cr.send(Buffer.from(`right ${i}`));
    if (i % 50 === 49) await new Promise((r) => setTimeout(r, 5));
  }
  const deadline = Date.now() + 10_000;
  while ((got.toRight < count || got.toLeft < count) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return got;
}

async function settle(baseline: number, ms: number): Promise<number> {
  const deadline = Date.now() + ms;
  let now = socketHandles();
  while (now > baseline && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    now = socketHandles();
  }
  return now;
}

function report(t: import('ava').ExecutionContext, what: string, tally: HostileTally, extra: string): void {
  t.log(
    `${what}: ${tally.opened} hostile connections (${tally.closedByServer} closed by the server, ${tally.gaveUp} held to the end, ${tally.failed} refused); ${extra}`,
  );
}

test.serial('shared passive listener: 2,400 hostile connections while two agents connect through it and exchange data', async (t) => {
  const MAX_PENDING = 64;
  const listener = new SharedPassiveListener({ host: '127.0.0.1', maxPendingConnections: MAX_PENDING, firstFrameTimeoutMs: 1000 });
  const { port } = await listener.listen();
  t.teardown(() => listener.close());
  const { left, right } = agentPair(
    { addresses: ['127.0.0.1'], udp: false },
    { tcp: { active: true, passive: false, so: false } },
    { tcp: noTcp, plugins: [new TcpTransport({ active: false, passive: true, so: false, listener })] },
  );
  t.teardown(() => Promise.all([left.close(), right.close()]));
  const socketsBefore = socketHandles();
  const heapBefore = heapAfterGc();
  let maxPending = 0;
  const flood = hostileBattery(port, {
    total: 2400,
    concurrency: 150,
    maxHoldMs: 8000,
    ufrag: right.localParameters.ufrag,
    onTick: () => (maxPending = Math.max(maxPending, listener.pendingConnections)),
  });
  const sampler = setInterval(() => (maxPending = Math.max(maxPending, listener.pendingConnections)), 5);
  await new Promise((r) => setTimeout(r, 300)); // the flood is on
  const got = await legitimateSession(left, right, 500);
  const tally = await flood;
  clearInterval(sampler);
  t.deepEqual(got, { toRight: 500, toLeft: 500 }, 'every legitimate packet, both ways, during the flood');
  t.true(maxPending <= MAX_PENDING, `at most ${MAX_PENDING} pending, saw ${maxPending}`);
  t.is(tally.opened, 2400);
  t.is(tally.gaveUp, 0, 'no hostile connection outlived the first-frame timeout');
  const stats = listener.stats;
  const rejected = Object.values(stats.rejected).reduce((a, b) => a + b, 0);
  // The session's own connection(s) were routed too; every hostile one was rejected or routed and then closed.
  t.true(rejected + stats.routed >= tally.opened - tally.failed, JSON.stringify(stats));
  t.true(tally.failed < 100, `${tally.failed} hostile connects failed (a local port in use)`);
  await left.close();
  await right.close();
  const socketsAfter = await settle(socketsBefore, 5000);
  t.true(socketsAfter <= socketsBefore, `sockets ${socketsBefore} → ${socketsAfter}`);
  const heapGrowth = heapAfterGc() - heapBefore;
  t.true(heapGrowth < 32 * 2 ** 20, `heap grew ${(heapGrowth / 2 ** 20).toFixed(1)} MiB`);
  report(
    t,
    'shared listener',
    tally,
    `max pending ${maxPending}/${MAX_PENDING}; rejected ${JSON.stringify(stats.rejected)}, routed ${stats.routed}; heap +${(heapGrowth / 2 ** 20).toFixed(1)} MiB`,
  );
});

test.serial(
  'an agent’s own passive port: 1,200 hostile connections (incl. checks with its ufrag and a wrong password) during a session',
  async (t) => {
    const passive = new TcpTransport({
      active: false,
      passive: true,
      so: false,
      passiveListener: { maxPendingConnections: 32, firstFrameTimeoutMs: 1000 },
    });
    const { left, right } = agentPair(
      { addresses: ['127.0.0.1'], udp: false },
      { tcp: { active: true, passive: false, so: false } },
      { tcp: noTcp, plugins: [passive] },
    );
    t.teardown(() => Promise.all([left.close(), right.close()]));
    const socketsBefore = socketHandles();
    const heapBefore = heapAfterGc();
    // The passive port is known once gathered: the session starts first, the flood hits it mid-session.
    await wire(left, right);
    const [cl, cr] = await Promise.all([left.connect({ timeoutMs: 20_000 }), right.connect({ timeoutMs: 20_000 })]);
    const port = cr.selectedPair!.local.port;
    const got = { toRight: 0, toLeft: 0 };
    cr.on('packet', (p: Buffer) => {
      got.toRight++;
      cr.send(p);
    });
    cl.on('packet', () => got.toLeft++);
    const flood = hostileBattery(port, { total: 1200, concurrency: 100, maxHoldMs: 8000, ufrag: right.localParameters.ufrag });
    let sent = 0;
    while (sent < 600) {
      cl.send(Buffer.from(`data ${sent++}`));
      if (sent % 20 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    const tally = await flood;
    const deadline = Date.now() + 10_000;
    while (got.toLeft < 600 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    t.deepEqual(got, { toRight: 600, toLeft: 600 }, 'every packet echoed during the flood');
    t.is(left.state, 'completed');
    t.is(right.state, 'completed');
    t.is(tally.gaveUp, 0, 'no hostile connection outlived the first-frame timeout');
    // Connections that reached the agent (its ufrag, a wrong password) must not pile up either.
    const during = socketHandles();
    await left.close();
    await right.close();
    const socketsAfter = await settle(socketsBefore, 5000);
    t.true(socketsAfter <= socketsBefore, `sockets ${socketsBefore} → ${socketsAfter} (${during} before closing the agents)`);
    const heapGrowth = heapAfterGc() - heapBefore;
    t.true(heapGrowth < 32 * 2 ** 20, `heap grew ${(heapGrowth / 2 ** 20).toFixed(1)} MiB`);
    report(
      t,
      'own passive port',
      tally,
      `sockets open after the flood with the session up: ${during}; heap +${(heapGrowth / 2 ** 20).toFixed(1)} MiB`,
    );
  },
);
