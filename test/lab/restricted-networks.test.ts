/**
 * Restricted networks, end to end (issue: connect where UDP is blocked, only
 * TCP/443 is open, or both sides are behind NATs): two real `ice-tcp peer`
 * processes in the lab's hosts, our STUN server on the public router, and
 * the pair each side selected. Also libnice's server-reflexive discovery
 * against our STUN server (RFC 3489 requests, RFC 5389 §12.2).
 *
 * Serial: each case builds its own lab (test/lab/README.md), and the timing
 * of simultaneous open and of the lossy link should not compete for the
 * CPU with the other cases. Skips with the reason where namespaces cannot be
 * made; in CI (root) they run.
 */
import test from 'ava';
import { labUnavailableReason, withLab, type Lab } from './lab.js';
import { buildNicePeer } from './nice-peer.js';
import { runPeers, startStunServer, stopStunServer, type EndpointResult } from './peers.js';

const reason = labUnavailableReason();
if (reason !== undefined) console.log(`restricted-network lab tests skipped: ${reason}`);
const labTest = reason === undefined ? test.serial : test.skip;

const STUN = 'stun:192.0.2.1:3478';

/** Runs our two peers, A controlling in host a, B controlled in host b. */
async function ours(lab: Lab, a: string[], b: string[], timeoutS = 20): Promise<{ a: EndpointResult; b: EndpointResult }> {
  const t = ['--timeout', String(timeoutS)];
  return runPeers(
    lab,
    { host: 'a', impl: 'ours', args: ['--controlling', '--bind', lab.addresses.aIp, ...t, ...a] },
    { host: 'b', impl: 'ours', args: ['--controlled', '--bind', lab.addresses.bIp, ...t, ...b] },
    (timeoutS + 20) * 1000,
  );
}

function ok(t: import('ava').ExecutionContext, r: { a: EndpointResult; b: EndpointResult }): void {
  t.is(r.a.code, 0, `A: ${r.a.stdout}\n${r.a.stderr}`);
  t.is(r.b.code, 0, `B: ${r.b.stdout}\n${r.b.stderr}`);
}

/** The `selected a=candidate:… a=candidate:…` line's local candidate. */
function selectedLocal(r: EndpointResult): string {
  const line = r.lines.find((l) => l.startsWith('selected a=candidate:'))!;
  return line.slice('selected '.length, line.indexOf(' a=candidate:', 'selected a=candidate:'.length));
}

labTest('UDP blocked both ways, TCP open: both select a TCP pair (our active → their passive)', (t) =>
  withLab('udp-blocked', async (lab) => {
    const r = await ours(lab, [], []);
    ok(t, r);
    t.deepEqual(r.a.selected, { local: 'prflx/tcp-active', remote: 'host/tcp-passive' });
    t.deepEqual(r.b.selected, { local: 'host/tcp-passive', remote: 'prflx/tcp-active' });
  }),
);

labTest('outbound TCP to 80/443 only: our active → their passive on 443 (--tcp-port 443)', (t) =>
  withLab('tcp-only-outbound', async (lab) => {
    const r = await ours(lab, [], ['--tcp-port', '443']);
    ok(t, r);
    t.deepEqual(r.a.selected, { local: 'prflx/tcp-active', remote: 'host/tcp-passive' });
    t.deepEqual(r.b.selected, { local: 'host/tcp-passive', remote: 'prflx/tcp-active' });
    t.regex(selectedLocal(r.b), / 203\.0\.113\.10 443 typ host tcptype passive$/);
  }),
);

labTest('cone NATs, UDP off, plain stun: URL: srflx S-O ↔ srflx S-O, 1 MB echoed', (t) =>
  withLab('cone-nat', async (lab) => {
    const stun = await startStunServer(lab);
    const r = await ours(lab, ['--udp', 'off', '--stun', STUN, '--send', '1000000'], ['--udp', 'off', '--stun', STUN, '--echo']);
    const counters = await stopStunServer(stun);
    ok(t, r);
    t.deepEqual(r.a.selected, { local: 'srflx/tcp-so', remote: 'srflx/tcp-so' });
    t.deepEqual(r.b.selected, { local: 'srflx/tcp-so', remote: 'srflx/tcp-so' });
    t.regex(selectedLocal(r.a), / 198\.51\.100\.2 \d+ typ srflx raddr 10\.0\.1\.10 /);
    t.regex(r.a.stdout, /^send-result sent=1000000 echoed=1000000 corrupt-chunks=0 /m);
    t.regex(counters, /answered udp=0 tcp=2 /, 'the plain stun: URL was asked over TCP');
  }),
);

