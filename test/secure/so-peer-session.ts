// The offerer side of the S-O TLS/DTLS tests: an S-O-only agent in this
// thread, the answerer in a worker (workers/so-secure-peer.ts, so that both
// S-O connects are in flight at once on loopback), candidates, fingerprints
// and setup exchanged as lines. Returns the selected connection and what the
// secure layer needs; the caller runs secureTls or secureDtls over it.
import { Worker } from 'node:worker_threads';
import type { IceAgent } from '../../lib/net/agent/agent.js';
import type { IceConnection } from '../../lib/net/index.js';
import {
  computeFingerprint,
  formatFingerprintLine,
  formatSetupLine,
  generateCertificate,
  parseSetupLine,
  tlsRoleFor,
  type TlsCertificate,
  type TlsRole,
} from '../../lib/secure/index.js';
import { tcpOnlyAgent } from './ice-agents.js';

export interface SoPeerSession {
  agent: IceAgent;
  worker: Worker;
  connection: IceConnection;
  certificate: TlsCertificate;
  /** Our (D)TLS role from a=setup (we offer actpass). */
  role: TlsRole;
  /** The answerer's fingerprint line. */
  remoteFingerprint: string;
  /** Resolves with the worker's result line ('closed cleanly' or 'failed: …'). */
  result: () => Promise<string>;
}

export async function startSoPeerSession(layer: 'tls' | 'dtls', agents: IceAgent[]): Promise<SoPeerSession> {
  const agent = tcpOnlyAgent(true, { active: false, passive: false, so: true });
  agents.push(agent);
  const certificate = generateCertificate({ commonName: 'offerer' });
  const worker = new Worker(new URL('./workers/so-secure-peer.js', import.meta.url), { workerData: { layer } });
  const fromPeer: { fingerprint?: string; setup?: string; result?: string } = {};
  worker.on(
    'message',
    (m: {
      params?: { ufrag: string; pwd: string };
      candidate?: string;
      gathered?: boolean;
      fingerprint?: string;
      setup?: string;
      result?: string;
    }) => {
      if (m.params) agent.setRemoteParameters(m.params);
      if (m.candidate) agent.addRemoteCandidate(m.candidate);
      if (m.gathered) agent.endOfRemoteCandidates();
      if (m.fingerprint) fromPeer.fingerprint = m.fingerprint;
      if (m.setup) fromPeer.setup = m.setup;
      if (m.result) fromPeer.result = m.result;
    },
  );
  worker.postMessage({
    params: agent.localParameters,
    fingerprint: formatFingerprintLine(computeFingerprint(certificate.der)),
    setup: formatSetupLine('actpass'),
  });
  agent.on('candidate', (c) => worker.postMessage({ candidate: c.toSdp() }));
  await agent.gather();
  worker.postMessage('end');
  const connection = await agent.connect({ timeoutMs: 60_000 });
  while (!fromPeer.fingerprint || !fromPeer.setup) await new Promise((r) => setTimeout(r, 5));
  const role = tlsRoleFor('offerer', 'actpass', parseSetupLine(fromPeer.setup));
  const result = async (): Promise<string> => {
    while (!fromPeer.result) await new Promise((r) => setTimeout(r, 5));
    return fromPeer.result;
  };
  return { agent, worker, connection, certificate, role, remoteFingerprint: fromPeer.fingerprint, result };
}
