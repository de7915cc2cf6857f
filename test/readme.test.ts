/**
 * The README's library quick start, executed: if this test breaks, the README
 * is wrong. Keep the two in step (the code between the markers is what the
 * README shows, with the in-process signalling of a test).
 */
import test from 'ava';
import { createHash } from 'node:crypto';
import {
  IceAgent,
  computeFingerprint,
  formatFingerprintLine,
  generateCertificate,
  parseFingerprintLine,
  secureTls,
  type IceCandidate,
} from '../lib/index.js';

/** Two agents in one process; `signal` stands for whatever carries lines between peers. */
async function connectPair(options: { tcpOnly: boolean }) {
  // --- README quick start ---
  const offerer = new IceAgent({ controlling: true, udp: !options.tcpOnly, tcp: true, addresses: ['127.0.0.1'] });
  const answerer = new IceAgent({ controlling: false, udp: !options.tcpOnly, tcp: true, addresses: ['127.0.0.1'] });

  // Signalling: each side's candidates (a=candidate lines) and ufrag/pwd reach the other.
  offerer.on('candidate', (c: IceCandidate) => answerer.addRemoteCandidate(c.toSdp()));
  answerer.on('candidate', (c: IceCandidate) => offerer.addRemoteCandidate(c.toSdp()));
  await Promise.all([offerer.gather(), answerer.gather()]);
  offerer.setRemoteParameters(answerer.localParameters);
  answerer.setRemoteParameters(offerer.localParameters);
  offerer.endOfRemoteCandidates();
  answerer.endOfRemoteCandidates();

  const [a, b] = await Promise.all([offerer.connect({ timeoutMs: 10_000 }), answerer.connect({ timeoutMs: 10_000 })]);
  // --- end ---
  return { offerer, answerer, a, b };
}

test.serial('README quick start: two agents connect over ICE-TCP only and exchange packets', async (t) => {
  const { offerer, answerer, a, b } = await connectPair({ tcpOnly: true });
  try {
    t.is(a.transport, 'tcp');
    t.is(offerer.selectedPair()?.local.transport, 'tcp');
    const received: Buffer[] = [];
    const all = new Promise<void>((resolve) => {
      b.on('packet', (p: Buffer) => {
        received.push(Buffer.from(p));
        if (received.length === 100) resolve();
      });
    });
    const sent: Buffer[] = [];
    for (let i = 0; i < 100; i++) {
      const packet = Buffer.alloc(1200, i);
      sent.push(packet);
      a.send(packet);
    }
    await all;
    t.deepEqual(received, sent);
  } finally {
    await Promise.all([offerer.close(), answerer.close()]);
  }
});

test.serial('README quick start: TLS over the selected TCP pair, fingerprints checked', async (t) => {
  const { offerer, answerer, a, b } = await connectPair({ tcpOnly: true });
  try {
    // --- README TLS ---
    // Each side makes a certificate and signals its fingerprint line (RFC 8122);
    // a=setup decides who is the TLS client (offer actpass, answer active: the answerer).
    const certA = generateCertificate();
    const certB = generateCertificate();
    const lineA = formatFingerprintLine(computeFingerprint(certA.der)); // 'fingerprint sha-256 AB:CD:…'
    const lineB = formatFingerprintLine(computeFingerprint(certB.der));
    const [tlsA, tlsB] = await Promise.all([
      secureTls(a, { role: 'server', certificate: certA, remoteFingerprints: [parseFingerprintLine(lineB)] }),
      secureTls(b, { role: 'client', certificate: certB, remoteFingerprints: [parseFingerprintLine(lineA)] }),
    ]);
    // --- end ---
    const payload = Buffer.alloc(256 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) & 0xff;
    const chunks: Buffer[] = [];
    let total = 0;
    const done = new Promise<void>((resolve) => {
      tlsB.on('packet', (p: Buffer) => {
        chunks.push(Buffer.from(p));
        total += p.length;
        if (total >= payload.length) resolve();
      });
    });
    for (let off = 0; off < payload.length; off += 1200) tlsA.send(payload.subarray(off, off + 1200));
    await done;
    const digest = (x: Buffer) => createHash('sha256').update(x).digest('hex');
    t.is(digest(Buffer.concat(chunks)), digest(payload));
    tlsA.close();
    tlsB.close();
  } finally {
    await Promise.all([offerer.close(), answerer.close()]);
  }
});

test.serial('README quick start: with UDP on, UDP is selected by default', async (t) => {
  const { offerer, answerer, a } = await connectPair({ tcpOnly: false });
  try {
    t.is(a.transport, 'udp');
  } finally {
    await Promise.all([offerer.close(), answerer.close()]);
  }
});
