/**
 * The TCP model of the virtual network, at the level ICE-TCP sees it:
 * connect attempts (SYNs routed through NATs), listeners, RFC 6544
 * simultaneous open (crossing SYNs give one connection), RST for closed
 * ports, connect timeouts, and reliable in-order byte streams that carry
 * RFC 4571 frames (re-cut into random segments, decoded with FrameDecoder).
 * Fault injection: refuse, blackhole, reset.
 */
import createDebug from 'debug';
import { encodeFrame, FrameDecoder } from '../../../lib/framing/index.js';
import type { Address, CloseReason } from '../../../lib/ice/types.js';
import type { TcpOwner, TcpPort, TcpPortKind } from './endpoints.js';
import type { VirtualNetwork } from './network.js';
import type { ScheduledTask } from './scheduler.js';
import { addressKey, formatAddress, routeDown, routeUp, type VirtualHost } from './topology.js';

const log = createDebug('ice-tcp:vnet');

interface Attempt {
  tag: string;
  host: VirtualHost;
  local: Address;
  remote: Address;
  owner: TcpOwner;
  done: boolean;
  timer?: ScheduledTask;
  ephemeral: boolean;
}

/** One side of an established connection. */
export interface ConnectionEnd {
  readonly id: string;
  readonly host: VirtualHost;
  readonly local: Address;
  readonly remote: Address;
  owner: TcpOwner;
  open: boolean;
  readonly ephemeral: boolean;
  readonly decoder: FrameDecoder;
  /** Arrival time of the last data scheduled towards this end (keeps the stream in order). */
  lastArrival: number;
  peer?: ConnectionEnd;
  link: { alive: boolean; latency: number };
  /** The owner has been told (connected / accepted). */
  announced: boolean;
  /** The connect attempt's tag, for the connecting end. */
  tag?: string;
  /** The connection was reset but this end's owner has not noticed yet (its error message). */
  unnoticedReset?: string;
  /** With {@link unnoticedReset}: a write makes the owner notice (otherwise the bytes vanish). */
  unnoticedWritesFail?: boolean;
}

/** Counters of the TCP model. */
export interface TcpStats {
  syns: number;
  rsts: number;
  synsDropped: number;
  accepted: number;
  crossed: number;
  timeouts: number;
  framesDelivered: number;
  bytesDelivered: number;
  resets: number;
}

/** TCP on the virtual network. */
export class TcpModel {
  readonly stats: TcpStats = {
    syns: 0,
    rsts: 0,
    synsDropped: 0,
    accepted: 0,
    crossed: 0,
    timeouts: 0,
    framesDelivered: 0,
    bytesDelivered: 0,
    resets: 0,
  };
  /** Destination addresses (as connected to) whose SYNs get a RST whatever is listening. */
  readonly refused = new Set<string>();
  /** Destination addresses whose SYNs vanish. */
  readonly blackholed = new Set<string>();
  /**
   * How crossing SYNs at S-O ports end up: `'one'` connection (TCP
   * simultaneous open, the default), or `'two'`: each SYN is accepted by the
   * other side's listening S-O port as its own connection (what stacks that
   * listen and connect on one port with SO_REUSEPORT can see), giving
   * duplicate connections for one 5-tuple.
   */
  crossing: 'one' | 'two' = 'one';
  /** Called before each frame is delivered (fault injection may reset the connection here). */
  readonly frameTaps: Array<(end: ConnectionEnd, frame: Buffer) => void> = [];
  /** Largest segment the byte stream is cut into (default 1400). */
  maxSegment = 1400;
  private readonly attempts: Attempt[] = [];
  private readonly ends = new Map<string, ConnectionEnd>();
  private nextConnection = 1;

  constructor(private readonly net: VirtualNetwork) {}

  /** Binds a TCP port (port 0: ephemeral); `passive` ports accept, `so` ports accept only when `listening`. */
  bind(
    host: VirtualHost,
    local: Address,
    kind: Exclude<TcpPortKind, 'ephemeral'>,
    owner: TcpOwner,
    id: string,
    listening = kind === 'passive',
  ): Address {
    if (!host.addresses.includes(local.address)) throw new Error(`${host.name} has no address ${local.address}`);
    const port = local.port === 0 ? this.freePort(host, local.address) : local.port;
    const bound = { address: local.address, port };
    if (host.tcpPorts.has(addressKey(bound))) throw new Error(`${host.name}: TCP ${formatAddress(bound)} in use`);
    host.tcpPorts.set(addressKey(bound), { id, kind, local: bound, owner, listening });
    return bound;
  }

  /** Releases a bound port. */
  unbind(host: VirtualHost, local: Address): void {
    host.tcpPorts.delete(addressKey(local));
  }

