/**
 * When a checklist fails (RFC 8445 §6.1.2.1, §7.2.5.4, §8.1.2, with the
 * trickle rule of RFC 8838 §8): once both sides' candidates are complete,
 * a Running checklist with no pair left that can still succeed fails, and
 * with it the agent. That includes a checklist that never had a pair (a
 * TCP-only agent facing a UDP-only peer).
 */
import { canPair, type Candidate, type TcpType } from '../candidate/index.js';
import type { RemoteKind } from './candidates.js';
import type { Checklist } from './checklist.js';
import { log, type AgentContext } from './context.js';

/**
 * When our own candidates became complete: at `endOfLocalCandidates`, or,
 * when the runtime never says, at the first check we sent (from then on
 * the candidates we have are the ones we check with).
 */
export function localCandidatesCompleteAt(ctx: AgentContext): number | undefined {
  return ctx.localEndOfCandidatesAt ?? ctx.pacer.firstCheckAt;
}

/** When both sides' candidates became complete (RFC 8838 §8), or undefined while not. */
export function candidatesCompleteAt(ctx: AgentContext): number | undefined {
  const remote = ctx.remoteEndOfCandidatesAt;
  const local = localCandidatesCompleteAt(ctx);
  if (remote === undefined || local === undefined || !ctx.started) return undefined;
  return Math.max(remote, local);
}

/**
 * Whether the peer may start checks toward our base `local` from a
 * candidate of kind `remote` that we cannot check ourselves, so that only
 * the peer's check can put a pair on that base:
 * - our passive candidate and its active one: pairs whose local candidate
 *   is passive are pruned (RFC 6544 §6.2); the peer connects and its check
 *   triggers our pair (RFC 6544 §7.2);
 * - a candidate of the peer with an unresolved address (FQDN, mDNS), which
 *   we do not pair (RFC 8839 §5.1) but the peer checks from: its request
 *   makes a peer-reflexive candidate (RFC 8445 §7.3.1.3), over UDP or
 *   between S-O candidates.
 */
function peerOnlyPath(
  local: Candidate,
  remote: Pick<RemoteKind, 'transport'> & { tcpType?: TcpType | undefined },
  unresolved: boolean,
): boolean {
  if (local.transport !== remote.transport) return false;
  if (local.transport === 'udp') return unresolved;
  if (local.tcpType === 'passive') return remote.tcpType === 'active';
  return local.tcpType === 'so' && remote.tcpType === 'so' && unresolved;
}

/**
 * Whether a pair that only the peer's check can create
 * ({@link peerOnlyPath}) may still appear in this checklist: a base of
 * ours with such a path and no pair the peer's checks made on it yet (a
 * passive base: any pair; others: a pair with a peer-reflexive remote).
 * `transport` limits the question to one transport.
 */
export function awaitingPeerChecks(ctx: AgentContext, list: Checklist, transport?: 'udp' | 'tcp'): boolean {
  const component = list.component;
  for (const local of ctx.locals.bases(component)) {
    const c = local.candidate;
    if (transport !== undefined && c.transport !== transport) continue;
    const passive = c.transport === 'tcp' && c.tcpType === 'passive';
    if (list.pairs.some((p) => p.local.base === local && (passive || p.remote.type === 'prflx'))) continue;
    for (const r of ctx.remotes.all) {
      if (r.component === component && peerOnlyPath(c, r, false) && canPair(c, r)) return true;
    }
    for (const k of ctx.remotes.unresolved) {
      if (k.component === component && peerOnlyPath(c, k, true)) return true;
    }
  }
  return false;
}

/**
 * How long after both sides' candidates are complete a checklist waits for
 * the peer's checks on paths only it can open ({@link awaitingPeerChecks}):
 * a connect timeout and then Ti, the longest one check of the peer can
 * take to reach us if its timeouts are ours.
 */
export function peerConnectionWaitMs(ctx: AgentContext): number {
  return ctx.options.tcp.connectTimeoutMs + ctx.options.tcp.transactionTimeoutMs;
}

/** Whether a checklist has a pair that may still succeed (Frozen, Waiting, In-Progress, or a pending connect) or a valid one. */
function hasOwnHope(list: Checklist): boolean {
  return list.hasPending() || list.bestValid() !== undefined || list.pairs.some((p) => p.attemptId !== undefined);
}

/** Whether a Running checklist still has a pair, a connect or a peer's check that may yet produce a valid pair. */
function maySucceed(ctx: AgentContext, list: Checklist, now: number, completeAt: number): boolean {
  if (hasOwnHope(list)) return true;
  return now < completeAt + peerConnectionWaitMs(ctx) && awaitingPeerChecks(ctx, list);
}

/**
 * RFC 8445 §7.2.5.4 in the trickle spirit of RFC 8838 §8: once the peer
 * said end-of-candidates and our own candidates are complete
 * ({@link localCandidatesCompleteAt}), a Running checklist fails when no
 * pair is valid or may still succeed, no connect is pending and no
 * connection the peer may still open is awaited. A checklist without any
 * pair fails as well (RFC 8445 §6.1.2.1: no valid pair for the component).
 */
export function updateChecklistStates(ctx: AgentContext, now: number): void {
  if (ctx.options.lite || ctx.closed) return;
  const completeAt = candidatesCompleteAt(ctx);
  if (completeAt === undefined) return;
  for (const list of ctx.checklists) {
    if (list.state !== 'running' || maySucceed(ctx, list, now, completeAt)) continue;
    const reason =
      list.pairs.length === 0
        ? 'no candidate pair could be formed with the peer’s candidates after end-of-candidates (RFC 8445 §6.1.2.1)'
        : 'every pair failed after end-of-candidates (RFC 8445 §7.2.5.4, RFC 8838 §8)';
    failChecklist(ctx, list.component, reason);
  }
}

/** When {@link updateChecklistStates} must run again: the end of a wait for the peer's connection. */
export function checklistDeadline(ctx: AgentContext): number | undefined {
  if (ctx.options.lite || ctx.closed) return undefined;
  const completeAt = candidatesCompleteAt(ctx);
  if (completeAt === undefined) return undefined;
  for (const list of ctx.checklists) {
    if (list.state !== 'running' || hasOwnHope(list)) continue;
    if (awaitingPeerChecks(ctx, list)) return completeAt + peerConnectionWaitMs(ctx);
  }
  return undefined;
}

/** Sets a checklist to Failed, with an `error` event. */
export function failChecklist(ctx: AgentContext, component: number, reason: string): void {
  const list = ctx.checklist(component);
  if (!list.fail()) return;
  log('checklist %d failed: %s', component, reason);
  ctx.emit({ type: 'error', code: 'ERR_ICE_CHECKLIST_FAILED', message: `component ${component}: ${reason}` });
  ctx.updateState();
}
