// Worker: an IceAgent with only an S-O TCP candidate, the far side of the
// S-O ↔ S-O acceptance test. It runs in its own thread because on loopback
// the SYNs of a simultaneous open only cross when both connects are in
// flight at once, which one thread cannot arrange. Signalling by messages:
// → {params}, {candidate}, {gathered}, {connected: {local, remote}};
// ← {params}, {candidate}, 'end', 'close'. Connected, it echoes packets.
import { parentPort } from 'node:worker_threads';
import { LOOPBACK_SO_RETRY, tcpAgent } from '../agents.js';

const port = parentPort!;
const { agent } = tcpAgent(false, { active: false, passive: false, so: true }, { coreTcp: { soRetry: LOOPBACK_SO_RETRY } });
port.postMessage({ params: agent.localParameters });
agent.on('candidate', (c) => port.postMessage({ candidate: c.toSdp() }));
port.on('message', (m: { params?: { ufrag: string; pwd: string }; candidate?: string } | 'end' | 'close') => {
  if (m === 'end') agent.endOfRemoteCandidates();
  else if (m === 'close') void agent.close().then(() => port.close());
  else if (m.params) agent.setRemoteParameters(m.params);
  else if (m.candidate) agent.addRemoteCandidate(m.candidate);
});
await agent.gather();
port.postMessage({ gathered: true });
try {
  const connection = await agent.connect({ timeoutMs: 30_000 });
  connection.on('packet', (packet: Buffer) => connection.send(packet));
  const pair = agent.selectedPair()!;
  port.postMessage({ connected: { local: pair.local.tcpType, remote: pair.remote.tcpType, transport: connection.transport } });
} catch (error) {
  port.postMessage({ failed: String(error) });
}
