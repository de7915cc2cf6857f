/**
 * The public ICE agent: gathers candidates on real sockets, runs the sans-IO
 * core (RFC 8445, RFC 6544) with real timers, and hands the application the
 * selected pair as an {@link IceConnection}.
 *
 * ```ts
 * const agent = new IceAgent({ controlling: true, addresses: ['127.0.0.1'] });
 * agent.on('candidate', (c) => signal(c.toJSON()));
 * await agent.gather();
 * agent.setRemoteParameters({ ufrag, pwd });
 * agent.addRemoteCandidate(line);
 * const conn = await agent.connect();
 * conn.send(packet);
 * ```
 */
import { EventEmitter } from 'node:events';
import createDebug from 'debug';
import { candidateFromInit, parseCandidate, type Candidate, type RTCIceCandidateInit } from '../../candidate/index.js';
import { IceTcpError } from '../../errors.js';
import { IceCore } from '../../ice/index.js';
import type { IceCoreApi, IceCredentials, IceEvent, IceState, LocalCandidateInit, PairInfo, Route } from '../../ice/types.js';
import type { PacketConnection } from '../../connection.js';
import type { PacketStreamOptions } from '../../packet-stream/packet-stream.js';
import {
  asBadOption,
  checkIceCredentials,
  coreOptionsFor,
  resolveAgentOptions,
  type IceAgentOptions,
  type ResolvedAgentOptions,
} from './agent-options.js';
import { IceAgentError } from '../net-errors.js';
import type { IceAgentEvents } from './agent-events.js';
import { IceCandidate } from './ice-candidate.js';
import { IceConnection } from './ice-connection.js';
import { listInterfaceAddresses } from './interfaces.js';
import { IceRuntime, type RuntimeSink } from './runtime.js';
import { createTransportPlugins } from './transports.js';
import { findUnusableAddresses } from './unusable-addresses.js';
import type { TransportPlugin } from './transport-plugin.js';

const debug = createDebug('ice-tcp:net');

/** The local candidates of an agent that has none yet: one empty array for all. */
const NO_CANDIDATES: readonly IceCandidate[] = Object.freeze([]);

/** `IceConnection.stream()` defaults when the agent gives none: one frozen object for all connections (only read, spread). */
const NO_STREAM_OPTIONS: PacketStreamOptions = Object.freeze({});

/**
 * The agent's connections, one per component. A function of its own, so that
 * the `close()` callback each one holds keeps only the agent (a closure in the
 * constructor would keep the constructor's whole scope: the caller's options).
 */
function makeConnections(agent: IceAgent, options: IceAgentOptions, components: number): IceConnection[] {
  const onClose = (): void => void agent.close();
  const connectionOptions = {
    maxQueuedPackets: options.maxQueuedPackets,
    ...(options.maxHeldBytes !== undefined ? { maxHeldBytes: options.maxHeldBytes } : {}),
    stream: options.stream ?? NO_STREAM_OPTIONS,
  };
  const connections: IceConnection[] = [];
  for (let component = 1; component <= components; component++) connections.push(new IceConnection(component, connectionOptions, onClose));
  return connections.slice(); // exactly as long as it is (a pushed-to array keeps room for 17)
}

/** Local or remote ICE parameters (RFC 8445 §5.3). */
export interface IceParameters {
  ufrag: string;
  pwd: string;
  /** The agent is ICE-lite (RFC 8445 §2.5). */
  lite?: boolean;
}

/** Options of {@link IceAgent.connect}. */
export interface ConnectOptions {
  /** Aborts the wait (`ERR_CONNECT_ABORTED`); the agent keeps running. */
  signal?: AbortSignal;
  /** Gives up after this long, 0..2^31-1 ms (`ERR_CONNECT_TIMEOUT`); default: wait for success or failure. */
  timeoutMs?: number;
}

/** Gathering progress. */
export type GatheringState = 'new' | 'gathering' | 'complete';

interface Waiter {
  resolve: (connection: IceConnection) => void;
  reject: (error: Error) => void;
}

