/**
 * The state of one agent, shared by the modules that implement its
 * behaviour (checks, answers, nomination, consent, TCP), with the small
 * helpers they all use: events, transmits, pair states, routes, the pacer
 * and the agent state (RFC 8445 §6.1.3).
 */
import createDebug from 'debug';
import { LocalCandidateSet, RemoteCandidateSet } from './candidates.js';
import { Checklist } from './checklist.js';
import type { ConsentTracker } from './consent.js';
import { CredentialGeneration } from './ice-credentials.js';
import { DataRouteIndex } from './data-routes.js';
import type { ResolvedOptions } from './core-options.js';
import { OutputQueues } from './outputs.js';
import { Pacer } from './pacing.js';
import { AgentRole } from './role.js';
import type { Pair } from './pair.js';
import { TcpConnectionTable } from './tcp-bookkeeping.js';
import { TcpReconnects } from './tcp-reconnect.js';
import { PathEvidence } from './path-evidence.js';
import { TransactionTable } from './check-transactions.js';
import type { Address, IceCredentials, IceEvent, IceState, PairState, RandomSource, Route } from './types.js';

/** The `debug` logger of the core. */
export const log = createDebug('ice-tcp:ice');

/** A request answered before the peer's credentials were known (RFC 8445 §7.3). */
export interface DeferredRequest {
  transportId: string;
  connectionId: string | undefined;
  from: Address;
  priority: number;
  useCandidate: boolean;
  remoteUfrag: string;
}

/** Per-component data-path status. */
export interface ComponentStatus {
  /** The pair data goes to (the first valid pair, then the selected one). */
  route: Pair | undefined;
  /** Why there is no usable route right now, if so. */
  health: 'ok' | 'disconnected' | 'expired';
  consent: ConsentTracker | undefined;
  /** Identity of the last emitted route, to emit only changes. */
  emittedRoute: string | undefined;
  /** ICE-lite: when the next keepalive goes out on the route (RFC 8445 §11). */
  keepaliveAt?: number | undefined;
}

/** All the state of one agent. */
export class AgentContext {
  readonly options: ResolvedOptions;
  readonly random: RandomSource;
  /** Controlling or controlled, and the tie-breaker (RFC 8445 §6.1.1, §7.3.1.1). */
  readonly role: AgentRole;
  generation: CredentialGeneration;
  /** The generation before the last ICE restart, while its selected pairs still carry data. */
  previous: CredentialGeneration | undefined;
  readonly locals = new LocalCandidateSet();
  readonly remotes = new RemoteCandidateSet();
  checklists: Checklist[];
  readonly components: ComponentStatus[];
  readonly transactions = new TransactionTable();
  readonly dataRoutes = new DataRouteIndex();
  readonly tcp = new TcpConnectionTable();
  /** Reconnects of selected TCP pairs (RFC 6544 §11.1). */
  readonly reconnects: TcpReconnects;
  /** What arrived from where, and the fastest check round trip: the nomination wait's evidence. */
  readonly paths = new PathEvidence();
  readonly out = new OutputQueues();
  state: IceState = 'new';
  /** Remote credentials have been set: checks may run. */
  started = false;
  closed = false;
  /** When the peer said end-of-candidates (this generation), if it did. */
  remoteEndOfCandidatesAt: number | undefined;
  /** When the runtime said our gathering is done (`endOfLocalCandidates`), if it did. */
  localEndOfCandidatesAt: number | undefined;
  /** The check pacer (RFC 8445 §6.1.4.2): wake it with `pacer.wake(now)`. */
  readonly pacer: Pacer;
  readonly deferred: DeferredRequest[] = [];
  prflxCounter = 0;

  constructor(options: ResolvedOptions, random: RandomSource, controlling: boolean, tieBreaker: bigint, local: IceCredentials) {
    this.options = options;
    this.random = random;
    this.role = new AgentRole(controlling, tieBreaker, random);
    this.generation = new CredentialGeneration(local, 0);
    this.pacer = new Pacer(options.ta, options.lite);
    this.reconnects = new TcpReconnects(options.components);
    this.checklists = [];
    this.components = [];
    for (let c = 1; c <= options.components; c++) {
      this.checklists.push(new Checklist(c));
      this.components.push({ route: undefined, health: 'ok', consent: undefined, emittedRoute: undefined });
    }
  }

