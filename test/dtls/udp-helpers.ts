// Helpers to run OpenSSL / GnuTLS command-line DTLS peers; the UDP packet
// connection they talk over is in udp-packet-connection.ts.
export { UdpPacketConnection, freeUdpPort } from './udp-packet-connection.js';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TlsCertificate } from '../../lib/secure/index.js';

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
