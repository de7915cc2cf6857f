/**
 * A map for the per-session tables that hold one entry for most of their
 * life (an agent's one TCP connection, its one data route): the first entry
 * lives in two fields, a `Map` is made for the second. An empty `Map` costs
 * about 150 bytes and a one-entry one about 190 (README "Capacity and
 * speed": with 10,000 sessions in a process, each such table is 2 MB).
 *
 * Same behaviour as a `Map` for what it offers: insertion order, a `set` of
 * a known key keeps its place, iteration sees the entries present when it
 * reaches them.
 *
 * @module
 */

/** A `Map` subset that needs no `Map` for zero or one entry. */
export class SmallMap<K, V> {
  #key: K | undefined;
  #value: V | undefined;
  #has = false;
  #map: Map<K, V> | undefined;

  /** Number of entries. */
  get size(): number {
    return this.#map !== undefined ? this.#map.size : this.#has ? 1 : 0;
  }

  get(key: K): V | undefined {
    if (this.#map !== undefined) return this.#map.get(key);
    return this.#has && this.#key === key ? this.#value : undefined;
  }

  has(key: K): boolean {
    if (this.#map !== undefined) return this.#map.has(key);
    return this.#has && this.#key === key;
  }

  set(key: K, value: V): this {
    if (this.#map !== undefined) this.#map.set(key, value);
    else if (!this.#has || this.#key === key) {
      this.#key = key;
      this.#value = value;
      this.#has = true;
    } else {
      this.#map = new Map([[this.#key as K, this.#value as V]]);
      this.#map.set(key, value);
      this.#key = this.#value = undefined;
      this.#has = false;
    }
    return this;
  }

  /** Removes the entry; the map goes once it is empty. */
  delete(key: K): boolean {
    if (this.#map !== undefined) {
      const deleted = this.#map.delete(key);
      if (this.#map.size === 0) this.#map = undefined;
      return deleted;
    }
    if (!this.#has || this.#key !== key) return false;
    this.#key = this.#value = undefined;
    this.#has = false;
    return true;
  }

  clear(): void {
    this.#map = this.#key = this.#value = undefined;
    this.#has = false;
  }

  *entries(): IterableIterator<[K, V]> {
    if (this.#map !== undefined) yield* this.#map.entries();
    else if (this.#has) yield [this.#key as K, this.#value as V];
  }

  *values(): IterableIterator<V> {
    if (this.#map !== undefined) yield* this.#map.values();
    else if (this.#has) yield this.#value as V;
  }

  *keys(): IterableIterator<K> {
    if (this.#map !== undefined) yield* this.#map.keys();
    else if (this.#has) yield this.#key as K;
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }
}
