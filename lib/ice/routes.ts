/**
 * The data route of each component: which pair application data uses,
 * with its consent tracker (RFC 8445 §12.1, RFC 7675 §5).
 */
import { ConsentTracker } from './consent.js';
import { log, type AgentContext } from './context.js';
import type { Pair } from './pair.js';
import type { Route } from './types.js';

/**
 * Makes `pair` the component's route: the first valid pair, then the
 * selected one (RFC 8445 §12.1: data may use any valid pair before
 * selection). Consent starts granted, since the pair just succeeded
 * (RFC 7675 §5); a full agent then keeps it fresh. `selected`: the pair
 * was just selected; its `selected-pair` event follows the `route` event.
 */
export function setRoute(ctx: AgentContext, now: number, pair: Pair, selected = false): void {
  const status = ctx.status(pair.component);
  const old = status.route;
  // Packets the peer sent on the old route may still be in flight.
  if (old !== undefined && old !== pair) ctx.dataRoutes.retire(old, now);
  const samePath =
    old !== undefined &&
    old.transportId === pair.transportId &&
    old.connectionId === pair.connectionId &&
    old.remote.address === pair.remote.address &&
    old.remote.port === pair.remote.port;
  status.route = pair;
  const wasHealthy = status.health === 'ok' && old !== undefined;
  status.health = 'ok';
  ctx.reconnects.end(pair.component);
  if (!samePath || status.consent === undefined || status.consent.health === 'expired') {
    status.consent = ctx.options.lite ? undefined : new ConsentTracker(now, ctx.options.consent, ctx.random);
  }
  ctx.dataRoutes.add(pair);
  log('route component %d -> %s', pair.component, pair.id);
  emitRoute(ctx, pair.component);
  if (selected) ctx.emit({ type: 'selected-pair', pair: pair.info() });
  if (!wasHealthy) ctx.emit({ type: 'consent', component: pair.component, granted: true });
  ctx.updateState();
}

/**
 * Takes the route away: `'disconnected'` while it may come back (its TCP
 * connection is being re-established, RFC 6544 §11.1), `'expired'` when
 * consent is gone (RFC 7675 §5.1).
 */
export function loseRoute(ctx: AgentContext, component: number, health: 'disconnected' | 'expired', reason: string): void {
  const status = ctx.status(component);
  if (status.route !== undefined && health === 'expired') ctx.dataRoutes.remove(status.route);
  if (status.health === health) return;
  status.health = health;
  log('route component %d lost (%s): %s', component, health, reason);
  emitRoute(ctx, component);
  if (health === 'expired') {
    status.consent?.revoke();
    ctx.emit({ type: 'consent', component, granted: false });
    ctx.emit({ type: 'error', code: 'ERR_ICE_CONSENT_EXPIRED', message: `component ${component}: ${reason}` });
    // RFC 7675 §5.1: discard the pair's outstanding consent transactions.
    for (const tx of ctx.transactions.filter((t) => t.kind === 'consent' && t.pair.component === component))
      ctx.transactions.delete(tx.key);
  }
  ctx.updateState();
}

/** The agent closed: no component has a route any more (the last `route` events are `null`). */
export function dropRoutes(ctx: AgentContext): void {
  for (let c = 1; c <= ctx.components.length; c++) {
    const status = ctx.status(c);
    if (status.route !== undefined) {
      status.route = undefined;
      emitRoute(ctx, c);
    }
    status.consent = undefined;
  }
}

/**
 * Emits a `route` event when a component's route changed (RFC 8445 §12.1;
 * none while its health is not ok, nor while consent is stale on a pair
 * that idled and has not been regained yet, RFC 7675 §5.1).
 */
export function emitRoute(ctx: AgentContext, component: number): void {
  const status = ctx.status(component);
  const pair = status.health === 'ok' && status.consent?.held !== true ? status.route : undefined;
  const route = pair === undefined ? null : routeOf(pair);
  const identity = route === null ? undefined : `${route.pairId}#${route.connectionId ?? ''}`;
  if (identity === status.emittedRoute) return;
  status.emittedRoute = identity;
  ctx.emit({ type: 'route', component, route });
}

/** The {@link Route} of a pair. */
export function routeOf(pair: Pair): Route {
  const route: Route = {
    component: pair.component,
    transport: pair.tcp ? 'tcp' : 'udp',
    transportId: pair.transportId,
    remote: { address: pair.remote.address, port: pair.remote.port },
    pairId: pair.id,
  };
  if (pair.connectionId !== undefined) route.connectionId = pair.connectionId;
  if (pair.local.candidate.tcpType !== undefined) route.tcpType = pair.local.candidate.tcpType;
  return route;
}
