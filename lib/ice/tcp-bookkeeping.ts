/**
 * TCP connection bookkeeping of RFC 6544 as the core sees it: connections
 * keyed by id and by 5-tuple, outstanding connect attempts limited per
 * remote IP (RFC 6544 §12), and the S-O retry schedule.
 */
import { SmallMap } from '../small-map.js';
import { flat } from '../flat-string.js';
import type { TcpType } from '../candidate/index.js';
import { formatAddress } from './address-keys.js';
import type { Pair } from './pair.js';
import type { Address } from './types.js';

/** A TCP connection the runtime reported. */
export interface TcpConnection {
  id: string;
  /** The local base it belongs to (passive listener, S-O port, active interface). */
  transportId: string;
  local: Address;
  remote: Address;
  /** We opened it (`connect`) or the peer did (`accept`). */
  origin: 'connect' | 'accept';
  /** No frame has arrived yet: the first one is checked (RFC 6544 §7.1, §7.2). Cleared by {@link TcpConnectionTable.firstFrameSeen}. */
  readonly awaitingFirstFrame: boolean;
}

/** A connect the core asked for. */
export interface ConnectAttempt {
  id: string;
  pair: Pair;
  transportId: string;
  tcpType: 'active' | 'so';
  local: Address;
  remote: Address;
  /** Connect commands sent for this attempt (S-O retries count). Changed by {@link TcpConnectionTable.attemptSent}. */
  readonly tries: number;
  /** The core gives up waiting at this time (connect timeout). */
  readonly deadline: number;
  /** S-O: waiting for a retry at this time (after refused/reset). Set by {@link TcpConnectionTable.retryAttemptAt}. */
  readonly retryAt: number | undefined;
  /** The attempt reconnects a selected pair (RFC 6544 §11.1). */
  reconnect: boolean;
}

/** The table's own view of its records: the fields others only read. */
type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** `local>remote`, the 5-tuple key (the protocol is always TCP here). */
export function fiveTupleKey(local: Address, remote: Address): string {
  return flat(`${formatAddress(local)}>${formatAddress(remote)}`);
}

/** S-O retry options, resolved. */
export interface SoRetryOptions {
  initialMs: number;
  maxMs: number;
  maxAttempts: number;
}

/**
 * Delay before S-O retry number `retry` (1-based): initial × 2^(retry-1),
 * capped. On bare loopback the first SYN meets a RST until the peer's SYN
 * crosses it (ARCHITECTURE.md "TCP simultaneous open"), so S-O retries until then.
 */
export function soRetryDelay(retry: number, options: SoRetryOptions): number {
  return Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, retry - 1));
}

/** The endpoint that opened a connection (sent the first SYN as seen here). */
export function initiatorOf(conn: TcpConnection): Address {
  return conn.origin === 'connect' ? conn.local : conn.remote;
}

/**
 * Which of two connections on one 5-tuple to keep (RFC 6544 defines no
 * procedure, §7.1 wants one connection per 5-tuple). Both agents must
 * keep the same one even when they learn of the two in different orders,
 * so the rule is symmetric: keep the connection opened by the endpoint
 * whose `address:port` sorts first; if both were opened by the same
 * endpoint, keep the established (older) one.
 */
export function survivorOf(existing: TcpConnection, incoming: TcpConnection): TcpConnection {
  const a = formatAddress(initiatorOf(existing));
  const b = formatAddress(initiatorOf(incoming));
  if (a === b) return existing;
  return a < b ? existing : incoming;
}

/**
 * Connections and attempts of one agent. The maps are made on first use: a
 * UDP-only agent, or a passive side that never connects, carries none (with
 * 10,000 agents in a process, three empty maps each are about 5 MB); the
 * connection tables are {@link SmallMap}s, as most agents keep one connection.
 */
export class TcpConnectionTable {
  private byId: SmallMap<string, TcpConnection> | undefined;
  private byTuple: SmallMap<string, TcpConnection> | undefined;
  private attemptsById: Map<string, ConnectAttempt> | undefined;
  private attemptCounter = 0;

  /** The connection with this id. */
  get(id: string): TcpConnection | undefined {
    return this.byId?.get(id);
  }

