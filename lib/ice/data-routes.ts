/**
 * The data-path index: which (transport, connection, remote address)
 * tuples belong to a valid pair that may carry application data
 * (RFC 8445 §12; RFC 7675 §5.1 once consent is lost, nothing).
 * One `Map` lookup per packet, none while packets keep coming from the
 * tuple of the previous hit (the common case: one selected pair).
 */
import { SmallMap } from '../small-map.js';
import { flat } from '../flat-string.js';
import { dataKey } from './address-keys.js';
import type { Pair } from './pair.js';
import type { Address } from './types.js';

/**
 * How long data is still accepted from a pair after it stopped being a
 * route (packets in flight when the peer switched): the three seconds of
 * RFC 8445 §8.3.1.
 */
export const RETIRE_GRACE_MS = 3000;

/** Index from the data-path key to the pair (one entry, the selected pair, for most sessions: no `Map`, see {@link SmallMap}). */
export class DataRouteIndex {
  private readonly byKey = new SmallMap<string, Pair>();
  private retiring: Array<{ pair: Pair; until: number }> = [];
  /** The last hit, compared field by field (no key string built); cleared on every change. */
  private last: Pair | undefined;
  private lastTransportId = '';
  private lastConnectionId: string | undefined;
  private lastAddress = '';
  private lastPort = 0;

  /** Number of tuples that accept data. */
  get size(): number {
    return this.byKey.size;
  }

  /** The key under which a pair's packets arrive. */
  static keyOf(pair: Pair): string {
    return flat(dataKey(pair.transportId, pair.connectionId, pair.remote.address, pair.remote.port));
  }

  /** Lets data from this pair through. */
  add(pair: Pair): void {
    this.last = undefined;
    this.byKey.set(DataRouteIndex.keyOf(pair), pair);
    if (this.retiring.length > 0) this.retiring = this.retiring.filter((r) => r.pair !== pair);
  }

  /** Stops data from this pair (only when the key still names it). */
  remove(pair: Pair): void {
    const key = DataRouteIndex.keyOf(pair);
    if (this.byKey.get(key) === pair) this.byKey.delete(key);
    this.last = undefined;
  }

  /** The pair data from this tuple belongs to, if any. */
  lookup(transportId: string, connectionId: string | undefined, from: Address): Pair | undefined {
    const last = this.last;
    if (
      last !== undefined &&
      from.port === this.lastPort &&
      connectionId === this.lastConnectionId &&
      transportId === this.lastTransportId &&
      from.address === this.lastAddress
    ) {
      return last;
    }
    const pair = this.byKey.get(dataKey(transportId, connectionId, from.address, from.port));
    if (pair !== undefined) {
      this.last = pair;
      this.lastTransportId = transportId;
      this.lastConnectionId = connectionId;
      this.lastAddress = from.address;
      this.lastPort = from.port;
    }
    return pair;
  }

  /**
   * Keeps accepting data from a pair that is no longer used until
   * `now + RETIRE_GRACE_MS` (RFC 8445 §8.3.1), then forgets it.
   */
  retire(pair: Pair, now: number): void {
    if (this.byKey.get(DataRouteIndex.keyOf(pair)) !== pair) return;
    this.retiring.push({ pair, until: now + RETIRE_GRACE_MS });
  }

  /** Forgets retired pairs whose grace ended. */
  expire(now: number): void {
    if (this.retiring.length === 0) return;
    const keep: Array<{ pair: Pair; until: number }> = [];
    for (const r of this.retiring) {
      if (now >= r.until) this.remove(r.pair);
      else keep.push(r);
    }
    this.retiring = keep;
  }

  /** When the next retired pair is forgotten. */
  nextDeadline(): number | undefined {
    let min: number | undefined;
    for (const r of this.retiring) if (min === undefined || r.until < min) min = r.until;
    return min;
  }

  /** Removes every pair matching the predicate. */
  removeWhere(predicate: (pair: Pair) => boolean): void {
    this.last = undefined;
    for (const [key, pair] of this.byKey) if (predicate(pair)) this.byKey.delete(key);
  }

  /** Removes everything. */
  clear(): void {
    this.last = undefined;
    this.byKey.clear();
    this.retiring = [];
  }
}
