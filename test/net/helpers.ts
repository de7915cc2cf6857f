/**
 * Test helpers: two IceAgents on loopback wired to each other in-process
 * (the "signalling" is direct method calls), and a handle census.
 */
import { IceAgent } from '../../lib/net/agent/agent.js';
import type { IceAgentOptions } from '../../lib/net/agent/agent-options.js';

/** Active handles by constructor name (sockets, servers, timers), for leak checks. */
export function handleCensus(): Map<string, number> {
  const census = new Map<string, number>();
  const handles = (process as unknown as { _getActiveHandles(): object[] })._getActiveHandles();
  for (const h of handles) {
    const name = h.constructor?.name ?? 'unknown';
    census.set(name, (census.get(name) ?? 0) + 1);
  }
  return census;
}

/** Handle kinds that grew between two censuses. */
export function grownHandles(before: Map<string, number>, after: Map<string, number>): string[] {
  const grown: string[] = [];
  for (const [name, count] of after) if (count > (before.get(name) ?? 0)) grown.push(`${name}: ${before.get(name) ?? 0} → ${count}`);
  return grown;
}

/** Waits until no handle kind grew since `before` (closes finish on a later tick), up to `ms`. */
export async function settleHandles(before: Map<string, number>, ms = 1000): Promise<string[]> {
  const deadline = Date.now() + ms;
  let grown = grownHandles(before, handleCensus());
  while (grown.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
    grown = grownHandles(before, handleCensus());
  }
  return grown;
}

/** Two agents, A controlling, B controlled, with the given options on both. */
export function agentPair(
  common: Omit<IceAgentOptions, 'controlling'>,
  a: Partial<IceAgentOptions> = {},
  b: Partial<IceAgentOptions> = {},
) {
  const left = new IceAgent({ ...common, ...a, controlling: true });
  const right = new IceAgent({ ...common, ...b, controlling: false });
  return { left, right };
}

/**
 * Exchanges parameters and (trickled) candidates between two agents, then
 * signals end-of-candidates once each has gathered.
 */
export async function wire(left: IceAgent, right: IceAgent): Promise<void> {
  left.setRemoteParameters(right.localParameters);
  right.setRemoteParameters(left.localParameters);
  left.on('candidate', (c) => right.addRemoteCandidate(JSON.parse(JSON.stringify(c))));
  right.on('candidate', (c) => left.addRemoteCandidate(c.toSdp()));
  await Promise.all([left.gather(), right.gather()]);
  left.endOfRemoteCandidates();
  right.endOfRemoteCandidates();
}
