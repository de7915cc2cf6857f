/**
 * Who may hold one of the STUN server's TCP connection slots. The threat:
 * one client (or a few) opening connections and holding them — silent, or
 * trickling a byte now and then — so that nobody else is answered.
 *
 * - At most `perSource` connections per source IP address: past it the new
 *   connection is refused (closed at once).
 * - At most `total` connections: when all are taken, the connection idle the
 *   longest (oldest last complete request, or oldest accept if it never
 *   completed one) is evicted to make room, so a new client is always
 *   served; a holder cannot pin a slot.
 * - Deadlines (kept by each session, {@link StunTcpSession}): a connection
 *   must complete its first request within `firstRequestTimeoutMs` of its
 *   accept, and another within `idleTimeoutMs` of the previous one; bytes
 *   that do not complete a request do not count, so a trickle cannot keep
 *   a connection open.
 *
 * @module
 */

/** What the slot table needs of a connection. */
export interface SlotHolder {
  /** Source IP address. */
  readonly source: string;
  /** When it last completed a request (its accept time before that), `performance.now()` ms. */
  readonly lastActive: number;
  /** Closes it (evicted or refused), with the reason for the debug log. */
  evict(reason: string): void;
}

/** The bounds of a {@link StunTcpSlots}. */
export interface StunTcpSlotLimits {
  total: number;
  perSource: number;
}

/** What {@link StunTcpSlots.admit} did. */
export type SlotVerdict = { admitted: true; evicted?: SlotHolder } | { admitted: false; reason: string };

/** The table of TCP connection slots: per-source counts and eviction of the idlest. */
export class StunTcpSlots<H extends SlotHolder = SlotHolder> {
  readonly #limits: StunTcpSlotLimits;
  /** Insertion order = accept order. */
  readonly #holders = new Set<H>();
  readonly #perSource = new Map<string, number>();

  constructor(limits: StunTcpSlotLimits) {
    this.#limits = limits;
  }

  /** Connections held. */
  get size(): number {
    return this.#holders.size;
  }

  /** Connections held by `source`. */
  countOf(source: string): number {
    return this.#perSource.get(source) ?? 0;
  }

  /** Every holder (for closing them all). */
  holders(): IterableIterator<H> {
    return this.#holders.values();
  }

  /**
   * Admits a new connection, or refuses it when its source holds
   * `perSource` already. When every slot is taken, the idlest holder is
   * evicted first (its `evict()` is called, and it is released here).
   */
  admit(holder: H): SlotVerdict {
    const held = this.countOf(holder.source);
    if (held >= this.#limits.perSource) {
      return { admitted: false, reason: `${held} connections from ${holder.source} already (per-source limit)` };
    }
    let evicted: H | undefined;
    if (this.#holders.size >= this.#limits.total) {
      evicted = this.#idlest();
      if (evicted !== undefined) {
        this.release(evicted);
        evicted.evict(`evicted: all ${this.#limits.total} slots taken and it was idle the longest`);
      }
    }
    this.#holders.add(holder);
    this.#perSource.set(holder.source, held + 1);
    return evicted === undefined ? { admitted: true } : { admitted: true, evicted };
  }

  /** Frees `holder`'s slot (idempotent). */
  release(holder: H): void {
    if (!this.#holders.delete(holder)) return;
    const left = this.countOf(holder.source) - 1;
    if (left > 0) this.#perSource.set(holder.source, left);
    else this.#perSource.delete(holder.source);
  }

  /** The holder with the oldest activity (one linear pass: only when the table is full). */
  #idlest(): H | undefined {
    let idlest: H | undefined;
    for (const h of this.#holders) if (idlest === undefined || h.lastActive < idlest.lastActive) idlest = h;
    return idlest;
  }
}
