// Issue 5 acceptance: two IceAgents on loopback, UDP off, S-O candidates
// only, connect through TCP simultaneous open (RFC 6544 §3). The peer agent
// runs in a worker thread (see workers/so-agent.ts for why).
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import test from 'ava';
import { LOOPBACK_SO_RETRY, tcpAgent } from './agents.js';

test('UDP off: S-O ↔ S-O alone connects and carries packets (echoed by the peer)', async (t) => {
  const { agent } = tcpAgent(true, { active: false, passive: false, so: true }, { coreTcp: { soRetry: LOOPBACK_SO_RETRY } });
  const worker = new Worker(new URL('./workers/so-agent.js', import.meta.url));
  let peerResult: { connected?: { local: string; remote: string; transport: string }; failed?: string } | undefined;
  let peerGathered = false;
  worker.on(
    'message',
    (m: { params?: { ufrag: string; pwd: string }; candidate?: string; gathered?: boolean; connected?: unknown; failed?: string }) => {
      if (m.params) agent.setRemoteParameters(m.params);
      if (m.candidate) agent.addRemoteCandidate(m.candidate);
      if (m.gathered) {
        peerGathered = true;
        agent.endOfRemoteCandidates();
      }
      if (m.connected || m.failed) peerResult = m as typeof peerResult;
    },
  );
  worker.postMessage({ params: agent.localParameters });
  agent.on('candidate', (c) => worker.postMessage({ candidate: c.toSdp() }));
  t.teardown(async () => {
    worker.postMessage('close');
    await Promise.race([once(worker, 'exit'), new Promise((r) => setTimeout(r, 2000))]);
    await worker.terminate();
    await agent.close();
  });
  await agent.gather();
  worker.postMessage('end');
  const start = Date.now();
  const connection = await agent.connect({ timeoutMs: 30_000 });
  t.log(`S-O connected in ${Date.now() - start} ms`);
  t.true(peerGathered);
  const pair = agent.selectedPair()!;
  t.is(connection.transport, 'tcp');
  t.is(pair.local.tcpType, 'so');
  t.is(pair.remote.tcpType, 'so');
  t.is(pair.local.type, 'host', 'the crossing connection is on the bound port: no prflx');
  while (peerResult === undefined) await new Promise((r) => setTimeout(r, 10));
  t.deepEqual(peerResult, { connected: { local: 'so', remote: 'so', transport: 'tcp' } });
  const echoes: Buffer[] = [];
  connection.on('packet', (p: Buffer) => echoes.push(Buffer.from(p)));
  for (let i = 0; i < 100; i++) connection.send(Buffer.alloc(1200, i));
  while (echoes.length < 100) await new Promise((r) => setTimeout(r, 10));
  t.deepEqual(
    echoes.map((e) => e[0]),
    [...Array(100).keys()],
  );
});
