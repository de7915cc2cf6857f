/**
 * A minimal deterministic loop for unit tests of the core: agents with UDP
 * host candidates and (optionally) TCP connections on an in-memory
 * network with a fixed latency and an optional drop rule. The full
 * virtual network with NATs lives in test/ice/vnet (scenario tests).
 */
import type { Candidate } from '../../../lib/candidate/index.js';
import { IceCore, seededRandom } from '../../../lib/ice/index.js';
import type { Address, ConnectionCommand, IceCoreOptions, IceEvent, Route, Transmit } from '../../../lib/ice/index.js';

export interface LoopAgent {
  name: string;
  core: IceCore;
  events: IceEvent[];
  /** The virtual time each event was polled at (same index as `events`). */
  eventTimes: number[];
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
  return {
    foundation: `h${address.replace(/[.:]/g, '')}`,
    component,
    transport: 'udp',
    priority,
    address,
    port,
    type: 'host',
    extensions: [],
  };
}

export function tcpHost(address: string, port: number, tcpType: 'active' | 'passive' | 'so', component = 1): Candidate {
  const direction = tcpType === 'active' ? 6 : tcpType === 'passive' ? 4 : 2;
  const priority = 16777216 * 125 + 256 * (8192 * direction + 8191) + (256 - component);
  return {
    foundation: `t${tcpType}${address.replace(/[.:]/g, '')}`,
    component,
    transport: 'tcp',
    priority,
    address,
    port: tcpType === 'active' ? 9 : port,
    type: 'host',
    tcpType,
    extensions: [],
  };
}

interface TcpBase {
  agent: LoopAgent;
  transportId: string;
  kind: 'active' | 'passive' | 'so';
  address: string;
  port: number;
}

interface TcpEnd {
  id: string;
  agent: LoopAgent;
  transportId: string;
  local: Address;
  remote: Address;
  peer: TcpEnd | undefined;
}

export class Loop {
  now = 0;
  latency = 10;
  /** Return true to drop a transmit. */
  drop: (from: LoopAgent, t: Transmit) => boolean = () => false;
  /** Replaces a transmit's bytes before delivery (a peer that misbehaves on the wire). */
  rewrite: ((from: LoopAgent, t: Transmit) => Buffer) | undefined;
  /** Return false to swallow a connection command (e.g. a peer that never closes). */
  allowCommand: (agent: LoopAgent, command: ConnectionCommand) => boolean = () => true;
  /** Connection commands are left to the test when set. */
  onConnect: ((agent: LoopAgent, command: ConnectionCommand) => void) | undefined;
  readonly agents: LoopAgent[] = [];
  private readonly udp = new Map<string, { agent: LoopAgent; transportId: string }>();
  private readonly udpAddress = new Map<string, Address>();
  private queue: Delivery[] = [];
  private seq = 0;
  private readonly tcpBases = new Map<string, TcpBase>();
  readonly tcpEnds = new Map<string, TcpEnd>();
  /** Outstanding S-O connects: `local>remote` -> attempt. */
  private readonly soPending = new Map<string, { agent: LoopAgent; attemptId: string; transportId: string }>();
  private ephemeral = 40000;
  private connCounter = 0;
  /** S-O bases accept like listeners (else an early SYN is refused until the SYNs cross). */
  soAccepts = false;
  /** Remote addresses whose SYNs vanish (connect timeout). */
  readonly blackholes = new Set<string>();

