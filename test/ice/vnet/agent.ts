/**
 * A virtual agent: one IceCore on one virtual host, driven the way the Node
 * runtime drives it (sockets, framed TCP connections, draining the four poll
 * methods after every input), with an event log, the application data it
 * received, and a list of contract violations it saw the core commit.
 */
import createDebug from 'debug';
import type { Candidate, PriorityOptions, TcpType } from '../../../lib/candidate/index.js';
import type { Address, ConnectionCommand, IceCoreApi, IceEvent, Route, Transmit } from '../../../lib/ice/types.js';
import { describeCandidate, makeLocalCandidate } from './candidates.js';
import type { TcpNetEvent, TcpOwner } from './endpoints.js';
import type { VirtualNetwork } from './network.js';
import { SrflxGatherer, type GatherSource } from './srflx-gatherer.js';
import { addressKey, formatAddress, type VirtualHost } from './topology.js';

const log = createDebug('ice-tcp:vnet');

/** A socket (UDP) or TCP base the agent owns; `transportId` is what the core names. */
export interface LocalSocket {
  transportId: string;
  kind: 'udp' | TcpType;
  local: Address;
  component: number;
  interfaceIndex: number;
}

/** An event as logged, with its virtual time. */
export interface LoggedEvent {
  at: number;
  event: IceEvent;
}

/** Application data the core classified as `'data'`. */
export interface ReceivedData {
  at: number;
  transportId: string;
  connectionId?: string;
  from: Address;
  to: Address;
  data: Buffer;
}

/** Options of a {@link VirtualAgent}. */
export interface VirtualAgentOptions {
  name: string;
  host: VirtualHost;
  core: IceCoreApi;
  /** The agent is ICE-lite (signalled to the peer with the credentials). */
  lite?: boolean;
  /** Priority options used for the local candidates (e.g. `preferTcp`). */
  priority?: PriorityOptions;
  /** Report `closed`/`local` to the core after it closes a connection (default true). */
  reportLocalClose?: boolean;
  /** Cap of the event log (oldest entries dropped beyond it; default 100000). */
  maxLogEntries?: number;
}

/** One IceCore on the virtual network. */
export class VirtualAgent implements TcpOwner {
  readonly name: string;
  readonly host: VirtualHost;
  readonly core: IceCoreApi;
  readonly lite: boolean;
  readonly events: LoggedEvent[] = [];
  readonly received: ReceivedData[] = [];
  /** Things the core did that break the contract of lib/ice/types.ts. */
  readonly anomalies: string[] = [];
  readonly routes = new Map<number, Route | null>();
  readonly localCandidates: Candidate[] = [];
  readonly sockets = new Map<string, LocalSocket>();
  /** Open TCP connections by id. */
  readonly connections = new Map<string, { transportId: string; local: Address; remote: Address }>();
  readonly dispositions: Record<'stun' | 'data' | 'dropped', number> = { stun: 0, data: 0, dropped: 0 };
  /** Transmits and frames sent, and sends attempted on connections already gone. */
  readonly sent = { udp: 0, tcp: 0, onClosedConnection: 0, dataBlocked: 0 };
  /** Connection commands and events as the runtime saw them, in order (for TCP assertions). */
  readonly tcpLog: Array<{ at: number; what: 'connect' | 'close' | TcpNetEvent['type']; id: string; detail?: string }> = [];
  /** Listeners for each new local candidate (signalling). */
  readonly candidateListeners: Array<(c: Candidate) => void> = [];
  /** Listeners for every core event. */
  readonly eventListeners: Array<(event: IceEvent, at: number) => void> = [];
  private readonly knownConnections = new Set<string>();
  private readonly attempts = new Map<string, string>();
  private readonly priority: PriorityOptions | undefined;
  private readonly reportLocalClose: boolean;
  private readonly maxLog: number;
  private gatherer?: SrflxGatherer;
  private draining = false;
  /** Components whose sends the core has heard of since the last timeout. */
  private readonly sendReported = new Set<number>();

