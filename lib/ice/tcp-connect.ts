/**
 * Opening TCP connections for checks (RFC 6544 §7.1): the connect command,
 * the per-remote-IP limit (§12) and S-O retries.
 */
import { log, type AgentContext } from './context.js';
import type { Pair } from './pair.js';
import { connectingType, soRetryDelay, type ConnectAttempt } from './tcp-bookkeeping.js';
import type { Address } from './types.js';

/** Where a pair's connection is made from: S-O its bound port, active an ephemeral port (RFC 6544 §7.1). */
export function connectFrom(pair: Pair): Address {
  const base = pair.local.base.candidate;
  return { address: base.address, port: base.tcpType === 'so' ? base.port : 0 };
}

/** Whether the pair's check needs a new connection first. */
export function needsConnect(ctx: AgentContext, pair: Pair): boolean {
  if (!pair.tcp) return false;
  if (pair.connectionId !== undefined && ctx.tcp.get(pair.connectionId) !== undefined) return false;
  return true;
}

/** Whether a connect to the pair's remote IP stays within the RFC 6544 §12 limit. */
export function connectAllowed(ctx: AgentContext, pair: Pair): boolean {
  return ctx.tcp.outstandingTo(pair.remote.address) < ctx.options.tcp.maxConnectsPerRemoteIp;
}

/**
 * Starts a connect for the pair: reuses an existing connection on the same
 * 5-tuple (S-O, RFC 6544 §7.1 "unless a connection already exists"),
 * else emits a `connect` command.
 *
 * @returns the connection id when one could be reused
 */
export function beginConnect(ctx: AgentContext, now: number, pair: Pair, reconnect: boolean): string | undefined {
  const tcpType = connectingType(pair.local.base.candidate.tcpType);
  if (tcpType === undefined) return undefined;
  const local = connectFrom(pair);
  const remote = { address: pair.remote.address, port: pair.remote.port };
  if (tcpType === 'so') {
    const existing = ctx.tcp.byFiveTuple(local, remote);
    if (existing !== undefined) {
      pair.useConnection(existing.id);
      // Checking over an accepted connection: the peer's answer may be its first frame.
      ctx.tcp.firstFrameSeen(existing);
      return existing.id;
    }
  }
  const attempt: ConnectAttempt = {
    id: ctx.tcp.nextAttemptId(),
    pair,
    transportId: pair.transportId,
    tcpType,
    local,
    remote,
    tries: 0,
    deadline: 0,
    retryAt: undefined,
    reconnect,
  };
  ctx.tcp.addAttempt(attempt);
  pair.awaitConnect(attempt.id);
  sendConnect(ctx, now, attempt);
  return undefined;
}

/** Emits the connect command of an attempt (first try or S-O retry). */
export function sendConnect(ctx: AgentContext, now: number, attempt: ConnectAttempt): void {
  ctx.tcp.attemptSent(attempt, now + ctx.options.tcp.connectTimeoutMs);
  log(
    'connect %s (%s) %s:%d -> %s:%d, try %d',
    attempt.id,
    attempt.tcpType,
    attempt.local.address,
    attempt.local.port,
    attempt.remote.address,
    attempt.remote.port,
    attempt.tries,
  );
  ctx.out.connectionCommands.push({
    type: 'connect',
    attemptId: attempt.id,
    transportId: attempt.transportId,
    tcpType: attempt.tcpType,
    local: { ...attempt.local },
    remote: { ...attempt.remote },
    timeoutMs: ctx.options.tcp.connectTimeoutMs,
  });
}

/**
 * An S-O connect was refused or reset: retry from the same bound port
 * after a backoff until the SYNs cross (ARCHITECTURE.md "TCP simultaneous open"), up to
 * `soRetry.maxAttempts` retries.
 *
 * @returns true when a retry was scheduled
 */
export function scheduleSoRetry(ctx: AgentContext, now: number, attempt: ConnectAttempt, reason: string): boolean {
  if (attempt.tcpType !== 'so' || (reason !== 'refused' && reason !== 'reset')) return false;
  const retry = attempt.tries; // retries so far + 1
  if (retry > ctx.options.tcp.soRetry.maxAttempts) return false;
  ctx.tcp.retryAttemptAt(attempt, now + soRetryDelay(retry, ctx.options.tcp.soRetry));
  log('S-O connect %s %s, retry %d at %d', attempt.id, reason, retry, attempt.retryAt);
  return true;
}