  agent(name: string, options: Partial<IceCoreOptions> & { controlling: boolean }, seed: number): LoopAgent {
    const core = new IceCore({ random: seededRandom(seed), ...options });
    const agent: LoopAgent = { name, core, events: [], eventTimes: [], commands: [], data: [], sent: [] };
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

  /** Adds a TCP candidate (active on port 9; passive/so bound to `port`). */
  addTcpHost(agent: LoopAgent, address: string, port: number, tcpType: 'active' | 'passive' | 'so', component = 1): Candidate {
    const transportId = `${agent.name}/tcp-${tcpType}/${address}${tcpType === 'active' ? '' : `:${port}`}`;
    const candidate = tcpHost(address, port, tcpType, component);
    if (tcpType !== 'active') this.tcpBases.set(`${address}:${port}`, { agent, transportId, kind: tcpType, address, port });
    agent.core.addLocalCandidate(this.now, { candidate, transportId });
    return candidate;
  }

  private handleCommand(agent: LoopAgent, c: ConnectionCommand): void {
    if (c.type === 'close') {
      const end = this.tcpEnds.get(c.connectionId);
      if (end === undefined) return;
      this.tcpEnds.delete(end.id);
      this.schedule(0, () =>
        agent.core.handleConnection(this.now, { type: 'closed', connectionId: end.id, reason: 'local', message: c.reason }),
      );
      const peer = end.peer;
      if (peer !== undefined && this.tcpEnds.has(peer.id)) {
        this.tcpEnds.delete(peer.id);
        this.schedule(this.latency, () =>
          peer.agent.core.handleConnection(this.now, { type: 'closed', connectionId: peer.id, reason: 'end' }),
        );
      }
      return;
    }
    const local = c.tcpType === 'active' ? { address: c.local.address, port: this.ephemeral++ } : c.local;
    const remoteKey = key(c.remote);
    if (this.blackholes.has(remoteKey)) return;
    const target = this.tcpBases.get(remoteKey);
    const mirrored = `${key(c.remote)}>${key(local)}`;
    const crossing = this.soPending.get(mirrored);
    if (c.tcpType === 'so' && crossing !== undefined) {
      // The SYNs cross: one connection, both sides see 'connected'.
      this.soPending.delete(mirrored);
      const a = this.makeEnds(agent, c.transportId, local, c.remote, crossing.agent, crossing.transportId);
      this.schedule(this.latency, () => {
        agent.core.handleConnection(this.now, {
          type: 'connected',
          attemptId: c.attemptId,
          connectionId: a.id,
          transportId: c.transportId,
          local,
          remote: c.remote,
        });
        crossing.agent.core.handleConnection(this.now, {
          type: 'connected',
          attemptId: crossing.attemptId,
          connectionId: a.peer!.id,
          transportId: crossing.transportId,
          local: c.remote,
          remote: local,
        });
      });
      return;
    }
    if (target === undefined || (target.kind === 'so' && !this.soAccepts)) {
      if (c.tcpType === 'so' && target?.kind === 'so') {
        const pendingKey = `${key(local)}>${key(c.remote)}`;
        this.soPending.set(pendingKey, { agent, attemptId: c.attemptId, transportId: c.transportId });
        this.schedule(this.latency * 2, () => {
          if (this.soPending.get(pendingKey)?.attemptId !== c.attemptId) return;
          this.soPending.delete(pendingKey);
          agent.core.handleConnection(this.now, { type: 'connect-failed', attemptId: c.attemptId, reason: 'refused' });
        });
        return;
      }
      this.schedule(this.latency * 2, () =>
        agent.core.handleConnection(this.now, { type: 'connect-failed', attemptId: c.attemptId, reason: 'refused' }),
      );
      return;
    }
    const ends = this.makeEnds(agent, c.transportId, local, c.remote, target.agent, target.transportId);
    this.schedule(this.latency, () => {
      agent.core.handleConnection(this.now, {
        type: 'connected',
        attemptId: c.attemptId,
        connectionId: ends.id,
        transportId: c.transportId,
        local,
        remote: c.remote,
      });
      target.agent.core.handleConnection(this.now, {
        type: 'accepted',
        connectionId: ends.peer!.id,
        transportId: target.transportId,
        local: c.remote,
        remote: local,
      });
    });
  }

  private makeEnds(a: LoopAgent, aTransport: string, aLocal: Address, aRemote: Address, b: LoopAgent, bTransport: string): TcpEnd {
    const n = ++this.connCounter;
    const ea: TcpEnd = { id: `${a.name}-k${n}`, agent: a, transportId: aTransport, local: aLocal, remote: aRemote, peer: undefined };
    const eb: TcpEnd = { id: `${b.name}-k${n}`, agent: b, transportId: bTransport, local: aRemote, remote: aLocal, peer: ea };
    ea.peer = eb;
    this.tcpEnds.set(ea.id, ea);
    this.tcpEnds.set(eb.id, eb);
    return ea;
  }

  /** Resets a connection: both ends see 'closed' / 'reset'. */
  resetConnection(id: string): void {
    const end = this.tcpEnds.get(id);
    if (end === undefined) return;
    for (const e of [end, end.peer]) {
      if (e === undefined || !this.tcpEnds.has(e.id)) continue;
      this.tcpEnds.delete(e.id);
      this.schedule(e === end ? 0 : this.latency, () =>
        e.agent.core.handleConnection(this.now, { type: 'closed', connectionId: e.id, reason: 'reset' }),
      );
    }
  }

  /** Sends a raw frame from one end of a connection to the other. */
  sendFrame(from: LoopAgent, connectionId: string, data: Buffer): void {
    const end = this.tcpEnds.get(connectionId);
    const peer = end?.peer;
    if (end === undefined || end.agent !== from || peer === undefined) return;
    this.schedule(this.latency, () => {
      if (!this.tcpEnds.has(peer.id)) return;
      const d = peer.agent.core.handlePacket(this.now, { transportId: peer.transportId, connectionId: peer.id, from: peer.remote, data });
      if (typeof d === 'object') peer.agent.data.push(data);
    });
  }

  /** Exchanges credentials and the given candidates. */
  signal(
    a: LoopAgent,
    b: LoopAgent,
    aCandidates: Candidate[],
    bCandidates: Candidate[],
    options: { aLite?: boolean; bLite?: boolean } = {},
  ): void {
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
        if (this.rewrite !== undefined) t = { ...t, data: this.rewrite(agent, t) };
        if (t.connectionId === undefined) this.routeUdp(agent, t);
        else this.sendFrame(agent, t.connectionId, Buffer.from(t.data));
      }
      for (let c = agent.core.pollConnectionCommand(); c !== undefined; c = agent.core.pollConnectionCommand()) {
        agent.commands.push(c);
        if (!this.allowCommand(agent, c)) continue;
        if (this.onConnect !== undefined) this.onConnect(agent, c);
        else this.handleCommand(agent, c);
      }
      for (let e = agent.core.pollEvent(); e !== undefined; e = agent.core.pollEvent()) {
        agent.events.push(e);
        agent.eventTimes.push(this.now);
      }
    }
  }

  private routeUdp(from: LoopAgent, t: Transmit): void {
    const source = this.udpAddress.get(`${from.name}|${t.transportId}`);
    const target = this.udp.get(key(t.to));
    if (source === undefined || target === undefined) return;
    const data = Buffer.from(t.data);
    this.schedule(this.latency, () => {
      const d = target.agent.core.handlePacket(this.now, { transportId: target.transportId, from: source, data });
      if (typeof d === 'object') target.agent.data.push(data);
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
      while (this.queue.length > 0 && this.queue[0].at <= this.now) {
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

  /** The last route event of a component. */
  route(agent: LoopAgent, component = 1): Route | null | undefined {
    return [...agent.events]
      .reverse()
      .find((e): e is Extract<IceEvent, { type: 'route' }> => e.type === 'route' && e.component === component)?.route;
  }

  /** Sends application data from `from` along its current route. */
  sendData(from: LoopAgent, component: number, payload: Buffer): boolean {
    // As a runtime does: the core hears that data is sent (RFC 7675 §5.1, consent follows application data).
    from.core.handleDataSent(this.now, component);
    const route = this.route(from, component);
    if (route == null) return false;
    if (route.transport === 'tcp') {
      if (route.connectionId === undefined || !this.tcpEnds.has(route.connectionId)) return false;
      this.sendFrame(from, route.connectionId, payload);
      return true;
    }
    this.routeUdp(from, { transportId: route.transportId, to: route.remote, data: payload });
    return true;
  }
}

export function eventsOf<T extends IceEvent['type']>(agent: LoopAgent, type: T): Array<Extract<IceEvent, { type: T }>> {
  return agent.events.filter((e): e is Extract<IceEvent, { type: T }> => e.type === type);
}