  constructor(
    private readonly net: VirtualNetwork,
    options: VirtualAgentOptions,
  ) {
    this.name = options.name;
    this.host = options.host;
    this.core = options.core;
    this.lite = options.lite ?? false;
    this.priority = options.priority;
    this.reportLocalClose = options.reportLocalClose ?? true;
    this.maxLog = options.maxLogEntries ?? 100000;
  }

  /** Binds a UDP socket and adds its host candidate. */
  addUdp(address: string, options: { port?: number; component?: number } = {}): Candidate {
    const local = this.net.bindUdp(
      this.host,
      { address, port: options.port ?? 0 },
      {
        onUdp: (now, p) => this.onUdpAt(local, now, p),
      },
    );
    return this.addSocket({
      transportId: `udp:${formatAddress(local)}`,
      kind: 'udp',
      local,
      component: options.component ?? 1,
      interfaceIndex: this.interfaceIndex(address),
    });
  }

  /** Sets up a TCP base (RFC 6544 §5.1) and adds its host candidate. */
  addTcp(address: string, tcpType: TcpType, options: { port?: number; component?: number; listening?: boolean } = {}): Candidate {
    let local: Address = { address, port: 0 };
    const transportId = `tcp-${tcpType}:${address}`;
    let id = transportId;
    if (tcpType !== 'active') {
      local = this.net.tcp.bind(this.host, { address, port: options.port ?? 0 }, tcpType, this, 'pending', options.listening);
      id = `${transportId}:${local.port}`;
      this.host.tcpPorts.get(addressKey(local))!.id = id;
    }
    return this.addSocket({
      transportId: id,
      kind: tcpType,
      local,
      component: options.component ?? 1,
      interfaceIndex: this.interfaceIndex(address),
    });
  }

  /** Host candidates on every address of the host: UDP and the TCP kinds asked for. */
  addHostCandidates(options: { udp?: boolean; tcp?: TcpType[]; components?: number; soListening?: boolean } = {}): Candidate[] {
    const out: Candidate[] = [];
    for (let component = 1; component <= (options.components ?? 1); component++) {
      for (const address of this.host.addresses) {
        if (options.udp ?? true) out.push(this.addUdp(address, { component }));
        for (const t of options.tcp ?? [])
          out.push(this.addTcp(address, t, { component, listening: t === 'so' ? options.soListening : undefined }));
      }
    }
    return out;
  }

  /**
   * Learns server-reflexive candidates from a STUN server: over UDP from each
   * UDP socket, over TCP from each S-O and passive port (advertised with the
   * same tcptype, related address = the base, RFC 6544 §4.1, §5.2).
   */
  gatherSrflx(server: Address, kinds: { udp?: boolean; tcp?: boolean } = {}): void {
    const gatherer = (this.gatherer ??= new SrflxGatherer(this.net, this.host, this.net.prng.fork(), (source, mapped, srv) => {
      if (addressKey(mapped) === addressKey(source.local)) return; // no NAT: redundant with the host candidate (RFC 8445 §5.1.3)
      const candidate = makeLocalCandidate({
        type: 'srflx',
        transport: source.kind === 'udp' ? 'udp' : 'tcp',
        tcpType: source.kind === 'udp' ? undefined : source.kind,
        component: source.component,
        address: mapped,
        base: source.local,
        server: srv,
        interfaceIndex: source.interfaceIndex,
        priority: this.priority,
      });
      this.announce(candidate, source.transportId);
    }));
    const sources: GatherSource[] = [];
    for (const s of this.sockets.values()) {
      if (s.kind === 'active') continue;
      if (s.kind === 'udp' ? (kinds.udp ?? true) : (kinds.tcp ?? true)) sources.push({ ...s, kind: s.kind });
    }
    gatherer.start(sources, server);
  }

  /** True while srflx transactions are outstanding. */
  get gathering(): boolean {
    return (this.gatherer?.outstanding ?? 0) > 0;
  }

