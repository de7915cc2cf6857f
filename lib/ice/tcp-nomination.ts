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
 *    USE-CANDIDATE request on another TCP connection is not answered at
 *    once while that first connection is open: such a peer takes the first
 *    pair whose nominating check succeeds, and the order in which it sees
 *    answers on two connections is not the order we sent them in (two
 *    sockets, two event loops). The request is withheld instead (one per
 *    component, the latest), and the first connection is probed with a
 *    Binding indication (RFC 8445 §11): the peer may be reconnecting a
 *    connection that died without our noticing yet (RFC 6544 §11.1; e.g.
 *    our reader is paused, so its RST is unread), and a write to a reset
 *    socket fails at once, which the runtime reports as a close. If the
 *    first connection closes within WITHHELD_NOMINATION_WINDOW_MS,
 *    the withheld request is answered then, as if it had just arrived (TCP
 *    checks are not retransmitted, RFC 6544 §7.1, so the peer's transaction
 *    is still waiting for it). Otherwise it is never answered: the peer's
 *    second check fails on its side only, and both sides keep the first
 *    connection. Checks without USE-CANDIDATE (consent) are answered as
 *    always;
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
import { encodeKeepalive } from './keepalive.js';
import type { Pair } from './pair.js';
import { randomTransactionId } from './seeded-random.js';

/** Rule 1: we answered the peer's USE-CANDIDATE request for `pair` (a TCP pair; the first answer counts). */
export function notePeerTcpNomination(list: Checklist, pair: Pair): void {
  list.peerTcp.noteAnswered(pair);
}

function stillChecking(pair: Pair): boolean {
  return !pair.removed && (pair.state === 'frozen' || pair.state === 'waiting' || pair.state === 'in-progress');
}

/** Rule 2: a TCP pair the peer nominated before `valid` is still being checked (controlled side). */
export function earlierTcpNominationPending(ctx: AgentContext, list: Checklist, valid: Pair): Pair | undefined {
  if (ctx.controlling || !valid.tcp) return undefined;
  const mine = list.peerTcp.orderOf(valid);
  if (mine === undefined) return undefined;
  return list.pairs.find((p) => {
    if (p === valid || p === valid.generatedBy || !p.tcp || !stillChecking(p)) return false;
    const theirs = list.peerTcp.orderOf(p);
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
    .filter((p) => p.valid && p.nominated && p.tcp && !p.removed && list.peerTcp.orderOf(p) !== undefined)
    .sort((a, b) => list.peerTcp.orderOf(a)! - list.peerTcp.orderOf(b)!);
  return ready.find((p) => earlierTcpNominationPending(ctx, list, p) === undefined);
}

/**
 * How long a withheld USE-CANDIDATE request (rule 0) may still be answered
 * once the first connection turns out to be closed: the probe's failure is
 * reported within a round trip; a first connection that closes later was
 * alive when the peer nominated again, and the answer stays withheld.
 */
export const WITHHELD_NOMINATION_WINDOW_MS = 1000;

/**
 * Rule 0: the connection of the peer's first answered TCP nomination, if a
 * USE-CANDIDATE request on TCP connection `connectionId` must not be
 * answered now because that first connection is another one and still
 * open (controlled side). Records the first one as a side effect.
 */
export function firstTcpNominationElsewhere(
  ctx: AgentContext,
  component: number,
  connectionId: string | undefined,
  useCandidate: boolean,
): string | undefined {
  if (ctx.controlling || !useCandidate || connectionId === undefined) return undefined;
  const list = ctx.checklist(component);
  const first = list.peerTcp.firstConnection;
  if (first !== undefined && first !== connectionId && ctx.tcp.get(first) !== undefined) return first;
  list.peerTcp.answeredOn(connectionId);
  return undefined;
}

/**
 * Rule 0: withholds a USE-CANDIDATE request on `connectionId` (replacing an
 * earlier withheld one of the component) and probes the `first` connection
 * with a Binding indication (RFC 8445 §11), so that a connection the peer
 * already reset is reported closed now (RFC 6544 §11.1).
 */
export function withholdTcpNomination(
  ctx: AgentContext,
  now: number,
  component: number,
  connectionId: string,
  first: string,
  answer: (now: number) => void,
): void {
  const list = ctx.checklist(component);
  log(
    'USE-CANDIDATE on connection %s withheld: the peer nominated a pair on %s first, which is probed (RFC 6544 §8, §11.1)',
    connectionId,
    first,
  );
  const replaced = list.peerTcp.withhold({ connectionId, first, until: now + WITHHELD_NOMINATION_WINDOW_MS, answer });
  if (replaced !== undefined) log('withheld USE-CANDIDATE on %s dropped: a newer one replaces it', replaced.connectionId);
  const conn = ctx.tcp.get(first)!;
  ctx.transmit(conn.transportId, conn.id, conn.remote, encodeKeepalive(randomTransactionId(ctx.random)));
}

/**
 * Rule 0, after TCP connection `closedId` closed: answers a USE-CANDIDATE
 * request withheld because of it, if it is recent enough and its own
 * connection is open (RFC 6544 §11.1: the peer is reconnecting).
 */
export function answerWithheldNominations(ctx: AgentContext, now: number, closedId: string): void {
  for (const list of ctx.checklists) {
    const withheld = list.peerTcp.withheld;
    if (withheld === undefined) continue;
    if (now > withheld.until) {
      log('withheld USE-CANDIDATE on %s dropped: %s stayed open past the window', withheld.connectionId, withheld.first);
      list.peerTcp.forgetWithheld();
      continue;
    }
    if (withheld.first !== closedId) continue;
    list.peerTcp.forgetWithheld();
    if (ctx.controlling || ctx.tcp.get(withheld.connectionId) === undefined) {
      log('withheld USE-CANDIDATE on %s dropped: its connection closed too, or we are controlling now', withheld.connectionId);
      continue;
    }
    log('withheld USE-CANDIDATE on %s answered: %s closed (RFC 6544 §11.1)', withheld.connectionId, closedId);
    list.peerTcp.answeredOn(withheld.connectionId);
    withheld.answer(now);
  }
}
