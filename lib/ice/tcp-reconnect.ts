/**
 * Reconnecting a selected TCP pair whose connection dropped (RFC 6544
 * §11.1): per component, the lost pair, the pair whose check re-establishes
 * it (local active or S-O side; none on the passive side, which waits),
 * the failures so far and when the next try is due. The state changes only
 * through {@link TcpReconnects}' methods; tcp-events.ts drives it.
 */
import type { Pair } from './pair.js';

/** One component's reconnect, as others may read it. */
export interface ReconnectState {
  /** The pair whose check re-establishes the connection (local active/S-O); undefined on the passive side. */
  readonly pair: Pair | undefined;
  /** The lost selected pair, to recognise its replacement. */
  readonly lost: Pair;
  readonly failures: number;
  /** A retry waits until this time. */
  readonly retryAt: number | undefined;
}

interface Reconnect {
  pair: Pair | undefined;
  lost: Pair;
  failures: number;
  retryAt: number | undefined;
}

/**
 * Whether `pair` runs between the same local base and remote host as the
 * TCP pair `other` over another connection: a reconnect of it (RFC 6544
 * §11.1; the remote port of an active peer changes with each connection).
 */
export function sameTcpPath(other: Pair, pair: Pair): boolean {
  return (
    pair.tcp &&
    other.tcp &&
    other.local.base === pair.local.base &&
    other.remote.address === pair.remote.address &&
    other.connectionId !== pair.connectionId
  );
}

/** The reconnects of every component of one agent. */
export class TcpReconnects {
  private readonly byComponent: Array<Reconnect | undefined>;

  constructor(components: number) {
    this.byComponent = new Array<Reconnect | undefined>(components).fill(undefined);
  }

  /** The component's reconnect, if one is under way. */
  of(component: number): ReconnectState | undefined {
    return this.byComponent[component - 1];
  }

  /** The selected pair `lost` lost its connection: a reconnect begins (no opener yet: see {@link reconnectWith}). */
  begin(lost: Pair): void {
    this.byComponent[lost.component - 1] = { pair: undefined, lost, failures: 0, retryAt: undefined };
  }

  /** Our side re-establishes the connection with a check of `opener` (local active or S-O, RFC 6544 §11.1). */
  reconnectWith(opener: Pair): void {
    const r = this.byComponent[opener.component - 1];
    if (r !== undefined) r.pair = opener;
  }

  /**
   * A try failed: `'retry'` with the next try at `now + delay(failures)`
   * while an opener exists and fewer than `maxAttempts` failed, else
   * `'give-up'`; undefined when no reconnect is under way.
   */
  tryFailed(component: number, now: number, maxAttempts: number, delay: (failures: number) => number): 'retry' | 'give-up' | undefined {
    const r = this.byComponent[component - 1];
    if (r === undefined) return undefined;
    r.failures++;
    if (r.pair !== undefined && r.failures < maxAttempts) {
      r.retryAt = now + delay(r.failures);
      return 'retry';
    }
    r.retryAt = undefined;
    return 'give-up';
  }

  /** The openers whose retry is due at `now` (each one once). */
  dueRetries(now: number): Pair[] {
    const due: Pair[] = [];
    for (const r of this.byComponent) {
      if (r?.pair !== undefined && r.retryAt !== undefined && now >= r.retryAt) {
        r.retryAt = undefined;
        due.push(r.pair);
      }
    }
    return due;
  }

  /** The next retry. */
  deadline(): number | undefined {
    let min: number | undefined;
    for (const r of this.byComponent) {
      const t = r?.retryAt;
      if (t !== undefined && (min === undefined || t < min)) min = t;
    }
    return min;
  }

  /** The component has a route again (or ICE restarted): its reconnect is over. */
  end(component: number): void {
    this.byComponent[component - 1] = undefined;
  }

  /** Every reconnect is over (ICE restart, agent closed). */
  endAll(): void {
    this.byComponent.fill(undefined);
  }

  /**
   * Whether `pair` re-establishes a lost selected TCP pair: the lost pair
   * itself checked again over a new open connection (S-O), or a pair on
   * the same path ({@link sameTcpPath}).
   */
  replacedBy(pair: Pair, isOpen: (connectionId: string) => boolean): boolean {
    const r = this.byComponent[pair.component - 1];
    if (r === undefined || !pair.tcp) return false;
    if (r.lost === pair) return pair.connectionId !== undefined && isOpen(pair.connectionId);
    return sameTcpPath(r.lost, pair);
  }

  /** The pairs reconnects still need (lost pairs and openers), so that their candidates are kept. */
  pairsInUse(): Pair[] {
    const pairs: Pair[] = [];
    for (const r of this.byComponent) {
      if (r === undefined) continue;
      pairs.push(r.lost);
      if (r.pair !== undefined) pairs.push(r.pair);
    }
    return pairs;
  }
}