/**
 * An ICE agent on Node sockets.
 *
 * Events:
 * - `'candidate' (candidate: IceCandidate)`: a local candidate to signal;
 * - `'gathering-done' ()`: every transport has gathered;
 * - `'state' (state: IceState, previous: IceState)`;
 * - `'pair-state' (pair: PairInfo, previous: PairState, reason?: string)`;
 * - `'selected-pair' (pair: PairInfo)`;
 * - `'role' (controlling: boolean, reason: string)`: after a role conflict;
 * - `'peer-reflexive' (side: 'local' | 'remote', candidate: Candidate)`;
 * - `'consent' (component: number, granted: boolean)`;
 * - `'restart' (parameters: IceParameters, reason: string)`: the agent
 *   restarted ICE by itself (RFC 6544 §11.1, the selected TCP connection
 *   could not be re-established): signal the new parameters and the local
 *   candidates to the peer again, as after `restart()`;
 * - `'unusable-address' ({ address, reason })`: gathering found no
 *   candidate on an address named in `addresses`;
 * - `'warning' (warning: IceTcpError)`: a problem the agent survived (a
 *   checklist failed, consent expired, a TCP reconnect failed, a transport's
 *   gathering failed, an exception in a handler); also logged to `ice-tcp:net`;
 * - `'close' ()`: every handle is released.
 *
 * The agent emits no `'error'` (README "Events and errors"): nothing it reports is
 * fatal to the process; a failed session is state `'failed'` and a rejected
 * `connect()`. The map of names to arguments is {@link IceAgentEvents}.
 */
export class IceAgent extends EventEmitter<IceAgentEvents> {
  /**
   * The resolved options gathering needs; let go once gathering is done (an
   * idle session keeps nothing it will not read again: README "Capacity and speed").
   */
  #options: ResolvedAgentOptions | undefined;
  readonly #runtime: IceRuntime;
  readonly #connections: IceConnection[];
  /** Exactly as long as it is (copied on append): an array grown by `push` keeps room for 17. */
  #localCandidates: readonly IceCandidate[] = NO_CANDIDATES;
  /** `connect()` calls waiting; made by the first one. */
  #waiters: Set<Waiter> | undefined;
  /** Aborts a gathering under way when the agent closes; made per gathering and let go after it (a few hundred bytes per agent). */
  #gatherAbort: AbortController | undefined;
  #gathering: Promise<IceCandidate[]> | undefined;
  #gatheringState: GatheringState = 'new';
  #remote: IceParameters | undefined;
  #closing: Promise<void> | undefined;
  /** Selected pair per component (index component - 1); made at the first selection. */
  #selected: Array<PairInfo | undefined> | undefined;
  #state: IceState = 'new';
  readonly #lite: boolean;
  /** Messages of the warnings seen while gathering, to say why a named address gave nothing. */
  #gatherWarnings: string[] | undefined;

  /**
   * @throws IceAgentError `ERR_AGENT_BAD_OPTION` for every bad option (the
   *   message names it; `cause` keeps a lower layer's error, e.g. the
   *   `ERR_AGENT_BAD_STUN_URL` of a `stunServers` entry or the core's
   *   `ERR_ICE_BAD_OPTION` for an out-of-range timer)
   */
  constructor(options: IceAgentOptions) {
    super();
    const { resolved, core, plugins } = asBadOption(() => {
      const resolved = resolveAgentOptions(options);
      const coreOptions = coreOptionsFor(options, resolved);
      const createCore = options.testing?.createCore;
      const core: IceCoreApi = createCore ? createCore(coreOptions) : new IceCore(coreOptions);
      // concat: an array exactly as long as it is (a spread of two keeps room to grow).
      const plugins: TransportPlugin[] = createTransportPlugins(resolved).concat(options.plugins ?? []);
      return { resolved, core, plugins };
    });
    this.#options = resolved;
    this.#lite = options.lite === true;
    this.#connections = makeConnections(this, options, resolved.components);
    this.#runtime = new IceRuntime(core, plugins, new IceAgent.#Sink(this), debug);
  }

  /**
   * What the runtime reports to: methods on one shared prototype that reach
   * the agent's private members (a class in the class body may), instead of
   * five closures per agent.
   */
  static readonly #Sink = class AgentSink implements RuntimeSink {
    readonly #agent: IceAgent;

    constructor(agent: IceAgent) {
      this.#agent = agent;
    }

    onEvent(event: Exclude<IceEvent, { type: 'route' }>): void {
      this.#agent.#onEvent(event);
    }

    onRoute(component: number, route: Route | null, connection: PacketConnection | undefined): void {
      this.#agent.#connections[component - 1]?.setRoute(route, connection);
    }

    onData(component: number, data: Buffer): void {
      this.#agent.#connections[component - 1]?.deliver(data);
    }

