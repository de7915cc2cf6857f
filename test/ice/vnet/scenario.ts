/**
 * Building blocks for scenario tests: two agents with their cores on a
 * virtual network, signalling between them, and predicates to wait for.
 */
import type { PriorityOptions, TcpType } from '../../../lib/candidate/index.js';
import { IceCore, seededRandom } from '../../../lib/ice/index.js';
import type { IceCoreApi, IceCoreOptions, IceState } from '../../../lib/ice/types.js';
import type { VirtualAgent } from './agent.js';
import { Signalling } from './signalling.js';
import type { Realm } from './topology.js';
import { VirtualWorld } from './world.js';

/** One side of a scenario. */
export interface PeerSpec {
  name: string;
  controlling: boolean;
  /** Interface addresses (default one IPv4 address per side). */
  addresses?: string[];
  /** Gather UDP host candidates (default true). */
  udp?: boolean;
  /** TCP host candidate kinds to gather (default none). */
  tcp?: TcpType[];
  lite?: boolean;
  /** S-O ports also accept unsolicited SYNs (default false: an early SYN meets a RST). */
  soListening?: boolean;
  /** Extra core options. */
  core?: Partial<Omit<IceCoreOptions, 'random' | 'controlling'>>;
  /** Priority options, for candidates and the core. */
  priority?: PriorityOptions;
  realm?: Realm;
  latencyMs?: number;
  udpLoss?: number;
  /** Seed of the core's random source (default: derived from the name). */
  seed?: number;
  /** Cap of the agent's event log (default 100000). */
  maxLogEntries?: number;
  /** Wrap the core before use (e.g. a recorder); gets the options the core would get. */
  wrapCore?: (options: IceCoreOptions) => IceCoreApi;
}

/** A two-agent setup. */
export interface PairSpec {
  seed?: number;
  udpLoss?: number;
  latencyMs?: number;
  signalDelayMs?: number;
  trickle?: boolean;
  a: PeerSpec;
  b: PeerSpec;
  /** An existing world (with NATs, servers...) to put the agents in. */
  world?: VirtualWorld;
  /** Called after the agents and signalling exist, before any candidate is gathered. */
  configure?: (s: TwoAgents) => void;
}

/** A running two-agent scenario. */
export interface TwoAgents {
  world: VirtualWorld;
  a: VirtualAgent;
  b: VirtualAgent;
  signalling: Signalling;
}

const seedOf = (name: string): number => [...name].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, 17);

/** A world whose cores are `IceCore`s. */
export function newWorld(options: { seed?: number; udpLoss?: number; latencyMs?: number } = {}): VirtualWorld {
  return new VirtualWorld({ ...options, createCore: (o) => new IceCore(o) });
}

/** Creates one agent (host + core) from a spec, without candidates. */
export function createPeer(world: VirtualWorld, spec: PeerSpec, defaultAddress: string): VirtualAgent {
  const host = world.net.addHost(spec.name, spec.addresses ?? [defaultAddress], {
    realm: spec.realm,
    latencyMs: spec.latencyMs,
    udpLoss: spec.udpLoss,
  });
  const options: IceCoreOptions = {
    ...spec.core,
    controlling: spec.controlling,
    lite: spec.lite,
    priority: spec.priority ?? spec.core?.priority,
    random: seededRandom(spec.seed ?? seedOf(spec.name)),
  };
  const core = spec.wrapCore ? spec.wrapCore(options) : undefined;
  return world.addAgent(spec.name, host, options, {
    lite: spec.lite,
    priority: options.priority,
    maxLogEntries: spec.maxLogEntries,
    ...(core ? { core } : {}),
  });
}

/**
 * Two agents, signalling between them, credentials exchanged and host
 * candidates gathered (and trickled). Call {@link finishGathering} (or
 * signal end-of-candidates yourself) when a test adds more.
 */
export function twoAgents(spec: PairSpec): TwoAgents {
  const world = spec.world ?? newWorld({ seed: spec.seed, udpLoss: spec.udpLoss, latencyMs: spec.latencyMs });
  const a = createPeer(world, spec.a, '10.0.0.1');
  const b = createPeer(world, spec.b, '10.0.0.2');
  const signalling = new Signalling(world.net, a, b, { delayMs: spec.signalDelayMs, trickle: spec.trickle });
  const setup = { world, a, b, signalling };
  spec.configure?.(setup);
  signalling.exchangeCredentials();
  for (const [agent, peer] of [
    [a, spec.a],
    [b, spec.b],
  ] as const) {
    agent.addHostCandidates({ udp: peer.udp ?? true, tcp: peer.tcp ?? [], soListening: peer.soListening });
  }
  return setup;
}

/** Both sides signal end-of-candidates. */
export function finishGathering(s: TwoAgents): void {
  s.signalling.endOfCandidates(s.a);
  s.signalling.endOfCandidates(s.b);
}

/** States in which data may flow. */
export const UP_STATES: ReadonlySet<IceState> = new Set(['connected', 'completed']);

/** True when the agent's state is connected or completed. */
export const isUp = (agent: VirtualAgent): boolean => UP_STATES.has(agent.core.state);

/** True when both sides have selected a pair for component 1. */
export const bothSelected = (s: { a: VirtualAgent; b: VirtualAgent }): boolean =>
  s.a.selectedPair() !== undefined && s.b.selectedPair() !== undefined;

/** True when both sides are completed. */
export const bothCompleted = (s: { a: VirtualAgent; b: VirtualAgent }): boolean =>
  s.a.core.state === 'completed' && s.b.core.state === 'completed';

/** Address of a candidate's side of a pair, `ip:port`, for assertions. */
export const endpoint = (c: { address: string; port: number }): string => `${c.address}:${c.port}`;
