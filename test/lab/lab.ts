/**
 * The test side of the network lab (test/lab/netlab.sh, see README.md there):
 * bring a scenario up in network namespaces, run real processes in its hosts,
 * tear it down. Every lab gets its own LAB_ID (prefix + pid + counter) so that
 * ava workers, and other checkouts with another prefix, can run labs at once.
 *
 * Teardown happens on `down()`, on process exit (sync), and, should this process
 * be killed outright (test timeout, SIGKILL), by netlab.sh's watchdog, which
 * tears the lab down once the owner pid is gone.
 */
import { execFile, execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The lab's scenarios (test/lab/README.md describes each). */
export type LabScenario =
  | 'open'
  | 'udp-blocked'
  | 'tcp-only-outbound'
  | 'cone-nat'
  | 'symmetric-nat'
  | 'lossy'
  | 'mixed-nat'
  | 'cloud-1to1'
  | 'udp-blocked-symmetric';

/** A namespace of a lab. */
export type LabHost = 'a' | 'b' | 'nat-a' | 'nat-b' | 'pub';

/** Addresses of a running lab (the KEY=VALUE file netlab.sh prints). */
export interface LabAddresses {
  scenario: LabScenario;
  /** A's own address, and the address the outside sees it as. */
  aIp: string;
  aPublicIp: string;
  bIp: string;
  bPublicIp: string;
  /** Service addresses on the public router (STUN/TURN servers listen here). */
  pubIp: string;
  pubIp2: string;
}

/** Delay and loss knobs (only `lossy` uses them). */
export interface LabOptions {
  delayMs?: number;
  lossPct?: number;
  seed?: number;
}

/** The lab driver script (the .sh source file, not copied by tsc). */
export const NETLAB = fileURLToPath(new URL('../../../test/lab/netlab.sh', import.meta.url));

/** The namespace prefix: ICE_TCP_LAB_PREFIX, default "itl". */
export const LAB_PREFIX = process.env.ICE_TCP_LAB_PREFIX ?? 'itl';
if (!/^[a-z][a-z0-9]{0,5}$/.test(LAB_PREFIX)) throw new Error(`ICE_TCP_LAB_PREFIX must match ^[a-z][a-z0-9]{0,5}$`);

/** System tool folders; under npm, node_modules/.bin (with an unrelated `nft`) comes first in PATH. */
const SYSTEM_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

const live = new Set<string>();
let counter = 0;
let cachedReason: string | undefined | null = null;

function netlabEnv(id: string, options: LabOptions = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LAB_ID: id, LAB_OWNER_PID: String(process.pid) };
  if (options.delayMs !== undefined) env.LAB_DELAY_MS = String(options.delayMs);
  if (options.lossPct !== undefined) env.LAB_LOSS_PCT = String(options.lossPct);
  if (options.seed !== undefined) env.LAB_SEED = String(options.seed);
  return env;
}

process.on('exit', () => {
  for (const id of live) {
    try {
      execFileSync('bash', [NETLAB, 'down'], { env: netlabEnv(id), stdio: 'ignore', timeout: 20_000 });
    } catch {
      // the watchdog retries once this process is gone
    }
  }
});

/**
 * Why labs cannot run here (not root, no `ip`/`nft`, namespaces refused), or
 * undefined when they can. Probes once by adding and deleting a namespace.
 */
export function labUnavailableReason(): string | undefined {
  if (cachedReason !== null) return cachedReason;
  cachedReason = probe();
  return cachedReason;
}

