/**
 * Compiles test/interop/nice-peer.c (the libnice peer) into the build folder;
 * used by the libnice interop test and by bench/libnice-echo.bench.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The C source of the libnice peer. */
export const NICE_PEER_SOURCE = `${ROOT}test/interop/nice-peer.c`;
const OUT_DIR = fileURLToPath(new URL('./bin/', import.meta.url));
/** Where {@link buildNicePeer} writes the binary. */
export const NICE_PEER_BINARY = `${OUT_DIR}nice-peer`;

/** Compiles the libnice peer; returns why it could not, or undefined. */
export function buildNicePeer(): string | undefined {
  let flags: string[];
  try {
    flags = execFileSync('pkg-config', ['--cflags', '--libs', 'nice'], { encoding: 'utf8' }).trim().split(/\s+/);
  } catch {
    return 'libnice-dev (pkg-config nice) is not installed: apt-get install libnice-dev pkg-config build-essential';
  }
  try {
    mkdirSync(OUT_DIR, { recursive: true });
    execFileSync('cc', ['-O2', '-Wall', NICE_PEER_SOURCE, ...flags, '-o', NICE_PEER_BINARY], { stdio: 'pipe' });
  } catch (error) {
    return `cannot compile ${NICE_PEER_SOURCE}: ${(error as { stderr?: Buffer }).stderr?.toString() ?? String(error)}`;
  }
  return undefined;
}