  /** The end of a connection by id. */
  end(connectionId: string): ConnectionEnd | undefined {
    return this.ends.get(connectionId);
  }

  /** Ends that are still open, optionally only a host's. */
  openEnds(host?: VirtualHost): ConnectionEnd[] {
    return [...this.ends.values()].filter((e) => e.open && (!host || e.host === host));
  }

  /** Outstanding connect attempts of a host. */
  pendingAttempts(host: VirtualHost): number {
    return this.attempts.filter((a) => a.host === host && !a.done).length;
  }

  /**
   * Opens a connection from `local` (port 0: a fresh ephemeral port) to
   * `remote`. The owner later gets `connected` or `connect-failed` with `tag`.
   */
  connect(host: VirtualHost, req: { tag: string; local: Address; remote: Address; timeoutMs: number }, owner: TcpOwner): void {
    const clock = this.net.clock;
    const fail = (reason: 'error' | 'unreachable', message: string): void => {
      log('connect %s %s: %s', host.name, req.tag, message);
      clock.after(0, 'tcp-connect-error', () => owner.onTcp(clock.now, { type: 'connect-failed', tag: req.tag, reason, message }));
    };
    if (!host.addresses.includes(req.local.address)) return fail('error', `EADDRNOTAVAIL ${req.local.address}`);
    let local = req.local;
    const ephemeral = local.port === 0;
    if (ephemeral) {
      local = { address: local.address, port: this.freePort(host, local.address) };
      host.tcpPorts.set(addressKey(local), { id: req.tag, kind: 'ephemeral', local, owner, listening: false });
    } else if (!host.tcpPorts.has(addressKey(local))) {
      return fail('error', `EINVAL: ${formatAddress(local)} is not bound`);
    }
    const tuple = `${addressKey(local)}>${addressKey(req.remote)}`;
    const busy =
      this.attempts.some((a) => !a.done && a.host === host && `${addressKey(a.local)}>${addressKey(a.remote)}` === tuple) ||
      [...this.ends.values()].some((e) => e.open && e.host === host && `${addressKey(e.local)}>${addressKey(e.remote)}` === tuple);
    if (busy) return fail('error', `EADDRINUSE: ${tuple} already in use`);
    const attempt: Attempt = { tag: req.tag, host, local, remote: req.remote, owner, done: false, ephemeral };
    this.attempts.push(attempt);
    attempt.timer = clock.after(req.timeoutMs, 'tcp-connect-timeout', () => {
      if (attempt.done) return;
      this.finish(attempt);
      this.stats.timeouts++;
      log('connect %s %s -> %s timed out', host.name, formatAddress(local), formatAddress(req.remote));
      owner.onTcp(clock.now, { type: 'connect-failed', tag: req.tag, reason: 'timeout', message: 'ETIMEDOUT' });
    });
    this.sendSyn(attempt);
  }

  /** Sends one frame on a connection. Returns false (and sends nothing) when the end is not open. */
  send(connectionId: string, payload: Uint8Array): boolean {
    const end = this.ends.get(connectionId);
    if (end?.unnoticedReset !== undefined) {
      if (end.unnoticedWritesFail !== true) return true; // the bytes vanish
      // Writing to a reset socket fails at once: the owner learns of the reset.
      this.noticeReset(end);
      return false;
    }
    if (!end || !end.open || !end.link.alive || !end.peer) return false;
    const bytes = encodeFrame(payload); // throws ERR_FRAME_TOO_LARGE above 65535 (RFC 4571 §2)
    const peer = end.peer;
    const at = Math.max(this.net.now + end.link.latency, peer.lastArrival);
    peer.lastArrival = at;
    const link = end.link;
    this.net.clock.at(at, 'tcp-data', () => {
      if (!link.alive || !peer.open) {
        log('tcp data for closed %s dropped (%d bytes)', peer.id, bytes.length);
        return;
      }
      for (let off = 0; off < bytes.length && peer.open;) {
        const size = Math.min(bytes.length - off, 1 + this.net.prng.int(this.maxSegment));
        peer.decoder.push(bytes.subarray(off, off + size), (frame) => {
          for (const tap of this.frameTaps) if (peer.open) tap(peer, frame);
          if (!peer.open) return;
          this.stats.framesDelivered++;
          this.stats.bytesDelivered += frame.length;
          peer.owner.onTcp(this.net.now, { type: 'frame', connectionId: peer.id, data: Buffer.from(frame) });
        });
        off += size;
      }
    });
    return true;
  }