  /** Runs a command on the core at the current virtual time, then drains it. */
  call<T>(fn: (core: IceCoreApi, now: number) => T): T {
    const result = fn(this.core, this.net.now);
    this.drain();
    return result;
  }

  /** Sends application data on the current route of a component; false when there is none. */
  send(payload: Buffer, component = 1): boolean {
    // As the Node runtime does (runtime.ts SendNotice): the first send after each timeout reaches the core (RFC 7675 §5.1).
    if (!this.sendReported.has(component)) {
      this.sendReported.add(component);
      this.core.handleDataSent?.(this.net.now, component);
      this.drain();
    }
    const route = this.routes.get(component);
    if (!route) {
      this.sent.dataBlocked++;
      return false;
    }
    if (route.transport === 'tcp') {
      if (!route.connectionId || !this.connections.has(route.connectionId)) {
        this.anomaly(`route names connection ${route.connectionId ?? '(none)'} which is not open`);
        return false;
      }
      return this.net.tcp.send(route.connectionId, payload);
    }
    const sock = this.sockets.get(route.transportId);
    if (!sock) {
      this.anomaly(`route names unknown transport ${route.transportId}`);
      return false;
    }
    this.net.sendUdp(this.host, sock.local, route.remote, payload);
    return true;
  }

  /** Calls `handleTimeout` when the core's timer is due at `now`. */
  fireTimeout(now: number): void {
    this.sendReported.clear();
    this.core.handleTimeout(now);
    this.drain();
  }

