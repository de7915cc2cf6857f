/**
 * Concluding ICE (RFC 8445 §8): the controlling side's regular nomination,
 * acceptance of nominations, the selected pair, and checklist states
 * (RFC 8445 §7.2.5.4, §8.1.2; RFC 8838 for trickle).
 */
import type { Checklist } from './checklist.js';
import { awaitingPeerChecks } from './checklist-state.js';
import { log, type AgentContext } from './context.js';
import { nextWaitExpiry, noteNominationEvaluated, waitForPendingUntil, waitReference } from './nomination-wait.js';
import type { Pair } from './pair.js';
import { setRoute } from './routes.js';
import { sameTcpPath } from './tcp-reconnect.js';
import { deferredTcpNomination, earlierTcpNominationPending, keepsSelectionAgainst } from './tcp-nomination.js';

function pending(pair: Pair): boolean {
  return pair.state === 'frozen' || pair.state === 'waiting' || pair.state === 'in-progress';
}

/** Cancels a pair's live check (RFC 8445 §7.3.1.4): no retransmits, no failure on timeout, a response still counts. */
export function cancelCheck(ctx: AgentContext, pair: Pair): void {
  if (pair.transactionKey === undefined) return;
  const tx = ctx.transactions.get(pair.transactionKey);
  if (tx !== undefined) ctx.transactions.cancel(tx);
  pair.useTransaction(undefined);
}

/** Abandons a pair's pending TCP connect: a late `connected` for it is closed. */
export function abandonConnect(ctx: AgentContext, pair: Pair): void {
  if (pair.attemptId === undefined) return;
  ctx.tcp.removeAttempt(pair.attemptId);
  pair.awaitConnect(undefined);
}

/**
 * A nomination for `valid` succeeded or was accepted (RFC 8445 §7.2.5.3.4,
 * §7.3.1.5). The first one selects the pair; a later one replaces it only
 * when it replaces a lost TCP connection (RFC 6544 §11.1), or, between UDP
 * pairs, when its priority is higher (RFC 8445 §8.1.1: an RFC 5245 peer's
 * aggressive nominations, "use the pairs with the highest priority"). A
 * controlling peer that nominates several TCP pairs (against RFC 6544 §8)
 * gets its first one: see tcp-nomination.ts.
 */
export function nominate(ctx: AgentContext, now: number, valid: Pair, reason: string): void {
  if (valid.generation !== ctx.generation || valid.removed) return;
  const list = ctx.checklist(valid.component);
  valid.markNominated();
  if (list.selected === valid) return;
  const current = list.selected;
  const reconnects = replacesLostPair(ctx, valid);
  if (current !== undefined && !reconnects) {
    // RFC 6544 §8: one nominated TCP pair; a peer that nominates more keeps its first (tcp-nomination.ts, rule 3).
    if (keepsSelectionAgainst(ctx, current, valid)) {
      log("nomination of %s ignored: %s stays selected (TCP: the peer's first nomination is kept, RFC 6544 §8)", valid.id, current.id);
      return;
    }
    if (valid.priority <= current.priority) {
      log('nomination of %s ignored: %s is selected with a higher priority', valid.id, current.id);
      return;
    }
  }
  const earlier = current === undefined ? earlierTcpNominationPending(ctx, list, valid) : undefined;
  if (earlier !== undefined) {
    // tcp-nomination.ts, rule 2: the peer's earlier TCP nomination decides first.
    log('nomination of %s waits: the peer nominated %s first and it is still being checked (RFC 6544 §8)', valid.id, earlier.id);
    return;
  }
  select(ctx, now, valid, reason);
}

/**
 * Controlled side: a pair stopped being checked; select the TCP pair the
 * peer nominated next, if one was waiting for it (tcp-nomination.ts,
 * rule 2). Returns whether one was selected.
 */
export function selectDeferredNomination(ctx: AgentContext, now: number, component: number): boolean {
  const next = deferredTcpNomination(ctx, ctx.checklist(component));
  if (next === undefined) return false;
  select(ctx, now, next, 'the earliest TCP pair the peer nominated that succeeded (RFC 6544 §8, RFC 8445 §7.3.1.5)');
  return true;
}

/** Whether `pair` re-establishes a selected TCP pair whose connection dropped (RFC 6544 §11.1). */
export function replacesLostPair(ctx: AgentContext, pair: Pair): boolean {
  return ctx.reconnects.replacedBy(pair, (id) => ctx.tcp.get(id) !== undefined);
}

