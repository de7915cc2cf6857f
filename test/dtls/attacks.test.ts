// Negative tests: every check of the handshake, driven through a virtual
// network that rewrites plaintext handshake messages (an on-path attacker).
import test from 'ava';
import { HandshakeType } from '../../lib/dtls/handshake-header.js';
import { encodeClientHello, parseClientHello, parseServerHello, encodeServerHello } from '../../lib/dtls/hello-messages.js';
import { ExtensionType } from '../../lib/dtls/extensions.js';
import { DTLS_1_0 } from '../../lib/dtls/record.js';
import {
  parseServerKeyExchange,
  encodeServerKeyExchange,
  parseDigitallySigned,
  encodeDigitallySigned,
  encodeCertificate,
} from '../../lib/dtls/key-messages.js';
import { VirtualNet, certs, expectCertificate, makePair } from './helpers.js';
import { rewriteHandshake, type WireMessage } from './wire.js';

/** A network that applies `edit` to the messages one side sends. */
function onPath(from: 'client' | 'server', edit: (m: WireMessage) => WireMessage | null) {
  return (d: { from: string; bytes: Uint8Array }) => [{ bytes: d.from === from ? rewriteHandshake(d.bytes, edit) : d.bytes, delay: 10 }];
}

function run(from: 'client' | 'server', edit: (m: WireMessage) => WireMessage | null, pair = makePair()) {
  const net = new VirtualNet(pair.client, pair.server, onPath(from, edit));
  net.run();
  return net;
}

function clientHelloEdit(
  change: (h: ReturnType<typeof parseClientHello>) => { version?: number; suites?: number[]; drop?: number[]; set?: [number, Uint8Array] },
) {
  return (m: WireMessage): WireMessage => {
    if (m.msgType !== HandshakeType.client_hello) return m;
    const h = parseClientHello(m.body);
    const c = change(h);
    const ext = [...h.extensions.entries()].filter(([type]) => !(c.drop ?? []).includes(type));
    if (c.set) {
      const i = ext.findIndex(([type]) => type === c.set![0]);
      if (i >= 0) ext[i] = c.set;
      else ext.push(c.set);
    }
    return { ...m, body: encodeClientHello({ ...h, version: c.version ?? h.version, cipherSuites: c.suites ?? h.cipherSuites }, ext) };
  };
}

function serverHelloEdit(change: { version?: number; drop?: number[]; set?: [number, Uint8Array] }) {
  return (m: WireMessage): WireMessage => {
    if (m.msgType !== HandshakeType.server_hello) return m;
    const h = parseServerHello(m.body);
    const ext = [...h.extensions.entries()].filter(([type]) => !(change.drop ?? []).includes(type));
    if (change.set) ext.push(change.set);
    return { ...m, body: encodeServerHello({ ...h, version: change.version ?? h.version }, ext) };
  };
}

test('MITM: a server presenting the real server certificate without its key fails the ServerKeyExchange signature', (t) => {
  const c = certs();
  // Mallory's server holds only her own key; on the wire her Certificate is swapped for the real server's.
  const pair = makePair({ server: { certificate: c.other } });
  const net = run('server', (m) => (m.msgType === HandshakeType.certificate ? { ...m, body: encodeCertificate([c.server.der]) } : m), pair);
  t.is(net.failure('client'), 'ERR_DTLS_BAD_SIGNATURE');
  t.is(net.failure('server'), 'ERR_DTLS_ALERT', 'the client told her with a fatal alert');
  t.is(pair.client.state, 'failed');
});

test('MITM: a client presenting the real client certificate without its key fails CertificateVerify', (t) => {
  const c = certs();
  const pair = makePair({ client: { certificate: c.other } });
  const net = run('client', (m) => (m.msgType === HandshakeType.certificate ? { ...m, body: encodeCertificate([c.client.der]) } : m), pair);
  t.is(net.failure('server'), 'ERR_DTLS_BAD_SIGNATURE');
  t.is(pair.server.state, 'failed');
  t.false(net.events.server.some((e) => e.type === 'connected'));
});

test('a tampered ServerKeyExchange signature is refused', (t) => {
  const net = run('server', (m) => {
    if (m.msgType !== HandshakeType.server_key_exchange) return m;
    const ske = parseServerKeyExchange(m.body);
    const sig = Uint8Array.from(ske.signature);
    sig[sig.length - 1] ^= 1;
    return { ...m, body: encodeServerKeyExchange(ske.params, ske.scheme, sig) };
  });
  t.is(net.failure('client'), 'ERR_DTLS_BAD_SIGNATURE');
});

test('a ServerKeyExchange with an empty signature is refused', (t) => {
  const net = run('server', (m) => {
    if (m.msgType !== HandshakeType.server_key_exchange) return m;
    const ske = parseServerKeyExchange(m.body);
    return { ...m, body: encodeServerKeyExchange(ske.params, ske.scheme, new Uint8Array(0)) };
  });
  t.is(net.failure('client'), 'ERR_DTLS_BAD_SIGNATURE');
});

