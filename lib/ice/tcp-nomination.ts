/**
 * The controlled side's answer to a controlling peer that nominates more
 * than one TCP pair.
 *
 * RFC 6544 §8 allows only regular nomination on TCP pairs: the controlling
 * agent nominates one pair, and both agents then close every other TCP
 * connection. Some peers nominate every TCP check anyway (aggressive
 * nomination, RFC 8445 §8.1.1 / RFC 5245 §8.1.1.2) and keep the first pair
 * whose nominating check was answered (werift-ice 0.2.3 does, and prunes
 * its other TCP connections at that moment). RFC 8445 §8.1.1 would have the
 * controlled side take the highest-priority nominated pair; on TCP that
 * leaves the two sides on different connections, each closing the other's.
 *
 * Being liberal in what we accept (the rules below change nothing for a
 * peer that nominates once):
 * 0. once we answered a USE-CANDIDATE request on one TCP connection, a
 *    USE-CANDIDATE request on another TCP connection is not answered while
 *    that first connection is open: such a peer takes the first pair whose
 *    nominating check succeeds, and the order in which it sees answers on
 *    two connections is not the order we sent them in (two sockets, two
 *    event loops). Unanswered, its second check fails on its side only, and
 *    both sides keep the first connection. Checks without USE-CANDIDATE
 *    (consent) are answered as always;
 * 1. the order in which we answer the peer's USE-CANDIDATE requests on TCP
 *    pairs is recorded; that is the order in which such a peer sees its
 *    nominations succeed;
 * 2. a nominated TCP pair is selected only when no TCP pair the peer
 *    nominated earlier is still being checked (it waits for the earlier one
 *    to succeed, which selects it, or to fail);
 * 3. once a pair is selected, a later nomination involving a TCP pair never
 *    replaces it; only a reconnection of a lost selected connection does
 *    (RFC 6544 §11.1).
 * UDP-only nominations keep the RFC 8445 §8.1.1 highest-priority rule.
 */
import type { Checklist } from './checklist.js';
import { log, type AgentContext } from './context.js';
import type { Pair } from './pair.js';

/** Rule 1: we answered the peer's USE-CANDIDATE request for `pair` (a TCP pair; the first answer counts). */
export function notePeerTcpNomination(list: Checklist, pair: Pair): void {
  if (!pair.tcp || pair.peerNominationOrder !== undefined) return;
  pair.peerNominationOrder = list.peerTcpNominations++;
}

/** Where `pair` stands in the peer's nomination order (its own, or that of the pair whose check produced it). */
export function peerNominationOrder(pair: Pair): number | undefined {
  return pair.peerNominationOrder ?? pair.generatedBy?.peerNominationOrder;
}

function stillChecking(pair: Pair): boolean {
  return !pair.removed && (pair.state === 'frozen' || pair.state === 'waiting' || pair.state === 'in-progress');
}

/** Rule 2: a TCP pair the peer nominated before `valid` is still being checked (controlled side). */
export function earlierTcpNominationPending(ctx: AgentContext, list: Checklist, valid: Pair): Pair | undefined {
  if (ctx.controlling || !valid.tcp) return undefined;
  const mine = peerNominationOrder(valid);
  if (mine === undefined) return undefined;
  return list.pairs.find((p) => {
    if (p === valid || p === valid.generatedBy || !p.tcp || !stillChecking(p)) return false;
    const theirs = peerNominationOrder(p);
    return theirs !== undefined && theirs < mine;
  });
}

/** Rule 3: the selected pair stays although the peer nominated `valid` too (controlled side, TCP involved). */
export function keepsSelectionAgainst(ctx: AgentContext, selected: Pair, valid: Pair): boolean {
  return !ctx.controlling && (selected.tcp || valid.tcp);
}

/**
 * The nominated TCP pair to select now that an earlier-nominated one
 * stopped being checked (it failed, or its connection closed): the
 * earliest in the peer's order with no earlier one still pending.
 */
export function deferredTcpNomination(ctx: AgentContext, list: Checklist): Pair | undefined {
  if (ctx.controlling || list.selected !== undefined) return undefined;
  const ready = list.pairs
    .filter((p) => p.valid && p.nominated && p.tcp && !p.removed && peerNominationOrder(p) !== undefined)
    .sort((a, b) => peerNominationOrder(a)! - peerNominationOrder(b)!);
  return ready.find((p) => earlierTcpNominationPending(ctx, list, p) === undefined);
}

/**
 * Rule 0: whether to leave a USE-CANDIDATE request on TCP connection
 * `connectionId` unanswered (controlled side) because the peer's first
 * answered TCP nomination came on another connection that is still open.
 * Records the first one as a side effect.
 */
export function withholdsTcpNomination(ctx: AgentContext, component: number, connectionId: string | undefined, useCandidate: boolean): boolean {
  if (ctx.controlling || !useCandidate || connectionId === undefined) return false;
  const list = ctx.checklist(component);
  const first = list.peerTcpNominationConnection;
  if (first !== undefined && first !== connectionId && ctx.tcp.get(first) !== undefined) {
    log('USE-CANDIDATE on connection %s left unanswered: the peer nominated a pair on %s first (RFC 6544 §8: one TCP nomination)', connectionId, first);
    return true;
  }
  list.peerTcpNominationConnection = connectionId;
  return false;
}
