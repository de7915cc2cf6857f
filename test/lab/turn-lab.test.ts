/**
 * TURN in the network lab (test/lab): coturn runs in the public router's
 * namespace on 192.0.2.1 (its relay addresses there too), and two real
 * `ice-tcp peer` processes run behind the scenario's NATs and firewalls.
 *
 * - symmetric-nat (both sides behind endpoint-dependent NATs): no direct pair
 *   exists; with the same TURN server (over UDP) on both sides, a pair with a
 *   relayed candidate is selected and 1 MB is echoed.
 * - udp-blocked (A's firewall drops all UDP, nothing may connect in to A): A
 *   reaches coturn over TCP (`turn:...?transport=tcp`) and, relay-only,
 *   connects through an RFC 6062 TCP relay; 1 MB echoed.
 * - tcp-only-outbound (A may open TCP to ports 80 and 443 only): A reaches
 *   coturn over TLS on 443 (`turns:192.0.2.1:443`, the test CA), relay-only,
 *   through an RFC 6062 TCP relay; 1 MB echoed.
 *
 * - udp-blocked-symmetric (A's firewall drops all UDP, B behind an
 *   endpoint-dependent NAT): A reaches coturn over TCP
 *   (`turn:...?transport=tcp`) for a relayed UDP candidate, B uses the same
 *   coturn over UDP; with no relay-only flag, the networks alone make the relay
 *   necessary: A selects its relayed candidate, 1 MB echoed. Without TURN
 *   (STUN only, UDP and TCP candidates) no pair exists and both sides time out.
 *
 * In the TCP cases B (public) offers a passive candidate only, as a server
 * would: see test/turn/peer-turn.test.ts for the race two relayed
 * connections between the same peers can lose echoes to.
 *
 * Lab ids come from ICE_TCP_LAB_PREFIX (default itl; give each concurrent run its own).
 */
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collect, linesOf, type RunResult } from '../cli/helpers.js';
import { coturnUnavailable, startCoturn, type Coturn } from '../turn/coturn.js';
import { labUnavailableReason, withLab, type Lab } from './lab.js';

const MAIN = fileURLToPath(new URL('../../lib/cli/main.js', import.meta.url));
const reason = labUnavailableReason() ?? coturnUnavailable();
if (reason !== undefined) console.log(`TURN lab tests skipped: ${reason}`);
const labTest = reason === undefined ? test.serial : test.skip;

function explain(a: RunResult, b: RunResult, turn: Coturn): string {
  return `A exit ${String(a.code)}\n${a.stdout}\n${a.stderr.slice(-2000)}\nB exit ${String(b.code)}\n${b.stdout}\n${b.stderr.slice(-2000)}\ncoturn:\n${turn
    .log()
    .split('\n')
    .filter((l) => /error|session/i.test(l))
    .slice(-20)
    .join('\n')}`;
}

/** Runs peer A (sender) and peer B (echo) in the lab, wired stdout→stdin through this process. */
async function runPeers(lab: Lab, argsA: string[], argsB: string[], timeoutS = 60): Promise<{ a: RunResult; b: RunResult }> {
  const t = ['--timeout', String(timeoutS)];
  const a = lab.spawn('a', process.execPath, [MAIN, 'peer', '--controlling', '--bind', lab.addresses.aIp, ...t, ...argsA]);
  const b = lab.spawn('b', process.execPath, [MAIN, 'peer', '--controlled', '--bind', lab.addresses.bIp, ...t, '--echo', ...argsB]);
  for (const child of [a, b]) child.stdin!.on('error', () => undefined);
  a.stdout!.pipe(b.stdin!);
  b.stdout!.pipe(a.stdin!);
  const [ra, rb] = await Promise.all([collect(a, 90_000), collect(b, 90_000)]);
  return { a: ra, b: rb };
}

async function withCoturn<T>(lab: Lab, tlsPort: number, body: (turn: Coturn, ca: string) => Promise<T>): Promise<T> {
  // As production configs do, deny private peers: pub has no route to them, and coturn ends an
  // allocation whose relay socket gets a send error (ENETUNREACH) instead of refusing the permission.
  const turn = await startCoturn({
    listen: lab.addresses.pubIp,
    port: 3478,
    tlsPort,
    prefix: ['ip', 'netns', 'exec', lab.namespace('pub')],
    extra: ['denied-peer-ip=10.0.0.0-10.255.255.255'],
  });
  const dir = mkdtempSync(join(tmpdir(), 'tu-lab-ca-'));
  try {
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, turn.certPem);
    return await body(turn, ca);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await turn.stop();
  }
}

labTest('lab symmetric-nat ↔ symmetric-nat: a relay pair through coturn over UDP, 1 MB echoed', async (t) => {
  await withLab('symmetric-nat', async (lab) => {
    await withCoturn(lab, 5349, async (turn) => {
      const server = [
        '--turn',
        `turn:${lab.addresses.pubIp}:3478`,
        '--turn-user',
        turn.user,
        '--turn-pass',
        turn.password,
        '--stun',
        `stun:${lab.addresses.pubIp}:3478`,
      ];
      // 1400-byte packets: see test/turn/peer-turn.test.ts (coturn's 64 KiB relay socket buffers).
      const { a, b } = await runPeers(
        lab,
        ['--tcp', 'off', ...server, '--send', '1000000', '--chunk', '1400'],
        ['--tcp', 'off', ...server],
      );
      const why = explain(a, b, turn);
      t.is(a.code, 0, why);
      t.is(b.code, 0, why);
      const types = `${linesOf(a.stdout, 'selected-types').at(-1) ?? ''} ${linesOf(b.stdout, 'selected-types').at(-1) ?? ''}`;
      t.regex(types, /relay\/udp/, why);
      t.regex(linesOf(a.stdout, 'send-result')[0] ?? '', /sent=1000000 echoed=1000000 corrupt-chunks=0/, why);
    });
  });
});

