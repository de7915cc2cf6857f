/**
 * The client side of connectivity checks (RFC 8445 §7.2): sending checks
 * (UDP with retransmissions, RFC 8489 §6.2.1; TCP after a connect, without,
 * RFC 6544 §7.1), timeouts, and processing responses: role conflicts,
 * failures, peer-reflexive local candidates and valid pairs.
 */
import { candidatePriority, computeFoundation, type Candidate } from '../candidate/index.js';
import { StunClass, verifyFingerprint, verifyIntegrity, type StunMessage } from '../stun/index.js';
import { sameAddress } from './address-keys.js';
import type { LocalCandidate } from './candidates.js';
import { log, type AgentContext } from './context.js';
import { failChecklist } from './checklist-state.js';
import { cancelCheck, maybeNominate, nominate, replacesLostPair, select, selectDeferredNomination } from './nomination.js';
import { checkRto } from './pacing.js';
import { Pair } from './pair.js';
import { randomTransactionId } from './seeded-random.js';
import { encodeCheckRequest } from './check-requests.js';
import { setRoute } from './routes.js';
import { beginConnect, connectAllowed, needsConnect } from './tcp-connect.js';
import { nextRetransmitAt, udpTransactionTimeout, type Transaction } from './check-transactions.js';
import type { PacketInput } from './types.js';

/** PRIORITY of a check: the local candidate's priority with the prflx type preference (RFC 8445 §7.1.1). */
export function prflxPriority(ctx: AgentContext, local: LocalCandidate): number {
  const c = local.candidate;
  const localPref = Math.floor(c.priority / 256) % 65536;
  return candidatePriority(
    {
      type: 'prflx',
      transport: c.transport,
      tcpType: c.tcpType,
      component: c.component,
      localPreference: localPref,
      otherPreference: localPref % 8192,
    },
    ctx.options.priority,
  );
}

/** Whether the pacer may start this pair now (TCP: within the per-IP connect limit, RFC 6544 §12). */
export function checkEligible(ctx: AgentContext, pair: Pair): boolean {
  if (pair.generation.remoteKey === undefined) return false;
  if (!pair.tcp) return true;
  if (!needsConnect(ctx, pair)) return true;
  if (pair.attemptId !== undefined) return false;
  const tcpType = pair.local.base.candidate.tcpType;
  // A passive pair without its connection cannot be checked: startCheck fails it.
  if (tcpType !== 'active' && tcpType !== 'so') return true;
  return connectAllowed(ctx, pair);
}

/**
 * Performs a check for a pair the pacer picked (RFC 8445 §6.1.4.2): on
 * UDP the request goes out now; on TCP a connect comes first when the pair
 * has no connection, and the connect is the check's pacing slot
 * (RFC 6544 §7.1).
 */
export function startCheck(ctx: AgentContext, now: number, pair: Pair): void {
  cancelCheck(ctx, pair);
  pair.noteFirstCheck(now);
  ctx.setPairState(pair, 'in-progress');
  if (pair.tcp && needsConnect(ctx, pair)) {
    pair.useConnection(undefined);
    const reused = beginConnect(ctx, now, pair, ctx.reconnects.of(pair.component)?.pair === pair);
    if (reused === undefined) {
      if (pair.attemptId === undefined) failPair(ctx, now, pair, 'cannot open a connection from a passive candidate (RFC 6544 §6.2)');
      return;
    }
  }
  sendCheckRequest(ctx, now, pair);
}

/**
 * A connectivity-check request for `pair` with a fresh transaction id (RFC 8445
 * §7.1.1: USERNAME, PRIORITY with the prflx preference, the role attribute and
 * tie-breaker, USE-CANDIDATE when asked, MESSAGE-INTEGRITY with the remote
 * password, FINGERPRINT). Shared by ordinary checks and consent checks
 * (RFC 7675 §5.1); the caller has checked that the remote password is known.
 */
export function buildCheckRequest(
  ctx: AgentContext,
  pair: Pair,
  useCandidate: boolean,
): { transactionId: Buffer; priority: number; request: Buffer } {
  const generation = pair.generation;
  const transactionId = randomTransactionId(ctx.random);
  const priority = prflxPriority(ctx, pair.local);
  const request = encodeCheckRequest({
    transactionId,
    username: generation.requestUsername(),
    priority,
    controlling: ctx.controlling,
    tieBreaker: ctx.tieBreaker,
    useCandidate,
    integrityKey: generation.remoteKey!,
    software: ctx.options.software,
  });
  return { transactionId, priority, request };
}

