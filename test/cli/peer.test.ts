import { createServer, type AddressInfo } from 'node:net';
import test from 'ava';
import { collect, linesOf, runPeerPair, startIceTcp, type RunResult } from './helpers.js';

/** Checks the line protocol of one side that completed. */
function assertCompleted(t: import('ava').ExecutionContext, r: RunResult, side: string): void {
  t.is(r.code, 0, `${side} exit code\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  const lines = r.stdout.trimEnd().split('\n');
  t.regex(lines[0], /^ufrag [A-Za-z0-9+/]{4,}$/, side);
  t.regex(lines[1], /^pwd [A-Za-z0-9+/]{22,}$/, side);
  t.true(linesOf(r.stdout, 'gathering-done').length === 1, side);
  t.true(linesOf(r.stdout, 'end-of-candidates').length === 1, side);
  t.regex(r.stdout, /^a=candidate:\S+ 1 (UDP|TCP) \d+ 127\.0\.0\.1 \d+ typ host/m, side);
  t.regex(r.stdout, /^state checking$/m, side);
  t.regex(r.stdout, /^selected a=candidate:.+ a=candidate:.+$/m, side);
  t.regex(r.stdout, /^connected-ms \d+$/m, side);
  t.deepEqual(linesOf(r.stdout, 'done'), ['done'], side);
  t.is(lines.at(-1), 'result ok', side);
}

function selectedTypes(r: RunResult): string {
  return linesOf(r.stdout, 'selected-types').at(-1) ?? '(none)';
}

test('TCP only: 1 000 000 bytes echoed, both print result ok', async (t) => {
  const { a, b } = await runPeerPair(['--controlling', '--udp', 'off', '--send', '1000000'], ['--controlled', '--udp', 'off', '--echo']);
  assertCompleted(t, a, 'sender');
  assertCompleted(t, b, 'echo');
  t.notRegex(a.stdout + b.stdout, /^a=candidate:.* UDP /m, 'no UDP candidate');
  // An active candidate's connection comes from an ephemeral port: the peer may see it as prflx.
  t.regex(selectedTypes(a), /^selected-types local=(host|prflx)\/tcp-(active|passive|so) remote=(host|prflx)\/tcp-(active|passive|so)$/);
  t.regex(selectedTypes(b), /^selected-types local=(host|prflx)\/tcp-(active|passive|so) remote=(host|prflx)\/tcp-(active|passive|so)$/);
  const [result] = linesOf(a.stdout, 'send-result');
  t.regex(result ?? '', /^send-result sent=1000000 echoed=1000000 corrupt-chunks=0 ms=\d+ mbps=\d+\.\d\d$/);
  t.deepEqual(linesOf(b.stdout, 'send-result'), [], 'the echo side does not report');
});

test('UDP only', async (t) => {
  const { a, b } = await runPeerPair(['--controlling', '--tcp', 'off', '--send', '200000'], ['--controlled', '--tcp', 'off', '--echo']);
  assertCompleted(t, a, 'sender');
  assertCompleted(t, b, 'echo');
  t.is(selectedTypes(a), 'selected-types local=host/udp remote=host/udp');
  t.is(selectedTypes(b), 'selected-types local=host/udp remote=host/udp');
  t.regex(linesOf(a.stdout, 'send-result')[0] ?? '', /sent=200000 echoed=200000 corrupt-chunks=0/);
});

test('--tcptypes so alone: a simultaneous-open pair on both sides', async (t) => {
  const args = ['--udp', 'off', '--tcptypes', 'so'];
  const { a, b } = await runPeerPair(['--controlling', ...args, '--send', '100000'], ['--controlled', ...args, '--echo']);
  assertCompleted(t, a, 'sender');
  assertCompleted(t, b, 'echo');
  t.regex(selectedTypes(a), /^selected-types local=(host|prflx)\/tcp-so remote=(host|prflx)\/tcp-so$/);
  t.regex(selectedTypes(b), /^selected-types local=(host|prflx)\/tcp-so remote=(host|prflx)\/tcp-so$/);
});

test('--tls with data: fingerprints and setup roles exchanged, data moves through TLS', async (t) => {
  const args = ['--udp', 'off', '--tls'];
  const { a, b } = await runPeerPair(['--controlling', ...args, '--send', '300000'], ['--controlled', ...args, '--echo', '--trickle']);
  assertCompleted(t, a, 'sender');
  assertCompleted(t, b, 'echo');
  t.regex(a.stdout, /^fingerprint sha-256 [0-9A-F]{2}(:[0-9A-F]{2}){31}$/m);
  t.regex(b.stdout, /^fingerprint sha-256 [0-9A-F]{2}(:[0-9A-F]{2}){31}$/m);
  t.deepEqual(linesOf(a.stdout, 'setup'), ['setup actpass']);
  t.deepEqual(linesOf(b.stdout, 'setup'), ['setup active']);
  // The controlled side answered active: it is the TLS client.
  t.regex(linesOf(a.stdout, 'tls')[0] ?? '', /^tls role=server version=TLSv1\.3 cipher=\S+$/);
  t.regex(linesOf(b.stdout, 'tls')[0] ?? '', /^tls role=client version=TLSv1\.3 cipher=\S+$/);
  t.regex(linesOf(a.stdout, 'send-result')[0] ?? '', /sent=300000 echoed=300000 corrupt-chunks=0/);
});

for (const [title, args, transport] of [
  ['UDP', ['--tcp', 'off', '--dtls'], 'udp'],
  ['ICE-TCP', ['--udp', 'off', '--dtls'], 'tcp'],
] as const) {
  test(`--dtls over ${title} with data: the same fingerprint/setup lines as --tls, data moves through DTLS`, async (t) => {
    const { a, b } = await runPeerPair(['--controlling', ...args, '--send', '300000'], ['--controlled', ...args, '--echo']);
    assertCompleted(t, a, 'sender');
    assertCompleted(t, b, 'echo');
    t.regex(a.stdout, /^fingerprint sha-256 [0-9A-F]{2}(:[0-9A-F]{2}){31}$/m);
    t.deepEqual(linesOf(a.stdout, 'setup'), ['setup actpass']);
    t.deepEqual(linesOf(b.stdout, 'setup'), ['setup active']);
    t.is(
      linesOf(a.stdout, 'dtls')[0],
      `dtls role=server version=DTLSv1.2 cipher=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 transport=${transport}`,
    );
    t.is(
      linesOf(b.stdout, 'dtls')[0],
      `dtls role=client version=DTLSv1.2 cipher=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 transport=${transport}`,
    );
    t.regex(linesOf(a.stdout, 'send-result')[0] ?? '', /sent=300000 echoed=300000 corrupt-chunks=0/);
  });
}

test('--dtls with a tampered fingerprint: the handshake fails on both sides (exit 3), no data moves', async (t) => {
  const args = ['--tcp', 'off', '--dtls'];
  const { a, b } = await runPeerPair(['--controlling', ...args, '--send', '10000'], ['--controlled', ...args, '--echo'], {
    rewriteB: (line) => (line.startsWith('fingerprint sha-256 ') ? `fingerprint sha-256 ${Array(32).fill('AB').join(':')}` : line),
  });
  t.is(a.code, 3, a.stdout + a.stderr);
  t.regex(a.stdout, /^result fail dtls failed: ERR_DTLS_FINGERPRINT_MISMATCH: /m);
  t.deepEqual(linesOf(a.stdout, 'send-result'), []);
  // A (the DTLS server) checks B's certificate inside the handshake: B never completes it.
  t.is(b.code, 3, b.stdout + b.stderr);
  t.regex(b.stdout, /^result fail dtls failed: /m);
  t.deepEqual(linesOf(b.stdout, 'dtls'), []);
});

test('ICE failure (exit 1), timeout (exit 2) and stalled data (exit 3)', async (t) => {
  // B's passive candidate is signalled with a port nobody listens on: A's only check is refused,
  // the pair fails and ICE fails on A (exit 1). B, whose passive candidate is never reached and
  // which cannot check from a passive candidate (RFC 6544 §6.2), reads A's 'result fail' and
  // exits 1 too, at once (not at its timeout).
  const closedPort = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
  const failed = await runPeerPair(
    ['--controlling', '--udp', 'off', '--tcptypes', 'active', '--timeout', '15'],
    ['--controlled', '--udp', 'off', '--tcptypes', 'passive', '--timeout', '4'],
    { rewriteB: (line) => line.replace(/^(a=candidate:\S+ 1 TCP \d+ 127\.0\.0\.1 )\d+( typ host tcptype passive)$/, `$1${closedPort}$2`) },
  );
  t.is(failed.a.code, 1, failed.a.stdout + failed.a.stderr);
  t.regex(failed.a.stdout, /^state failed$/m);
  t.is(failed.a.stdout.trimEnd().split('\n').at(-1), 'result fail ice failed');
  t.regex(failed.a.stderr, /ice failed/);
  t.is(failed.b.code, 1, failed.b.stdout + failed.b.stderr);
  t.regex(failed.b.stdout.trimEnd().split('\n').at(-1)!, /^result fail ice failed: the peer gave up \(ice failed\)$/);

  // A peer that hears nothing from the other side gives up at its timeout (exit 2).
  const lonely = startIceTcp(['peer', '--controlled', '--timeout', '1']);
  const alone = await collect(lonely); // stdin stays open: nothing comes
  t.is(alone.code, 2, alone.stdout + alone.stderr);
  t.is(alone.stdout.trimEnd().split('\n').at(-1), 'result fail timeout');

  // A sender whose peer never echoes (but answers ICE): the data stalls while ICE reports the path alive (exit 3).
  const stalled = await runPeerPair(['--controlling', '--tcp', 'off', '--send', '100000'], ['--controlled', '--tcp', 'off']);
  t.is(stalled.a.code, 3, stalled.a.stdout + stalled.a.stderr);
  t.regex(stalled.a.stdout, /^send-result sent=\d+ echoed=0 /m);
  t.regex(stalled.a.stdout, /^result fail data stalled: .* while ice reports the path alive$/m);
});

test('--tls with a tampered fingerprint: the TLS server refuses the client (exit 3), no data moves', async (t) => {
  const args = ['--udp', 'off', '--tcptypes', 'active,passive', '--tls'];
  const { a, b } = await runPeerPair(['--controlling', ...args, '--send', '10000'], ['--controlled', ...args, '--echo'], {
    // A reads a fingerprint that is not B's certificate's.
    rewriteB: (line) => (line.startsWith('fingerprint sha-256 ') ? `fingerprint sha-256 ${Array(32).fill('AB').join(':')}` : line),
  });
  t.is(a.code, 3, a.stdout + a.stderr);
  t.regex(a.stdout, /^result fail tls failed: ERR_TLS_FINGERPRINT_MISMATCH: /m);
  t.deepEqual(linesOf(a.stdout, 'send-result'), []);
  t.deepEqual(linesOf(a.stdout, 'tls'), []);
  // B, the TLS client, may finish its handshake before A checks B's certificate (TLS 1.3): as the echo side it
  // is then done, and ends with A (exit 0); or it sees the connection close during its handshake (exit 3).
  t.true(b.code === 0 || b.code === 3, b.stdout + b.stderr);
  if (b.code === 3) t.regex(b.stdout, /^result fail tls failed: /m);
});