for (const c of [
  { scenario: 'udp-blocked' as const, url: (ip: string) => `turn:${ip}:3478?transport=tcp`, tlsPort: 5349 },
  { scenario: 'tcp-only-outbound' as const, url: (ip: string) => `turns:${ip}:443`, tlsPort: 443 },
]) {
  labTest(
    `lab ${c.scenario}: A relay-only reaches coturn over ${c.tlsPort === 443 ? 'TLS on 443' : 'TCP'}, an RFC 6062 TCP relay pair, 1 MB echoed`,
    async (t) => {
      await withLab(c.scenario, async (lab) => {
        await withCoturn(lab, c.tlsPort, async (turn, ca) => {
          const server = [
            '--turn',
            c.url(lab.addresses.pubIp),
            '--turn-user',
            turn.user,
            '--turn-pass',
            turn.password,
            '--turn-ca',
            ca,
            '--turn-tcp',
          ];
          const { a, b } = await runPeers(
            lab,
            ['--udp', 'off', ...server, '--relay-only', '--send', '1000000'],
            ['--udp', 'off', '--tcptypes', 'passive'],
          );
          const why = explain(a, b, turn);
          t.is(a.code, 0, why);
          t.is(b.code, 0, why);
          t.notRegex(a.stdout, /^a=candidate:.* typ (host|srflx)/m, why);
          // The active relayed candidate's mapped port is coturn's outgoing one: prflx with the relay as base (raddr port 9).
          t.regex(linesOf(a.stdout, 'selected-types').at(-1) ?? '', /local=(relay|prflx)\/tcp-(active|passive)/, why);
          t.regex(
            linesOf(a.stdout, 'selected').find((l) => l.startsWith('selected a=')) ?? '',
            /typ (relay|prflx) raddr \S+ rport \d+ tcptype/,
            why,
          );
          t.regex(linesOf(a.stdout, 'send-result')[0] ?? '', /sent=1000000 echoed=1000000 corrupt-chunks=0/, why);
        });
      });
    },
  );
}

labTest('lab udp-blocked-symmetric: A reaches coturn over TCP, B over UDP, a relay pair, 1 MB echoed', async (t) => {
  await withLab('udp-blocked-symmetric', async (lab) => {
    await withCoturn(lab, 5349, async (turn) => {
      const { pubIp } = lab.addresses;
      const creds = ['--turn-user', turn.user, '--turn-pass', turn.password];
      // A: UDP candidates on, but its firewall drops every UDP packet, so its only UDP path is a relay
      // allocated over its TCP connection to coturn (RFC 8656 §3.1: client-to-server transport TCP).
      // coturn drops what it relays from UDP to a TCP client once 32 KiB wait in that connection's output
      // buffer (its BUFFEREVENT_MAX_UDP_TO_TCP_WRITE): a 64 KiB window of echoes loses about 32 KiB, so 24 KiB.
      const argsA = [
        '--tcp',
        'off',
        '--turn',
        `turn:${pubIp}:3478?transport=tcp`,
        ...creds,
        '--send',
        '1000000',
        '--chunk',
        '1400',
        '--window',
        '24576',
      ];
      const argsB = ['--tcp', 'off', '--turn', `turn:${pubIp}:3478`, ...creds, '--stun', `stun:${pubIp}:3478`];
      const { a, b } = await runPeers(lab, argsA, argsB);
      const why = explain(a, b, turn);
      t.is(a.code, 0, why);
      t.is(b.code, 0, why);
      t.regex(a.stdout, /^a=candidate:.* typ relay raddr/m, why);
      t.notRegex(a.stdout, /^a=candidate:.* typ srflx/m, 'A sees no STUN answer over UDP');
      t.regex(linesOf(a.stdout, 'selected-types').at(-1) ?? '', /^selected-types local=relay\/udp remote=\S+\/udp$/, why);
      t.regex(linesOf(b.stdout, 'selected-types').at(-1) ?? '', /relay\/udp/, why);
      t.regex(linesOf(a.stdout, 'send-result')[0] ?? '', /sent=1000000 echoed=1000000 corrupt-chunks=0/, why);
    });
  });
});

labTest('lab udp-blocked-symmetric without TURN: no pair, both sides time out', async (t) => {
  await withLab('udp-blocked-symmetric', async (lab) => {
    // coturn only as the STUN server here: every direct candidate (host, srflx; UDP and TCP) is gathered.
    await withCoturn(lab, 5349, async (turn) => {
      const stun = ['--stun', `stun:${lab.addresses.pubIp}:3478`];
      const { a, b } = await runPeers(lab, stun, stun, 8);
      const why = explain(a, b, turn);
      t.is(a.code, 2, why);
      t.is(b.code, 2, why);
      t.is(linesOf(a.stdout, 'result').at(-1), 'result fail timeout', why);
      t.is(linesOf(b.stdout, 'result').at(-1), 'result fail timeout', why);
      t.regex(b.stdout, /^a=candidate:.* typ srflx/m, 'B gathered its server-reflexive candidate');
    });
  });
});