/** Sends a Binding request for the pair over its transport (or its TCP connection). */
export function sendCheckRequest(ctx: AgentContext, now: number, pair: Pair): void {
  const integrityKey = pair.generation.remoteKey;
  if (integrityKey === undefined) return;
  const useCandidate = ctx.controlling && (pair.nominating || (ctx.options.nomination === 'aggressive' && !pair.tcp));
  const { transactionId, priority, request } = buildCheckRequest(ctx, pair, useCandidate);
  const tcp = pair.tcp;
  const rto = checkRto(ctx.options.ta, ctx.checklists);
  const tx: Transaction = {
    key: transactionId.toString('hex'),
    kind: 'check',
    pair,
    request,
    transportId: pair.transportId,
    connectionId: pair.connectionId,
    to: { address: pair.remote.address, port: pair.remote.port },
    useCandidate,
    controlling: ctx.controlling,
    priority,
    integrityKey,
    sentAt: now,
    sends: 1,
    rto,
    // RFC 6544 §7.1: no retransmissions over TCP; Ti = 39.5 s (RFC 8489 §6.2.2).
    retransmitAt: tcp ? undefined : nextRetransmitAt(now, 1, rto),
    expiresAt: now + (tcp ? ctx.options.tcp.transactionTimeoutMs : udpTransactionTimeout(rto)),
    cancelled: false,
  };
  ctx.transactions.add(tx);
  pair.useTransaction(tx.key);
  log('check %s%s tx %s', pair.id, useCandidate ? ' USE-CANDIDATE' : '', tx.key);
  ctx.transmit(tx.transportId, tx.connectionId, tx.to, request);
}

/** Retransmissions and timeouts of client transactions (RFC 8489 §6.2.1, §6.2.2). */
export function processTransactionTimers(ctx: AgentContext, now: number): void {
  if (ctx.transactions.size === 0) return;
  for (const tx of ctx.transactions.list()) {
    if (now >= tx.expiresAt) {
      ctx.transactions.delete(tx.key);
      if (tx.kind === 'check' && !tx.cancelled && tx.pair.transactionKey === tx.key) {
        failCheck(
          ctx,
          now,
          tx,
          tx.connectionId !== undefined
            ? 'timeout: no response within Ti (RFC 8489 §6.2.2)'
            : 'timeout: no response after Rc sends (RFC 8445 §7.2.5.2.3)',
        );
      }
      continue;
    }
    if (tx.retransmitAt !== undefined && now >= tx.retransmitAt && !tx.cancelled) {
      ctx.transactions.retransmitted(tx, now);
      ctx.transmit(tx.transportId, tx.connectionId, tx.to, tx.request);
    }
  }
}

/** A check transaction failed: the pair fails (RFC 8445 §7.2.5.2). */
export function failCheck(ctx: AgentContext, now: number, tx: Transaction, reason: string): void {
  ctx.transactions.delete(tx.key);
  if (tx.pair.transactionKey === tx.key) tx.pair.useTransaction(undefined);
  failPair(ctx, now, tx.pair, reason);
}

/**
 * Sets a pair Failed. A failed nomination fails the checklist
 * (RFC 8445 §7.2.5.3.4, §7.3.1.5); other pairs of the foundation are
 * untouched (§7.2.5.2).
 */
export function failPair(ctx: AgentContext, now: number, pair: Pair, reason: string): void {
  if (pair.removed && pair.state !== 'in-progress') return;
  const list = ctx.checklist(pair.component);
  list.dequeue(pair);
  const nominationFailed = (pair.nominating && ctx.controlling) || (pair.nominateOnSuccess && !ctx.controlling);
  pair.setNominating(false);
  pair.setNominateOnSuccess(false);
  ctx.setPairState(pair, 'failed', reason);
  // A TCP pair the peer nominated later may have waited for this one (tcp-nomination.ts, rule 2).
  const deferredSelected = !ctx.controlling && list.selected === undefined && selectDeferredNomination(ctx, now, pair.component);
  if (nominationFailed && !deferredSelected && list.selected === undefined && pair.generation === ctx.generation) {
    failChecklist(ctx, pair.component, `nomination of ${pair.id} failed: ${reason}`);
  }
  maybeNominate(ctx, now);
  ctx.pacer.wake(now);
}

