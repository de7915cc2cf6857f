/**
 * A minimal deterministic loop for unit tests of the core: agents with UDP
 * host candidates and (optionally) TCP connections on an in-memory
 * network with a fixed latency and an optional drop rule. The full
 * virtual network with NATs lives in test/ice/vnet (scenario tests).
 */
import type { Candidate } from '../../../lib/candidate/index.js';
import { IceCore, seededRandom } from '../../../lib/ice/index.js';
import type { Address, ConnectionCommand, IceCoreOptions, IceEvent, Transmit } from '../../../lib/ice/index.js';

export interface LoopAgent {
  name: string;
  core: IceCore;
  events: IceEvent[];
  commands: ConnectionCommand[];
  /** Application data received (disposition 'data'). */
  data: Buffer[];
  /** Every transmit, for inspection. */
  sent: Transmit[];
}

interface Delivery {
  at: number;
  seq: number;
  run: () => void;
}

const key = (a: Address): string => `${a.address}:${a.port}`;

export function udpHost(address: string, port: number, component = 1, priority = 2130706431 - component + 1): Candidate {
  return { foundation: `h${address.replace(/[.:]/g, '')}`, component, transport: 'udp', priority, address, port, type: 'host', extensions: [] };
}

export class Loop {
  now = 0;
  latency = 10;
  /** Return true to drop a transmit. */
  drop: (from: LoopAgent, t: Transmit) => boolean = () => false;
  /** Connection commands are left to the test when set. */
  onConnect: ((agent: LoopAgent, command: ConnectionCommand) => void) | undefined;
  readonly agents: LoopAgent[] = [];
  private readonly udp = new Map<string, { agent: LoopAgent; transportId: string }>();
  private readonly udpAddress = new Map<string, Address>();
  private queue: Delivery[] = [];
  private seq = 0;

  agent(name: string, options: Partial<IceCoreOptions> & { controlling: boolean }, seed: number): LoopAgent {
    const core = new IceCore({ random: seededRandom(seed), ...options });
    const agent: LoopAgent = { name, core, events: [], commands: [], data: [], sent: [] };
    this.agents.push(agent);
    return agent;
  }

  /** Adds a UDP host candidate to `agent` and returns it (for signalling). */
  addUdpHost(agent: LoopAgent, address: string, port: number, component = 1): Candidate {
    const transportId = `${agent.name}/udp/${address}:${port}`;
    const candidate = udpHost(address, port, component);
    this.udp.set(`${address}:${port}`, { agent, transportId });
    this.udpAddress.set(`${agent.name}|${transportId}`, { address, port });
    agent.core.addLocalCandidate(this.now, { candidate, transportId });
    return candidate;
  }

  /** Exchanges credentials and the given candidates. */
  signal(a: LoopAgent, b: LoopAgent, aCandidates: Candidate[], bCandidates: Candidate[], options: { aLite?: boolean; bLite?: boolean } = {}): void {
    a.core.setRemoteCredentials(this.now, { ...b.core.localCredentials, lite: options.bLite === true });
    b.core.setRemoteCredentials(this.now, { ...a.core.localCredentials, lite: options.aLite === true });
    for (const c of bCandidates) a.core.addRemoteCandidate(this.now, c);
    for (const c of aCandidates) b.core.addRemoteCandidate(this.now, c);
  }

  schedule(delay: number, run: () => void): void {
    this.queue.push({ at: this.now + delay, seq: this.seq++, run });
    this.queue.sort((x, y) => x.at - y.at || x.seq - y.seq);
  }

  /** Drains every agent's outputs, scheduling deliveries. */
  drain(): void {
    for (const agent of this.agents) {
      for (let t = agent.core.pollTransmit(); t !== undefined; t = agent.core.pollTransmit()) {
        agent.sent.push(t);
        if (this.drop(agent, t)) continue;
        if (t.connectionId === undefined) this.routeUdp(agent, t);
      }
      for (let c = agent.core.pollConnect(); c !== undefined; c = agent.core.pollConnect()) {
        agent.commands.push(c);
        this.onConnect?.(agent, c);
      }
      for (let e = agent.core.pollEvent(); e !== undefined; e = agent.core.pollEvent()) agent.events.push(e);
    }
  }

  private routeUdp(from: LoopAgent, t: Transmit): void {
    const source = this.udpAddress.get(`${from.name}|${t.transportId}`);
    const target = this.udp.get(key(t.to));
    if (source === undefined || target === undefined) return;
    const data = Buffer.from(t.data);
    this.schedule(this.latency, () => {
      const d = target.agent.core.handlePacket(this.now, { transportId: target.transportId, from: source, data });
      if (d === 'data') target.agent.data.push(data);
    });
  }

  /** Runs until `until` (virtual ms) or until nothing is left to do. */
  run(until: number): void {
    this.drain();
    for (;;) {
      let next = this.queue[0]?.at;
      for (const a of this.agents) {
        const t = a.core.pollTimeout();
        if (t !== undefined && (next === undefined || t < next)) next = t;
      }
      if (next === undefined || next > until) break;
      this.now = Math.max(this.now, next);
      while (this.queue.length > 0 && this.queue[0]!.at <= this.now) {
        this.queue.shift()!.run();
        this.drain();
      }
      for (const a of this.agents) {
        const t = a.core.pollTimeout();
        if (t !== undefined && t <= this.now) a.core.handleTimeout(this.now);
      }
      this.drain();
    }
    this.now = Math.max(this.now, until);
  }

  /** Sends application data from `from` along its current route (UDP only). */
  sendData(from: LoopAgent, component: number, payload: Buffer): boolean {
    const route = [...from.events].reverse().find((e): e is Extract<IceEvent, { type: 'route' }> => e.type === 'route' && e.component === component)?.route;
    if (route == null || route.transport !== 'udp') return false;
    this.routeUdp(from, { transportId: route.transportId, to: route.remote, data: payload });
    return true;
  }
}

export function eventsOf<T extends IceEvent['type']>(agent: LoopAgent, type: T): Array<Extract<IceEvent, { type: T }>> {
  return agent.events.filter((e): e is Extract<IceEvent, { type: T }> => e.type === type);
}
