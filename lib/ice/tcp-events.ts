/**
 * TCP connection events in the core (RFC 6544 §7): connects completing or
 * failing, connections accepted on passive and S-O bases, connections
 * closing, the selected connection's reconnect (§11.1), and the timers of
 * connect attempts.
 */
import { failCheck, failPair, sendCheckRequest } from './checks.js';
import { adoptReplacement } from './nomination.js';
import { log, type AgentContext } from './context.js';
import type { Pair } from './pair.js';
import { loseRoute } from './routes.js';
import { scheduleSoRetry, sendConnect } from './tcp-connect.js';
import { formatAddress } from './address-keys.js';
import { initiatorOf, soRetryDelay, survivorOf, type ConnectAttempt, type TcpConnection } from './tcp-bookkeeping.js';
import type { ConnectionEvent } from './types.js';

/** Processes one connection event. */
export function handleConnectionEvent(ctx: AgentContext, now: number, event: ConnectionEvent): void {
  switch (event.type) {
    case 'connected':
      return connected(ctx, now, event);
    case 'connect-failed': {
      const attempt = ctx.tcp.attempt(event.attemptId);
      if (attempt === undefined) return void log('connect-failed for unknown attempt %s', event.attemptId);
      return attemptFailed(ctx, now, attempt, event.reason, event.message);
    }
    case 'accepted':
      return accepted(ctx, now, event);
    case 'closed':
      return closed(ctx, now, event.connectionId, event.reason, event.message);
    default:
      log('unknown connection event %o', event);
  }
}

/**
 * Registers a new connection. A second connection on the same 5-tuple
 * (crossing S-O connects, or a connect racing an accept) is resolved with
 * {@link survivorOf}, which both agents apply alike; the loser is closed.
 *
 * @returns the id of the connection kept for this 5-tuple
 */
function register(ctx: AgentContext, now: number, conn: TcpConnection): string {
  const { existing } = ctx.tcp.register(conn);
  if (existing === undefined) return conn.id;
  const keep = survivorOf(existing, conn);
  const lose = keep === conn ? existing : conn;
  const reason = `duplicate on the same 5-tuple as ${keep.id}; keeping the one opened by ${formatAddress(initiatorOf(keep))}`;
  if (lose === existing) {
    ctx.closeConnection(existing.id, reason);
    closed(ctx, now, existing.id, 'local', reason);
    ctx.tcp.register(conn);
  } else {
    log('close connection %s: %s', conn.id, reason);
    ctx.out.close(conn.id, conn.transportId, reason);
  }
  return keep.id;
}

function connected(ctx: AgentContext, now: number, event: Extract<ConnectionEvent, { type: 'connected' }>): void {
  const attempt = ctx.tcp.attempt(event.attemptId);
  if (attempt === undefined || ctx.closed) {
    ctx.out.close(event.connectionId, event.transportId, 'connect no longer wanted (attempt abandoned or agent closed)');
    return;
  }
  ctx.tcp.removeAttempt(attempt.id);
  const pair = attempt.pair;
  if (pair.attemptId === attempt.id) pair.awaitConnect(undefined);
  // The handshake came back from the pair's remote: its path shows life (nomination wait).
  ctx.paths.noteArrival('tcp', pair.remote);
  const conn: TcpConnection = {
    id: event.connectionId,
    transportId: event.transportId,
    local: { address: event.local.address, port: event.local.port },
    remote: { address: event.remote.address, port: event.remote.port },
    origin: 'connect',
    awaitingFirstFrame: true,
  };
  const connectionId = register(ctx, now, conn);
  const current = pair.connectionId !== undefined ? ctx.tcp.get(pair.connectionId) : undefined;
  if (pair.removed || current !== undefined || (pair.state !== 'in-progress' && pair.state !== 'failed')) {
    if (connectionId === conn.id && !isUsed(ctx, conn.id)) ctx.closeConnection(conn.id, 'the pair no longer needs this connection');
    return;
  }
  pair.useConnection(connectionId);
  // We check over an accepted connection: its first frame may now be the peer's answer.
  const kept = ctx.tcp.get(connectionId);
  if (kept !== undefined && kept.origin === 'accept') ctx.tcp.firstFrameSeen(kept);
  log('connected %s for %s', connectionId, pair.id);
  if (pair.state !== 'in-progress') ctx.setPairState(pair, 'in-progress', 'connected after a duplicate connection was closed');
  sendCheckRequest(ctx, now, pair);
}

