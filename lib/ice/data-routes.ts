/**
 * The data-path index: which (transport, connection, remote address)
 * tuples belong to a valid pair that may carry application data
 * (RFC 8445 §12; RFC 7675 §5.1 once consent is lost, nothing).
 * One `Map` lookup per packet.
 */
import { dataKey } from './address.js';
import type { Pair } from './pair.js';
import type { Address } from './types.js';

/** Index from the data-path key to the pair. */
export class DataRouteIndex {
  private readonly byKey = new Map<string, Pair>();

  /** Number of tuples that accept data. */
  get size(): number {
    return this.byKey.size;
  }

  /** The key under which a pair's packets arrive. */
  static keyOf(pair: Pair): string {
    return dataKey(pair.transportId, pair.connectionId, pair.remote.address, pair.remote.port);
  }

  /** Lets data from this pair through. */
  add(pair: Pair): void {
    this.byKey.set(DataRouteIndex.keyOf(pair), pair);
  }

  /** Stops data from this pair (only when the key still names it). */
  remove(pair: Pair): void {
    const key = DataRouteIndex.keyOf(pair);
    if (this.byKey.get(key) === pair) this.byKey.delete(key);
  }

  /** The pair data from this tuple belongs to, if any. */
  lookup(transportId: string, connectionId: string | undefined, from: Address): Pair | undefined {
    return this.byKey.get(dataKey(transportId, connectionId, from.address, from.port));
  }

  /** Removes every pair matching the predicate. */
  removeWhere(predicate: (pair: Pair) => boolean): void {
    for (const [key, pair] of this.byKey) if (predicate(pair)) this.byKey.delete(key);
  }

  /** Removes everything. */
  clear(): void {
    this.byKey.clear();
  }
}