  /** Closes our end (FIN): the peer gets `closed`/`end` after the data in flight. */
  close(connectionId: string): void {
    const end = this.ends.get(connectionId);
    if (!end || !end.open) return;
    end.open = false;
    this.releasePort(end);
    const peer = end.peer;
    if (!peer || !end.link.alive) return;
    const at = Math.max(this.net.now + end.link.latency, peer.lastArrival);
    const link = end.link;
    this.net.clock.at(at, 'tcp-fin', () => {
      if (!link.alive || !peer.open) return;
      link.alive = false;
      peer.open = false;
      this.releasePort(peer);
      peer.owner.onTcp(this.net.now, { type: 'closed', connectionId: peer.id, reason: 'end', message: 'FIN' });
    });
  }

  /**
   * Fault: resets a connection; both open ends see `closed`/`reset`, data in
   * flight is lost. With `late`, the end of that id is told only when it
   * next writes (a write to a reset socket fails at once) or after
   * `noticeAfterMs` (an owner whose reader was paused reads the RST late);
   * with `writesFail: false` its writes vanish instead (a RST lost in the
   * network: the end learns only at `noticeAfterMs`).
   */
  reset(
    connectionId: string,
    message = 'ECONNRESET (injected)',
    late?: { end: string; noticeAfterMs: number; writesFail?: boolean },
  ): void {
    const end = this.ends.get(connectionId);
    if (!end || !end.link.alive) return;
    end.link.alive = false;
    this.stats.resets++;
    for (const e of [end, end.peer]) {
      if (!e || !e.open) continue;
      if (late !== undefined && e.id === late.end) {
        e.unnoticedReset = message;
        e.unnoticedWritesFail = late.writesFail ?? true;
        this.net.clock.after(late.noticeAfterMs, 'tcp-reset-late', () => this.noticeReset(e));
        continue;
      }
      e.open = false;
      this.releasePort(e);
      if (e.announced) {
        this.net.clock.after(0, 'tcp-reset', () =>
          e.owner.onTcp(this.net.now, { type: 'closed', connectionId: e.id, reason: 'reset', message }),
        );
      } else if (e.tag !== undefined) {
        // Reset during the handshake: the connector's attempt fails.
        const tag = e.tag;
        this.net.clock.after(0, 'tcp-reset', () => e.owner.onTcp(this.net.now, { type: 'connect-failed', tag, reason: 'reset', message }));
      }
    }
  }

  /** An end with an unnoticed reset learns of it now (see {@link reset}). */
  private noticeReset(e: ConnectionEnd): void {
    const message = e.unnoticedReset;
    if (message === undefined || !e.open) return;
    e.unnoticedReset = undefined;
    e.open = false;
    this.releasePort(e);
    log('%s notices the reset of %s late', e.host.name, e.id);
    this.net.clock.after(0, 'tcp-reset', () =>
      e.owner.onTcp(this.net.now, { type: 'closed', connectionId: e.id, reason: 'reset', message }),
    );
  }

  private freePort(host: VirtualHost, address: string): number {
    return host.ephemeralPort((p) => host.tcpPorts.has(addressKey({ address, port: p })));
  }

  private releasePort(end: ConnectionEnd): void {
    if (end.ephemeral) end.host.tcpPorts.delete(addressKey(end.local));
    // Forget a connection once both ends are closed, so long runs stay bounded.
    if (!end.open && (!end.peer || !end.peer.open)) {
      this.ends.delete(end.id);
      if (end.peer) this.ends.delete(end.peer.id);
    }
  }

  private finish(attempt: Attempt): void {
    attempt.done = true;
    this.net.clock.cancel(attempt.timer);
    const i = this.attempts.indexOf(attempt);
    if (i >= 0) this.attempts.splice(i, 1);
    if (
      attempt.ephemeral &&
      ![...this.ends.values()].some((e) => e.host === attempt.host && addressKey(e.local) === addressKey(attempt.local))
    ) {
      attempt.host.tcpPorts.delete(addressKey(attempt.local));
    }
  }

  private sendSyn(attempt: Attempt): void {
    const { host } = attempt;
    this.stats.syns++;
    const dropped = (why: string): void => {
      this.stats.synsDropped++;
      log('SYN %s %s -> %s dropped: %s', host.name, formatAddress(attempt.local), formatAddress(attempt.remote), why);
    };
    if (host.silent) return dropped('sender is silent');
    const routed = routeUp(host.realm, 'tcp', attempt.local, attempt.remote);
    if (typeof routed === 'string') return dropped(routed);
    this.net.clock.after(host.latencyMs, 'tcp-syn', () => {
      if (this.blackholed.has(addressKey(attempt.remote))) return dropped('blackholed');
      const delivery = routeDown(routed, 'tcp', true);
      if (!delivery.ok) return dropped(delivery.why);
      const dest = delivery.host;
      this.net.clock.after(dest.latencyMs, 'tcp-syn-arrive', () => {
        if (dest.silent) return dropped('receiver is silent');
        this.receiveSyn(attempt, dest, delivery.from, delivery.to);
      });
    });
  }

