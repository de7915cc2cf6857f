// DTLS over real ICE pairs selected by two IceAgents on 127.0.0.1: a UDP
// pair (each datagram one DTLS datagram), an ICE-TCP active/passive pair
// (each RFC 4571 frame one DTLS datagram, RFC 6544 §7.1) and an S-O ↔ S-O
// pair with the peer in a worker thread. Roles come from a=setup (actpass
// offered, active answered: the answerer is the DTLS client); the ICE
// core's consent keeps running underneath (a short consent expiry would
// fail the agents if DTLS ever swallowed it).
import test from 'ava';
import { once } from 'node:events';
import {
  chooseAnswerSetup,
  computeFingerprint,
  formatFingerprintLine,
  formatSetupLine,
  generateCertificate,
  parseFingerprintLine,
  parseSetupLine,
  secureDtls,
  tlsRoleFor,
  type DtlsConnection,
} from '../../lib/secure/index.js';
import { IceAgent } from '../../lib/net/agent/agent.js';
import { startSoPeerSession } from './so-peer-session.js';
import { signalAgents, tcpOnlyAgent } from './ice-agents.js';

const agents: IceAgent[] = [];
test.after.always(() => Promise.all(agents.map((a) => a.close())));

/** Consent every ~4 s, expired after 6 s without an answer (RFC 7675 §5.1 allows shorter expiry for tests). */
const CONSENT = { intervalMs: 4000, expiryMs: 6000, disconnectedAfterMs: 5000 };

function negotiate() {
  const offerCert = generateCertificate({ commonName: 'offerer' });
  const answerCert = generateCertificate({ commonName: 'answerer' });
  const offer = [formatSetupLine('actpass'), formatFingerprintLine(computeFingerprint(offerCert.der))];
  const answerSetup = chooseAnswerSetup(parseSetupLine(offer[0]));
  const answer = [formatSetupLine(answerSetup), formatFingerprintLine(computeFingerprint(answerCert.der))];
  const offerSetup = parseSetupLine(offer[0]);
  const answered = parseSetupLine(answer[0]);
  return {
    offerer: { certificate: offerCert, role: tlsRoleFor('offerer', offerSetup, answered), remote: [parseFingerprintLine(answer[1])] },
    answerer: { certificate: answerCert, role: tlsRoleFor('answerer', offerSetup, answered), remote: [parseFingerprintLine(offer[1])] },
  };
}

function packets(conn: DtlsConnection, count: number): Promise<Buffer[]> {
  const got: Buffer[] = [];
  return new Promise((resolve) => {
    conn.on('packet', (p: Buffer) => {
      got.push(p);
      if (got.length === count) resolve(got);
    });
  });
}

async function dtlsBothWays(t: import('ava').ExecutionContext, l: DtlsConnection, r: DtlsConnection, count = 50): Promise<void> {
  const atR = packets(r, count);
  const atL = packets(l, count);
  for (let i = 0; i < count; i++) {
    l.send(Buffer.alloc(1000 + i, i));
    r.send(Buffer.alloc(500 + i, i));
  }
  const [gotR, gotL] = await Promise.all([atR, atL]);
  t.deepEqual(
    gotR.map((p) => p.length),
    Array.from({ length: count }, (_, i) => 1000 + i),
  );
  t.deepEqual(
    gotL.map((p) => p.length),
    Array.from({ length: count }, (_, i) => 500 + i),
  );
}

test('DTLS over a UDP ICE pair: roles from a=setup, data both ways, consent alive during and after', async (t) => {
  const udpAgent = (controlling: boolean) =>
    new IceAgent({ addresses: ['127.0.0.1'], controlling, tcp: { active: false, passive: false, so: false }, consent: CONSENT });
  const left = udpAgent(true);
  const right = udpAgent(false);
  agents.push(left, right);
  await signalAgents(left, right);
  const [l, r] = await Promise.all([left.connect({ timeoutMs: 10_000 }), right.connect({ timeoutMs: 10_000 })]);
  t.is(l.transport, 'udp');
  const roles = negotiate();
  t.is(roles.answerer.role, 'client');
  const [dl, dr] = await Promise.all([
    secureDtls(l, { role: roles.offerer.role, certificate: roles.offerer.certificate, remoteFingerprints: roles.offerer.remote }),
    secureDtls(r, { role: roles.answerer.role, certificate: roles.answerer.certificate, remoteFingerprints: roles.answerer.remote }),
  ]);
  t.is(dl.role, 'server');
  t.is(dl.transport, 'udp');
  t.is(dl.cipherSuite, 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
  await dtlsBothWays(t, dl, dr);
  // Longer than the consent expiry: consent must have been answered all along.
  await new Promise((resolve) => setTimeout(resolve, 8000));
  t.is(left.state, 'completed');
  t.is(right.state, 'completed');
  await dtlsBothWays(t, dl, dr, 10);
  t.is(dl.counters.otherPacketsDropped + dr.counters.otherPacketsDropped, 0, 'no STUN reached DTLS');
  const ended = once(dl, 'close');
  dr.close();
  await ended;
});

test('DTLS over an ICE-TCP active/passive pair: one DTLS datagram per RFC 4571 frame', async (t) => {
  const left = tcpOnlyAgent(true, { active: true, passive: false, so: false });
  const right = tcpOnlyAgent(false, { active: false, passive: true, so: false });
  agents.push(left, right);
  await signalAgents(left, right);
  const [l, r] = await Promise.all([left.connect({ timeoutMs: 10_000 }), right.connect({ timeoutMs: 10_000 })]);
  t.is(l.transport, 'tcp');
  t.is(left.selectedPair()!.local.tcpType, 'active');
  const roles = negotiate();
  const [dl, dr] = await Promise.all([
    secureDtls(l, { role: roles.offerer.role, certificate: roles.offerer.certificate, remoteFingerprints: roles.offerer.remote }),
    secureDtls(r, { role: roles.answerer.role, certificate: roles.answerer.certificate, remoteFingerprints: roles.answerer.remote }),
  ]);
  t.is(dl.transport, 'tcp');
  t.is(dr.role, 'client', 'the answerer (passive TCP side) is the DTLS client');
  await dtlsBothWays(t, dl, dr);
  t.is(left.state, 'completed');
  dl.close();
  await once(dr, 'close');
});

test('DTLS over an S-O ↔ S-O ICE-TCP pair (peer in a worker thread), fingerprints and setup as lines', async (t) => {
  const { agent, worker, connection, certificate, role, remoteFingerprint, result } = await startSoPeerSession('dtls', agents);
  t.is(agent.selectedPair()!.local.tcpType, 'so');
  const secure = await secureDtls(connection, { role, certificate, remoteFingerprints: [remoteFingerprint] });
  t.is(secure.transport, 'tcp');
  const echoed = packets(secure, 50);
  for (let i = 0; i < 50; i++) secure.send(Buffer.alloc(1000 + i, i));
  const back = await echoed;
  t.deepEqual(
    back.map((p) => p.length),
    Array.from({ length: 50 }, (_, i) => 1000 + i),
  );
  t.true(back.every((p, i) => p[0] === i));
  secure.close();
  t.is(await result(), 'closed cleanly');
  worker.postMessage('close');
  await once(worker, 'exit');
});
