import test from 'ava';
import { runIceTcp } from './helpers.js';

test('demo exits 0 after an active → passive and an S-O round, each with its selected pair and echo', async (t) => {
  const r = await runIceTcp(['demo', '--send', '200000'], { timeoutMs: 90_000 });
  t.is(r.code, 0, `${r.stdout}\n${r.stderr}`);
  t.regex(r.stdout, /UDP is off/);
  t.notRegex(r.stdout, /^ {2}[AB] {2}a=candidate:.* UDP /m, 'no UDP candidate without --udp');
  t.regex(r.stdout, /^\[1\/2\] TCP active → passive/m);
  t.regex(r.stdout, /^ {2}selected +A \w+\/tcp-active .* ⇄ {2}B \w+\/tcp-passive /m);
  t.regex(r.stdout, /^\[2\/2\] TCP simultaneous open/m);
  t.regex(r.stdout, /^ {2}selected +A \w+\/tcp-so .* ⇄ {2}B \w+\/tcp-so /m);
  const echoes = r.stdout.match(/^ {2}echo +200000 bytes sent, 200000 echoed in \d+ ms: [\d.]+ Mbit\/s, 0 corrupt packets$/gm) ?? [];
  t.is(echoes.length, 2);
  t.regex(r.stdout, /^demo ok: 2 of 2 rounds passed$/m);
});

test('demo --tls --udp: TLS over the TCP pairs, and a round where ICE picks among every transport', async (t) => {
  const r = await runIceTcp(['demo', '--tls', '--udp', '--send', '100000'], { timeoutMs: 120_000 });
  t.is(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const tls = r.stdout.match(/^ {2}tls +role=server version=TLSv1\.3 cipher=\S+/gm) ?? [];
  t.is(tls.length, 3, 'TLS in every round (TCP is preferred with --tls)');
  t.regex(r.stdout, /^\[3\/3\] every transport, ICE picks/m);
  t.regex(r.stdout, /^demo ok: 3 of 3 rounds passed$/m);
});

test('demo --dtls --udp: DTLS over the TCP pairs and over the UDP pair ICE picks last', async (t) => {
  const r = await runIceTcp(['demo', '--dtls', '--udp', '--send', '100000'], { timeoutMs: 120_000 });
  t.is(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const dtls =
    r.stdout.match(/^ {2}dtls +role=server version=DTLSv1\.2 cipher=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 transport=(tcp|udp)/gm) ?? [];
  t.is(dtls.length, 3, 'DTLS in every round');
  t.regex(r.stdout, /transport=udp/, 'the last round selected UDP and ran DTLS over it');
  t.regex(r.stdout, /^demo ok: 3 of 3 rounds passed$/m);
});