labTest('cone NATs, UDP on: UDP is selected (srflx ↔ srflx)', (t) =>
  withLab('cone-nat', async (lab) => {
    const stun = await startStunServer(lab);
    const r = await ours(lab, ['--stun', STUN], ['--stun', STUN]);
    await stopStunServer(stun);
    ok(t, r);
    t.deepEqual(r.a.selected, { local: 'srflx/udp', remote: 'srflx/udp' });
    t.deepEqual(r.b.selected, { local: 'srflx/udp', remote: 'srflx/udp' });
  }),
);

labTest('symmetric NATs without a TURN server: no pair, both exit 2 (timeout) at their --timeout', (t) =>
  withLab('symmetric-nat', async (lab) => {
    const stun = await startStunServer(lab);
    const r = await ours(lab, ['--stun', STUN], ['--stun', STUN], 8);
    await stopStunServer(stun);
    for (const side of [r.a, r.b]) {
      t.is(side.code, 2, side.stdout);
      t.is(side.lines.at(-1), 'result fail timeout');
      t.is(side.selected, undefined);
      t.true(side.elapsedMs < 8000 + 10_000, `ended ${side.elapsedMs} ms after start`);
    }
  }),
);

labTest('lossy (5% each way, 100 ms one way): UDP is selected', (t) =>
  withLab('lossy', async (lab) => {
    const r = await ours(lab, [], [], 30);
    ok(t, r);
    t.deepEqual(r.a.selected, { local: 'host/udp', remote: 'host/udp' });
    t.deepEqual(r.b.selected, { local: 'host/udp', remote: 'host/udp' });
  }),
);

labTest('cloud VM behind a 1:1 NAT, client allowed TCP 80/443 only: --tcp-port 443 --announced-address makes it reachable', (t) =>
  withLab('cloud-1to1', async (lab) => {
    const r = await ours(lab, [], ['--tcp-port', '443', '--announced-address', lab.addresses.bPublicIp]);
    ok(t, r);
    t.deepEqual(r.a.selected, { local: 'prflx/tcp-active', remote: 'host/tcp-passive' });
    t.deepEqual(r.b.selected, { local: 'host/tcp-passive', remote: 'prflx/tcp-active' });
    t.regex(selectedLocal(r.b), / 203\.0\.113\.2 443 typ host tcptype passive$/);
  }),
);

const nice = buildNicePeer();
const niceMissing = 'unavailable' in nice ? nice.unavailable : undefined;
if (reason === undefined && niceMissing !== undefined && process.env.CI === undefined)
  console.log(`libnice lab test skipped: ${niceMissing}`);
const niceTest = reason === undefined && (niceMissing === undefined || process.env.CI !== undefined) ? test.serial : test.skip;

niceTest('libnice, given our STUN server, gathers a server-reflexive candidate (RFC 3489 request answered)', (t) =>
  withLab('cone-nat', async (lab) => {
    if (!('path' in nice)) throw new Error(nice.unavailable);
    const stun = await startStunServer(lab);
    const child = lab.spawn('a', nice.path, [
      '--controlled',
      '--udp',
      'on',
      '--tcp',
      'off',
      '--bind',
      lab.addresses.aIp,
      '--stun',
      lab.addresses.pubIp,
      '--timeout',
      '10',
    ]);
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout!.setEncoding('utf8').on('data', (s: string) => {
        out += s;
        if (/^gathering-done$/m.test(out)) resolve();
      });
      child.on('exit', (code) => reject(new Error(`nice-peer exited ${code} before gathering-done: ${out}`)));
    });
    child.kill('SIGTERM');
    const counters = await stopStunServer(stun);
    t.regex(out, /^a=candidate:\S+ 1 UDP \d+ 198\.51\.100\.2 \d+ typ srflx raddr 10\.0\.1\.10 rport \d+/m);
    t.regex(counters, /udp-rfc3489=[1-9]/);
  }),
);
