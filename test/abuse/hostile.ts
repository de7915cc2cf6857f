/**
 * Hostile clients for the abuse suite: TCP connections that hold, trickle,
 * send junk or reset, and junk datagrams. Every loop is bounded in count and
 * time; every target is on loopback. Each connection ends on its own (the
 * server closes it, or it gives up after `maxHoldMs`).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { encodeFrame } from '../../lib/framing/index.js';
import { StunClass, StunMethod, encodeStun, shortTermKey } from '../../lib/stun/index.js';

/**
 * Local ports for the hostile clients, below the kernel's ephemeral range:
 * thousands of connections taking ephemeral ports would collide with the
 * ports other tests reserve for S-O candidates (held by nothing between
 * gathering and connecting, see lib/net/tcp/free-port.ts), on this machine
 * and in other test processes alike.
 */
const CLIENT_PORTS = (() => {
  let ephemeralStart = 32768;
  try {
    ephemeralStart = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || ephemeralStart;
  } catch {
    // not Linux: keep the IANA-ish default below 32768
  }
  const end = Math.min(ephemeralStart, 32768);
  const start = Math.max(1024, end - 12_000);
  return { start, span: end - start };
})();
let nextClientPort = 0;

/** The next local port for a hostile client (cycling through the range). */
function clientPort(): number {
  const port = CLIENT_PORTS.start + (nextClientPort % CLIENT_PORTS.span);
  nextClientPort += 1;
  return port;
}

/** What a hostile TCP client does once connected. */
export type HostileKind =
  | 'silent'
  | 'trickle'
  | 'junk'
  | 'oversize-header'
  | 'not-stun-frame'
  | 'stun-indication'
  | 'binding-no-integrity'
  | 'binding-unknown-ufrag'
  | 'binding-bad-integrity'
  | 'zero-frames'
  | 'reset'
  | 'plain-junk-stun';

export const HOSTILE_KINDS: readonly HostileKind[] = [
  'silent',
  'trickle',
  'junk',
  'oversize-header',
  'not-stun-frame',
  'stun-indication',
  'binding-no-integrity',
  'binding-unknown-ufrag',
  'binding-bad-integrity',
  'zero-frames',
  'reset',
  'plain-junk-stun',
];

/** A Binding request as a check would be (USERNAME `ufrag:x`), signed with a key the target does not know. */
function bindingRequest(ufrag: string, integrity: boolean): Buffer {
  return encodeStun(
    {
      class: StunClass.Request,
      method: StunMethod.Binding,
      transactionId: randomBytes(12),
      attributes: { username: `${ufrag}:evil`, priority: 1 },
    },
    { integrityKey: integrity ? shortTermKey('not-the-password-at-all') : undefined, fingerprint: true },
  );
}

/** The bytes (or behaviour) of one kind. `ufrag` is a ufrag the target serves (for the bad-integrity kind). */
function payload(kind: HostileKind, ufrag: string): Buffer | undefined {
  switch (kind) {
    case 'junk':
      return randomBytes(1 + Math.floor(Math.random() * 300));
    case 'oversize-header':
      return Buffer.from([0xff, 0xff, 1, 2, 3]);
    case 'not-stun-frame':
      return encodeFrame(Buffer.concat([Buffer.from([0xff]), randomBytes(60)]));
    case 'stun-indication':
      return encodeFrame(encodeStun({ class: StunClass.Indication, method: StunMethod.Binding, transactionId: randomBytes(12) }));
    case 'binding-no-integrity':
      return encodeFrame(bindingRequest(ufrag, false));
    case 'binding-unknown-ufrag':
      return encodeFrame(bindingRequest('nobodyhere', true));
    case 'binding-bad-integrity':
      return encodeFrame(bindingRequest(ufrag, true));
    case 'zero-frames':
      return Buffer.alloc(2 * 4096);
    case 'plain-junk-stun':
      return Buffer.concat([
        encodeStun({ class: StunClass.Request, method: StunMethod.Binding, transactionId: randomBytes(12) }),
        randomBytes(64),
      ]);
    default:
      return undefined;
  }
}

/** Outcome counts of a batch of hostile connections. */
export interface HostileTally {
  opened: number;
  /** Closed by the server (FIN or RST) before the client gave up. */
  closedByServer: number;
  /** Still open when the client gave up (`maxHoldMs`). */
  gaveUp: number;
  /** Never connected (refused or reset during the handshake). */
  failed: number;
}

/**
 * Opens one hostile connection of `kind` to `port` on loopback and resolves
 * when it is over: `'server'` when the server closed it, `'gave-up'` after
 * `maxHoldMs`, `'failed'` when it never connected.
 */
export function hostileConnection(
  port: number,
  kind: HostileKind,
  options: { host?: string; localAddress?: string; ufrag?: string; maxHoldMs: number },
): Promise<'server' | 'gave-up' | 'failed'> {
  return new Promise((resolve) => {
    const socket: Socket = connect({
      port,
      host: options.host ?? '127.0.0.1',
      localAddress: options.localAddress ?? '127.0.0.1',
      localPort: clientPort(),
    });
    let connected = false;
    let trickle: NodeJS.Timeout | undefined;
    const finish = (how: 'server' | 'gave-up' | 'failed'): void => {
      clearTimeout(hold);
      clearInterval(trickle);
      socket.destroy();
      resolve(how);
    };
    const hold = setTimeout(() => finish('gave-up'), options.maxHoldMs);
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    socket.on('close', () => finish(connected ? 'server' : 'failed'));
    socket.on('connect', () => {
      connected = true;
      if (kind === 'reset') {
        socket.resetAndDestroy();
        return;
      }
      if (kind === 'trickle') {
        socket.write(Buffer.from([0x00]));
        trickle = setInterval(() => socket.writable && socket.write(Buffer.from([0x20])), 50);
        return;
      }
      const bytes = payload(kind, options.ufrag ?? 'x');
      if (bytes !== undefined) socket.write(bytes);
    });
  });
}

/**
 * Runs `total` hostile connections, `concurrency` at a time, cycling through
 * `kinds`; `onTick` is called after each one ends (for sampling bounds).
 */
export async function hostileBattery(
  port: number,
  options: {
    total: number;
    concurrency: number;
    kinds?: readonly HostileKind[];
    maxHoldMs: number;
    ufrag?: string;
    sources?: readonly string[];
    host?: string;
    onTick?: () => void;
  },
): Promise<HostileTally> {
  const kinds = options.kinds ?? HOSTILE_KINDS;
  const tally: HostileTally = { opened: 0, closedByServer: 0, gaveUp: 0, failed: 0 };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < options.total) {
      const i = next++;
      const kind = kinds[i % kinds.length];
      const localAddress = options.sources?.[i % options.sources.length];
      tally.opened++;
      const how = await hostileConnection(port, kind, {
        maxHoldMs: options.maxHoldMs,
        ufrag: options.ufrag,
        localAddress,
        host: options.host,
      });
      if (how === 'server') tally.closedByServer++;
      else if (how === 'gave-up') tally.gaveUp++;
      else tally.failed++;
      options.onTick?.();
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return tally;
}

/** Heap used after a full GC (the suite runs with --expose-gc), in bytes. */
export function heapAfterGc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

/** Open sockets of this process (TCP and UDP handles). */
export function socketHandles(): number {
  const handles = (process as unknown as { _getActiveHandles(): object[] })._getActiveHandles();
  return handles.filter((h) => h.constructor?.name === 'Socket').length;
}
