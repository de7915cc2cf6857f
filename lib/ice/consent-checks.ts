/**
 * Consent freshness on the route of each component (RFC 7675): periodic
 * authenticated Binding requests, each sent once with a new transaction id,
 * replacing keepalives (RFC 8445 §11) while the pair carries data, and
 * their answers; keepalives and silence probes while it idles (consent.ts).
 */
import { StunClass, verifyFingerprint, verifyIntegrity, type StunMessage } from '../stun/index.js';
import { sameAddress } from './address-keys.js';
import { buildCheckRequest } from './checks.js';
import { log, type AgentContext } from './context.js';
import { emitRoute, loseRoute } from './routes.js';
import { sendKeepalive } from './keepalive.js';
import type { Transaction } from './check-transactions.js';
import type { PacketInput } from './types.js';

/**
 * Sends due consent checks and re-evaluates consent health (RFC 7675 §5.1);
 * on suspended idle pairs, sends keepalives every Tr (RFC 8445 §11) and
 * probes a peer that went silent. A pair whose consent went stale while it
 * idled takes its route away (`null`, no state change) until an answer
 * regains consent.
 */
export function processConsent(ctx: AgentContext, now: number): void {
  for (const status of ctx.components) {
    const pair = status.route;
    const tracker = status.consent;
    if (pair === undefined || tracker === undefined || status.health === 'expired') continue;
    if (tracker.takeDueCheck(now)) sendConsentCheck(ctx, now, pair);
    const tick = tracker.takeIdleTick(now);
    if (tick === 'keepalive') sendKeepalive(ctx, pair);
    else if (tick === 'probe') {
      log('consent on %s: nothing heard for 2 × Tr while idle, checking again', pair.id);
      if (tracker.takeDueCheck(now)) sendConsentCheck(ctx, now, pair);
    }
    const before = tracker.health;
    const wasHeld = tracker.held;
    const health = tracker.evaluate(now);
    if (health === 'expired') {
      loseRoute(
        ctx,
        pair.component,
        'expired',
        `no authenticated answer to consent checks for ${ctx.options.consent.expiryMs} ms (RFC 7675 §5.1)`,
      );
      continue;
    }
    if (tracker.held !== wasHeld) {
      // RFC 7675 §5.1: no application data until consent is regained.
      log('consent on %s %s', pair.id, tracker.held ? 'stale: data waits until it is regained' : 'regained');
      emitRoute(ctx, pair.component);
    }
    if (health !== before) {
      log('consent on %s: %s', pair.id, health);
      ctx.updateState();
    }
  }
}

/**
 * The runtime reports application data on a component's route (RFC 7675
 * §5.1: consent follows application data): a suspended pair checks again.
 */
export function noteDataSent(ctx: AgentContext, now: number, component: number): void {
  const status = ctx.components[component - 1];
  if (status === undefined || status.route === undefined || status.health === 'expired') return;
  const tracker = status.consent;
  if (tracker === undefined) return;
  if (tracker.suspended) log('consent on %s: data again, checking again%s', status.route.id, tracker.held ? ' (stale: data waits)' : '');
  tracker.noteSent(now);
}

/** A packet from the peer arrived on the route of some component: the peer is alive (the idle probe waits). */
export function noteHeard(ctx: AgentContext, now: number, packet: PacketInput): void {
  for (const status of ctx.components) {
    const pair = status.route;
    if (
      pair !== undefined &&
      status.consent !== undefined &&
      pair.transportId === packet.transportId &&
      pair.connectionId === packet.connectionId &&
      sameAddress(pair.remote, packet.from)
    )
      status.consent.noteHeard(now);
  }
}

function sendConsentCheck(ctx: AgentContext, now: number, pair: NonNullable<AgentContext['components'][number]['route']>): void {
  const generation = pair.generation;
  if (generation.remoteKey === undefined) return;
  if (pair.tcp && (pair.connectionId === undefined || ctx.tcp.get(pair.connectionId) === undefined)) {
    log('consent check on %s skipped: no connection', pair.id);
    return;
  }
  // RFC 7675 §5.1: a new transaction id each time, sent once.
  const { transactionId, priority, request } = buildCheckRequest(ctx, pair, false);
  const tx: Transaction = {
    key: transactionId.toString('hex'),
    kind: 'consent',
    pair,
    request,
    transportId: pair.transportId,
    connectionId: pair.connectionId,
    to: { address: pair.remote.address, port: pair.remote.port },
    useCandidate: false,
    controlling: ctx.controlling,
    priority,
    integrityKey: generation.remoteKey,
    sends: 1,
    rto: 0,
    retransmitAt: undefined,
    // An answer is awaited until consent would expire; later ones cannot matter.
    expiresAt: now + ctx.options.consent.expiryMs,
    cancelled: false,
  };
  ctx.transactions.add(tx);
  ctx.transmit(tx.transportId, tx.connectionId, tx.to, request);
}

/**
 * An answer to a consent check: an authenticated success from the pair's
 * remote address refreshes consent (late ones do not count, RFC 7675
 * §5.1); an authenticated 403 revokes it (RFC 7675 §5.2).
 */
export function handleConsentResponse(ctx: AgentContext, now: number, tx: Transaction, msg: StunMessage, packet: PacketInput): void {
  if (msg.hasFingerprint && !verifyFingerprint(msg)) return void log('consent response dropped: bad FINGERPRINT');
  if (!msg.hasIntegrity || !verifyIntegrity(msg, tx.integrityKey))
    return void log('consent response dropped: MESSAGE-INTEGRITY missing or wrong');
  if (packet.transportId !== tx.transportId || packet.connectionId !== tx.connectionId || !sameAddress(packet.from, tx.to)) {
    return void log('consent response dropped: not from the pair (RFC 7675 §5.1)');
  }
  ctx.transactions.delete(tx.key);
  const status = ctx.status(tx.pair.component);
  if (status.route !== tx.pair || status.consent === undefined) return;
  if (msg.class === StunClass.ErrorResponse) {
    const code = msg.attributes.errorCode?.code;
    if (code === 403) loseRoute(ctx, tx.pair.component, 'expired', 'consent revoked by an authenticated 403 (RFC 7675 §5.2)');
    else log('consent check answered with error %s', code);
    return;
  }
  const before = status.consent.health;
  if (status.consent.granted(now) && before !== 'fresh') {
    log('consent on %s fresh again', tx.pair.id);
    ctx.updateState();
  }
}

/** The next consent deadline over all components. */
export function consentDeadline(ctx: AgentContext): number | undefined {
  let min: number | undefined;
  for (const status of ctx.components) {
    if (status.route === undefined || status.consent === undefined) continue;
    const t = status.consent.nextDeadline();
    if (t !== undefined && (min === undefined || t < min)) min = t;
  }
  return min;
}