  private receiveSyn(a: Attempt, dest: VirtualHost, from: Address, to: Address): void {
    if (a.done) {
      log('late SYN %s -> %s ignored (attempt already settled)', formatAddress(from), formatAddress(to));
      return;
    }
    const latency = a.host.latencyMs + dest.latencyMs;
    const port = dest.tcpPorts.get(addressKey(to));
    const refused = this.refused.has(addressKey(a.remote));
    if (!refused && port?.kind === 'so' && this.crossing === 'one') {
      const b = this.attempts.find(
        (x) => !x.done && x.host === dest && addressKey(x.local) === addressKey(to) && addressKey(x.remote) === addressKey(from),
      );
      if (b) return this.establish(a, b, latency);
    }
    if (!refused && port && (port.kind === 'passive' || (port.kind === 'so' && port.listening))) {
      return this.accept(a, port, dest, from, to, latency);
    }
    // Nothing listening (or an injected refusal): RST back to the connector.
    this.stats.rsts++;
    log('SYN to %s on %s: RST (%s)', formatAddress(to), dest.name, refused ? 'refused by fault' : 'no listener');
    this.net.clock.after(latency, 'tcp-rst', () => {
      if (a.done) return;
      this.finish(a);
      a.owner.onTcp(this.net.now, { type: 'connect-failed', tag: a.tag, reason: 'refused', message: 'ECONNREFUSED' });
    });
  }

  private makeEnds(
    x: { host: VirtualHost; local: Address; remote: Address; owner: TcpOwner; ephemeral: boolean },
    y: { host: VirtualHost; local: Address; remote: Address; owner: TcpOwner; ephemeral: boolean },
    latency: number,
  ): [ConnectionEnd, ConnectionEnd] {
    const link = { alive: true, latency };
    const mk = (s: typeof x): ConnectionEnd => ({
      id: `${s.host.name}/tcp${this.nextConnection++}`,
      host: s.host,
      local: s.local,
      remote: s.remote,
      owner: s.owner,
      open: true,
      ephemeral: s.ephemeral,
      decoder: new FrameDecoder(),
      lastArrival: 0,
      link,
      announced: false,
    });
    const ex = mk(x);
    const ey = mk(y);
    ex.peer = ey;
    ey.peer = ex;
    this.ends.set(ex.id, ex);
    this.ends.set(ey.id, ey);
    return [ex, ey];
  }

  /** RFC 6544 simultaneous open: the SYNs crossed, one connection for both attempts. */
  private establish(a: Attempt, b: Attempt, latency: number): void {
    const [ea, eb] = this.makeEnds(a, b, latency);
    this.finish(a);
    this.finish(b);
    this.stats.crossed++;
    const at = this.net.now + latency;
    ea.lastArrival = at;
    eb.lastArrival = at;
    log('SYNs crossed: %s <-> %s', formatAddress(a.local), formatAddress(b.local));
    for (const [att, e] of [
      [a, ea],
      [b, eb],
    ] as const) {
      e.tag = att.tag;
      this.net.clock.at(at, 'tcp-connected', () => {
        if (!e.open) return;
        e.announced = true;
        att.owner.onTcp(this.net.now, { type: 'connected', tag: att.tag, connectionId: e.id, local: e.local, remote: e.remote });
      });
    }
  }

  private accept(a: Attempt, port: TcpPort, dest: VirtualHost, from: Address, to: Address, latency: number): void {
    const [ea, ep] = this.makeEnds(a, { host: dest, local: to, remote: from, owner: port.owner, ephemeral: false }, latency);
    this.finish(a);
    this.stats.accepted++;
    const now = this.net.now;
    ea.lastArrival = now + latency;
    ep.lastArrival = now + 2 * latency;
    ea.tag = a.tag;
    this.net.clock.at(now + latency, 'tcp-connected', () => {
      if (!ea.open) return;
      ea.announced = true;
      a.owner.onTcp(this.net.now, { type: 'connected', tag: a.tag, connectionId: ea.id, local: ea.local, remote: ea.remote });
    });
    this.net.clock.at(now + 2 * latency, 'tcp-accepted', () => {
      if (!ep.open) return;
      ep.announced = true;
      port.owner.onTcp(this.net.now, { type: 'accepted', portId: port.id, connectionId: ep.id, local: ep.local, remote: ep.remote });
    });
  }
}

/** Re-exported for owners that want to name a close reason. */
export type { CloseReason };
