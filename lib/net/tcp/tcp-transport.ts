import { isIP, type Socket } from 'node:net';
import createDebug from 'debug';
import { MAX_OTHER_PREFERENCE, normalizeIpAddress, type TcpType } from '../../candidate/index.js';
import type { PacketConnection } from '../../connection.js';
import type { Address, ConnectionCommand, Transmit } from '../../ice/types.js';
import type { GatherContext, StunServerAddress, TransportHost, TransportPlugin } from '../agent/transport-plugin.js';
import { reserveFreePort } from './free-port.js';
import { acquirePortListener, releasePortListener } from './port-listeners.js';
import { SharedPassiveListener, type PassiveConnectionHandler, type SharedPassiveListenerOptions } from './shared-listener.js';
import { formatEndpoint, socketLocal } from './socket-address.js';
import { requestTcpMapping, type StunTcpFraming } from './stun-tcp-client.js';
import { tcpHostCandidate, tcpSrflxCandidate } from './tcp-candidates.js';
import { TcpConnectionSet } from './tcp-connection-set.js';
import { SmallMap } from '../../small-map.js';
import { flat } from '../../flat-string.js';
import { TcpTransportError } from './tcp-error.js';
import { resolveTcpTransportOptions, type ResolvedTcpTransportOptions, type TcpTransportOptions } from './tcp-transport-options.js';

export type { TcpTransportOptions } from './tcp-transport-options.js';

/** Timeout of the TCP try of a `stun:` URL without `?transport=` (at most `stunTimeoutMs`). */
export const IMPLICIT_TCP_STUN_TIMEOUT_MS = 1500;
const debug = createDebug('ice-tcp:tcp');

/** A local TCP base: what a `transportId` names. */
interface TcpBase {
  transportId: string;
  tcpType: TcpType;
  address: string;
  /** Bound port (passive listener, S-O); 0 for active. */
  port: number;
  component: number;
}

let pluginCount = 0;

/**
 * The ICE-TCP transport plugin (RFC 6544): gathers active, passive and S-O
 * host candidates and server-reflexive S-O candidates per interface
 * address, carries out the core's connect / close commands, accepts
 * connections on passive candidates (through a {@link SharedPassiveListener},
 * its own or a shared one), and frames every connection with RFC 4571.
 *
 * Limitations (Node 20, Linux): an S-O base is a bound port used only for
 * connect() (a port with a listener cannot connect from), so S-O
 * connections arise from crossing SYNs, the core retrying on RST; and a
 * server-reflexive *passive* candidate cannot be learned (that would need a
 * connect from the listening port). Server-reflexive S-O is what crosses NATs.
 */
export class TcpTransport implements TransportPlugin {
  /** Always `'tcp'`. */
  readonly protocol = 'tcp' as const;
  readonly #active: boolean;
  readonly #passive: boolean;
  readonly #so: boolean;
  readonly #shared: SharedPassiveListener | undefined;
  readonly #ownListenerOptions: SharedPassiveListenerOptions;
  readonly #stunTimeoutMs: number;
  readonly #stunFraming: StunTcpFraming;
  readonly #connectionOptions: ResolvedTcpTransportOptions['connections'];
  readonly #idPrefix: string;
  // The tables below are made on first use, and hold one entry for most agents (README "Capacity and speed").
  readonly #bases = new SmallMap<string, TcpBase>();
  /** Listeners and the handler registered with each (own ones and the shared one). */
  readonly #registrations = new SmallMap<SharedPassiveListener, PassiveConnectionHandler>();
  #ownListeners: Set<SharedPassiveListener> | undefined;
  /** `passivePort`: the process-wide listeners this plugin uses (released at close). */
  readonly #passivePort: number | undefined;
  #portListeners: Set<SharedPassiveListener> | undefined;
  /** Connections to STUN servers kept open until ICE completes (RFC 6544 §4.1). */
  #serverSockets: Set<Socket> | undefined;
  /** The local ufrags routed to this plugin: the current one last, at most two (copied on change, exactly as long as it is). */
  #ufrags: readonly string[] = [];
  #host: TransportHost | undefined;
  #connections: TcpConnectionSet | undefined;
  #closing: Promise<void> | undefined;

