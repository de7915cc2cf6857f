/**
 * Outstanding STUN client transactions of the agent: connectivity checks
 * and consent checks, with the RFC 8489 §6.2 retransmission schedule.
 */
import type { Pair } from './pair.js';
import type { Address } from './types.js';

/** Rc: the number of sends of a UDP request (RFC 8489 §6.2.1). */
export const RC = 7;
/** Rm: the wait after the last send, in RTOs (RFC 8489 §6.2.1). */
export const RM = 16;

/** What a transaction is for. */
export type TransactionKind = 'check' | 'consent';

/** One client transaction. */
export interface Transaction {
  /** Hex of the transaction id: the table key. */
  key: string;
  kind: TransactionKind;
  pair: Pair;
  /** The encoded request, kept for retransmissions (UDP). */
  request: Buffer;
  transportId: string;
  connectionId: string | undefined;
  to: Address;
  /** The request carried USE-CANDIDATE. */
  useCandidate: boolean;
  /** The role we had when sending (ICE-CONTROLLING present), for a 487 (RFC 8445 §7.2.5.1). */
  controlling: boolean;
  /** The PRIORITY we sent: a local prflx candidate's priority (RFC 8445 §7.2.5.3.1). */
  priority: number;
  /** The key for the response's MESSAGE-INTEGRITY (remote pwd of the pair's generation). */
  integrityKey: Buffer;
  /** When the request was first sent (a round-trip sample when answered on that only send). */
  sentAt?: number;
  /** How many times the request has been sent (see {@link TransactionTable.retransmitted}). */
  readonly sends: number;
  /** RTO of this transaction (UDP). */
  rto: number;
  /** When to retransmit next; undefined: never again. */
  readonly retransmitAt: number | undefined;
  /** When the transaction times out. */
  expiresAt: number;
  /** Cancelled (RFC 8445 §7.3.1.4): no retransmits, no failure on timeout, a response still counts (see {@link TransactionTable.cancel}). */
  readonly cancelled: boolean;
}

/**
 * The UDP schedule (RFC 8489 §6.2.1): sends at 0, RTO, 3·RTO, 7·RTO, ...
 * (the interval doubles), Rc sends in all, then a wait of Rm·RTO after the
 * last one. With RTO = 500 ms: 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s, timeout
 * at 39.5 s.
 *
 * @param sentAt - time of send number `sends` (1-based)
 * @returns the next retransmission time, or undefined after the Rc-th send
 */
export function nextRetransmitAt(sentAt: number, sends: number, rto: number): number | undefined {
  if (sends >= RC) return undefined;
  return sentAt + rto * 2 ** (sends - 1);
}

/** Total lifetime of a UDP transaction: (2^(Rc-1) - 1 + Rm) · RTO (39.5 s at 500 ms). */
export function udpTransactionTimeout(rto: number): number {
  return (2 ** (RC - 1) - 1 + RM) * rto;
}

/** The table of live transactions, keyed by transaction id. */
/** The table's own view of its records: the fields others only read. */
type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * The live STUN transactions of one agent (checks and consent checks). The
 * map exists only while a transaction does: an idle session is between
 * consent checks most of the time (README "Capacity and speed").
 */
export class TransactionTable {
  private byKey: Map<string, Transaction> | undefined;

  /** Number of live transactions. */
  get size(): number {
    return this.byKey?.size ?? 0;
  }

  /** The request went out again (RFC 8489 §6.2.1): one more send, the next one scheduled from the RTO. */
  retransmitted(tx: Transaction, now: number): void {
    const t = tx as Writable<Transaction>;
    t.sends++;
    t.retransmitAt = nextRetransmitAt(now, t.sends, t.rto);
  }

  /** Cancels a transaction (RFC 8445 §7.3.1.4): no more retransmits, no failure on timeout; a response still counts. */
  cancel(tx: Transaction): void {
    const t = tx as Writable<Transaction>;
    t.cancelled = true;
    t.retransmitAt = undefined;
  }

  add(tx: Transaction): void {
    (this.byKey ??= new Map()).set(tx.key, tx);
  }

  get(key: string): Transaction | undefined {
    return this.byKey?.get(key);
  }

  delete(key: string): void {
    if (this.byKey?.delete(key) === true && this.byKey.size === 0) this.byKey = undefined;
  }

  /** Every live transaction (a copy, safe to mutate the table while iterating). */
  list(): Transaction[] {
    return this.byKey === undefined ? [] : [...this.byKey.values()];
  }

  /** Transactions matching a predicate. */
  filter(predicate: (tx: Transaction) => boolean): Transaction[] {
    const out: Transaction[] = [];
    if (this.byKey !== undefined) for (const tx of this.byKey.values()) if (predicate(tx)) out.push(tx);
    return out;
  }

  /** The earliest retransmission or expiry time, or undefined. */
  nextDeadline(): number | undefined {
    if (this.byKey === undefined) return undefined;
    let min: number | undefined;
    for (const tx of this.byKey.values()) {
      const t = tx.retransmitAt !== undefined && tx.retransmitAt < tx.expiresAt ? tx.retransmitAt : tx.expiresAt;
      if (min === undefined || t < min) min = t;
    }
    return min;
  }
}
