/**
 * Forming pairs as candidates arrive (RFC 8445 §6.1.2, trickle per
 * RFC 8838): bases only (reflexive locals are replaced by their base,
 * §6.1.2.4), TCP pairing and pruning of RFC 6544 §6.2 (no pair whose local
 * candidate is passive), and the checklist size limit (§6.1.2.5).
 */
import { pairingRejection, type Candidate } from '../candidate/index.js';
import type { LocalCandidate } from './candidates.js';
import { log, type AgentContext } from './context.js';
import { Pair, pairId } from './pair.js';

/** Whether a local candidate takes part in pairing: a base, not passive TCP. */
export function pairsAsLocal(local: LocalCandidate): boolean {
  if (local.base !== local) return false;
  const c = local.candidate;
  if (c.type === 'prflx') return false;
  // RFC 6544 §6.2: pairs whose local candidate is passive are pruned.
  return !(c.transport === 'tcp' && c.tcpType === 'passive');
}

/** Adds the pair (local, remote) to its checklist unless it exists or is not allowed. */
export function addPair(ctx: AgentContext, local: LocalCandidate, remote: Candidate): Pair | undefined {
  const rejection = pairingRejection(local.candidate, remote);
  if (rejection !== null) return undefined;
  const list = ctx.checklist(remote.component);
  const id = pairId(remote.component, local.candidate, remote);
  if (list.find(id) !== undefined || list.state === 'completed') return undefined;
  const pair = new Pair(remote.component, local, remote, ctx.controlling, ctx.generation);
  if (list.pairs.length >= ctx.options.maxPairs) {
    // RFC 8445 §6.1.2.5: keep the highest-priority pairs; only unchecked ones make room.
    let victim: Pair | undefined;
    for (let i = list.pairs.length - 1; i >= 0 && victim === undefined; i--) {
      const p = list.pairs[i];
      if (p.priority >= pair.priority) break;
      if (p.state === 'frozen' || p.state === 'waiting') victim = p;
    }
    if (victim === undefined) {
      log('checklist %d full (%d pairs): %s not added', list.component, list.pairs.length, id);
      return undefined;
    }
    list.remove(victim);
  }
  list.add(pair);
  list.reopen();
  return pair;
}

/** Pairs a new local base with every remote candidate of its component. */
export function pairLocal(ctx: AgentContext, local: LocalCandidate): number {
  if (!pairsAsLocal(local)) return 0;
  let n = 0;
  for (const remote of ctx.remotes.all) {
    if (remote.component === local.candidate.component && remote.type !== 'prflx' && addPair(ctx, local, remote) !== undefined) n++;
  }
  return n;
}

/** Pairs a new remote candidate with every local base of its component. */
export function pairRemote(ctx: AgentContext, remote: Candidate): number {
  let n = 0;
  for (const local of ctx.locals.bases(remote.component)) {
    if (pairsAsLocal(local) && addPair(ctx, local, remote) !== undefined) n++;
  }
  return n;
}
