/**
 * How long the controlling agent waits for a better-ranked pending pair
 * before it nominates the best valid pair it has (regular nomination,
 * RFC 8445 §8.1.1, which leaves this choice to the agent).
 *
 * A fixed wait (the old 2 s) is paid on nearly every real network: UDP
 * pairs into a firewall that drops UDP, host pairs to private addresses
 * across NATs, simultaneous-open pairs that cannot cross. The wait is
 * therefore derived from what the agent has seen:
 *
 * - **Evidence on the pair's path.** Anything authenticated that arrived
 *   from the pending pair's remote address over its transport (the peer's
 *   check, or an answer to ours), or a TCP connection to it that was
 *   established, shows the path works; such a pair is
 *   waited for (its retransmissions run on) up to `nominationTimeoutMs`
 *   after the first valid pair. This is what keeps UDP winning on a lossy
 *   path: the peer's UDP checks get through even when some are lost.
 * - **No evidence.** A path from which nothing ever arrived is waited for
 *   only a few round trips: `max(20 ms, 3 × RTT)` (RTT: the fastest check
 *   answered without retransmission, RFC 8489 §6.2.1's Karn rule), counted
 *   from the pair's first check or from the first valid pair, whichever
 *   came first, and never ending before the first valid pair. The valid
 *   pair proves the peer is alive and answers within RTT; a path to it
 *   that has carried nothing in three round trips is dead rather than
 *   slow. Before any RTT is known the wait is Ta.
 *
 * `nominationTimeoutMs` stays the upper bound either way.
 */
import type { AgentContext } from './context.js';
import type { Checklist } from './checklist.js';
import type { Pair } from './pair.js';

/**
 * The pair a pending pair must outrank to be waited for: the check that
 * produced the best valid pair, not the valid pair itself. A valid pair
 * whose local candidate is peer-reflexive (our active TCP side always: the
 * mapped address has an ephemeral port, RFC 6544 §7.1) ranks below its own
 * check by type preference alone (prflx 110 < host 126, RFC 8445 §5.1.2.2),
 * so otherwise every host pair between the two (e.g. S-O pairs that cannot
 * cross) would hold the nomination back although it is no better a path.
 */
export function waitReference(best: Pair): Pair {
  return best.generatedBy ?? best;
}

/** Round trips a pending pair with no sign of life on its path is given. */
export const DEAD_PATH_RTTS = 3;
/** The least such a pair is given, whatever the RTT: timer and scheduling jitter of a busy host. */
export const MIN_DEAD_PATH_WAIT_MS = 20;

/** The wait for a pending pair whose path has shown no sign of life: `max(20 ms, 3 × RTT)`, Ta before any RTT is known. */
export function deadPathPatienceMs(ctx: AgentContext): number {
  const rtt = ctx.paths.minRttMs;
  return rtt === undefined ? ctx.options.ta : Math.max(MIN_DEAD_PATH_WAIT_MS, DEAD_PATH_RTTS * rtt);
}

/**
 * Until when the controlling agent holds its nomination for the pending
 * pair `pending` (ranked above the best valid pair of `list`); see the
 * module comment for the policy.
 */
export function waitForPendingUntil(ctx: AgentContext, list: Checklist, pending: Pair): number {
  const firstValidAt = list.firstValidAt ?? 0;
  const bound = firstValidAt + ctx.options.nominationTimeoutMs;
  if (ctx.paths.alive(pending)) return bound;
  // Counted from the pair's first check, or from the first valid pair when the check
  // started later: by then the peer has shown it answers, so a path it can use shows life
  // within a few round trips of either moment.
  const from = Math.min(pending.firstCheckAt ?? firstValidAt, firstValidAt);
  return Math.min(bound, Math.max(firstValidAt, from + deadPathPatienceMs(ctx)));
}

const evaluatedAt = new WeakMap<Checklist, number>();

/** Records that the nomination of `list` was considered at `now` (see {@link nextWaitExpiry}). */
export function noteNominationEvaluated(list: Checklist, now: number): void {
  evaluatedAt.set(list, now);
}

/**
 * The earliest end of a wait for a pending pair of `list` that has not
 * ended by the last evaluation (an ended wait that still does not lead to
 * a nomination, e.g. for another reason, must not wake the agent at once
 * forever); undefined when none.
 */
export function nextWaitExpiry(ctx: AgentContext, list: Checklist, waited: readonly Pair[]): number | undefined {
  const last = evaluatedAt.get(list) ?? -Infinity;
  let min: number | undefined;
  for (const p of waited) {
    const until = waitForPendingUntil(ctx, list, p);
    if (until > last && (min === undefined || until < min)) min = until;
  }
  return min;
}
