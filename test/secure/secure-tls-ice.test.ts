// TLS over real ICE-TCP pairs selected by two IceAgents on 127.0.0.1: our
// active → their passive, our passive ← their active, and S-O ↔ S-O (the
// peer in a worker thread, so that both simultaneous-open connects are in
// flight at once). TLS roles come from a=setup (actpass offered,
// active answered: the answerer is the client) whoever opened the TCP
// connection; the ICE core's STUN (consent) keeps running underneath.
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import {
  chooseAnswerSetup,
  computeFingerprint,
  formatFingerprintLine,
  formatSetupLine,
  generateCertificate,
  parseFingerprintLine,
  parseSetupLine,
  secureTls,
  tlsRoleFor,
} from '../../lib/secure/index.js';
import type { IceAgent } from '../../lib/net/agent/agent.js';
import { startSoPeerSession } from './so-peer-session.js';
import { signalAgents, tcpOnlyAgent, type TcpKinds } from './ice-agents.js';
import { closed, packets } from './tls-helpers.js';

const agents: IceAgent[] = [];
test.after.always(() => Promise.all(agents.map((a) => a.close())));

/** Offer/answer of setup and fingerprint lines, as `ice-tcp peer` exchanges them. */
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

for (const [title, ours, theirs] of [
  ['our active → their passive', { active: true, passive: false, so: false }, { active: false, passive: true, so: false }],
  ['our passive ← their active', { active: false, passive: true, so: false }, { active: true, passive: false, so: false }],
] as Array<[string, TcpKinds, TcpKinds]>) {
  test(`TLS over an ICE-TCP pair, ${title}: roles from a=setup, data both ways, STUN outside TLS`, async (t) => {
    const left = tcpOnlyAgent(true, ours); // the offerer
    const right = tcpOnlyAgent(false, theirs); // the answerer
    agents.push(left, right);
    await signalAgents(left, right);
    const [l, r] = await Promise.all([left.connect({ timeoutMs: 10_000 }), right.connect({ timeoutMs: 10_000 })]);
    t.is(l.transport, 'tcp');
    t.is(left.selectedPair()!.local.tcpType, ours.active ? 'active' : 'passive');
    const roles = negotiate();
    t.is(roles.answerer.role, 'client', 'actpass answered active: the answerer is the TLS client');
    t.is(roles.offerer.role, 'server', ours.active ? 'though the offerer opened TCP' : 'and the answerer opened TCP');
    const [sl, sr] = await Promise.all([
      secureTls(l, { role: roles.offerer.role, certificate: roles.offerer.certificate, remoteFingerprints: roles.offerer.remote }),
      secureTls(r, { role: roles.answerer.role, certificate: roles.answerer.certificate, remoteFingerprints: roles.answerer.remote }),
    ]);
    t.is(sl.protocol, 'TLSv1.3');
    t.is(sl.role, 'server');
    t.is(sr.role, 'client');
    // 4 MiB each way through the Duplex views, checked by hash.
    const size = 4 * 1024 * 1024;
    const dataLR = randomBytes(size);
    const dataRL = randomBytes(size);
    const hashOf = (stream: NodeJS.ReadableStream): Promise<string> =>
      new Promise((resolve) => {
        const h = createHash('sha256');
        let n = 0;
        stream.on('data', (c: Buffer) => {
          h.update(c);
          n += c.length;
          if (n === size) resolve(h.digest('hex'));
        });
      });
    const write = async (stream: NodeJS.WritableStream, data: Buffer) => {
      for (let off = 0; off < data.length; off += 60_000) {
        if (!stream.write(data.subarray(off, off + 60_000))) await once(stream as never, 'drain');
      }
    };
    const [hr, hl] = await Promise.all([hashOf(sr.stream()), hashOf(sl.stream()), write(sl.stream(), dataLR), write(sr.stream(), dataRL)]);
    t.is(hr, createHash('sha256').update(dataLR).digest('hex'));
    t.is(hl, createHash('sha256').update(dataRL).digest('hex'));
    // The ICE core consumed its STUN below: none reached TLS.
    t.is(sl.stunPacketsSkipped + sr.stunPacketsSkipped, 0);
    t.is(left.state, 'completed');
    sr.close();
    await Promise.all([closed(sl), closed(sr)]);
  });
}

test('TLS over an S-O ↔ S-O ICE-TCP pair (peer in a worker thread), fingerprints and setup as lines', async (t) => {
  const { agent, worker, connection, certificate, role, remoteFingerprint, result } = await startSoPeerSession('tls', agents);
  t.is(agent.selectedPair()!.local.tcpType, 'so');
  t.is(role, 'server');
  const secure = await secureTls(connection, { role, certificate, remoteFingerprints: [remoteFingerprint] });
  // The worker echoes every packet back over its TLS.
  const echoed = packets(secure, 50);
  for (let i = 0; i < 50; i++) secure.send(Buffer.alloc(1000 + i, i));
  const back = await echoed;
  t.deepEqual(
    back.map((p) => p.length),
    Array.from({ length: 50 }, (_, i) => 1000 + i),
  );
  t.true(back.every((p, i) => p[0] === i));
  secure.close();
  await closed(secure);
  t.is(await result(), 'closed cleanly');
  worker.postMessage('close');
  await once(worker, 'exit');
});
