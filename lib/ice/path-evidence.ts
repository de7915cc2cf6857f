/**
 * What the agent has seen arrive, per remote transport address, and the
 * fastest check round trip: the evidence the controlling side's nomination
 * wait is derived from (nomination-wait.ts, RFC 8445 §8.1.1).
 */
import type { Pair } from './pair.js';
import type { Address } from './types.js';

/** Remote transport addresses remembered at most (bounded whatever the peer sends). */
const MAX_PATHS = 4096;

function pathKey(transport: 'udp' | 'tcp', from: Address): string {
  return `${transport}|${from.address}|${from.port}`;
}

/** What the agent has seen arrive, per remote transport address, and the fastest check round trip. */
export class PathEvidence {
  readonly #arrived = new Set<string>();
  /** Fastest round trip of a check answered on its first send; undefined before one. */
  minRttMs: number | undefined;

  /** An authenticated STUN message arrived from `from` over `transport`. */
  noteArrival(transport: 'udp' | 'tcp', from: Address): void {
    if (this.#arrived.size < MAX_PATHS) this.#arrived.add(pathKey(transport, from));
  }

  /** A check was answered `rttMs` after its only send. */
  noteRtt(rttMs: number): void {
    if (rttMs >= 0 && (this.minRttMs === undefined || rttMs < this.minRttMs)) this.minRttMs = rttMs;
  }

  /** Whether anything arrived from the pair's remote candidate over the pair's transport. */
  alive(pair: Pair): boolean {
    return this.#arrived.has(pathKey(pair.tcp ? 'tcp' : 'udp', pair.remote));
  }

  /** Forgets everything (ICE restart: new paths may behave differently). */
  clear(): void {
    this.#arrived.clear();
    this.minRttMs = undefined;
  }
}
