/**
 * Keepalives (RFC 8445 §11): "all endpoints MUST send keepalives", a STUN
 * Binding Indication, unauthenticated, with FINGERPRINT only, on each
 * component's route every Tr (15 s by default, never less).
 *
 * - An ICE-lite agent sends no checks, so no consent checks either: it
 *   sends a keepalive every Tr (scheduled here). The core does not see the
 *   application's data, so it does not know whether a packet went out
 *   meanwhile; it sends one every Tr regardless, which the rule allows.
 * - A full agent needs none while its consent checks (every 4–6 s, RFC
 *   7675 §5.1) are packets on the pair; while checks are suspended on an
 *   idle pair (`consent.whenIdle: 'suspend'`), consent-checks.ts sends
 *   them with {@link sendKeepalive} every Tr.
 */
import { encodeStun, StunClass, StunMethod } from '../stun/index.js';
import { log, type AgentContext } from './context.js';
import type { Pair } from './pair.js';
import { randomTransactionId } from './seeded-random.js';

export { KEEPALIVE_INTERVAL_MS } from './consent.js';

/** A Binding Indication with FINGERPRINT and nothing else (RFC 8445 §11). */
export function encodeKeepalive(transactionId: Uint8Array): Buffer {
  return encodeStun({ class: StunClass.Indication, method: StunMethod.Binding, transactionId }, { fingerprint: true });
}

/** Sends the keepalives that are due (lite agents only) and schedules the next ones. */
export function processKeepalives(ctx: AgentContext, now: number): void {
  if (!ctx.options.lite) return;
  for (const status of ctx.components) {
    const pair = status.route;
    if (pair === undefined || status.health !== 'ok') {
      status.keepaliveAt = undefined;
      continue;
    }
    if (status.keepaliveAt === undefined) {
      status.keepaliveAt = now + ctx.options.consent.keepaliveIntervalMs;
      continue;
    }
    if (now < status.keepaliveAt) continue;
    status.keepaliveAt = now + ctx.options.consent.keepaliveIntervalMs;
    sendKeepalive(ctx, pair);
  }
}

/** Sends one keepalive on a pair (skipped on a TCP pair whose connection is gone). */
export function sendKeepalive(ctx: AgentContext, pair: Pair): void {
  if (pair.tcp && (pair.connectionId === undefined || ctx.tcp.get(pair.connectionId) === undefined)) return;
  log('keepalive on %s', pair.id);
  ctx.transmit(pair.transportId, pair.connectionId, pair.remote, encodeKeepalive(randomTransactionId(ctx.random)));
}

/** The next keepalive over all components. */
export function keepaliveDeadline(ctx: AgentContext): number | undefined {
  if (!ctx.options.lite) return undefined;
  let min: number | undefined;
  for (const status of ctx.components) {
    const t = status.keepaliveAt;
    if (t !== undefined && status.route !== undefined && status.health === 'ok' && (min === undefined || t < min)) min = t;
  }
  return min;
}