  /** Drains transmits, connection commands and events until all are empty. */
  drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let busy = true; busy;) {
        busy = false;
        for (let t = this.core.pollTransmit(); t; t = this.core.pollTransmit()) {
          busy = true;
          this.transmit(t);
        }
        for (let c = this.core.pollConnectionCommand(); c; c = this.core.pollConnectionCommand()) {
          busy = true;
          this.command(c);
        }
        for (let e = this.core.pollEvent(); e; e = this.core.pollEvent()) {
          busy = true;
          this.onEvent(e);
        }
      }
    } finally {
      this.draining = false;
    }
    this.checkRoutes();
  }

  /**
   * The route lifecycle of lib/ice/types.ts ('route' event): once a drain
   * is over, no route names a connection that is gone (closed by the core,
   * or reported closed to it in this drain).
   */
  private checkRoutes(): void {
    for (const [component, route] of this.routes) {
      if (route?.connectionId !== undefined && !this.connections.has(route.connectionId))
        this.anomaly(`component ${component}: the route still names connection ${route.connectionId}, which is gone`);
    }
  }

  onTcp(now: number, event: TcpNetEvent): void {
    if (event.type !== 'frame') {
      const id = event.type === 'connected' || event.type === 'connect-failed' ? event.tag : event.connectionId;
      const detail =
        event.type === 'connect-failed' || event.type === 'closed'
          ? event.reason
          : event.type === 'connected'
            ? event.connectionId
            : undefined;
      this.tcpLog.push({ at: now, what: event.type, id, detail });
    }
    switch (event.type) {
      case 'connected': {
        const transportId = this.attempts.get(event.tag);
        if (transportId === undefined) return this.anomaly(`connected for unknown attempt ${event.tag}`);
        this.attempts.delete(event.tag);
        this.openConnection(event.connectionId, transportId, event.local, event.remote);
        this.core.handleConnection(now, {
          type: 'connected',
          attemptId: event.tag,
          connectionId: event.connectionId,
          transportId,
          local: event.local,
          remote: event.remote,
        });
        break;
      }
      case 'connect-failed':
        this.attempts.delete(event.tag);
        this.core.handleConnection(now, { type: 'connect-failed', attemptId: event.tag, reason: event.reason, message: event.message });
        break;
      case 'accepted':
        this.openConnection(event.connectionId, event.portId, event.local, event.remote);
        this.core.handleConnection(now, {
          type: 'accepted',
          connectionId: event.connectionId,
          transportId: event.portId,
          local: event.local,
          remote: event.remote,
        });
        break;
      case 'frame': {
        const conn = this.connections.get(event.connectionId);
        if (!conn) return;
        this.deliver(now, {
          transportId: conn.transportId,
          connectionId: event.connectionId,
          from: conn.remote,
          to: conn.local,
          data: event.data,
        });
        break;
      }
      case 'closed':
        this.connections.delete(event.connectionId);
        this.core.handleConnection(now, { type: 'closed', connectionId: event.connectionId, reason: event.reason, message: event.message });
        break;
    }
    this.drain();
  }

  /** Every event of a type, in order. */
  eventsOf<K extends IceEvent['type']>(type: K): Array<Extract<IceEvent, { type: K }> & { at: number }> {
    return this.events.filter((e) => e.event.type === type).map((e) => ({ ...(e.event as Extract<IceEvent, { type: K }>), at: e.at }));
  }

  /** The sequence of agent states so far. */
  stateHistory(): string[] {
    return this.eventsOf('state').map((e) => e.state);
  }

  /** The last selected pair of a component, if any. */
  selectedPair(component = 1): Extract<IceEvent, { type: 'selected-pair' }>['pair'] | undefined {
    return this.eventsOf('selected-pair')
      .filter((e) => e.pair.component === component)
      .at(-1)?.pair;
  }

  private interfaceIndex(address: string): number {
    const i = this.host.addresses.indexOf(address);
    if (i < 0) throw new Error(`${this.host.name} has no address ${address}`);
    return i;
  }

  private addSocket(sock: LocalSocket): Candidate {
    this.sockets.set(sock.transportId, sock);
    const candidate = makeLocalCandidate({
      type: 'host',
      transport: sock.kind === 'udp' ? 'udp' : 'tcp',
      tcpType: sock.kind === 'udp' ? undefined : sock.kind,
      component: sock.component,
      address: sock.local,
      interfaceIndex: sock.interfaceIndex,
      priority: this.priority,
    });
    this.announce(candidate, sock.transportId);
    return candidate;
  }

  private announce(candidate: Candidate, transportId: string): void {
    this.localCandidates.push(candidate);
    log('%s: local candidate %s on %s', this.name, describeCandidate(candidate), transportId);
    this.call((core, now) => core.addLocalCandidate(now, { candidate, transportId }));
    for (const l of this.candidateListeners) l(candidate);
  }

  private onUdpAt(local: Address, now: number, p: { from: Address; to: Address; data: Buffer }): void {
    if (this.gatherer?.claimUdp(local, p.from, p.data)) return;
    this.deliver(now, { transportId: `udp:${formatAddress(local)}`, from: p.from, to: p.to, data: p.data });
    this.drain();
  }

  private deliver(now: number, packet: { transportId: string; connectionId?: string; from: Address; to: Address; data: Buffer }): void {
    const disposition = this.core.handlePacket(now, packet);
    if (typeof disposition === 'object') {
      this.dispositions.data++;
      // 'data' carries its component: the component of the transport it arrived on.
      const component = this.sockets.get(packet.transportId)?.component;
      if (disposition.component !== component)
        this.anomaly(`data on ${packet.transportId} (component ${component}) classified for component ${disposition.component}`);
      this.received.push({ at: now, ...packet });
    } else {
      this.dispositions[disposition]++;
    }
  }

  private openConnection(id: string, transportId: string, local: Address, remote: Address): void {
    this.connections.set(id, { transportId, local, remote });
    this.knownConnections.add(id);
  }

  private anomaly(message: string): void {
    const text = `${this.name} @${this.net.now}: ${message}`;
    log('ANOMALY %s', text);
    this.anomalies.push(text);
  }

  private transmit(t: Transmit): void {
    if (t.connectionId !== undefined) {
      const conn = this.connections.get(t.connectionId);
      if (!conn) {
        if (this.knownConnections.has(t.connectionId)) this.sent.onClosedConnection++;
        else this.anomaly(`transmit on unknown connection ${t.connectionId}`);
        return;
      }
      if (conn.transportId !== t.transportId)
        this.anomaly(`transmit on ${t.connectionId} names transport ${t.transportId}, not ${conn.transportId}`);
      if (addressKey(conn.remote) !== addressKey(t.to))
        this.anomaly(`transmit on ${t.connectionId} to ${formatAddress(t.to)}, but its peer is ${formatAddress(conn.remote)}`);
      try {
        if (this.net.tcp.send(t.connectionId, t.data)) this.sent.tcp++;
        else this.sent.onClosedConnection++;
      } catch (err) {
        this.anomaly(`frame of ${t.data.length} bytes could not be sent: ${(err as Error).message}`);
      }
      return;
    }
    const sock = this.sockets.get(t.transportId);
    if (!sock || sock.kind !== 'udp') return this.anomaly(`UDP transmit on ${t.transportId}, which is not a UDP socket`);
    this.sent.udp++;
    this.net.sendUdp(this.host, sock.local, t.to, t.data);
  }

  private command(c: ConnectionCommand): void {
    if (c.type === 'close') {
      if (!this.connections.has(c.connectionId)) {
        if (!this.knownConnections.has(c.connectionId)) this.anomaly(`close of unknown connection ${c.connectionId}`);
        return;
      }
      const conn = this.connections.get(c.connectionId)!;
      if (conn.transportId !== c.transportId)
        this.anomaly(`close of ${c.connectionId} names transport ${c.transportId}, not ${conn.transportId}`);
      log('%s: core closes %s (%s)', this.name, c.connectionId, c.reason);
      this.tcpLog.push({ at: this.net.now, what: 'close', id: c.connectionId, detail: c.reason });
      this.connections.delete(c.connectionId);
      this.net.tcp.close(c.connectionId);
      if (this.reportLocalClose) {
        this.net.clock.after(0, 'local-close', () => {
          this.core.handleConnection(this.net.now, { type: 'closed', connectionId: c.connectionId, reason: 'local', message: c.reason });
          this.drain();
        });
      }
      return;
    }
    const sock = this.sockets.get(c.transportId);
    if (!sock || sock.kind !== c.tcpType) {
      this.anomaly(`connect from ${c.transportId} as ${c.tcpType}: no such ${c.tcpType} base`);
    } else if (
      c.tcpType === 'active' ? c.local.port !== 0 || c.local.address !== sock.local.address : addressKey(c.local) !== addressKey(sock.local)
    ) {
      this.anomaly(`connect from ${formatAddress(c.local)} on ${c.transportId} (base ${formatAddress(sock.local)}, RFC 6544 §7.1)`);
    }
    if (this.attempts.has(c.attemptId)) this.anomaly(`attempt id ${c.attemptId} reused while outstanding`);
    this.attempts.set(c.attemptId, c.transportId);
    this.tcpLog.push({
      at: this.net.now,
      what: 'connect',
      id: c.attemptId,
      detail: `${c.tcpType} ${formatAddress(c.local)} -> ${formatAddress(c.remote)}`,
    });
    this.net.tcp.connect(this.host, { tag: c.attemptId, local: c.local, remote: c.remote, timeoutMs: c.timeoutMs }, this);
  }

  private onEvent(e: IceEvent): void {
    const at = this.net.now;
    this.events.push({ at, event: e });
    if (this.events.length > this.maxLog) this.events.splice(0, this.events.length - this.maxLog);
    if (e.type === 'route') this.routes.set(e.component, e.route);
    // The route moves before the selected pair is announced (lib/ice/types.ts, 'route').
    if (e.type === 'selected-pair' && this.routes.get(e.pair.component)?.pairId !== e.pair.id)
      this.anomaly(`selected-pair ${e.pair.id} before its route (route: ${this.routes.get(e.pair.component)?.pairId ?? 'none'})`);
    if (e.type === 'state') log('%s: %s -> %s', this.name, e.previous, e.state);
    for (const l of this.eventListeners) l(e, at);
  }
}
