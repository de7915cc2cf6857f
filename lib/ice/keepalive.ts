/**
 * Keepalives of an ICE-lite agent (RFC 8445 §11): a lite agent sends no
 * checks, so no consent checks either, yet "all endpoints MUST send
 * keepalives": a STUN Binding Indication, unauthenticated, with
 * FINGERPRINT only, on each component's route every Tr = 15 s. The core
 * does not see the application's data, so it does not know whether a
 * packet went out meanwhile; it sends one every Tr regardless, which the
 * rule allows. A full agent needs none: its consent checks (every 4–6 s,
 * RFC 7675 §5.1) are packets on the selected pair.
 */
import { encodeStun, StunClass, StunMethod } from '../stun/index.js';
import { log, type AgentContext } from './context.js';
import { randomTransactionId } from './seeded-random.js';

/** Tr, the keepalive interval (RFC 8445 §11: SHOULD be 15 s, MUST NOT be less). */
export const KEEPALIVE_INTERVAL_MS = 15000;

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
      status.keepaliveAt = now + KEEPALIVE_INTERVAL_MS;
      continue;
    }
    if (now < status.keepaliveAt) continue;
    status.keepaliveAt = now + KEEPALIVE_INTERVAL_MS;
    if (pair.tcp && (pair.connectionId === undefined || ctx.tcp.get(pair.connectionId) === undefined)) continue;
    log('keepalive on %s', pair.id);
    ctx.transmit(pair.transportId, pair.connectionId, pair.remote, encodeKeepalive(randomTransactionId(ctx.random)));
  }
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