  /** @throws TcpTransportError `ERR_TCP_BAD_OPTION` for an invalid option. */
  constructor(options: TcpTransportOptions = {}) {
    const resolved = resolveTcpTransportOptions(options);
    this.#active = resolved.active;
    this.#passive = resolved.passive;
    this.#so = resolved.so;
    this.#shared = resolved.listener;
    this.#ownListenerOptions = resolved.passiveListener;
    this.#passivePort = resolved.passivePort;
    this.#stunTimeoutMs = resolved.stunTimeoutMs;
    this.#stunFraming = resolved.stunFraming;
    this.#connectionOptions = resolved.connections;
    this.#idPrefix = `tcp${++pluginCount}-`;
  }

  /**
   * Binds the plugin to its runtime (once).
   *
   * @throws TcpTransportError `ERR_TCP_STATE` when already attached to
   *   another host or closed.
   */
  attach(host: TransportHost): void {
    if (this.#closing) throw new TcpTransportError('ERR_TCP_STATE', 'the TCP plugin is closed');
    if (this.#host !== undefined) {
      if (this.#host === host) return;
      throw new TcpTransportError('ERR_TCP_STATE', 'the TCP plugin is already attached');
    }
    this.#host = host;
    this.#connections = new TcpConnectionSet(host, this.#connectionOptions, this.#idPrefix);
  }

  /**
   * Gathers on every address and component: passive, S-O and active host
   * candidates (each kind unless switched off) and a server-reflexive S-O
   * candidate per STUN server with `transport: 'tcp'`. Failures on one
   * address or server are logged and skipped; the promise resolves when all
   * are done.
   *
   * @throws TcpTransportError `ERR_TCP_STATE` before `attach` or after
   *   `close`; `ERR_TCP_BAD_OPTION` for a malformed context or ufrag;
   *   `ERR_TCP_UFRAG_IN_USE` when the shared listener has the ufrag already.
   */
  async gather(context: GatherContext): Promise<void> {
    const host = this.#host;
    if (host === undefined) throw new TcpTransportError('ERR_TCP_STATE', 'attach() the TCP plugin before gather()');
    if (this.#closing) throw new TcpTransportError('ERR_TCP_STATE', 'the TCP plugin is closed');
    if (!Array.isArray(context?.addresses) || !Array.isArray(context.components)) {
      throw new TcpTransportError('ERR_TCP_BAD_OPTION', 'gather context needs addresses and components arrays');
    }
    if (this.#passive) this.setLocalUfrag(context.localUfrag);
    const tasks: Promise<void>[] = [];
    context.addresses.forEach((raw, index) => {
      const address = typeof raw === 'string' ? normalizeIpAddress(raw) : null;
      if (address === null) {
        debug('gather: skips %s: not an IP address', String(raw));
        return;
      }
      // RFC 6544 §4.2: other-pref unique per interface address.
      const otherPreference = Math.max(0, MAX_OTHER_PREFERENCE - index);
      context.components.forEach((component, componentIndex) => {
        tasks.push(this.#gatherOn(context, address, component, componentIndex === 0, otherPreference));
      });
    });
    await Promise.all(tasks);
  }

  /**
   * Routes incoming connections checking `ufrag` (this agent's local ufrag,
   * RFC 8445 §7.2.2) to this plugin, on every listener it uses. Call it
   * again after an ICE restart (RFC 8445 §9) with the new ufrag: the
   * previous one stays routed (late checks), older ones are dropped.
   *
   * @throws TcpTransportError `ERR_TCP_BAD_OPTION` for a bad ufrag,
   *   `ERR_TCP_UFRAG_IN_USE` when the shared listener routes it elsewhere.
   */
  setLocalUfrag(ufrag: string): void {
    if (typeof ufrag !== 'string' || ufrag === '' || ufrag.includes(':')) {
      throw new TcpTransportError('ERR_TCP_BAD_OPTION', `a ufrag must be a non-empty string without ":", got ${String(ufrag)}`);
    }
    if (this.#ufrags.at(-1) === ufrag) return;
    for (const [listener, handler] of this.#registrations) listener.register(ufrag, handler);
    const ufrags = [...this.#ufrags, ufrag];
    this.#ufrags = ufrags.slice(-2);
    for (const old of ufrags.slice(0, -2)) {
      for (const [listener, handler] of this.#registrations) listener.unregister(old, handler);
    }
  }

  /**
   * Sends one packet (a STUN message from the core) as one RFC 4571 frame on
   * the transmit's connection. `false`: no such connection (logged) or
   * backpressure.
   */
  send(transmit: Transmit): boolean {
    if (this.#connections === undefined || transmit.connectionId === undefined) {
      debug('send: a TCP transmit needs a connection id; %d bytes to %s dropped', transmit.data.length, formatEndpoint(transmit.to));
      return false;
    }
    return this.#connections.send(transmit.connectionId, transmit.data);
  }

  /** Carries out a `connect` or `close` command of the core (RFC 6544 §7.1, §8). */
  command(command: ConnectionCommand): void {
    const connections = this.#connections;
    if (connections === undefined || this.#closing) {
      debug('command %s ignored: plugin %s', command.type, connections === undefined ? 'not attached' : 'closed');
      return;
    }
    if (command.type === 'close') {
      connections.close(command.connectionId, command.reason);
      return;
    }
    const base = this.#bases.get(command.transportId);
    if (base === undefined || base.tcpType !== command.tcpType) {
      connections.refuse(command.attemptId, `no ${command.tcpType} TCP base ${command.transportId}`);
      return;
    }
    // RFC 6544 §7.1: active connects from an ephemeral port, S-O from its bound port.
    const local = base.tcpType === 'so' ? { address: base.address, port: base.port } : { address: base.address, port: 0 };
    connections.connect(command, local);
  }

  /** The framed connection carrying a TCP route (backpressure end to end), if it is open. */
  routeConnection(transportId: string, remote: Address, connectionId?: string): PacketConnection | undefined {
    if (connectionId === undefined) return undefined;
    const entry = this.#connections?.get(connectionId);
    if (entry === undefined || entry.transportId !== transportId) return undefined;
    if (entry.remote.address !== remote.address || entry.remote.port !== remote.port) {
      debug('route %s: remote %s does not match the connection %s', connectionId, formatEndpoint(remote), formatEndpoint(entry.remote));
      return undefined;
    }
    return entry.framed;
  }

  /**
   * Closes the connections kept open to STUN servers (RFC 6544 §4.1: kept
   * until ICE completes). Call it when ICE has completed; `close()` does it too.
   */
  closeServerConnections(): void {
    const sockets = this.#serverSockets;
    this.#serverSockets = undefined;
    if (sockets !== undefined) for (const socket of sockets) socket.destroy();
  }

  /** Local bases (transportIds) gathered so far, for diagnostics. */
  get transportIds(): string[] {
    return [...this.#bases.keys()];
  }

  /** Closes every socket and listener of this plugin (not a shared listener); resolves when all are released. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    for (const [listener, handler] of this.#registrations) {
      for (const ufrag of this.#ufrags) listener.unregister(ufrag, handler);
    }
    this.#registrations.clear();
    const waits: Promise<void>[] = [...(this.#ownListeners ?? [])].map((l) => l.close());
    this.#ownListeners = undefined;
    for (const listener of this.#portListeners ?? []) waits.push(releasePortListener(listener));
    this.#portListeners = undefined;
    for (const socket of this.#serverSockets ?? []) {
      if (!socket.closed) waits.push(new Promise((resolve) => socket.once('close', () => resolve())));
    }
    this.closeServerConnections();
    if (this.#connections) waits.push(this.#connections.destroyAll());
    await Promise.all(waits);
    debug('plugin %s closed', this.#idPrefix);
  }

  async #gatherOn(context: GatherContext, address: string, component: number, first: boolean, otherPreference: number): Promise<void> {
    const make = { address, component, otherPreference, priority: context.priority };
    const work: Promise<void>[] = [];
    if (this.#passive) work.push(this.#gatherPassive(context, make, first));
    if (this.#so) work.push(this.#gatherSo(context, make));
    if (this.#active) {
      const base = this.#addBase({ transportId: `tcp-active/${address}/${component}`, tcpType: 'active', address, port: 0, component });
      this.#emit(context, tcpHostCandidate({ ...make, tcpType: 'active', port: 0 }), base);
    }
    await Promise.all(work);
  }

  async #gatherPassive(context: GatherContext, make: CandidateParams, first: boolean): Promise<void> {
    const { address, component } = make;
    let listener = this.#shared;
    if (listener !== undefined) {
      if (!first) {
        debug('gather: a shared listener serves one component; no passive candidate for component %d', component);
        return;
      }
      let bound: Address;
      try {
        bound = await listener.listen();
      } catch (error) {
        debug('gather: shared listener unusable, no passive candidate on %s: %s', address, (error as Error).message);
        return;
      }
      const family = isIP(address);
      if (!listener.wildcard ? bound.address !== address : bound.address === '0.0.0.0' && family !== 4) {
        debug('gather: shared listener on %s does not serve %s; no passive candidate there', formatEndpoint(bound), address);
        return;
      }
      this.#register(listener, (socket, frame) => this.#onSharedAccept(socket, frame));
      const base = this.#addBase({
        transportId: `tcp-passive/${formatEndpoint({ address, port: bound.port })}/${component}`,
        tcpType: 'passive',
        address,
        port: bound.port,
        component,
      });
      this.#emit(context, tcpHostCandidate({ ...make, tcpType: 'passive', port: bound.port }), base);
      return;
    }
    if (this.#passivePort !== undefined) return this.#gatherPassiveOnPort(context, make, this.#passivePort);
    listener = new SharedPassiveListener({ ...this.#ownListenerOptions, host: address, port: 0 });
    (this.#ownListeners ??= new Set()).add(listener);
    let bound: Address;
    try {
      bound = await listener.listen();
    } catch (error) {
      debug('gather: no passive candidate on %s: %s', address, (error as Error).message);
      this.#ownListeners?.delete(listener);
      return;
    }
    if (this.#closing) return;
    const base = this.#addBase({
      transportId: `tcp-passive/${formatEndpoint(bound)}/${component}`,
      tcpType: 'passive',
      address,
      port: bound.port,
      component,
    });
    this.#register(listener, (socket, frame) => this.#onAccept(base, socket, frame));
    this.#emit(context, tcpHostCandidate({ ...make, tcpType: 'passive', port: bound.port }), base);
  }

  /** A passive candidate on the chosen port, its listener shared with the process's other agents ({@link acquirePortListener}). */
  async #gatherPassiveOnPort(context: GatherContext, make: CandidateParams, port: number): Promise<void> {
    const { address, component } = make;
    if (this.#closing) return;
    const listener = acquirePortListener(address, port, this.#ownListenerOptions);
    (this.#portListeners ??= new Set()).add(listener);
    let bound: Address;
    try {
      bound = await listener.listen();
    } catch (error) {
      debug('gather: no passive candidate on %s:%d: %s', address, port, (error as Error).message);
      this.#host?.log('tcp: cannot listen on %s:%d: %s', address, port, (error as Error).message);
      this.#portListeners?.delete(listener);
      void releasePortListener(listener);
      return;
    }
    if (this.#closing) return;
    const base = this.#addBase({
      transportId: `tcp-passive/${formatEndpoint(bound)}/${component}`,
      tcpType: 'passive',
      address,
      port: bound.port,
      component,
    });
    this.#register(listener, (socket, frame) => this.#onAccept(base, socket, frame));
    this.#emit(context, tcpHostCandidate({ ...make, tcpType: 'passive', port: bound.port }), base);
  }

  async #gatherSo(context: GatherContext, make: CandidateParams): Promise<void> {
    const { address, component } = make;
    let port: number;
    try {
      port = await reserveFreePort(address);
    } catch (error) {
      debug('gather: no S-O candidate on %s: %s', address, (error as Error).message);
      return;
    }
    if (this.#closing || context.signal?.aborted) return;
    const base = this.#addBase({
      transportId: `tcp-so/${formatEndpoint({ address, port })}/${component}`,
      tcpType: 'so',
      address,
      port,
      component,
    });
    this.#emit(context, tcpHostCandidate({ ...make, tcpType: 'so', port }), base);
    const servers = context.stunServers.filter((s) => s.transport !== 'udp' && familyMatches(s, address));
    await Promise.all(servers.map((server) => this.#gatherSrflx(context, make, base, server)));
  }

  /** RFC 6544 §5.2: the server-reflexive S-O candidate of `base`, from a STUN Binding over TCP sent from its port. */
  async #gatherSrflx(context: GatherContext, make: CandidateParams, base: TcpBase, server: StunServerAddress): Promise<void> {
    let mapping;
    try {
      mapping = await requestTcpMapping({
        server,
        local: { address: base.address, port: base.port },
        // A plain stun: URL (no ?transport) is tried over TCP too, on the chance the server
        // answers there; that try must not hold up end-of-candidates beyond a short wait.
        timeoutMs: server.transport === undefined ? Math.min(this.#stunTimeoutMs, IMPLICIT_TCP_STUN_TIMEOUT_MS) : this.#stunTimeoutMs,
        framing: this.#stunFraming,
        signal: context.signal,
      });
    } catch (error) {
      debug('gather: no srflx S-O candidate for %s: %s', base.transportId, (error as Error).message);
      return;
    }
    const { mapped, socket } = mapping;
    if (this.#closing) {
      socket.destroy();
      return;
    }
    // RFC 6544 §4.1: keep server connections open until ICE completes.
    (this.#serverSockets ??= new Set()).add(socket);
    socket.once('close', () => this.#serverSockets?.delete(socket));
    if (mapped.address === base.address && mapped.port === base.port) {
      // RFC 8445 §5.1.3: a srflx candidate equal to its base is redundant.
      debug('gather: srflx of %s equals its base (no NAT); not advertised', base.transportId);
      return;
    }
    const candidate = tcpSrflxCandidate({ ...make, tcpType: 'so', base, mapped, server: server.host });
    this.#emit(context, candidate, base);
  }

  #addBase(base: TcpBase): TcpBase {
    base.transportId = flat(base.transportId); // kept for the session: one flat string, not a tree of parts
    this.#bases.set(base.transportId, base);
    return base;
  }

  #emit(context: GatherContext, candidate: ReturnType<typeof tcpHostCandidate>, base: TcpBase): void {
    if (this.#closing || context.signal?.aborted) {
      debug('gather: %s candidate on %s not reported: %s', candidate.tcpType, base.transportId, this.#closing ? 'closed' : 'aborted');
      return;
    }
    debug('gather: %s %s candidate %s:%d on %s', candidate.type, candidate.tcpType, candidate.address, candidate.port, base.transportId);
    this.#host!.onCandidate({ candidate, transportId: base.transportId });
  }

  #register(listener: SharedPassiveListener, handler: PassiveConnectionHandler): void {
    if (this.#registrations.has(listener)) return;
    this.#registrations.set(listener, handler);
    for (const ufrag of this.#ufrags) listener.register(ufrag, handler);
  }

  /** A connection routed by the shared listener: find the passive base of the address it arrived at. */
  #onSharedAccept(socket: Socket, firstFrame: Buffer): void {
    const local = socketLocal(socket);
    for (const base of this.#bases.values()) {
      if (base.tcpType === 'passive' && local !== undefined && base.address === local.address && base.port === local.port) {
        this.#onAccept(base, socket, firstFrame);
        return;
      }
    }
    debug('accept: no passive candidate on %s; connection closed', formatEndpoint(local));
    socket.destroy();
  }

  /** RFC 6544 §7.2: an accepted connection: `'accepted'`, then its first frame, then the rest. */
  #onAccept(base: TcpBase, socket: Socket, firstFrame: Buffer): void {
    const entry = this.#closing ? undefined : this.#connections?.adopt(socket, base.transportId);
    if (entry === undefined) {
      socket.destroy();
      return;
    }
    debug('accept: %s %s -> %s on %s', entry.id, formatEndpoint(entry.remote), formatEndpoint(entry.local), base.transportId);
    const host = this.#host!;
    host.onConnection({
      type: 'accepted',
      connectionId: entry.id,
      transportId: base.transportId,
      local: entry.local,
      remote: entry.remote,
    });
    host.onPacket({ transportId: base.transportId, connectionId: entry.id, from: entry.remote, to: entry.local, data: firstFrame });
    socket.resume();
  }
}

/** What every candidate of one address and component shares. */
interface CandidateParams {
  address: string;
  component: number;
  otherPreference: number;
  priority: GatherContext['priority'];
}

/** A STUN server given as an IP literal of the other family cannot be reached from `address`. */
function familyMatches(server: StunServerAddress, address: string): boolean {
  const family = isIP(server.host);
  return family === 0 || family === isIP(address);
}
