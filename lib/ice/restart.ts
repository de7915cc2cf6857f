/**
 * ICE restart (RFC 8445 §9): new credentials and fresh checklists, while
 * the selected pairs keep carrying data (with consent, RFC 7675 §5.1)
 * until new pairs are selected.
 */
import { log, type AgentContext } from './context.js';
import type { IceCredentials } from './types.js';

/**
 * Starts a new credentials generation with `local` credentials: the old
 * checks stop, connections not carrying a route close, remote candidates
 * and credentials are forgotten (the peer signals new ones).
 */
export function restartAgent(ctx: AgentContext, local: IceCredentials): void {
  // The generation whose pairs still carry data stays alive for their consent checks.
  const routed = new Set(ctx.components.filter((s) => s.route !== undefined && s.health !== 'expired').map((s) => s.route!.generation));
  const generation = ctx.generations.next(local, (g) => routed.has(g));
  log('restart: generation %d (ufrag %s)', generation.index, local.ufrag);
  ctx.paths.clear();
  const keepConnections = new Set<string>();
  for (const s of ctx.components) if (s.route?.connectionId !== undefined) keepConnections.add(s.route.connectionId);
  // Checks of the old generation stop; consent on the routes goes on.
  for (const tx of ctx.transactions.list()) if (tx.kind === 'check') ctx.transactions.delete(tx.key);
  for (const attempt of ctx.tcp.attempts()) ctx.tcp.removeAttempt(attempt.id);
  for (const conn of ctx.tcp.connections()) {
    if (!keepConnections.has(conn.id)) ctx.closeConnection(conn.id, 'ICE restart: not carrying the selected pair (RFC 6544 §9.2)');
  }
  ctx.dataRoutes.clear();
  for (const s of ctx.components) {
    if (s.route !== undefined && s.health !== 'expired') ctx.dataRoutes.add(s.route);
  }
  ctx.reconnects.endAll();
  ctx.forgetPeer();
  ctx.pacer.restart();
  ctx.updateState();
}