/**
 * Processes a response to a check (RFC 8445 §7.2.5). Authentication and
 * symmetry are checked first; a failed MI is dropped on UDP and fails the
 * transaction on TCP (RFC 8489 §9.1.4).
 */
export function handleCheckResponse(ctx: AgentContext, now: number, tx: Transaction, msg: StunMessage, packet: PacketInput): void {
  const pair = tx.pair;
  if (msg.hasFingerprint && !verifyFingerprint(msg)) {
    log('response %s dropped: bad FINGERPRINT', tx.key);
    return;
  }
  const isError = msg.class === StunClass.ErrorResponse;
  const code = msg.attributes.errorCode?.code;
  const unauthenticatedError = isError && !msg.hasIntegrity && (code === 400 || code === 401);
  if (!unauthenticatedError && (!msg.hasIntegrity || !verifyIntegrity(msg, tx.integrityKey))) {
    if (tx.connectionId === undefined) {
      log('response %s dropped: MESSAGE-INTEGRITY missing or wrong', tx.key);
      return;
    }
    failCheck(ctx, now, tx, 'response failed MESSAGE-INTEGRITY over TCP (RFC 8489 §9.1.4)');
    return;
  }
  ctx.paths.noteArrival(pair.tcp ? 'tcp' : 'udp', packet.from);
  if (tx.sends === 1 && tx.sentAt !== undefined) ctx.paths.noteRtt(now - tx.sentAt);
  const current = pair.transactionKey === tx.key || tx.cancelled;
  ctx.transactions.delete(tx.key);
  if (pair.transactionKey === tx.key) pair.useTransaction(undefined);
  if (!current || pair.removed) {
    log('response %s for %s ignored: superseded', tx.key, pair.id);
    return;
  }
  // RFC 8445 §7.2.5.2.1: source and destination must be symmetric (TCP: the same connection).
  if (packet.transportId !== tx.transportId || packet.connectionId !== tx.connectionId || !sameAddress(packet.from, tx.to)) {
    failPair(ctx, now, pair, `non-symmetric response from ${packet.from.address}:${packet.from.port} (RFC 8445 §7.2.5.2.1)`);
    return;
  }
  if (msg.unknownRequired.length > 0) {
    failPair(ctx, now, pair, 'response with unknown comprehension-required attributes (RFC 8489 §6.3.3)');
    return;
  }
  if (isError) {
    if (code === 487) return handleRoleConflictResponse(ctx, now, tx);
    failPair(ctx, now, pair, `error response ${code ?? '?'} ${msg.attributes.errorCode?.reason ?? ''}`.trim());
    return;
  }
  const mapped = msg.attributes.xorMappedAddress ?? msg.attributes.mappedAddress;
  if (mapped === undefined) {
    failPair(ctx, now, pair, 'success response without XOR-MAPPED-ADDRESS');
    return;
  }
  checkSucceeded(ctx, now, tx, mapped);
}

/**
 * RFC 8445 §7.2.5.1: a 487 switches our role (unless a switch already
 * happened since the request), draws a new tie-breaker, recomputes
 * priorities, and requeues the pair as a triggered check.
 */
function handleRoleConflictResponse(ctx: AgentContext, now: number, tx: Transaction): void {
  const pair = tx.pair;
  if (ctx.role.mustSwitchAfter487(tx.controlling)) {
    switchRole(ctx, !tx.controlling, 'received 487 Role Conflict (RFC 8445 §7.2.5.1)');
    ctx.role.renewTieBreaker();
  }
  pair.setNominating(false);
  ctx.setPairState(pair, 'waiting', '487 Role Conflict: retry in the new role');
  ctx.checklist(pair.component).enqueueTriggered(pair);
  ctx.pacer.wake(now);
}

/** Changes role: recomputes every pair priority (RFC 8445 §6.1.2.3), with a `role` event. */
export function switchRole(ctx: AgentContext, controlling: boolean, reason: string): void {
  if (!ctx.role.switchTo(controlling)) return;
  for (const list of ctx.checklists) {
    for (const p of list.pairs) {
      p.updatePriority(controlling);
      if (!controlling) p.setNominating(false);
    }
    list.sort();
  }
  log('role -> %s: %s', controlling ? 'controlling' : 'controlled', reason);
  ctx.emit({ type: 'role', controlling, reason });
}

