// A PacketConnection over a real UDP socket on 127.0.0.1 (one datagram per
// packet), and helpers to run OpenSSL / GnuTLS command-line peers.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import test from 'ava';
import { createSocket, type Socket } from 'node:dgram';
import { EventEmitter, once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PacketConnection } from '../../lib/connection.js';
import type { TlsCertificate } from '../../lib/secure/index.js';

/** UDP to one peer; the peer is given, or learnt from the first datagram (a server). */
export class UdpPacketConnection extends EventEmitter implements PacketConnection {
  readonly transport = 'udp' as const;
  closed = false;
  /** Datagrams that came while paused (a test helper: unbounded). */
  readonly #held: Buffer[] = [];
  #paused = false;
  constructor(
    readonly socket: Socket,
    public remote?: { address: string; port: number },
  ) {
    super();
    socket.on('message', (msg, rinfo) => {
      this.remote ??= { address: rinfo.address, port: rinfo.port };
      if (rinfo.port !== this.remote.port || rinfo.address !== this.remote.address) return;
      if (this.#paused) this.#held.push(msg);
      else this.emit('packet', msg);
    });
  }

  get isPaused(): boolean {
    return this.#paused;
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    while (!this.#paused && this.#held.length > 0) this.emit('packet', this.#held.shift()!);
  }

  static async open(remote?: { address: string; port: number }): Promise<UdpPacketConnection> {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    return new UdpPacketConnection(socket, remote);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(packet: Uint8Array): boolean {
    if (this.closed || !this.remote) return false;
    this.socket.send(packet, this.remote.port, this.remote.address);
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
    this.emit('close');
  }
}

/** A free UDP port on 127.0.0.1 (bound and released; a small race, fine on loopback). */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  const port = s.address().port;
  s.close();
  return port;
}

/** Writes a certificate and key as PEM files; returns their paths. */
export function pemFiles(cert: TlsCertificate, name: string): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'dtls-'));
  const paths = { cert: join(dir, `${name}.pem`), key: join(dir, `${name}.key`) };
  writeFileSync(paths.cert, cert.pem);
  writeFileSync(paths.key, cert.privateKeyPem);
  return paths;
}

/** A child process whose output is collected, with a wait for a pattern. */
export class Tool {
  readonly child: ChildProcess;
  out = '';
  constructor(cmd: string, args: string[]) {
    this.child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin!.on('error', () => undefined);
    this.child.stdout!.on('data', (d: Buffer) => (this.out += d.toString('latin1')));
    this.child.stderr!.on('data', (d: Buffer) => (this.out += d.toString('latin1')));
  }

  async waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
    const start = Date.now();
    for (;;) {
      const m = pattern.exec(this.out);
      if (m) return m;
      if (this.child.exitCode !== null || Date.now() - start > timeoutMs) {
        throw new Error(`no ${pattern} in the output of ${this.child.spawnargs.join(' ')}:\n${this.out}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  write(text: string): void {
    this.child.stdin!.write(text);
  }

  stop(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/**
 * The test function for an interop file whose peer is the command-line tool
 * `command`: `test.serial` when `command versionArgs` runs, and in CI always
 * (a missing tool there is a failure, not a skip); elsewhere `test.skip`
 * with the reason printed.
 */
export function interopTestFor(
  label: string,
  command: string,
  versionArgs: string[],
  installHint: string,
): typeof test.serial | typeof test.skip {
  try {
    execFileSync(command, versionArgs);
    return test.serial;
  } catch {
    if (process.env.CI !== undefined) return test.serial;
    console.log(`${label} interop skipped: ${command} is not installed (${installHint})`);
    return test.skip;
  }
}
