// Worker: the far side of the S-O TLS and DTLS tests. An IceAgent with only
// an S-O candidate (its own thread, so that both S-O connects are in flight
// at once on loopback), answering the offer's setup with chooseAnswerSetup and
// running secureTls, or secureDtls when workerData.layer is 'dtls', over the
// selected pair; it echoes every packet.
// ← {params, fingerprint, setup}, {candidate}, 'end', 'close'
// → {params}, {candidate}, {gathered}, {fingerprint, setup}, {result}
import { parentPort, workerData } from 'node:worker_threads';
import {
  chooseAnswerSetup,
  computeFingerprint,
  formatFingerprintLine,
  formatSetupLine,
  generateCertificate,
  parseSetupLine,
  secureDtls,
  secureTls,
  tlsRoleFor,
} from '../../../lib/secure/index.js';
import { tcpOnlyAgent } from '../ice-agents.js';

const port = parentPort!;
const secureLayer = (workerData as { layer?: 'tls' | 'dtls' } | undefined)?.layer === 'dtls' ? secureDtls : secureTls;
const agent = tcpOnlyAgent(false, { active: false, passive: false, so: true });
const certificate = generateCertificate({ commonName: 'answerer' });
let offer: { fingerprint: string; setup: string } | undefined;
let offered!: () => void;
const offerArrived = new Promise<void>((resolve) => (offered = resolve));
port.postMessage({ params: agent.localParameters });
agent.on('candidate', (c) => port.postMessage({ candidate: c.toSdp() }));
port.on(
  'message',
  (m: { params?: { ufrag: string; pwd: string }; candidate?: string; fingerprint?: string; setup?: string } | 'end' | 'close') => {
    if (m === 'end') agent.endOfRemoteCandidates();
    else if (m === 'close') void agent.close().then(() => port.close());
    else {
      if (m.params) agent.setRemoteParameters(m.params);
      if (m.candidate) agent.addRemoteCandidate(m.candidate);
      if (m.fingerprint && m.setup) {
        offer = { fingerprint: m.fingerprint, setup: m.setup };
        offered();
      }
    }
  },
);
await agent.gather();
port.postMessage({ gathered: true });
await offerArrived;
const answer = chooseAnswerSetup(parseSetupLine(offer!.setup));
port.postMessage({ fingerprint: formatFingerprintLine(computeFingerprint(certificate.der)), setup: formatSetupLine(answer) });
try {
  const connection = await agent.connect({ timeoutMs: 60_000 });
  const secure = await secureLayer(connection, {
    role: tlsRoleFor('answerer', parseSetupLine(offer!.setup), answer),
    certificate,
    remoteFingerprints: [offer!.fingerprint],
  });
  secure.on('packet', (p: Buffer) => secure.send(p));
  secure.on('close', (error?: Error) => port.postMessage({ result: error ? `failed: ${error.message}` : 'closed cleanly' }));
} catch (error) {
  port.postMessage({ result: `failed: ${String(error)}` });
}
