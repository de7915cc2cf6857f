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
import type { CredentialGeneration } from './ice-credentials.js';
import { Generations } from './generations.js';
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
import type { Address, IceCredentials, IceEvent, IceState, PairState, RandomSource } from './types.js';

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

/** Per-component data-path status: written by routes.ts only (and `keepaliveAt` by keepalive.ts). */
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

/** Requests kept while the peer's credentials are unknown (RFC 8445 §7.3); more are only answered. */
export const MAX_DEFERRED_REQUESTS = 64;

/** Requests kept while the peer's credentials are unknown (RFC 8445 §7.3), at most `limit`. */
export class DeferredRequests {
  #requests: DeferredRequest[] = [];

  constructor(private readonly limit = MAX_DEFERRED_REQUESTS) {}

  get length(): number {
    return this.#requests.length;
  }

  /** Keeps a request; `false` (not kept) when `limit` already wait. */
  add(request: DeferredRequest): boolean {
    if (this.#requests.length >= this.limit) return false;
    this.#requests.push(request);
    return true;
  }

  /** Hands out every kept request, oldest first, and forgets them. */
  takeAll(): DeferredRequest[] {
    const all = this.#requests;
    this.#requests = [];
    return all;
  }

  clear(): void {
    this.#requests = [];
  }
}

/** All the state of one agent. */
export class AgentContext {
  readonly options: ResolvedOptions;
  readonly random: RandomSource;
  /** Controlling or controlled, and the tie-breaker (RFC 8445 §6.1.1, §7.3.1.1). */
  readonly role: AgentRole;
  /** The current credential generation, and the previous one during a restart (RFC 8445 §9). */
  readonly generations: Generations;
  readonly locals = new LocalCandidateSet();
  readonly remotes = new RemoteCandidateSet();
  readonly components: ComponentStatus[];
  readonly transactions = new TransactionTable();
  readonly dataRoutes = new DataRouteIndex();
  readonly tcp = new TcpConnectionTable();
  /** Reconnects of selected TCP pairs (RFC 6544 §11.1). */
  readonly reconnects: TcpReconnects;
  /** What arrived from where, and the fastest check round trip: the nomination wait's evidence. */
  readonly paths = new PathEvidence();
  readonly out = new OutputQueues();
  /** The check pacer (RFC 8445 §6.1.4.2): wake it with `pacer.wake(now)`. */
  readonly pacer: Pacer;
  /** Requests answered before the peer's credentials were known (RFC 8445 §7.3). */
  readonly deferred = new DeferredRequests();
  #checklists: Checklist[];
  #state: IceState = 'new';
  #started = false;
  #closed = false;
  #remoteEndOfCandidatesAt: number | undefined;
  #localEndOfCandidatesAt: number | undefined;
  readonly #selfRestart: (now: number, reason: string) => void;

  /** @param selfRestart carries out a restart the core decided itself (RFC 6544 §11.1): the facade's `restart()` and `'restart'` event */
  constructor(
    options: ResolvedOptions,
    random: RandomSource,
    controlling: boolean,
    tieBreaker: bigint,
    local: IceCredentials,
    selfRestart: (now: number, reason: string) => void,
  ) {
    this.options = options;
    this.random = random;
    this.role = new AgentRole(controlling, tieBreaker, random);
    this.generations = new Generations(local);
    this.pacer = new Pacer(options.ta, options.lite);
    this.reconnects = new TcpReconnects(options.components);
    this.#selfRestart = selfRestart;
    const checklists: Checklist[] = [];
    const components: ComponentStatus[] = [];
    for (let c = 1; c <= options.components; c++) {
      checklists.push(new Checklist(c));
      components.push({ route: undefined, health: 'ok', consent: undefined, emittedRoute: undefined });
    }
    // Copies exactly as long as they are (a pushed-to array keeps room for 17: README "Capacity and speed").
    this.#checklists = checklists.slice();
    this.components = components.slice();
  }

  /** Whether the agent is controlling now (see {@link role}). */
  get controlling(): boolean {
    return this.role.controlling;
  }

  get tieBreaker(): bigint {
    return this.role.tieBreaker;
  }

  /** The current credential generation. */
  get generation(): CredentialGeneration {
    return this.generations.current;
  }

  /** The generation before the last ICE restart, while its selected pairs still carry data. */
  get previous(): CredentialGeneration | undefined {
    return this.generations.previous;
  }

  /** One checklist per component (RFC 8445 §6.1.2), of the current generation. */
  get checklists(): readonly Checklist[] {
    return this.#checklists;
  }

  get state(): IceState {
    return this.#state;
  }

  /** Remote credentials have been set: checks may run. */
  get started(): boolean {
    return this.#started;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** When the peer said end-of-candidates (this generation), if it did. */
  get remoteEndOfCandidatesAt(): number | undefined {
    return this.#remoteEndOfCandidatesAt;
  }

  /** When the runtime said our gathering is done (`endOfLocalCandidates`), if it did. */
  get localEndOfCandidatesAt(): number | undefined {
    return this.#localEndOfCandidatesAt;
  }

  /** The peer's credentials are in: checks may run. */
  start(): void {
    this.#started = true;
  }

  /** The agent is closed for good. */
  markClosed(): void {
    this.#closed = true;
  }

  /** The peer signalled end-of-candidates (RFC 8838 §8); the first time counts. */
  noteRemoteEndOfCandidates(now: number): void {
    this.#remoteEndOfCandidatesAt ??= now;
  }

  /** Our gathering is done; the first time counts. */
  noteLocalEndOfCandidates(now: number): void {
    this.#localEndOfCandidatesAt ??= now;
  }

  /** ICE restart (RFC 8445 §9): fresh checklists, and everything the peer told us is forgotten until it signals again. */
  forgetPeer(): void {
    this.#checklists = this.#checklists.map((l) => new Checklist(l.component));
    this.remotes.clear();
    this.#remoteEndOfCandidatesAt = undefined;
    this.deferred.clear();
    this.#started = false;
  }

  /** The core restarts ICE by itself (RFC 6544 §11.1: the controlling side, a selected TCP connection that cannot be re-established). */
  requestRestart(now: number, reason: string): void {
    this.#selfRestart(now, reason);
  }

  /** Generations whose ufrag a request may name: current first. */
  liveGenerations(): CredentialGeneration[] {
    return this.generations.live();
  }

  checklist(component: number): Checklist {
    return this.#checklists[component - 1];
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
    pair.moveTo(state, reason);
    // RFC 8445 §7.2.5.3.4: a failed pair leaves the valid list (Pair.moveTo) and carries no data.
    if (state === 'failed') this.dataRoutes.remove(pair);
    log('pair %s %s -> %s%s', pair.id, previous, state, reason !== undefined ? ` (${reason})` : '');
    const event: IceEvent =
      reason !== undefined
        ? { type: 'pair-state', pair: pair.info(), previous, reason }
        : { type: 'pair-state', pair: pair.info(), previous };
    this.emit(event);
  }

  /** Recomputes the agent state and emits a `state` event on change. */
  updateState(): void {
    const next = this.computeState();
    if (next === this.#state) return;
    const previous = this.#state;
    this.#state = next;
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
      const list = this.#checklists[i];
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
