/**
 * What the agent has seen arrive, per remote transport address, and the
 * fastest check round trip: the evidence the controlling side's nomination
 * wait is derived from (nomination-wait.ts, RFC 8445 §8.1.1).
 */
import { flat } from '../flat-string.js';
import type { Pair } from './pair.js';
import type { Address } from './types.js';

/** Remote transport addresses remembered at most (bounded whatever the peer sends). */
const MAX_PATHS = 4096;

function pathKey(transport: 'udp' | 'tcp', from: Address): string {
  return `${transport}|${from.address}|${from.port}`;
}

/** What the agent has seen arrive, per remote transport address, and the fastest check round trip. */
export class PathEvidence {
  /** The first path heard from; the set holds the others (most sessions only ever hear from one: no set). */
  #first: string | undefined;
  #others: Set<string> | undefined;
  /** Fastest round trip of a check answered on its first send; undefined before one. */
  minRttMs: number | undefined;

  /** An authenticated STUN message arrived from `from` over `transport`. */
  noteArrival(transport: 'udp' | 'tcp', from: Address): void {
    const key = pathKey(transport, from);
    if (this.#first === undefined) this.#first = flat(key);
    else if (key !== this.#first && (this.#others?.size ?? 0) < MAX_PATHS - 1) (this.#others ??= new Set()).add(key);
  }

  /** A check was answered `rttMs` after its only send. */
  noteRtt(rttMs: number): void {
    if (rttMs >= 0 && (this.minRttMs === undefined || rttMs < this.minRttMs)) this.minRttMs = rttMs;
  }

  /** Whether anything arrived from the pair's remote candidate over the pair's transport. */
  alive(pair: Pair): boolean {
    const key = pathKey(pair.tcp ? 'tcp' : 'udp', pair.remote);
    return key === this.#first || this.#others?.has(key) === true;
  }

  /** Forgets everything (ICE restart: new paths may behave differently). */
  clear(): void {
    this.#first = undefined;
    this.#others = undefined;
    this.minRttMs = undefined;
  }
}