  /** Whether the agent is controlling now (see {@link role}). */
  get controlling(): boolean {
    return this.role.controlling;
  }

  get tieBreaker(): bigint {
    return this.role.tieBreaker;
  }

  /** Generations whose ufrag a request may name: current first. */
  liveGenerations(): CredentialGeneration[] {
    return this.previous === undefined ? [this.generation] : [this.generation, this.previous];
  }

  checklist(component: number): Checklist {
    return this.checklists[component - 1];
  }

  status(component: number): ComponentStatus {
    return this.components[component - 1];
  }

  emit(event: IceEvent): void {
    this.out.events.push(event);
  }

  transmit(transportId: string, connectionId: string | undefined, to: Address, data: Buffer): void {
    const t =
      connectionId === undefined
        ? { transportId, to: { address: to.address, port: to.port }, data }
        : { transportId, connectionId, to: { address: to.address, port: to.port }, data };
    this.out.transmits.push(t);
  }

  /** Asks the runtime to close a TCP connection of the table and forgets it. */
  closeConnection(connectionId: string, reason: string): void {
    const conn = this.tcp.get(connectionId);
    if (conn === undefined) return void log('close connection %s: already gone (%s)', connectionId, reason);
    this.tcp.remove(connectionId);
    log('close connection %s: %s', connectionId, reason);
    this.out.close(connectionId, conn.transportId, reason);
  }

  /** Changes a pair's state, with a `pair-state` event (RFC 8445 §6.1.2.6). */
  setPairState(pair: Pair, state: PairState, reason?: string): void {
    const previous = pair.state;
    if (previous === state) return;
    pair.state = state;
    if (state === 'failed') {
      pair.failureReason = reason;
      // RFC 8445 §7.2.5.3.4: a failed pair leaves the valid list.
      pair.valid = false;
      this.dataRoutes.remove(pair);
    }
    log('pair %s %s -> %s%s', pair.id, previous, state, reason !== undefined ? ` (${reason})` : '');
    const event: IceEvent =
      reason !== undefined
        ? { type: 'pair-state', pair: pair.info(), previous, reason }
        : { type: 'pair-state', pair: pair.info(), previous };
    this.emit(event);
  }

  /** Emits a `route` event when a component's route changed. */
  emitRoute(component: number): void {
    const status = this.status(component);
    const pair = status.health === 'ok' ? status.route : undefined;
    const route = pair === undefined ? null : routeOf(pair);
    const identity = route === null ? undefined : `${route.pairId}#${route.connectionId ?? ''}`;
    if (identity === status.emittedRoute) return;
    status.emittedRoute = identity;
    this.emit({ type: 'route', component, route });
  }

  /** Recomputes the agent state and emits a `state` event on change. */
  updateState(): void {
    const next = this.computeState();
    if (next === this.state) return;
    const previous = this.state;
    this.state = next;
    log('state %s -> %s', previous, next);
    this.emit({ type: 'state', state: next, previous });
  }

  /**
   * The agent state from the checklists and routes (RFC 8445 §6.1.3,
   * with RTCIceConnectionState's names): failed when a component has no
   * route and its checklist failed or its consent expired; disconnected
   * when a route lost consent freshness or its TCP connection; completed
   * when every checklist completed; connected when every component has a
   * route; else checking.
   */
  private computeState(): IceState {
    if (this.closed) return 'closed';
    let allRoutes = true;
    let allCompleted = true;
    let disconnected = false;
    for (let i = 0; i < this.components.length; i++) {
      const status = this.components[i];
      const list = this.checklists[i];
      if (status.health === 'expired') return 'failed';
      if (list.state === 'failed' && status.route === undefined) return 'failed';
      // RFC 7675 §5.1: no answer for a while (consent still valid), or the TCP route is down.
      if (status.health === 'disconnected' || status.consent?.health === 'late') disconnected = true;
      if (status.route === undefined) allRoutes = false;
      if (list.state !== 'completed') allCompleted = false;
    }
    if (disconnected) return 'disconnected';
    if (allRoutes && allCompleted) return 'completed';
    // During a restart the old routes keep the agent connected.
    if (allRoutes) return 'connected';
    if (!this.started) return 'new';
    return 'checking';
  }
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
