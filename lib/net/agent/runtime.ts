/**
 * The Node runtime of one sans-IO ICE core: real time, real randomness, real
 * sockets (through transport plugins).
 *
 * - Time: `performance.now()` (monotonic) is the `now` of every input; one
 *   deadline, `pollTimeout()`, is kept in the process-wide timer wheel
 *   (timer-wheel.ts: one Node timer for all runtimes) and moved after each
 *   input.
 * - After every input, the core's four outputs are drained: transmits and
 *   connection commands go to the plugin that owns the transport id they
 *   name (ownership is explicit: a plugin owns the transport ids it reported
 *   candidates or connections on), events go to the {@link RuntimeSink} in
 *   the core's order, `'route'` events to `onRoute` only.
 * - Packets from plugins go to `handlePacket`; data (`{ kind: 'data',
 *   component }`) goes to the application through the sink. The one
 *   exception is the application data of a component's current route: its
 *   route connection hands it straight to the `IceConnection` (a packet
 *   tap, see ice-connection.ts), so it never reaches the runtime; what may
 *   be STUN on that connection still comes here.
 * - The core owns the route lifecycle (lib/ice/types.ts, the `'route'`
 *   event): a new route comes before its `'selected-pair'`, and the close of
 *   a route's connection changes the route in the same drain, so the
 *   runtime neither reorders events nor tracks closing connections.
 * - Once gathering is done, the core hears `endOfLocalCandidates` (when it
 *   has that method, RFC 8838 §8).
 * - Robustness: an exception from the core or a plugin while handling one
 *   packet, event or timer is caught, logged and reported through
 *   `sink.onError`; it never escapes into a socket's event handler.
 */
import { announceCandidate } from './announced-address.js';
import { performance } from 'node:perf_hooks';
import type { Candidate } from '../../candidate/index.js';
import type { DebugLog } from '../../debug-log.js';
import type { PacketConnection } from '../../connection.js';
import { IceTcpError } from '../../errors.js';
import { IceAgentError } from '../net-errors.js';
import type {
  ConnectionCommand,
  ConnectionEvent,
  IceCoreApi,
  IceEvent,
  LocalCandidateInit,
  PacketInput,
  RandomSource,
  Route,
  Transmit,
} from '../../ice/types.js';
import type { GatherContext, TransportHost, TransportPlugin } from './transport-plugin.js';
import { pooledCryptoRandom } from './pooled-random.js';
import { processTimerWheel, TimerSlot } from './timer-wheel.js';
import { SmallMap } from '../../small-map.js';

/** Randomness for the core: crypto randomness, small draws from a pool (see pooled-random.ts). */
export const cryptoRandomSource: RandomSource = pooledCryptoRandom;

/** The announced addresses of a runtime that has none: one empty map for all of them. */
const NO_ANNOUNCED_ADDRESSES: ReadonlyMap<string, string> = new Map();

/** Where the runtime delivers what the core and the plugins produce. */
export interface RuntimeSink {
  /** A core event other than `'route'`, in the core's order. */
  onEvent(event: Exclude<IceEvent, { type: 'route' }>): void;
  /**
   * The core's `'route'` event, in the core's order (before the
   * `'selected-pair'` of a newly selected pair, and in the drain that closes
   * the previous route's connection): `connection` is the plugin's packet
   * connection for it (`undefined` when there is none).
   */
  onRoute(component: number, route: Route | null, connection: PacketConnection | undefined): void;
  /** A packet of application data for a component. */
  onData(component: number, data: Buffer): void;
  /** A local candidate was gathered and handed to the core. */
  onCandidate(init: LocalCandidateInit): void;
  /** Something failed inside the runtime (never thrown). */
  onError(error: Error): void;
}

/**
 * One component's application sends, as the core needs to hear of them
 * (RFC 7675 §5.1: an idle pair suspends its consent checks until data
 * resumes, `IceCoreApi.handleDataSent`): the first send after each core
 * timeout is reported, on the next tick (never from inside `send()`); every
 * other send costs one field test. No closure: the runtime and the component.
 */
export class SendNotice {
  /** The next send is reported. */
  armed = true;
  readonly runtime: IceRuntime;
  readonly component: number;

  constructor(runtime: IceRuntime, component: number) {
    this.runtime = runtime;
    this.component = component;
  }

  /** A send while {@link armed}: reports it and disarms until the core's next timeout. */
  fire(): void {
    this.armed = false;
    process.nextTick(reportSend, this);
  }
}