function checkSucceeded(ctx: AgentContext, now: number, tx: Transaction, mapped: { address: string; port: number }): void {
  const pair = tx.pair;
  const component = pair.component;
  const list = ctx.checklist(component);
  const base = pair.local.base;
  const transport = base.candidate.transport;
  // RFC 8445 §7.2.5.3.1: a mapped address we do not know is a local prflx candidate.
  let local = ctx.locals.findByAddress(component, transport, mapped.address, mapped.port, base.candidate.tcpType);
  if (local === undefined) {
    const candidate: Candidate = {
      foundation: computeFoundation({ type: 'prflx', baseAddress: base.candidate.address, transport }),
      component,
      transport,
      priority: tx.priority,
      address: mapped.address,
      port: mapped.port,
      type: 'prflx',
      relatedAddress: base.candidate.address,
      relatedPort: base.candidate.port,
      extensions: [],
    };
    if (base.candidate.tcpType !== undefined) candidate.tcpType = base.candidate.tcpType;
    local = ctx.locals.add(candidate, base.transportId, base);
    log('local prflx %s (base %s)', local.key, base.key);
    ctx.emit({ type: 'local-candidate', candidate });
  }
  // RFC 8445 §7.2.5.3.2: the valid pair is (mapped, destination).
  let valid: Pair;
  if (local === pair.local) {
    valid = pair;
  } else {
    const found = list.pairs.find((p) => p.local === local && p.remote === pair.remote && p.connectionId === pair.connectionId);
    if (found !== undefined) valid = found;
    else {
      valid = new Pair(component, local, pair.remote, ctx.controlling, pair.generation);
      valid.useConnection(pair.connectionId);
      list.add(valid);
    }
    pair.produced(valid);
  }
  // A USE-CANDIDATE check still queued for this pair must survive the answer
  // to an earlier, ordinary check of the same pair (RFC 8445 §8.1.1): it is
  // put back below, or the nomination would never be sent.
  const queuedNomination = pair.nominating && pair.triggered && !tx.useCandidate;
  // RFC 8445 §7.2.5.3.3
  ctx.setPairState(pair, 'succeeded');
  ctx.setPairState(valid, 'succeeded');
  list.dequeue(valid);
  if (!valid.valid) {
    valid.markValid();
    list.noteValid(now);
  }
  for (const other of ctx.checklists) {
    for (const p of other.pairs) {
      if (p.state === 'frozen' && p.foundation === pair.foundation)
        ctx.setPairState(p, 'waiting', 'a pair of its foundation succeeded (RFC 8445 §7.2.5.3.3)');
    }
  }
  const status = ctx.status(component);
  if (pair.generation === ctx.generation) {
    // RFC 8445 §12.1: before selection, data may use any valid pair.
    if (list.selected === undefined) ctx.dataRoutes.add(valid);
    const nominated = (tx.useCandidate && tx.controlling) || (pair.nominateOnSuccess && !ctx.controlling);
    // A nomination still queued (this was an earlier check) keeps its flag.
    if (tx.useCandidate) pair.setNominating(false);
    if (nominated) pair.setNominateOnSuccess(false);
    if (replacesLostPair(ctx, valid)) {
      // RFC 6544 §11.1: the reconnected connection carries the session on.
      select(ctx, now, valid, 'reconnected after the selected connection dropped (RFC 6544 §11.1)');
    } else if (nominated) {
      nominate(
        ctx,
        now,
        valid,
        tx.useCandidate ? 'USE-CANDIDATE check succeeded (RFC 8445 §7.2.5.3.4)' : 'peer nominated it (RFC 8445 §7.3.1.5)',
      );
    } else if (list.selected === undefined && (status.route === undefined || status.health === 'expired')) {
      setRoute(ctx, now, valid);
    }
  }
  if (queuedNomination && pair.nominating) {
    ctx.setPairState(pair, 'waiting', 'nominating (RFC 8445 §8.1.1); an earlier check was answered meanwhile');
    list.enqueueTriggered(pair);
  }
  maybeNominate(ctx, now);
  ctx.updateState();
  ctx.pacer.wake(now);
}