function attemptFailed(ctx: AgentContext, now: number, attempt: ConnectAttempt, reason: string, message: string | undefined): void {
  if (scheduleSoRetry(ctx, now, attempt, reason)) return;
  ctx.tcp.removeAttempt(attempt.id);
  const pair = attempt.pair;
  if (pair.attemptId !== attempt.id) return;
  pair.awaitConnect(undefined);
  const why = `connect failed: ${reason}${message !== undefined ? ` (${message})` : ''} (RFC 6544 §7.1)`;
  if (ctx.reconnects.of(pair.component)?.pair === pair) {
    reconnectFailed(ctx, now, pair.component, why);
    return;
  }
  if (pair.state === 'in-progress') failPair(ctx, now, pair, why);
}

function accepted(ctx: AgentContext, now: number, event: Extract<ConnectionEvent, { type: 'accepted' }>): void {
  const base = ctx.locals.baseOf(event.transportId);
  const tcpType = base?.candidate.tcpType;
  if (ctx.closed || base === undefined || (tcpType !== 'passive' && tcpType !== 'so')) {
    ctx.out.close(event.connectionId, event.transportId, 'accepted on a base that is not a passive or S-O candidate (RFC 6544 §7.2)');
    return;
  }
  const conn: TcpConnection = {
    id: event.connectionId,
    transportId: event.transportId,
    local: { address: event.local.address, port: event.local.port },
    remote: { address: event.remote.address, port: event.remote.port },
    origin: 'accept',
    awaitingFirstFrame: true,
  };
  if (register(ctx, now, conn) === conn.id)
    log('accepted %s on %s from %s:%d', conn.id, event.transportId, conn.remote.address, conn.remote.port);
}

/** Whether a pair or a route uses the connection. */
export function isUsed(ctx: AgentContext, connectionId: string): boolean {
  for (const s of ctx.components) if (s.route?.connectionId === connectionId) return true;
  return ctx.checklists.some((l) => l.pairs.some((p) => p.connectionId === connectionId));
}

/**
 * A connection is gone: its checks fail, its valid pairs leave the valid
 * list, and a selected pair on it loses its route; the active or S-O side
 * reconnects, the passive side waits (RFC 6544 §11.1).
 */
export function closed(ctx: AgentContext, now: number, connectionId: string, reason: string, message: string | undefined): void {
  ctx.tcp.remove(connectionId);
  const why = `connection ${connectionId} closed: ${reason}${message !== undefined ? ` (${message})` : ''}`;
  for (const tx of ctx.transactions.filter((t) => t.connectionId === connectionId)) {
    if (tx.kind === 'check' && !tx.cancelled && tx.pair.transactionKey === tx.key) failCheck(ctx, now, tx, why);
    else ctx.transactions.delete(tx.key);
  }
  for (let c = 1; c <= ctx.components.length; c++) {
    const status = ctx.status(c);
    const route = status.route;
    if (route !== undefined && route.connectionId === connectionId && status.health === 'ok') {
      ctx.dataRoutes.remove(route);
      startReconnect(ctx, now, route, why);
    }
    for (const p of [...ctx.checklist(c).pairs]) {
      if (p.connectionId !== connectionId) continue;
      if (p === status.route || p === ctx.reconnects.of(c)?.pair) continue;
      if (p.valid) ctx.setPairState(p, 'failed', why);
      p.useConnection(undefined);
    }
  }
}

