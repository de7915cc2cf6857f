/**
 * Consent freshness on the route of each component (RFC 7675): periodic
 * authenticated Binding requests, each sent once with a new transaction id,
 * replacing keepalives (RFC 8445 §11), and their answers.
 */
import { StunClass, verifyFingerprint, verifyIntegrity, type StunMessage } from '../stun/index.js';
import { sameAddress } from './address-keys.js';
import { buildCheckRequest } from './checks.js';
import { log, type AgentContext } from './context.js';
import { loseRoute } from './routes.js';
import type { Transaction } from './check-transactions.js';
import type { PacketInput } from './types.js';

/** Sends due consent checks and re-evaluates consent health (RFC 7675 §5.1). */
export function processConsent(ctx: AgentContext, now: number): void {
  for (const status of ctx.components) {
    const pair = status.route;
    const tracker = status.consent;
    if (pair === undefined || tracker === undefined || status.health === 'expired') continue;
    if (tracker.takeDueCheck(now)) sendConsentCheck(ctx, now, status.route!);
    const before = tracker.health;
    const health = tracker.evaluate(now);
    if (health === 'expired') {
      loseRoute(
        ctx,
        pair.component,
        'expired',
        `no authenticated answer to consent checks for ${ctx.options.consent.expiryMs} ms (RFC 7675 §5.1)`,
      );
    } else if (health !== before) {
      log('consent on %s: %s', pair.id, health);
      ctx.updateState();
    }
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
