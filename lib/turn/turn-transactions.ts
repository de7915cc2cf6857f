/**
 * Outstanding requests of a TURN client and their retransmission
 * (RFC 8489 §6.2.1 over UDP: RTO doubling, Rc sends, a last wait of Rm×RTO;
 * §6.2.2 over TCP/TLS: one send and a Ti timeout). Bounded by `max`.
 *
 * @module
 */

/** Retransmission settings. */
export interface RetransmitOptions {
  /** Initial RTO over UDP in ms (default 500, RFC 8489 §6.2.1). */
  rtoMs?: number;
  /** Sends over UDP, Rc (default 7). */
  maxSends?: number;
  /** Last wait over UDP, Rm × last RTO (default 16). */
  lastWaitFactor?: number;
  /** Timeout over TCP/TLS, Ti (default 39500 ms, RFC 8489 §6.2.2). */
  reliableTimeoutMs?: number;
}

/** One outstanding request. */
export interface Transaction<C> {
  id: string;
  bytes: Buffer;
  context: C;
  sends: number;
  rto: number;
  /** When to retransmit or give up. */
  at: number;
}

/** The table of outstanding requests. */
export class TransactionTable<C> {
  readonly #byId = new Map<string, Transaction<C>>();
  readonly #reliable: boolean;
  readonly #rto: number;
  readonly #maxSends: number;
  readonly #lastWait: number;
  readonly #timeout: number;
  readonly max: number;

  constructor(reliable: boolean, options: RetransmitOptions, max: number) {
    this.#reliable = reliable;
    this.#rto = options.rtoMs ?? 500;
    this.#maxSends = options.maxSends ?? 7;
    this.#lastWait = options.lastWaitFactor ?? 16;
    this.#timeout = options.reliableTimeoutMs ?? 39_500;
    this.max = max;
  }

  get size(): number {
    return this.#byId.size;
  }

  /** Registers a request sent now. */
  add(now: number, id: string, bytes: Buffer, context: C): void {
    this.#byId.set(id, { id, bytes, context, sends: 1, rto: this.#rto, at: now + (this.#reliable ? this.#timeout : this.#rto) });
  }

  /** Removes and returns the transaction an answer belongs to. */
  take(id: string): Transaction<C> | undefined {
    const t = this.#byId.get(id);
    if (t !== undefined) this.#byId.delete(id);
    return t;
  }

  /** Earliest deadline. */
  nextAt(): number | undefined {
    let at: number | undefined;
    for (const t of this.#byId.values()) if (at === undefined || t.at < at) at = t.at;
    return at;
  }

  /**
   * Advances time: returns the requests to send again and those that timed
   * out (removed).
   */
  due(now: number): { resend: Buffer[]; expired: Transaction<C>[] } {
    const resend: Buffer[] = [];
    const expired: Transaction<C>[] = [];
    for (const t of this.#byId.values()) {
      if (t.at > now) continue;
      if (this.#reliable || t.sends >= this.#maxSends) {
        this.#byId.delete(t.id);
        expired.push(t);
        continue;
      }
      t.sends++;
      t.rto *= 2;
      // RFC 8489 §6.2.1: after the last send, wait Rm × the initial RTO.
      t.at = now + (t.sends === this.#maxSends ? this.#rto * this.#lastWait : t.rto);
      resend.push(t.bytes);
    }
    return { resend, expired };
  }

  /** Drops everything (close). */
  clear(): Transaction<C>[] {
    const all = [...this.#byId.values()];
    this.#byId.clear();
    return all;
  }
}