/**
 * The passive side lost its selected connection (RFC 6544 §11.1): a valid
 * pair over a newer connection on the same path, established before the
 * close was reported, takes over at once.
 */
export function adoptReplacement(ctx: AgentContext, now: number, lost: Pair): boolean {
  const list = ctx.checklist(lost.component);
  const replacement = list.pairs.find(
    (p) => p !== lost && p.valid && p.connectionId !== undefined && ctx.tcp.get(p.connectionId) !== undefined && sameTcpPath(lost, p),
  );
  if (replacement === undefined) return false;
  select(ctx, now, replacement, 'a newer connection on the same path replaces the lost one (RFC 6544 §11.1)');
  return true;
}

/**
 * Makes `valid` the selected pair (RFC 8445 §8.1.1): removes the
 * component's other pairs from the checklist and the triggered queue,
 * cancelling their checks (§8.1.2), completes the checklist, routes data
 * to it, and when every checklist is complete closes every other TCP
 * connection (RFC 6544 §8).
 */
export function select(ctx: AgentContext, now: number, valid: Pair, reason: string): void {
  const list = ctx.checklist(valid.component);
  const status = ctx.status(valid.component);
  const previousRoute = status.route;
  valid.markNominated();
  list.select(valid);
  for (const p of [...list.pairs]) {
    if (p === valid || p === valid.generatedBy) continue;
    cancelCheck(ctx, p);
    abandonConnect(ctx, p);
    ctx.dataRoutes.retire(p, now);
    list.remove(p);
  }
  list.dequeue(valid);
  if (valid.generatedBy !== undefined) list.dequeue(valid.generatedBy);
  list.complete();
  log('selected %s (%s)', valid.id, reason);
  // The route moves before the application hears of the selected pair (types.ts, the 'route' event).
  setRoute(ctx, now, valid, true);
  if (
    previousRoute !== undefined &&
    previousRoute !== valid &&
    previousRoute.connectionId !== undefined &&
    previousRoute.connectionId !== valid.connectionId
  ) {
    if (ctx.tcp.get(previousRoute.connectionId) !== undefined)
      ctx.closeConnection(previousRoute.connectionId, 'replaced by the new selected pair (RFC 6544 §9.2)');
  }
  if (ctx.previous !== undefined && ctx.checklists.every((l) => l.selected !== undefined)) {
    log('restart complete: generation %d retired', ctx.generations.retirePrevious()?.index);
  }
  if (ctx.checklists.every((l) => l.state === 'completed')) closeUnselectedConnections(ctx);
  pruneCandidates(ctx);
  ctx.updateState();
}

/** Drops peer-reflexive candidates that no pair or route uses any more. */
function pruneCandidates(ctx: AgentContext): void {
  const locals = new Set<Pair['local']>();
  const remotes = new Set<Pair['remote']>();
  const use = (p: Pair | undefined): void => {
    if (p === undefined) return;
    locals.add(p.local);
    remotes.add(p.remote);
  };
  for (const list of ctx.checklists) for (const p of list.pairs) use(p);
  for (const s of ctx.components) use(s.route);
  for (const p of ctx.reconnects.pairsInUse()) use(p);
  ctx.locals.prunePrflx(locals);
  ctx.remotes.prunePrflx(remotes);
}

/** RFC 6544 §8: once ICE completes, close every connection but the selected pairs'. */
export function closeUnselectedConnections(ctx: AgentContext): void {
  const keep = new Set<string>();
  for (const s of ctx.components) if (s.route?.connectionId !== undefined) keep.add(s.route.connectionId);
  for (const conn of ctx.tcp.connections()) {
    if (!keep.has(conn.id)) ctx.closeConnection(conn.id, 'not selected, ICE completed (RFC 6544 §8)');
  }
  for (const attempt of ctx.tcp.attempts()) {
    if (!attempt.reconnect) {
      ctx.tcp.removeAttempt(attempt.id);
      attempt.pair.awaitConnect(undefined);
    }
  }
}

/**
 * Whether `a` ranks above `b` for the controlling agent's choice of the
 * pair to nominate (RFC 8445 §8.1.1 leaves the choice among valid pairs to
 * it). By pair priority; with `priority.preferTcp`, any TCP pair ranks
 * above any UDP pair first. That is how TCP wins for every TCP kind,
 * also when the TCP valid pair's local candidate is peer-reflexive (our
 * active side: type preference 110, below a UDP host pair by priority,
 * and kept there since prflx must stay above srflx, RFC 8445 §5.1.2.2).
 */
