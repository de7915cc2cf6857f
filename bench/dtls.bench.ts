// DTLS benchmark: handshake time (ours ↔ ours in memory and over UDP
// loopback; ours ↔ `openssl s_server -dtls1_2`) and bulk throughput of
// 1200-byte application records over UDP loopback (ours → ours, ours →
// openssl s_server, openssl s_client → ours), all in one run.
//
// DTLS_BENCH_HANDSHAKES sets the handshakes per row (default 50; 10 for the
// OpenSSL row, which starts one s_server per handshake), DTLS_BENCH_MIB the
// bytes per bulk row (default 32 MiB). s_client has no working option for
// 1200-byte DTLS records here (-max_send_frag made it send nothing), so it
// seals what each read of its stdin pipe returns. UDP has no flow control: the sender
// paces itself (a turn of the event loop every 32 records) and the rows
// report the delivered rate and the loss.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DtlsEndpoint } from '../lib/dtls/index.js';
import { computeFingerprint, generateCertificate, secureDtls, type DtlsConnection } from '../lib/secure/index.js';
import { UdpPacketConnection, freeUdpPort } from '../test/dtls/udp-packet-connection.js';
import { printTable, type BenchRow } from './table.js';

const MIB = 1024 * 1024;
const RECORD = 1200;
const HANDSHAKES = Math.max(1, Number(process.env.DTLS_BENCH_HANDSHAKES ?? 50));
const BULK = Math.max(1, Number(process.env.DTLS_BENCH_MIB ?? 32)) * MIB;

const clientCert = generateCertificate({ commonName: 'bench-client' });
const serverCert = generateCertificate({ commonName: 'bench-server' });
const dir = mkdtempSync(join(tmpdir(), 'dtls-bench-'));
const files = { cert: join(dir, 's.pem'), key: join(dir, 's.key'), ccert: join(dir, 'c.pem'), ckey: join(dir, 'c.key') };
writeFileSync(files.cert, serverCert.pem);
writeFileSync(files.key, serverCert.privateKeyPem);
writeFileSync(files.ccert, clientCert.pem);
writeFileSync(files.ckey, clientCert.privateKeyPem);

const ms = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

/** Sans-IO handshakes, datagrams handed over directly: the protocol and crypto cost alone. */
function memoryHandshakeMs(): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < HANDSHAKES; i++) {
    const c = new DtlsEndpoint({ role: 'client', certificate: clientCert });
    const s = new DtlsEndpoint({ role: 'server', certificate: serverCert });
    c.start(0);
    for (let guard = 0; guard < 20 && (c.state !== 'connected' || s.state !== 'connected'); guard++) {
      for (let d = c.pollTransmit(); d; d = c.pollTransmit()) s.handleDatagram(0, d);
      for (let d = s.pollTransmit(); d; d = s.pollTransmit()) c.handleDatagram(0, d);
    }
    if (c.state !== 'connected') throw new Error('memory handshake failed');
  }
  return ms(start) / HANDSHAKES;
}

async function udpPair(): Promise<[UdpPacketConnection, UdpPacketConnection]> {
  const a = await UdpPacketConnection.open();
  const b = await UdpPacketConnection.open({ address: '127.0.0.1', port: a.port });
  a.remote = { address: '127.0.0.1', port: b.port };
  return [a, b];
}

async function oursPair(): Promise<[DtlsConnection, DtlsConnection]> {
  const [a, b] = await udpPair();
  return await Promise.all([
    secureDtls(a, { role: 'server', certificate: serverCert, remoteFingerprints: [computeFingerprint(clientCert.der)] }),
    secureDtls(b, { role: 'client', certificate: clientCert, remoteFingerprints: [computeFingerprint(serverCert.der)] }),
  ]);
}

async function udpHandshakeMs(): Promise<number> {
  let total = 0;
  for (let i = 0; i < HANDSHAKES; i++) {
    const start = process.hrtime.bigint();
    const [s, c] = await oursPair();
    total += ms(start);
    c.close();
    s.close();
  }
  return total / HANDSHAKES;
}

function waitOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 10_000): Promise<void> {
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern}: ${out}`)), timeoutMs);
    const on = (d: Buffer) => {
      out += d.toString('latin1');
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  child.kill('SIGKILL');
  return once(child, 'exit').then(() => undefined);
}

/** Our client against a fresh `openssl s_server -dtls1_2` each time; only the handshake is timed. */
async function opensslHandshakeMs(count: number): Promise<number> {
  let total = 0;
  for (let i = 0; i < count; i++) {
    const port = await freeUdpPort();
    const server = spawn(
      'openssl',
      ['s_server', '-dtls1_2', '-accept', `127.0.0.1:${port}`, '-cert', files.cert, '-key', files.key, '-verify', '1'],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    await waitOutput(server, /ACCEPT/);
    const udp = await UdpPacketConnection.open({ address: '127.0.0.1', port });
    const start = process.hrtime.bigint();
    const conn = await secureDtls(udp, {
      role: 'client',
      certificate: clientCert,
      remoteFingerprints: [computeFingerprint(serverCert.der)],
    });
    total += ms(start);
    conn.close();
    await stop(server);
  }
  return total / count;
}

interface Bulk {
  mibPerSecond: number;
  loss: number;
}

/** Sends BULK bytes as 1200-byte records with `send`, pacing every 32 records; `received()` counts delivered bytes. */
async function blast(send: (record: Buffer) => void, received: () => number): Promise<Bulk> {
  const record = Buffer.alloc(RECORD, 0x5a);
  const count = Math.ceil(BULK / RECORD);
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    send(record);
    if (i % 32 === 31) await new Promise((r) => setImmediate(r));
  }
  // Wait until nothing more arrives for 300 ms.
  let last = -1;
  let lastAt = process.hrtime.bigint();
  while (received() < count * RECORD) {
    await new Promise((r) => setTimeout(r, 20));
    if (received() !== last) {
      last = received();
      lastAt = process.hrtime.bigint();
    } else if (ms(lastAt) > 300) break;
  }
  const elapsed = Number(lastAt - start) / 1e9 || 1e-9;
  return { mibPerSecond: received() / MIB / elapsed, loss: 1 - received() / (count * RECORD) };
}

async function bulkOurs(): Promise<Bulk> {
  const [s, c] = await oursPair();
  let got = 0;
  s.on('packet', (p: Buffer) => (got += p.length));
  const r = await blast(
    (rec) => c.send(rec),
    () => got,
  );
  c.close();
  s.close();
  return r;
}

async function bulkToOpenssl(): Promise<Bulk> {
  const port = await freeUdpPort();
  const server = spawn(
    'openssl',
    ['s_server', '-dtls1_2', '-accept', `127.0.0.1:${port}`, '-cert', files.cert, '-key', files.key, '-quiet'],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  await new Promise((r) => setTimeout(r, 300));
  const udp = await UdpPacketConnection.open({ address: '127.0.0.1', port });
  const conn = await secureDtls(udp, { role: 'client', certificate: clientCert, remoteFingerprints: [computeFingerprint(serverCert.der)] });
  let got = 0;
  server.stdout.on('data', (d: Buffer) => (got += d.length));
  const r = await blast(
    (rec) => conn.send(rec),
    () => got,
  );
  conn.close();
  await stop(server);
  return r;
}

async function bulkFromOpenssl(): Promise<Bulk> {
  const udp = await UdpPacketConnection.open();
  const accepting = secureDtls(udp, { role: 'server', certificate: serverCert, remoteFingerprints: [computeFingerprint(clientCert.der)] });
  const client = spawn(
    'openssl',
    ['s_client', '-dtls1_2', '-connect', `127.0.0.1:${udp.port}`, '-cert', files.ccert, '-key', files.ckey, '-quiet'],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  client.stdin.on('error', () => undefined);
  const conn = await accepting;
  let got = 0;
  conn.on('packet', (p: Buffer) => (got += p.length));
  await new Promise((r) => setTimeout(r, 200));
  const r = await blast(
    (rec) => client.stdin.write(rec),
    () => got,
  );
  conn.close();
  await stop(client);
  return r;
}

export async function run(): Promise<void> {
  const memory = memoryHandshakeMs();
  const udp = await udpHandshakeMs();
  const openssl = await opensslHandshakeMs(Math.min(HANDSHAKES, 10));
  const hs: BenchRow[] = [
    {
      name: 'ours ↔ ours, over UDP loopback (secureDtls both ends)',
      value: 1000 / udp,
      unit: 'handshakes/s',
      extra: `${udp.toFixed(2)} ms each, ${HANDSHAKES} runs`,
    },
    {
      name: 'ours ↔ ours, in memory (sans-IO endpoints, no sockets)',
      value: 1000 / memory,
      unit: 'handshakes/s',
      extra: `${memory.toFixed(2)} ms each`,
    },
    {
      name: 'ours (client) ↔ openssl s_server -dtls1_2, UDP loopback',
      value: 1000 / openssl,
      unit: 'handshakes/s',
      extra: `${openssl.toFixed(2)} ms each, ${Math.min(HANDSHAKES, 10)} runs`,
    },
  ];
  printTable('DTLS 1.2 handshake (ECDHE X25519, ECDSA P-256 both ways, AES-128-GCM)', hs, hs[0].name);
  const ours = await bulkOurs();
  const toOpenssl = await bulkToOpenssl();
  const fromOpenssl = await bulkFromOpenssl();
  const mib = BULK / MIB;
  const row = (name: string, b: Bulk): BenchRow => ({
    name,
    value: b.mibPerSecond,
    unit: 'MiB/s',
    extra: `${mib} MiB offered, ${(b.loss * 100).toFixed(1)}% lost`,
  });
  const bulk = [
    row(
      'openssl s_client → ours (openssl encrypts, we decrypt; s_client seals whatever one read of its stdin pipe returns, so its records may be larger than 1200 bytes)',
      fromOpenssl,
    ),
    row('ours → ours (secureDtls both ends)', ours),
    row('ours → openssl s_server (we encrypt, openssl decrypts)', toOpenssl),
  ];
  printTable(`DTLS bulk throughput, ${RECORD}-byte application records over UDP loopback (AES-128-GCM)`, bulk, bulk[0].name);
}