  /** The connection on this 5-tuple. */
  byFiveTuple(local: Address, remote: Address): TcpConnection | undefined {
    return this.byTuple?.get(fiveTupleKey(local, remote));
  }

  /** Every connection. */
  connections(): TcpConnection[] {
    return this.byId === undefined ? [] : [...this.byId.values()];
  }

  /** Number of connections. */
  get size(): number {
    return this.byId?.size ?? 0;
  }

  /**
   * Registers a connection unless one already exists on the same 5-tuple
   * (a connect and an accept racing, RFC 6544 §7.1 "if none yet exists"),
   * which is then returned as `existing` and nothing is registered.
   */
  register(conn: TcpConnection): { existing?: TcpConnection } {
    const key = fiveTupleKey(conn.local, conn.remote);
    const existing = this.byTuple?.get(key);
    if (existing !== undefined) return { existing };
    (this.byId ??= new SmallMap()).set(conn.id, conn);
    (this.byTuple ??= new SmallMap()).set(key, conn);
    return {};
  }

  /** Forgets a connection. */
  remove(id: string): TcpConnection | undefined {
    const conn = this.byId?.get(id);
    if (conn === undefined) return undefined;
    this.byId!.delete(id);
    const key = fiveTupleKey(conn.local, conn.remote);
    if (this.byTuple?.get(key) === conn) this.byTuple.delete(key);
    return conn;
  }

  /** A frame arrived on the connection: the first-frame rules are done with (RFC 6544 §7.1, §7.2). */
  firstFrameSeen(conn: TcpConnection): void {
    (conn as Writable<TcpConnection>).awaitingFirstFrame = false;
  }

  /** A connect command of the attempt went out: one more try, waited for until `deadline`. */
  attemptSent(attempt: ConnectAttempt, deadline: number): void {
    const a = attempt as Writable<ConnectAttempt>;
    a.tries++;
    a.retryAt = undefined;
    a.deadline = deadline;
  }

  /** S-O: the attempt tries again at `at` (RFC 6544 §7.1, crossing SYNs). */
  retryAttemptAt(attempt: ConnectAttempt, at: number): void {
    (attempt as Writable<ConnectAttempt>).retryAt = at;
  }

  /** A fresh attempt id. */
  nextAttemptId(): string {
    this.attemptCounter++;
    return `c${this.attemptCounter}`;
  }

  /** Registers an attempt. */
  addAttempt(attempt: ConnectAttempt): void {
    (this.attemptsById ??= new Map()).set(attempt.id, attempt);
  }

  /** The attempt with this id. */
  attempt(id: string): ConnectAttempt | undefined {
    return this.attemptsById?.get(id);
  }

  /** Forgets an attempt. */
  removeAttempt(id: string): void {
    // Gone once empty: a connected agent keeps no attempt table (README "Capacity and speed").
    if (this.attemptsById?.delete(id) === true && this.attemptsById.size === 0) this.attemptsById = undefined;
  }

  /** Every attempt. */
  attempts(): ConnectAttempt[] {
    return this.attemptsById === undefined ? [] : [...this.attemptsById.values()];
  }

  /**
   * Outstanding connect attempts to one remote IP (RFC 6544 §12), S-O
   * attempts waiting for a retry included.
   */
  outstandingTo(address: string): number {
    let n = 0;
    if (this.attemptsById !== undefined) for (const a of this.attemptsById.values()) if (a.remote.address === address) n++;
    return n;
  }

  /** The earliest attempt deadline or retry time. */
  nextDeadline(): number | undefined {
    if (this.attemptsById === undefined) return undefined;
    let min: number | undefined;
    for (const a of this.attemptsById.values()) {
      const t = a.retryAt ?? a.deadline;
      if (min === undefined || t < min) min = t;
    }
    return min;
  }
}

/** The tcptype of a pair's local candidate, when it opens connections (RFC 6544 §7.1). */
export function connectingType(tcpType: TcpType | undefined): 'active' | 'so' | undefined {
  return tcpType === 'active' || tcpType === 'so' ? tcpType : undefined;
}
