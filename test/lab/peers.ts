/**
 * Two ICE endpoints as real processes in a lab's hosts, speaking the `peer`
 * line protocol (lib/cli/USAGE.md) to each other through this process's
 * pipes (signalling never crosses the lab's network): our `ice-tcp peer`,
 * or libnice's peer (test/interop/nice-peer.c, built by nice-peer.ts).
 * Also the STUN server (`ice-tcp stun-server`) on the public router.
 */
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Lab, LabHost } from './lab.js';

/** The compiled `ice-tcp` command of this build. */
export const ICE_TCP = fileURLToPath(new URL('../../lib/cli/main.js', import.meta.url));

/** One endpoint: which implementation, where, with which arguments. */
export interface EndpointSpec {
  host: LabHost;
  /** `ours` (`ice-tcp peer`) or the path of the libnice peer binary. */
  impl: 'ours' | { nicePeer: string };
  args: string[];
}

/** What an endpoint printed and how it ended. */
export interface EndpointResult {
  code: number | null;
  stdout: string;
  stderr: string;
  lines: string[];
  /** `selected-types` line's `local=…` and `remote=…` values, if printed. */
  selected?: { local: string; remote: string };
  /** `connected-ms` value: ms from the start of checks to the selected pair. */
  connectedMs?: number;
  /** Wall-clock ms from start to exit. */
  elapsedMs: number;
}

function parse(stdout: string, code: number | null, stderr: string, elapsedMs: number): EndpointResult {
  const lines = stdout.split('\n').filter((l) => l !== '');
  const result: EndpointResult = { code, stdout, stderr, lines, elapsedMs };
  const sel = lines.map((l) => /^selected-types local=(\S+) remote=(\S+)$/.exec(l)).find((m) => m !== null);
  if (sel) result.selected = { local: sel[1], remote: sel[2] };
  const ms = lines.map((l) => /^connected-ms (\d+(?:\.\d+)?)$/.exec(l)).find((m) => m !== null);
  if (ms) result.connectedMs = Number(ms[1]);
  return result;
}

function start(lab: Lab, spec: EndpointSpec): ChildProcess {
  if (spec.impl === 'ours')
    return lab.spawn(spec.host, process.execPath, [ICE_TCP, 'peer', ...spec.args], {
      env: { ...process.env, DEBUG: process.env.LAB_PEER_DEBUG ?? '' },
    });
  return lab.spawn(spec.host, spec.impl.nicePeer, spec.args);
}

function finish(child: ChildProcess, startedAt: number, killAfterMs: number): Promise<EndpointResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(parse(stdout, code, stderr, Date.now() - startedAt));
    });
  });
}

/**
 * Runs A and B with each one's stdout on the other's stdin until both exit
 * (killed after `killAfterMs`, which should exceed their own `--timeout`).
 */
export async function runPeers(
  lab: Lab,
  a: EndpointSpec,
  b: EndpointSpec,
  killAfterMs = 60_000,
): Promise<{ a: EndpointResult; b: EndpointResult }> {
  const startedAt = Date.now();
  const pa = start(lab, a);
  const pb = start(lab, b);
  for (const p of [pa, pb]) p.stdin!.on('error', () => undefined);
  pa.stdout!.pipe(pb.stdin!);
  pb.stdout!.pipe(pa.stdin!);
  const [ra, rb] = await Promise.all([finish(pa, startedAt, killAfterMs), finish(pb, startedAt, killAfterMs)]);
  return { a: ra, b: rb };
}

/** Starts `ice-tcp stun-server` on the public router's service address (UDP and TCP 3478); resolves once it is ready. */
export async function startStunServer(lab: Lab, address = lab.addresses.pubIp, port = 3478): Promise<ChildProcess> {
  const child = lab.spawn('pub', process.execPath, [
    ICE_TCP,
    'stun-server',
    '--bind',
    address,
    '--udp',
    String(port),
    '--tcp',
    String(port),
  ]);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      if (/^ready$/m.test(out)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`stun-server exited ${code} before ready: ${out}`)));
  });
  return child;
}

/** Stops the STUN server and returns its counter line (stderr). */
export async function stopStunServer(child: ChildProcess): Promise<string> {
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  child.kill('SIGTERM');
  await closed;
  return err.trim();
}