test('ServerKeyExchange params changed under a valid signature (an attacker-chosen ECDHE key) are refused', (t) => {
  const net = run('server', (m) => {
    if (m.msgType !== HandshakeType.server_key_exchange) return m;
    const ske = parseServerKeyExchange(m.body);
    const params = Uint8Array.from(ske.params);
    params[params.length - 1] ^= 1;
    return { ...m, body: encodeServerKeyExchange(params, ske.scheme, ske.signature) };
  });
  t.is(net.failure('client'), 'ERR_DTLS_BAD_SIGNATURE');
});

test('a forged CertificateVerify signature is refused', (t) => {
  const net = run('client', (m) => {
    if (m.msgType !== HandshakeType.certificate_verify) return m;
    const cv = parseDigitallySigned(m.body, 'cv');
    const sig = Uint8Array.from(cv.signature);
    sig[10] ^= 0x40;
    return { ...m, body: encodeDigitallySigned(cv.scheme, sig) };
  });
  t.is(net.failure('server'), 'ERR_DTLS_BAD_SIGNATURE');
});

test('a CertificateVerify with no signature is refused', (t) => {
  const net = run('client', (m) =>
    m.msgType === HandshakeType.certificate_verify ? { ...m, body: encodeDigitallySigned(0x0403, new Uint8Array(0)) } : m,
  );
  t.is(net.failure('server'), 'ERR_DTLS_BAD_SIGNATURE');
});

test('a missing CertificateVerify (another message in its place) is refused', (t) => {
  const net = run('client', (m) =>
    m.msgType === HandshakeType.certificate_verify ? { ...m, msgType: HandshakeType.client_key_exchange } : m,
  );
  t.is(net.failure('server'), 'ERR_DTLS_UNEXPECTED_MESSAGE');
});

test('a client that sends no certificate is refused (RFC 8122 §6.2)', (t) => {
  const net = run('client', (m) => (m.msgType === HandshakeType.certificate ? { ...m, body: encodeCertificate([]) } : m));
  t.is(net.failure('server'), 'ERR_DTLS_NO_PEER_CERTIFICATE');
});

test('fingerprint mismatch, client side: the handshake ends with bad_certificate before any data', (t) => {
  const c = certs();
  const pair = makePair({ client: { verifyPeerCertificate: expectCertificate(c.other) } });
  const net = new VirtualNet(pair.client, pair.server);
  net.run();
  t.is(net.failure('client'), 'ERR_DTLS_BAD_CERTIFICATE');
  t.is(net.failure('server'), 'ERR_DTLS_ALERT');
});

test('fingerprint mismatch, server side', (t) => {
  const c = certs();
  const pair = makePair({ server: { verifyPeerCertificate: expectCertificate(c.other) } });
  const net = new VirtualNet(pair.client, pair.server);
  net.run();
  t.is(net.failure('server'), 'ERR_DTLS_BAD_CERTIFICATE');
  t.is(net.failure('client'), 'ERR_DTLS_ALERT');
});

test('a ClientHello offering only a suite we do not implement gets handshake_failure', (t) => {
  const net = run(
    'client',
    clientHelloEdit(() => ({ suites: [0xc02f /* ECDHE_RSA_AES128_GCM */, 0x009c /* RSA_AES128_GCM */] })),
  );
  t.is(net.failure('server'), 'ERR_DTLS_NO_SHARED_SUITE');
  t.is(net.failure('client'), 'ERR_DTLS_ALERT');
});

test('a downgrade to DTLS 1.0 in the ClientHello is refused with protocol_version', (t) => {
  const net = run(
    'client',
    clientHelloEdit(() => ({ version: DTLS_1_0 })),
  );
  t.is(net.failure('server'), 'ERR_DTLS_PROTOCOL_VERSION');
});

test('a downgrade to DTLS 1.0 in the ServerHello is refused with protocol_version', (t) => {
  const net = run('server', serverHelloEdit({ version: DTLS_1_0 }));
  t.is(net.failure('client'), 'ERR_DTLS_PROTOCOL_VERSION');
});

test('a ClientHello without extended_master_secret is refused (RFC 7627 required)', (t) => {
  const net = run(
    'client',
    clientHelloEdit(() => ({ drop: [ExtensionType.extended_master_secret] })),
  );
  t.is(net.failure('server'), 'ERR_DTLS_NO_EXTENDED_MASTER_SECRET');
});

test('a ServerHello without extended_master_secret is refused', (t) => {
  const net = run('server', serverHelloEdit({ drop: [ExtensionType.extended_master_secret] }));
  t.is(net.failure('client'), 'ERR_DTLS_NO_EXTENDED_MASTER_SECRET');
});

test('a non-empty renegotiation_info on an initial handshake is refused (RFC 5746 §3.6)', (t) => {
  const net = run(
    'client',
    clientHelloEdit(() => ({ set: [ExtensionType.renegotiation_info, Uint8Array.of(12, ...new Uint8Array(12))] })),
  );
  t.is(net.failure('server'), 'ERR_DTLS_RENEGOTIATION');
});