function probe(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  for (const tool of ['ip', 'nft', 'iptables-restore', 'conntrack', 'python3']) {
    try {
      execFileSync('sh', ['-c', `PATH=${SYSTEM_PATH} command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `${tool} is missing (apt-get install iproute2 nftables iptables conntrack python3)`;
    }
  }
  const name = `${LAB_PREFIX}probe${process.pid}`;
  try {
    execFileSync('ip', ['netns', 'add', name], { stdio: 'pipe' });
  } catch (error) {
    return `ip netns add failed: ${(error as { stderr?: Buffer }).stderr?.toString().trim() ?? String(error)}`;
  } finally {
    try {
      execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
    } catch {
      // it was never made
    }
  }
  return undefined;
}

function run(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [NETLAB, ...args], { env, timeout: timeoutMs, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`netlab.sh ${args.join(' ')}: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

function parseAddresses(text: string): LabAddresses {
  const kv = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z_0-9]+)=(.*)$/.exec(line.trim());
    if (m) kv.set(m[1], m[2]);
  }
  const get = (key: string): string => {
    const value = kv.get(key);
    if (value === undefined) throw new Error(`netlab.sh printed no ${key}:\n${text}`);
    return value;
  };
  return {
    scenario: get('LAB_SCENARIO') as LabScenario,
    aIp: get('A_IP'),
    aPublicIp: get('A_PUBLIC_IP'),
    bIp: get('B_IP'),
    bPublicIp: get('B_PUBLIC_IP'),
    pubIp: get('PUB_IP'),
    pubIp2: get('PUB_IP2'),
  };
}

/** A running lab. */
export class Lab {
  readonly #children = new Set<ChildProcess>();
  #down: Promise<void> | undefined;

  constructor(
    /** Namespace prefix of this lab: its hosts are `${id}-a`, `${id}-b`, … */
    readonly id: string,
    readonly addresses: LabAddresses,
  ) {}

  /** The namespace name of a host. */
  namespace(host: LabHost): string {
    return `${this.id}-${host}`;
  }

  /** Starts `command ...args` inside a host (`ip netns exec`); it is killed at teardown at the latest. */
  spawn(host: LabHost, command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
    if (this.#down) throw new Error(`lab ${this.id} is down`);
    const child = spawn('ip', ['netns', 'exec', this.namespace(host), command, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...options,
    });
    this.#children.add(child);
    child.on('exit', () => this.#children.delete(child));
    return child;
  }

  /** Runs a command in a host to completion; rejects on a non-zero exit or after `timeoutMs`. */
  exec(host: LabHost, command: string, args: readonly string[], timeoutMs = 20_000): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile('ip', ['netns', 'exec', this.namespace(host), command, ...args], { timeout: timeoutMs }, (error, stdout, stderr) =>
        error ? reject(new Error(`${command}: ${error.message}\n${stderr}`)) : resolve(stdout),
      );
    });
  }

  /** Forgets every NAT/firewall binding (conntrack -F in each namespace). */
  async flush(): Promise<void> {
    await run(['flush'], netlabEnv(this.id), 20_000);
  }

  /** Kills what the lab still runs and deletes its namespaces; idempotent. */
  down(): Promise<void> {
    this.#down ??= (async () => {
      for (const child of this.#children) child.kill('SIGKILL');
      try {
        await run(['down'], netlabEnv(this.id), 60_000);
      } finally {
        live.delete(this.id);
      }
    })();
    return this.#down;
  }
}

/** Builds `scenario` under a fresh LAB_ID; a failed `up` leaves nothing behind. */
export async function startLab(scenario: LabScenario, options: LabOptions = {}): Promise<Lab> {
  const reason = labUnavailableReason();
  if (reason !== undefined) throw new Error(`network lab unavailable: ${reason}`);
  counter += 1;
  const id = `${LAB_PREFIX}${process.pid.toString(36)}${counter.toString(36)}`;
  live.add(id);
  try {
    const text = await run(['up', scenario], netlabEnv(id, options), 60_000);
    return new Lab(id, parseAddresses(text));
  } catch (error) {
    await run(['down'], netlabEnv(id), 60_000).catch(() => undefined);
    live.delete(id);
    throw error;
  }
}

/** Runs `body` with a lab of `scenario` and always tears it down afterwards. */
export async function withLab<T>(scenario: LabScenario, body: (lab: Lab) => Promise<T>, options: LabOptions = {}): Promise<T> {
  const lab = await startLab(scenario, options);
  try {
    return await body(lab);
  } finally {
    await lab.down();
  }
}