function startReconnect(ctx: AgentContext, now: number, lost: Pair, why: string): void {
  const opener = lost.generatedBy ?? lost;
  const tcpType = opener.local.base.candidate.tcpType;
  ctx.reconnects.begin(lost);
  loseRoute(ctx, lost.component, 'disconnected', why);
  if (ctx.options.lite || (tcpType !== 'active' && tcpType !== 'so') || opener.generation !== ctx.generation) {
    log('selected connection lost; the passive side waits for the peer to reconnect (RFC 6544 §11.1)');
    adoptReplacement(ctx, now, lost);
    return;
  }
  ctx.reconnects.reconnectWith(opener);
  if (ctx.options.tcp.reconnectAttempts === 0) return reconnectFailed(ctx, now, lost.component, 'reconnect disabled');
  requeueReconnect(ctx, now, opener);
}

function requeueReconnect(ctx: AgentContext, now: number, opener: Pair): void {
  opener.useConnection(undefined);
  opener.setNominating(ctx.controlling);
  const list = ctx.checklist(opener.component);
  if (opener.removed) {
    opener.setRemoved(false);
    list.add(opener);
  }
  ctx.setPairState(opener, 'waiting', 'reconnecting the selected connection (RFC 6544 §11.1)');
  list.enqueueTriggered(opener);
  ctx.pacer.wake(now);
}

function reconnectFailed(ctx: AgentContext, now: number, component: number, why: string): void {
  const outcome = ctx.reconnects.tryFailed(component, now, ctx.options.tcp.reconnectAttempts, (failures) =>
    soRetryDelay(failures, ctx.options.tcp.soRetry),
  );
  const reconnect = ctx.reconnects.of(component);
  if (outcome === undefined || reconnect === undefined) return;
  if (outcome === 'retry' && reconnect.pair !== undefined) {
    log('reconnect failed (%s), retry %d at %d', why, reconnect.failures, reconnect.retryAt);
    if (reconnect.pair.state === 'in-progress') ctx.setPairState(reconnect.pair, 'waiting', why);
    return;
  }
  const message = `component ${component}: the selected TCP connection could not be re-established after ${reconnect.failures} attempts: ${why}`;
  ctx.emit({ type: 'error', code: 'ERR_ICE_TCP_RECONNECT_FAILED', message });
  if (reconnect.pair !== undefined) ctx.setPairState(reconnect.pair, 'failed', why);
  // RFC 6544 §11.1: the controlling agent should restart ICE.
  if (ctx.controlling) ctx.requestRestart(now, message);
}

/** Connect deadlines, S-O retries and reconnect retries. */
export function processTcpTimers(ctx: AgentContext, now: number): void {
  for (const attempt of ctx.tcp.attempts()) {
    if (attempt.retryAt !== undefined) {
      if (now >= attempt.retryAt) sendConnect(ctx, now, attempt);
    } else if (now >= attempt.deadline) {
      log('connect %s timed out in the core', attempt.id);
      attemptFailed(ctx, now, attempt, 'timeout', 'no connection event within the connect timeout');
    }
  }
  for (const opener of ctx.reconnects.dueRetries(now)) requeueReconnect(ctx, now, opener);
}

/** The next TCP timer. */
export function tcpDeadline(ctx: AgentContext): number | undefined {
  const connects = ctx.tcp.nextDeadline();
  const retry = ctx.reconnects.deadline();
  return connects === undefined || (retry !== undefined && retry < connects) ? retry : connects;
}

/**
 * The first frame on a connection we opened is not STUN: close it and
 * fail every pair with that remote candidate (RFC 6544 §7.1).
 */
export function rejectNonStunReply(ctx: AgentContext, now: number, conn: TcpConnection): void {
  const affected: Pair[] = [];
  for (const list of ctx.checklists) for (const p of list.pairs) if (p.connectionId === conn.id) affected.push(p);
  ctx.closeConnection(conn.id, 'first reply is not STUN (RFC 6544 §7.1)');
  closed(ctx, now, conn.id, 'local', 'first reply is not STUN');
  for (const p of affected) {
    for (const list of ctx.checklists) {
      for (const q of list.pairs) {
        if (q.remote === p.remote && q.state !== 'failed')
          failPair(ctx, now, q, 'a connection to this remote candidate answered with non-STUN data (RFC 6544 §7.1)');
      }
    }
  }
}