test('a ServerHello extension the client did not offer is refused', (t) => {
  const net = run('server', serverHelloEdit({ set: [0x0010 /* ALPN */, Uint8Array.of(0, 3, 2, 104, 50)] }));
  t.is(net.failure('client'), 'ERR_DTLS_DECODE');
});

test('a handshake message over maxHandshakeMessageSize fails the handshake with a typed error', (t) => {
  const c = certs();
  const pair = makePair({ server: { maxHandshakeMessageSize: 256 } });
  // The client's Certificate (~400 bytes) is over 256.
  const net = new VirtualNet(pair.client, pair.server);
  net.run();
  t.true(c.client.der.length > 256);
  t.is(net.failure('server'), 'ERR_DTLS_HANDSHAKE_TOO_LARGE');
});

test('a changed ClientHello random is caught by the ServerKeyExchange signature, which covers both randoms', (t) => {
  const net = run('client', (m) => {
    if (m.msgType !== HandshakeType.client_hello) return m;
    const body = Uint8Array.from(m.body);
    body[2 + 31] ^= 1; // last byte of client random: the server signs the changed one, the client checks its own
    return { ...m, body };
  });
  t.is(net.failure('client'), 'ERR_DTLS_BAD_SIGNATURE');
});

test('a changed CertificateRequest (transcripts differ) is caught by CertificateVerify, which signs the transcript', (t) => {
  const net = run('server', (m) => {
    if (m.msgType !== HandshakeType.certificate_request) return m;
    // add a second (unused) certificate type: still acceptable to the client, but the transcripts now differ.
    const body = Uint8Array.from([2, 64, 1, ...m.body.subarray(2)]);
    return { ...m, body };
  });
  t.is(net.failure('server'), 'ERR_DTLS_BAD_SIGNATURE');
});

test('with client authentication off, a transcript changed on the wire yields different keys (RFC 7627 session hash): nothing authenticates, the handshake fails', (t) => {
  const pair = makePair({ server: { requireClientCertificate: false, maxRetransmits: 2 }, client: { maxRetransmits: 2 } });
  // A session_id the server never sent: nothing signs the ServerHello.
  const edit = (m: WireMessage): WireMessage => {
    if (m.msgType !== HandshakeType.server_hello) return m;
    const h = parseServerHello(m.body);
    return { ...m, body: encodeServerHello({ ...h, sessionId: Uint8Array.of(1, 2, 3, 4) }, [...h.extensions.entries()]) };
  };
  const net = new VirtualNet(pair.client, pair.server, onPath('server', edit));
  net.run(() => pair.client.state === 'failed' && pair.server.state === 'failed');
  t.is(net.failure('client'), 'ERR_DTLS_HANDSHAKE_TIMEOUT');
  t.is(net.failure('server'), 'ERR_DTLS_HANDSHAKE_TIMEOUT');
  t.true(pair.server.recordStats.unauthenticated > 0, 'the client Finished never authenticated at the server');
  t.false(net.events.server.some((e) => e.type === 'connected'));
});

test('with client authentication off the handshake completes and the server sees no peer certificate', (t) => {
  const pair = makePair({ server: { requireClientCertificate: false } });
  const net = new VirtualNet(pair.client, pair.server);
  net.run();
  t.is(pair.server.state, 'connected');
  t.is(pair.server.peerCertificate, undefined);
  t.truthy(pair.client.peerCertificate);
});

/** DER ECDSA signature (r, s) → (r, n − s): the other valid signature of the same message (ECDSA is malleable). */
function malleate(der: Uint8Array): Uint8Array {
  const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
  const readInt = (at: number): { value: bigint; end: number } => {
    const len = der[at + 1];
    return { value: BigInt('0x' + Buffer.from(der.subarray(at + 2, at + 2 + len)).toString('hex')), end: at + 2 + len };
  };
  const r = readInt(2);
  const s = readInt(r.end);
  const encodeInt = (v: bigint): Buffer => {
    let hex = v.toString(16);
    if (hex.length % 2) hex = '0' + hex;
    let bytes = Buffer.from(hex, 'hex');
    if (bytes[0] & 0x80) bytes = Buffer.concat([Buffer.of(0), bytes]);
    return Buffer.concat([Buffer.of(2, bytes.length), bytes]);
  };
  const body = Buffer.concat([encodeInt(r.value), encodeInt(n - s.value)]);
  return Buffer.concat([Buffer.of(0x30, body.length), body]);
}

test('Finished catches a transcript change nothing else sees: a malleated (still valid) CertificateVerify signature', (t) => {
  // The session hash (RFC 7627) stops at ClientKeyExchange, so keys agree; CertificateVerify verifies (n − s is valid);
  // only the Finished hash, which covers CertificateVerify's bytes, differs.
  const net = run('client', (m) => {
    if (m.msgType !== HandshakeType.certificate_verify) return m;
    const cv = parseDigitallySigned(m.body, 'cv');
    return { ...m, body: encodeDigitallySigned(cv.scheme, malleate(cv.signature)) };
  });
  t.is(net.failure('server'), 'ERR_DTLS_BAD_FINISHED');
  t.is(net.failure('client'), 'ERR_DTLS_ALERT');
});