    onCandidate(init: LocalCandidateInit): void {
      const agent = this.#agent;
      const candidate = new IceCandidate(init.candidate, agent.#runtime.core.localCredentials.ufrag);
      agent.#localCandidates = agent.#localCandidates.concat(candidate); // exactly as long as it is
      agent.emit('candidate', candidate);
    }

    onError(error: Error): void {
      this.#agent.#warn(error);
    }
  };

  /** This agent's ufrag and password, to signal to the peer. They change on `restart()`. */
  get localParameters(): IceParameters {
    const { ufrag, pwd } = this.#runtime.core.localCredentials;
    return { ufrag, pwd, ...(this.#lite ? { lite: true } : {}) };
  }

  /** The peer's parameters, once set. */
  get remoteParameters(): IceParameters | undefined {
    return this.#remote === undefined ? undefined : { ...this.#remote };
  }

  /** The current role (it may change on a role conflict, RFC 8445 §7.3.1.1). */
  get controlling(): boolean {
    return this.#runtime.core.controlling;
  }

  /** The ICE state (`new`, `checking`, `connected`, `completed`, `disconnected`, `failed`, `closed`). */
  get state(): IceState {
    return this.#state;
  }

  /** Gathering progress. */
  get gatheringState(): GatheringState {
    return this.#gatheringState;
  }

  /** The local candidates gathered so far. */
  get localCandidates(): IceCandidate[] {
    return [...this.#localCandidates];
  }

  /** The selected pair of component 1 (or `component`), once there is one. */
  selectedPair(component = 1): PairInfo | undefined {
    return this.#selected?.[component - 1];
  }

  /** A snapshot of every candidate pair, for diagnostics. */
  pairs(): PairInfo[] {
    return this.#runtime.core.pairs();
  }

  /** The connection of a component (1 by default), usable before it is connected (sends are queued). */
  connection(component = 1): IceConnection {
    const connection = this.#connections[component - 1];
    if (connection === undefined) {
      throw new IceAgentError('ERR_AGENT_BAD_OPTION', `component ${component} is not in 1..${this.#connections.length}`);
    }
    return connection;
  }

  /**
   * Gathers local candidates on every configured address and transport,
   * emitting `'candidate'` for each as it is found (trickle), then
   * `'gathering-done'`. Resolves with all of them. Calling it again returns
   * the same promise.
   *
   * @throws IceAgentError `ERR_AGENT_CLOSED`
   */
  gather(): Promise<IceCandidate[]> {
    if (this.#closing !== undefined) return Promise.reject(new IceAgentError('ERR_AGENT_CLOSED', 'the agent is closed'));
    if (this.#gathering === undefined) this.#gathering = this.#gather();
    return this.#gathering;
  }

  /**
   * Sets the peer's ufrag and password (and whether it is ICE-lite). Checks
   * start once there are remote candidates and local ones.
   *
   * @throws IceAgentError `ERR_AGENT_BAD_REMOTE_PARAMETERS`, `ERR_AGENT_CLOSED`
   */
  setRemoteParameters(parameters: IceParameters): void {
    this.#checkOpen();
    if (parameters === null || typeof parameters !== 'object') {
      throw new IceAgentError('ERR_AGENT_BAD_REMOTE_PARAMETERS', 'remote parameters must be { ufrag, pwd, lite? }');
    }
    const credentials = checkIceCredentials(parameters.ufrag, parameters.pwd, 'ERR_AGENT_BAD_REMOTE_PARAMETERS');
    const lite = parameters.lite === true;
    this.#runtime.command((now) => this.#runtime.core.setRemoteCredentials(now, { ...credentials, lite }));
    this.#remote = { ...credentials, lite };
  }

  /**
   * Adds a remote candidate: an `a=candidate` line (with or without `a=`), a
   * {@link Candidate}, or an `RTCIceCandidateInit` (an empty `candidate`
   * string means end-of-candidates). Candidates with an unresolved address
   * (FQDN, mDNS) and those whose `usernameFragment` names other remote
   * credentials (from before an ICE restart) are ignored, with a debug line.
   * Returns whether the candidate was given to the core.
   *
   * @throws CandidateError for a malformed line; IceAgentError `ERR_AGENT_CLOSED`
   */
  addRemoteCandidate(candidate: string | Candidate | RTCIceCandidateInit): boolean {
    this.#checkOpen();
    let parsed: Candidate;
    if (typeof candidate === 'string') {
      parsed = parseCandidate(candidate);
    } else if (candidate !== null && typeof candidate === 'object' && 'candidate' in candidate && typeof candidate.candidate === 'string') {
      const init = candidateFromInit(candidate);
      if (init.candidate === null) {
        this.endOfRemoteCandidates();
        return false;
      }
      if (init.usernameFragment !== null && this.#remote !== undefined && init.usernameFragment !== this.#remote.ufrag) {
        debug('ignores a remote candidate for ufrag %s (current %s)', init.usernameFragment, this.#remote.ufrag);
        return false;
      }
      parsed = init.candidate;
    } else {
      parsed = candidate as Candidate;
    }
    if (parsed.unresolved === true) {
      // RFC 8839 §5.1: FQDN candidates are not resolved here; mDNS ones cannot be.
      debug('ignores remote candidate %s: not an IP address', parsed.address);
      return false;
    }
    this.#runtime.command((now) => this.#runtime.core.addRemoteCandidate(now, parsed));
    this.#runtime.remoteCandidateAdded(parsed);
    return true;
  }

  /** The peer has sent all its candidates (trickle ICE end-of-candidates). */
  endOfRemoteCandidates(): void {
    this.#checkOpen();
    this.#runtime.command((now) => this.#runtime.core.endOfRemoteCandidates(now));
  }

  /**
   * Waits for the selected pair of component 1 and resolves with its
   * connection. Starts gathering if `gather()` was not called.
   *
   * @throws IceAgentError `ERR_ICE_FAILED`, `ERR_CONNECT_ABORTED`,
   *   `ERR_CONNECT_TIMEOUT`, `ERR_AGENT_CLOSED`
   */
  connect(options: ConnectOptions = {}): Promise<IceConnection> {
    if (this.#closing !== undefined) return Promise.reject(new IceAgentError('ERR_AGENT_CLOSED', 'the agent is closed'));
    const { signal, timeoutMs } = options;
    // setTimeout fires a delay over 2^31-1 ms after 1 ms: refuse it rather than time out at once.
    if (timeoutMs !== undefined && (typeof timeoutMs !== 'number' || !(timeoutMs >= 0 && timeoutMs <= 2 ** 31 - 1))) {
      return Promise.reject(new IceAgentError('ERR_AGENT_BAD_OPTION', 'timeoutMs must be a number of ms in 0..2147483647'));
    }
    if (signal?.aborted === true) return Promise.reject(new IceAgentError('ERR_CONNECT_ABORTED', 'connect() was aborted'));
    if (this.#gatheringState === 'new') this.gather().catch((error: unknown) => debug('gathering failed: %s', String(error)));
    if (this.#selected?.[0] !== undefined) return Promise.resolve(this.#connections[0]);
    if (this.#state === 'failed') return Promise.reject(new IceAgentError('ERR_ICE_FAILED', 'ICE failed'));
    return new Promise<IceConnection>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => waiter.reject(new IceAgentError('ERR_CONNECT_ABORTED', 'connect() was aborted'));
      const done = (): void => {
        if (this.#waiters?.delete(waiter) === true && this.#waiters.size === 0) this.#waiters = undefined;
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        resolve: (connection) => {
          done();
          resolve(connection);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      };
      (this.#waiters ??= new Set()).add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined) {
        timer = setTimeout(
          () => waiter.reject(new IceAgentError('ERR_CONNECT_TIMEOUT', `no pair selected within ${timeoutMs} ms`)),
          timeoutMs,
        );
      }
    });
  }

  /**
   * ICE restart (RFC 8445 §9): new local credentials (given, or drawn). The
   * selected pair keeps carrying data until a new one is selected. Signal
   * the returned parameters and the local candidates to the peer again.
   *
   * @throws IceAgentError `ERR_AGENT_CLOSED`, `ERR_AGENT_BAD_OPTION`
   */
  restart(credentials?: IceCredentials): IceParameters {
    this.#checkOpen();
    const next = credentials === undefined ? undefined : checkIceCredentials(credentials.ufrag, credentials.pwd, 'ERR_AGENT_BAD_OPTION');
    const renewed = this.#runtime.command((now) => this.#runtime.core.restart(now, next));
    this.#runtime.localUfragChanged(renewed.ufrag);
    this.#remote = undefined;
    return this.localParameters;
  }

  /**
   * Closes the agent: the core says goodbye to its TCP connections, every
   * socket and timer is released, the connections emit `'close'`. Resolves
   * once no handle is left. Calling it again returns the same promise.
   */
  close(): Promise<void> {
    if (this.#closing === undefined) this.#closing = this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#gatherAbort?.abort();
    for (const waiter of [...(this.#waiters ?? [])]) waiter.reject(new IceAgentError('ERR_AGENT_CLOSED', 'the agent was closed'));
    await this.#runtime.close();
    for (const connection of this.#connections) connection.terminate();
    if (this.#state !== 'closed') this.#setState('closed');
    this.emit('close');
  }

  async #gather(): Promise<IceCandidate[]> {
    const options = this.#options!;
    this.#gatheringState = 'gathering';
    if (options.addresses.length === 0) debug('no interface address to gather on');
    this.#gatherWarnings = [];
    const abort = (this.#gatherAbort = new AbortController());
    if (this.#closing !== undefined) abort.abort(); // closed before gathering began: plugins see an aborted signal
    await this.#runtime.gather({
      addresses: options.addresses,
      components: this.#connections.map((c) => c.component),
      stunServers: options.stunServers,
      priority: { preferTcp: options.preferTcp },
      localUfrag: this.#runtime.core.localCredentials.ufrag,
      signal: abort.signal,
      // None: the runtime keeps its shared empty map rather than this agent's.
      ...(options.announcedAddresses.size > 0 ? { announcedAddresses: options.announcedAddresses } : {}),
    });
    // gather() runs once (later calls get the same promise): the options are not read again.
    this.#options = undefined;
    if (this.#gatherAbort === abort) this.#gatherAbort = undefined;
    this.#gatheringState = 'complete';
    const warnings = this.#gatherWarnings;
    this.#gatherWarnings = undefined;
    if (this.#closing !== undefined) return this.localCandidates;
    if (options.addressesNamed) {
      for (const report of findUnusableAddresses(
        options.addresses,
        this.#localCandidates,
        warnings ?? [],
        new Set(listInterfaceAddresses({ includeInternal: true })),
      )) {
        debug('no usable candidate on %s: %s', report.address, report.reason);
        this.emit('unusable-address', report);
      }
    }
    this.emit('gathering-done');
    return this.localCandidates;
  }

  #checkOpen(): void {
    if (this.#closing !== undefined) throw new IceAgentError('ERR_AGENT_CLOSED', 'the agent is closed');
  }

  #setState(state: IceState, previous: IceState = this.#state): void {
    this.#state = state;
    this.emit('state', state, previous);
  }

  /** README "Events and errors": every report of the agent is a `'warning'`; none is fatal, none is thrown. */
  #warn(error: Error): void {
    const warning = error instanceof IceTcpError ? error : new IceAgentError('ERR_RUNTIME', error.message, { cause: error });
    debug('warning %s: %s', warning.code, warning.message);
    this.#gatherWarnings?.push(warning.message);
    this.emit('warning', warning);
  }

  #onEvent(event: Exclude<IceEvent, { type: 'route' }>): void {
    switch (event.type) {
      case 'state':
        this.#setState(event.state, event.previous);
        if (event.state === 'failed') {
          for (const waiter of [...(this.#waiters ?? [])])
            waiter.reject(new IceAgentError('ERR_ICE_FAILED', 'ICE failed: no pair could be selected'));
        }
        break;
      case 'pair-state':
        this.emit('pair-state', event.pair, event.previous, event.reason);
        break;
      case 'selected-pair': {
        (this.#selected ??= this.#connections.map(() => undefined))[event.pair.component - 1] = event.pair;
        const connection = this.#connections[event.pair.component - 1];
        connection?.setSelectedPair(event.pair);
        this.emit('selected-pair', event.pair);
        if (event.pair.component === 1 && connection !== undefined) {
          for (const waiter of [...(this.#waiters ?? [])]) waiter.resolve(connection);
        }
        break;
      }
      case 'role':
        this.emit('role', event.controlling, event.reason);
        break;
      case 'remote-candidate':
        this.emit('peer-reflexive', 'remote', event.candidate);
        break;
      case 'local-candidate':
        this.emit('peer-reflexive', 'local', event.candidate);
        break;
      case 'consent':
        this.emit('consent', event.component, event.granted);
        break;
      case 'error':
        this.#warn(new IceTcpError(event.code, event.message));
        break;
      case 'restart':
        // RFC 6544 §11.1: the core restarted ICE itself; the application signals again.
        this.#remote = undefined;
        this.#runtime.localUfragChanged(event.credentials.ufrag);
        this.emit('restart', { ufrag: event.credentials.ufrag, pwd: event.credentials.pwd }, event.reason);
        break;
    }
  }
}