function reportSend(notice: SendNotice): void {
  notice.runtime.dataSent(notice.component);
}

/** Drives one {@link IceCoreApi} with timers and transport plugins. */
export class IceRuntime {
  /** The core being driven. */
  readonly core: IceCoreApi;
  readonly #plugins: TransportPlugin[];
  readonly #sink: RuntimeSink;
  readonly #log: DebugLog;
  /**
   * transport id → the plugin that owns it: the plugin that reported a
   * candidate (or a connection) on it through its own {@link TransportHost}.
   */
  readonly #pluginOf = new SmallMap<string, TransportPlugin>();
  /** Announced addresses of the gathering (1:1 NAT), applied to candidates as they come. */
  #announced: ReadonlyMap<string, string> = NO_ANNOUNCED_ADDRESSES;
  /** This runtime's deadline in the process-wide timer wheel. */
  readonly #timer = new TimerSlot(() => this.#onTimer());
  #draining = false;
  #closed = false;
  /** Exceptions thrown by application listeners during a drain, rethrown after it. */
  #listenerErrors: unknown[] = [];
  /** One per component that asked ({@link sendNotice}); re-armed at every core timeout. Made on first use, exactly as long. */
  #sendNotices: SendNotice[] | undefined;

  constructor(core: IceCoreApi, plugins: TransportPlugin[], sink: RuntimeSink, log: DebugLog) {
    this.core = core;
    this.#plugins = plugins;
    this.#sink = sink;
    this.#log = log;
    for (const plugin of plugins) plugin.attach(this.#hostFor(plugin));
  }

  /** The monotonic clock every input is stamped with, in ms. */
  now(): number {
    return performance.now();
  }

  /** `true` once `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Runs an application command on the core (`(now) => core.x(now, ...)`),
   * then drains. The command's exceptions propagate to the caller (they are
   * the caller's typed errors); the outputs are drained either way.
   */
  command<T>(fn: (now: number) => T): T {
    try {
      return fn(this.now());
    } finally {
      this.#drain();
    }
  }

  /**
   * Asks every plugin to gather; resolves when all have finished (failures
   * are reported, not thrown). Then tells the core that its local candidates
   * are complete (`endOfLocalCandidates`, when the core has it): with the
   * peer's end-of-candidates, a checklist with no pair that can succeed then
   * fails instead of waiting (RFC 8838 §8).
   */
  async gather(context: GatherContext): Promise<void> {
    this.#announced = context.announcedAddresses ?? this.#announced;
    const results = await Promise.allSettled(this.#plugins.map((plugin) => plugin.gather(context)));
    results.forEach((result, i) => {
      if (result.status === 'rejected') {
        this.#report(`${this.#plugins[i].protocol} gathering failed`, result.reason);
      }
    });
    if (this.#closed || typeof this.core.endOfLocalCandidates !== 'function') return;
    try {
      this.command((now) => this.core.endOfLocalCandidates?.(now));
    } catch (error) {
      this.#report('endOfLocalCandidates', error);
    }
  }

  /**
   * How a component's sends reach the core (`handleDataSent`, RFC 7675
   * §5.1): the connection calls `fire()` on a send while `armed`.
   */
  sendNotice(component: number): SendNotice {
    const notice = new SendNotice(this, component);
    this.#sendNotices = this.#sendNotices === undefined ? [notice] : this.#sendNotices.concat(notice);
    return notice;
  }

  /** The application sent on a component's route (a {@link SendNotice} fired): the core hears it. */
  dataSent(component: number): void {
    if (this.#closed || typeof this.core.handleDataSent !== 'function') return;
    try {
      this.command((now) => this.core.handleDataSent?.(now, component));
    } catch (error) {
      this.#report('handleDataSent', error);
    }
  }

  /** Tells the plugins about a remote candidate (TURN permissions). */
  remoteCandidateAdded(candidate: Candidate): void {
    for (const plugin of this.#plugins) {
      try {
        plugin.addRemoteCandidate?.(candidate);
      } catch (error) {
        this.#report(`${plugin.protocol}: remote candidate refused`, error);
      }
    }
  }

  /** Tells the plugins the local ufrag changed (ICE restart). */
  localUfragChanged(ufrag: string): void {
    for (const plugin of this.#plugins) {
      try {
        plugin.setLocalUfrag?.(ufrag);
      } catch (error) {
        this.#report(`${plugin.protocol}: new local ufrag refused`, error);
      }
    }
  }

  /** The packet connection of the plugin that owns the route's transport id; `undefined` when there is none. */
  routeConnection(route: Route): PacketConnection | undefined {
    const plugin = this.#owner(route.transportId, `route ${route.pairId}`);
    try {
      return plugin?.routeConnection(route.transportId, route.remote, route.connectionId);
    } catch (error) {
      this.#report('routeConnection failed', error);
      return undefined;
    }
  }

  /**
   * Closes the core (which asks for its TCP connections to be closed), stops
   * the timer and closes every plugin; resolves once all handles are released.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      this.command((now) => this.core.close(now));
    } catch (error) {
      this.#report('core.close failed', error);
    }
    this.#closed = true;
    this.#clearTimer();
    const results = await Promise.allSettled(this.#plugins.map((plugin) => plugin.close()));
    for (const result of results) if (result.status === 'rejected') this.#report('plugin close failed', result.reason);
    this.#clearTimer();
  }

  #hostFor(plugin: TransportPlugin): TransportHost {
    return new IceRuntime.#Host(this, plugin);
  }

  /**
   * A plugin's {@link TransportHost}: methods on one shared prototype that
   * reach the runtime's private members (a class in the class body may),
   * instead of four closures per plugin (README "Capacity and speed").
   */
  static readonly #Host = class PluginHost implements TransportHost {
    readonly #runtime: IceRuntime;
    readonly #plugin: TransportPlugin;
    readonly log: DebugLog;

    constructor(runtime: IceRuntime, plugin: TransportPlugin) {
      this.#runtime = runtime;
      this.#plugin = plugin;
      this.log = runtime.#log;
    }

    onPacket(packet: PacketInput): void {
      this.#runtime.#onPacket(packet);
    }

    onConnection(event: ConnectionEvent): void {
      this.#runtime.#onConnection(this.#plugin, event);
    }

    onCandidate(init: LocalCandidateInit): void {
      this.#runtime.#onCandidate(this.#plugin, init);
    }

    onError(error: Error): void {
      this.#runtime.#report(this.#plugin.protocol, error);
    }
  };

  #onPacket(packet: PacketInput): void {
    if (this.#closed) {
      this.#log('drops a %d-byte packet from %s:%d: the agent is closed', packet.data.length, packet.from.address, packet.from.port);
      return;
    }
    let disposition;
    try {
      disposition = this.core.handlePacket(this.now(), packet);
    } catch (error) {
      this.#report(`packet from ${packet.from.address}:${packet.from.port} on ${packet.transportId}`, error);
      disposition = 'dropped';
    }
    if (typeof disposition === 'object') {
      try {
        this.#sink.onData(disposition.component, packet.data);
      } catch (error) {
        this.#listenerErrors.push(error);
      }
      // The data path: classifying a packet as data leaves the core unchanged
      // (nothing to poll, the same timeout), so no drain and no timer move.
      this.#rethrowListenerErrors();
      return;
    }
    this.#drain();
  }

  #onConnection(plugin: TransportPlugin, event: ConnectionEvent): void {
    if (event.type === 'connected' || event.type === 'accepted') this.#own(plugin, event.transportId);
    if (this.#closed) {
      this.#log('ignores a %s connection event: the agent is closed', event.type);
      return;
    }
    try {
      this.core.handleConnection(this.now(), event);
    } catch (error) {
      this.#report(`connection event ${event.type}`, error);
    }
    this.#drain();
  }

  #onCandidate(plugin: TransportPlugin, gathered: LocalCandidateInit): void {
    const init = announceCandidate(gathered, this.#announced);
    if (this.#closed) {
      this.#log('ignores a local candidate on %s: the agent is closed', init.transportId);
      return;
    }
    this.#own(plugin, init.transportId);
    try {
      this.core.addLocalCandidate(this.now(), init);
    } catch (error) {
      this.#report(`local candidate on ${init.transportId} refused`, error);
      this.#drain();
      return;
    }
    this.#drain();
    try {
      this.#sink.onCandidate(init);
    } catch (error) {
      this.#listenerErrors.push(error);
      this.#rethrowListenerErrors();
    }
  }

  readonly #onTimer = (): void => {
    if (this.#closed) return;
    // The core decides at its timeouts whether data went out since the last consent check: report the next send again.
    const notices = this.#sendNotices;
    if (notices !== undefined) for (const notice of notices) notice.armed = true;
    try {
      this.core.handleTimeout(this.now());
    } catch (error) {
      this.#report('timeout handling', error);
    }
    this.#drain();
  };

  /** Polls all outputs until the core has nothing more, then re-arms the timer. */
  #drain(): void {
    if (this.#draining) return; // the outer drain loop picks up what a nested input produced
    this.#draining = true;
    try {
      let more = true;
      while (more) {
        more = false;
        let transmit: Transmit | undefined;
        while ((transmit = this.core.pollTransmit()) !== undefined) {
          more = true;
          this.#transmit(transmit);
        }
        let command: ConnectionCommand | undefined;
        while ((command = this.core.pollConnectionCommand()) !== undefined) {
          more = true;
          this.#command(command);
        }
        let event: IceEvent | undefined;
        while ((event = this.core.pollEvent()) !== undefined) {
          more = true;
          this.#event(event);
        }
      }
    } catch (error) {
      this.#report('draining the core', error);
    } finally {
      this.#draining = false;
    }
    this.#armTimer();
    this.#rethrowListenerErrors();
  }

  /** Records that `plugin` owns `transportId` (it reported a candidate or a connection on it). */
  #own(plugin: TransportPlugin, transportId: string): void {
    const owner = this.#pluginOf.get(transportId);
    if (owner === undefined) this.#pluginOf.set(transportId, plugin);
    else if (owner !== plugin)
      this.#log('%s: transport id %s already belongs to a %s plugin', plugin.protocol, transportId, owner.protocol);
  }