export function outranks(ctx: AgentContext, a: Pair, b: Pair): boolean {
  if (ctx.options.priority.preferTcp === true && a.tcp !== b.tcp) return a.tcp;
  return nominationRank(a) > nominationRank(b);
}

/**
 * The priority a pair is ranked by for nomination. Its own, except for the
 * valid pair of an active TCP check from a host candidate: its local
 * candidate is peer-reflexive only because the connection left from an
 * ephemeral port instead of the signalled 9 (RFC 6544 §7.1: "STUN responses
 * received on an active TCP candidate will typically produce a peer
 * reflexive candidate"), on the same address, so it ranks as the signalled
 * active → passive pair it came from. That keeps RFC 6544 §4.2's order for
 * host candidates (direction-pref active 6, passive 4, S-O 2): a working
 * active → passive pair is nominated at once instead of waiting, up to the
 * nomination timeout, for an S-O pair whose connection depends on two SYNs
 * crossing (on loopback a matter of luck), and picks it over an S-O pair
 * that is valid too, so the outcome does not depend on when the SYNs cross.
 * The wait uses the same reference (nomination-wait.ts, waitReference).
 * RFC 8445 §8.1.1 leaves the choice of the pair to nominate to the
 * controlling agent.
 */
export function nominationRank(p: Pair): bigint {
  const from = p.generatedBy;
  if (from === undefined || !p.tcp || from.local.candidate.tcpType !== 'active' || from.local.candidate.type !== 'host') return p.priority;
  return p.local.candidate.address === from.local.candidate.address ? from.priority : p.priority;
}

/** The valid pair the controlling agent would nominate now: the highest-ranked one ({@link outranks}). */
export function nominationChoice(ctx: AgentContext, list: Checklist): Pair | undefined {
  let best: Pair | undefined;
  for (const p of list.pairs) if (p.valid && (best === undefined || outranks(ctx, p, best))) best = p;
  return best;
}

/**
 * Regular nomination by the controlling side (RFC 8445 §8.1.1): once no
 * pair ranked above the best valid pair ({@link outranks}) is still
 * pending and worth waiting for ({@link waitForPendingUntil}: its path
 * showed life, or it has had a few round trips), or `nominationTimeoutMs`
 * after the first valid pair, repeat the
 * check that produced the best valid pair with USE-CANDIDATE (as a
 * triggered check).
 */
export function maybeNominate(ctx: AgentContext, now: number): void {
  if (!ctx.controlling || ctx.options.lite || !ctx.started || ctx.closed) return;
  for (const list of ctx.checklists) {
    if (list.state !== 'running' || list.selected !== undefined) continue;
    if (list.pairs.some((p) => p.nominating)) continue;
    const best = nominationChoice(ctx, list);
    if (best === undefined) continue;
    noteNominationEvaluated(list, now);
    const timedOut = list.firstValidAt !== undefined && now >= list.firstValidAt + ctx.options.nominationTimeoutMs;
    if (!timedOut) {
      const reference = waitReference(best);
      if (list.pairs.some((p) => pending(p) && outranks(ctx, p, reference) && now < waitForPendingUntil(ctx, list, p))) continue;
      if (ctx.options.priority.preferTcp === true && !best.tcp && awaitingPeerChecks(ctx, list, 'tcp')) continue;
    }
    const generator = best.generatedBy ?? best;
    generator.setNominating(true);
    cancelCheck(ctx, generator);
    ctx.setPairState(generator, 'waiting', 'nominating (RFC 8445 §8.1.1)');
    list.enqueueTriggered(generator);
    ctx.pacer.wake(now);
  }
}

/** When {@link maybeNominate} must run again for a nomination timeout. */
export function nominationDeadline(ctx: AgentContext): number | undefined {
  if (!ctx.controlling || ctx.options.lite) return undefined;
  let min: number | undefined;
  for (const list of ctx.checklists) {
    if (list.state !== 'running' || list.selected !== undefined || list.firstValidAt === undefined) continue;
    if (list.pairs.some((p) => p.nominating) || list.bestValid() === undefined) continue;
    let t = list.firstValidAt + ctx.options.nominationTimeoutMs;
    const best = nominationChoice(ctx, list)!;
    const reference = waitReference(best);
    const expiry = nextWaitExpiry(
      ctx,
      list,
      list.pairs.filter((p) => pending(p) && outranks(ctx, p, reference)),
    );
    if (expiry !== undefined && expiry < t) t = expiry;
    if (min === undefined || t < min) min = t;
  }
  return min;
}
