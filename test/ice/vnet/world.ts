/**
 * The driver loop: one virtual clock for the network and every core.
 * Each step does the earliest of (a) the next network task (packet arrival,
 * TCP event, fault) and (b) the earliest core timeout (`pollTimeout`), then
 * drains the core(s) concerned. Ties go to the network first, then to the
 * agents in the order they were added, so a run is fully reproducible.
 */
import type { IceCoreApi, IceCoreOptions } from '../../../lib/ice/types.js';
import { VirtualAgent, type VirtualAgentOptions } from './agent.js';
import { VirtualNetwork, type VirtualNetworkOptions } from './network.js';
import type { VirtualHost } from './topology.js';

/** Options of a {@link VirtualWorld}. */
export interface VirtualWorldOptions extends VirtualNetworkOptions {
  /** Makes a core from its options (e.g. `(o) => new IceCore(o)`). */
  createCore: (options: IceCoreOptions) => IceCoreApi;
  /** Steps allowed at one virtual instant before the loop declares a spin (default 100000). */
  maxStepsPerInstant?: number;
}

/** Thrown when a core keeps asking for `handleTimeout` without time moving on. */
export class SpinError extends Error {}

/** A network plus the agents on it, and the loop that runs them. */
export class VirtualWorld {
  readonly net: VirtualNetwork;
  readonly agents: VirtualAgent[] = [];
  /** Steps taken so far. */
  steps = 0;
  private readonly createCore: (options: IceCoreOptions) => IceCoreApi;
  private readonly maxStepsPerInstant: number;
  private instant = -1;
  private stepsAtInstant = 0;

  constructor(options: VirtualWorldOptions) {
    this.net = new VirtualNetwork(options);
    this.createCore = options.createCore;
    this.maxStepsPerInstant = options.maxStepsPerInstant ?? 100000;
  }

  /** The current virtual time (ms). */
  get now(): number {
    return this.net.now;
  }

  /** Creates a core with `coreOptions` and an agent driving it on `host`. */
  addAgent(name: string, host: VirtualHost, coreOptions: IceCoreOptions, options: Partial<VirtualAgentOptions> = {}): VirtualAgent {
    const core = options.core ?? this.createCore(coreOptions);
    const agent = new VirtualAgent(this.net, { name, host, core, ...options });
    this.agents.push(agent);
    return agent;
  }

  /** Adds an agent around a core made elsewhere (e.g. a recording wrapper). */
  adopt(agent: VirtualAgent): VirtualAgent {
    this.agents.push(agent);
    return agent;
  }

  /**
   * Does one thing: the next network task or the earliest due core timeout,
   * if it is not later than `deadline`. Returns false when nothing is left
   * before the deadline.
   */
  step(deadline: number): boolean {
    const clock = this.net.clock;
    const taskAt = clock.peekTime();
    let timerAt: number | undefined;
    let timerAgent: VirtualAgent | undefined;
    for (const agent of this.agents) {
      const t = agent.core.pollTimeout();
      if (t !== undefined && (timerAt === undefined || t < timerAt)) {
        timerAt = t;
        timerAgent = agent;
      }
    }
    const next = Math.min(taskAt ?? Infinity, timerAt ?? Infinity);
    if (next === Infinity || next > deadline) return false;
    this.steps++;
    if (taskAt !== undefined && taskAt <= (timerAt ?? Infinity)) {
      clock.runNext();
    } else {
      clock.now = Math.max(clock.now, timerAt!);
      timerAgent!.fireTimeout(clock.now);
    }
    if (clock.now === this.instant) {
      if (++this.stepsAtInstant > this.maxStepsPerInstant) {
        const timeouts = this.agents.map((a) => `${a.name}: pollTimeout ${String(a.core.pollTimeout())}`).join(', ');
        throw new SpinError(`no progress: ${this.stepsAtInstant} steps at t=${clock.now} (${timeouts})`);
      }
    } else {
      this.instant = clock.now;
      this.stepsAtInstant = 0;
    }
    return true;
  }

  /**
   * Runs until `predicate` holds or `timeoutMs` of virtual time have passed.
   * Returns whether the predicate holds. The predicate is checked after
   * every step.
   */
  runUntil(predicate: () => boolean, timeoutMs = 60000): boolean {
    const deadline = this.now + timeoutMs;
    while (!predicate()) {
      if (!this.step(deadline)) {
        this.net.clock.now = Math.max(this.net.clock.now, deadline);
        return predicate();
      }
    }
    return true;
  }

  /** Runs for `ms` of virtual time. */
  runFor(ms: number): void {
    this.runUntil(() => false, ms);
  }
}
