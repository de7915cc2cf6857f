/**
 * Builds libnice's peer (test/interop/nice-peer.c) for the lab tests and the
 * benchmark. `.ci/run` installs libnice-dev, so in CI a missing libnice is a
 * failure (the callers decide); elsewhere they skip with the reason.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SOURCE = fileURLToPath(new URL('../../../test/interop/nice-peer.c', import.meta.url));
const OUT_DIR = fileURLToPath(new URL('./bin/', import.meta.url));

/** The binary's path, or why it cannot be built. */
export function buildNicePeer(): { path: string } | { unavailable: string } {
  let flags: string[];
  try {
    flags = execFileSync('pkg-config', ['--cflags', '--libs', 'nice'], { encoding: 'utf8' }).trim().split(/\s+/);
  } catch {
    return { unavailable: 'libnice-dev (pkg-config nice) is not installed' };
  }
  const path = `${OUT_DIR}nice-peer`;
  try {
    mkdirSync(OUT_DIR, { recursive: true });
    execFileSync('cc', ['-O2', '-Wall', SOURCE, ...flags, '-o', path], { stdio: 'pipe' });
  } catch (error) {
    return { unavailable: `cannot compile nice-peer.c: ${(error as { stderr?: Buffer }).stderr?.toString() ?? String(error)}` };
  }
  return { path };
}
