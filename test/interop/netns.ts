/**
 * Loopback-only network namespaces for interop tests whose foreign stack
 * gathers candidates on every interface it sees (libwebrtc via @roamhq/wrtc):
 * inside a fresh namespace with only `lo` up, "every interface" is 127.0.0.1
 * and ::1, so nothing leaves the machine and both peers see the same loopback.
 *
 * Every process that must talk to such a stack runs inside the namespace too
 * (`ip netns exec`), because a namespace's loopback is its own. Names start with
 * a caller-given prefix so that parallel users never collide; `delete()` kills
 * what still runs inside (only processes this object started) and removes the
 * namespace, and an exit hook removes namespaces a crashed test left behind.
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const live = new Set<LoopbackNamespace>();
let hooked = false;
let counter = 0;

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const ns of live) ns.deleteSync();
  });
}

/**
 * Why loopback namespaces cannot be made here (not root, no `ip`, no netns
 * support), or undefined when they can. Tries a real add/delete.
 */
export function namespacesUnavailable(prefix = 'io'): string | undefined {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'network namespaces need root (ip netns add); run as root, as CI does';
  }
  const probe = `${prefix}-probe-${process.pid}`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
  } catch (error) {
    return `cannot create a network namespace: ${(error as { stderr?: Buffer }).stderr?.toString().trim() ?? String(error)}`;
  }
  try {
    execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe' });
  } catch {
    // deleted below by the caller's own namespaces' cleanup at worst; nothing else to do
  }
  return undefined;
}

/** A network namespace with only `lo` up, and the processes started in it. */
export class LoopbackNamespace {
  readonly name: string;
  readonly #children = new Set<ChildProcess>();
  #deleted = false;

  private constructor(name: string) {
    this.name = name;
  }

  /**
   * Creates `<prefix>-<pid>-<n>` with `lo` up. The prefix must be the caller's
   * own (each parallel user of the machine has one).
   */
  static create(prefix: string): LoopbackNamespace {
    if (!/^[a-z][a-z0-9]{0,5}$/.test(prefix)) throw new Error(`bad namespace prefix ${JSON.stringify(prefix)}`);
    const name = `${prefix}-${process.pid}-${++counter}`;
    execFileSync('ip', ['netns', 'add', name], { stdio: 'pipe' });
    const ns = new LoopbackNamespace(name);
    live.add(ns);
    hookExit();
    try {
      execFileSync('ip', ['-n', name, 'link', 'set', 'lo', 'up'], { stdio: 'pipe' });
    } catch (error) {
      ns.deleteSync();
      throw error;
    }
    return ns;
  }

  /** Starts `command ...args` inside the namespace (stdio piped unless given). */
  spawn(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
    if (this.#deleted) throw new Error(`namespace ${this.name} was deleted`);
    const child = spawn('ip', ['netns', 'exec', this.name, command, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...options,
    });
    this.#children.add(child);
    child.on('exit', () => this.#children.delete(child));
    child.stdin?.on('error', () => undefined); // the child may exit without reading
    return child;
  }

  /** Runs `command ...args` inside the namespace to completion; returns stdout. */
  run(command: string, args: readonly string[]): string {
    return execFileSync('ip', ['netns', 'exec', this.name, command, ...args], { encoding: 'utf8', stdio: 'pipe' });
  }

  /** Kills the processes this object started that still run, waits for them, removes the namespace. */
  async delete(): Promise<void> {
    const waits = [...this.#children].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    );
    await Promise.all(waits);
    this.deleteSync();
  }

  /** Removes the namespace now (children still inside keep running until they exit). */
  deleteSync(): void {
    if (this.#deleted) return;
    this.#deleted = true;
    live.delete(this);
    for (const child of this.#children) if (child.exitCode === null) child.kill('SIGKILL');
    try {
      execFileSync('ip', ['netns', 'del', this.name], { stdio: 'pipe' });
    } catch {
      // already gone
    }
  }
}