  /** The plugin that owns a transport id the core named, or `undefined` (logged). */
  #owner(transportId: string, what: string): TransportPlugin | undefined {
    const plugin = this.#pluginOf.get(transportId);
    if (plugin === undefined) this.#log('%s: no plugin owns transport id %s', what, transportId);
    return plugin;
  }

  #transmit(transmit: Transmit): void {
    const plugin = this.#owner(transmit.transportId, `drops a ${transmit.data.length}-byte transmit`);
    if (plugin === undefined) return;
    try {
      plugin.send(transmit);
    } catch (error) {
      this.#report(`send on ${transmit.transportId}`, error);
    }
  }

  #command(command: ConnectionCommand): void {
    const plugin = this.#owner(command.transportId, `ignores a ${command.type} command`);
    if (plugin === undefined) return;
    try {
      plugin.command(command);
    } catch (error) {
      this.#report(`${command.type} command`, error);
    }
  }

  #route(component: number, route: Route | null): void {
    try {
      const connection = route === null ? undefined : this.routeConnection(route);
      this.#sink.onRoute(component, route, connection);
    } catch (error) {
      this.#listenerErrors.push(error);
    }
  }

  #event(event: IceEvent): void {
    if (event.type === 'route') return this.#route(event.component, event.route);
    try {
      if (event.type === 'state' && event.state === 'completed') this.#iceCompleted();
      this.#sink.onEvent(event);
    } catch (error) {
      this.#listenerErrors.push(error);
    }
  }

  /** RFC 6544 §4.1: STUN-server connections are kept until ICE is done. */
  #iceCompleted(): void {
    for (const plugin of this.#plugins) {
      try {
        plugin.closeServerConnections?.();
      } catch (error) {
        this.#report(`${plugin.protocol}: closing STUN-server connections`, error);
      }
    }
  }

  #armTimer(): void {
    if (this.#closed) {
      this.#clearTimer();
      return;
    }
    let at: number | undefined;
    try {
      at = this.core.pollTimeout();
    } catch (error) {
      this.#report('pollTimeout', error);
    }
    if (at === undefined) {
      this.#clearTimer();
      return;
    }
    if (this.#timer.at !== at) processTimerWheel.schedule(this.#timer, at);
  }

  #clearTimer(): void {
    processTimerWheel.cancel(this.#timer);
  }

  #report(what: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.#log('%s: %s', what, message);
    const wrapped = error instanceof IceTcpError ? error : new IceAgentError('ERR_RUNTIME', `${what}: ${message}`, { cause: error });
    try {
      this.#sink.onError(wrapped);
    } catch (listenerError) {
      this.#listenerErrors.push(listenerError);
    }
  }

  /**
   * An application listener threw while the runtime was dispatching: the
   * runtime finished its work first, and the exception surfaces on its own
   * tick so that it is not mistaken for (or hidden as) an ICE error.
   */
  #rethrowListenerErrors(): void {
    if (this.#draining || this.#listenerErrors.length === 0) return;
    const errors = this.#listenerErrors;
    this.#listenerErrors = [];
    for (const error of errors) {
      process.nextTick(() => {
        throw error;
      });
    }
  }
}
