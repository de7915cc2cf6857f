/**
 * The TURN transport plugin: relayed candidates (RFC 8445 §5.1.1.2) from one
 * TURN server, reached over UDP, TCP or TLS (RFC 8656 §6.2), behind the same
 * {@link TransportPlugin} interface as UDP and TCP.
 *
 * - `relayProtocol: 'udp'` (default): one UDP allocation per component, a
 *   `typ relay` UDP candidate at its relayed address (raddr: the mapped
 *   address); the core's transmits go out as Send indications or ChannelData,
 *   and Data indications / ChannelData come back as packets from the peer.
 * - `relayProtocol: 'tcp'` (RFC 6062, over TCP or TLS only): one TCP
 *   allocation per component giving a passive relayed TCP candidate (peers
 *   connect to the relayed address) and an active one at the same IP, port 9
 *   (RFC 6544 §4.5, §5.5: we ask the server to connect out); each connection
 *   is an RFC 6062 data connection framed with RFC 4571 end to end.
 *
 * Permissions are asked for each remote candidate's IP as it is added, so
 * that the peer's checks are let through before we send to it (RFC 8656 §9).
 *
 * @module
 */
import { lookup } from 'node:dns/promises';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import createDebug from 'debug';
import { ACTIVE_TCP_PORT, candidatePriority, computeFoundation, type Candidate } from '../../candidate/index.js';
import type { PacketConnection } from '../../connection.js';
import type { Address, ConnectionCommand, RandomSource, Transmit } from '../../ice/types.js';
import type { GatherContext, TransportHost, TransportPlugin } from '../agent/transport-plugin.js';
import { TurnAllocation, type TurnAllocationOptions } from './allocation.js';
import type { TurnClientEvent } from '../../turn/client.js';
import { TurnError } from '../../turn/turn-errors.js';
import { RelayRoute } from './relay-route.js';
import type { TurnTlsOptions } from './server-link.js';
import type { TurnServerConfig } from '../../turn/server-url.js';
import { TcpRelay } from './tcp-relay.js';

const debug = createDebug('ice-tcp:turn');

/** Options of {@link TurnTransport}. */
export interface TurnTransportOptions {
  server: TurnServerConfig;
  /** `'udp'` (default) or `'tcp'` (RFC 6062; needs a `tcp` or `tls` server transport). */
  relayProtocol?: 'udp' | 'tcp';
  tls?: TurnTlsOptions;
  /** LIFETIME to ask for (default: the server's). */
  lifetimeS?: number;
  /** Host name resolution (default `dns.promises.lookup`). */
  resolve?: (host: string, family: 4 | 6) => Promise<string>;
  random?: RandomSource;
  /** Client bounds and settings. */
  client?: TurnAllocationOptions['client'];
  /** Give up on an allocation after this long (default 10 000 ms). */
  timeoutMs?: number;
  /** Called for allocation failures and warnings (also logged). */
  onError?: (error: TurnError) => void;
}

interface RelayBase {
  allocation: TurnAllocation;
  component: number;
  relayed: Address;
  /** UDP: the relay candidate's transport id; TCP: the passive one. */
  transportId: string;
  activeId?: string;
  tcp?: TcpRelay;
  routes: Map<string, RelayRoute>;
}

let instances = 0;

/** Relayed candidates from one TURN server. */
export class TurnTransport implements TransportPlugin {
  readonly protocol: 'udp' | 'tcp';
  readonly #options: TurnTransportOptions;
  readonly #bases = new Map<string, RelayBase>();
  readonly #all: RelayBase[] = [];
  readonly #pendingAllocations = new Set<TurnAllocation>();
  readonly #id = ++instances;
  #host: TransportHost | undefined;
  #closed = false;
  readonly #permitted = new Set<string>();

  /** @throws TurnError `ERR_TURN_BAD_OPTION` */
  constructor(options: TurnTransportOptions) {
    if (options === null || typeof options !== 'object' || options.server === undefined) {
      throw new TurnError('ERR_TURN_BAD_OPTION', 'a TURN transport needs { server }');
    }
    if (options.relayProtocol === 'tcp' && options.server.transport === 'udp') {
      throw new TurnError(
        'ERR_TURN_BAD_OPTION',
        `${options.server.url}: TCP allocations need turn:...?transport=tcp or turns: (RFC 6062 §4.1)`,
      );
    }
    this.protocol = options.relayProtocol ?? 'udp';
    this.#options = options;
  }

  /** The relayed addresses allocated so far. */
  relayedAddresses(): Address[] {
    return this.#all.map((b) => ({ ...b.relayed }));
  }

  attach(host: TransportHost): void {
    this.#host = host;
  }

  /** Allocates one relayed address per component and reports its candidate(s). Failures are logged, not thrown. */
  async gather(context: GatherContext): Promise<void> {
    const server = this.#options.server;
    let address: string;
    try {
      address = isIP(server.host) !== 0 ? server.host : await (this.#options.resolve ?? dnsResolve)(server.host, 4);
    } catch (error) {
      this.#report(new TurnError('ERR_TURN_CONNECTION', `${server.url}: cannot resolve ${server.host}: ${(error as Error).message}`));
      return;
    }
    await Promise.all(context.components.map((component) => this.#allocate(component, address, context)));
  }

  send(transmit: Transmit): boolean {
    const base = this.#bases.get(transmit.transportId);
    if (base === undefined) {
      debug('drops a %d-byte transmit: no relay %s', transmit.data.length, transmit.transportId);
      return false;
    }
    if (base.tcp !== undefined) {
      if (transmit.connectionId === undefined) return false;
      return base.tcp.send(transmit.connectionId, transmit.data);
    }
    return base.allocation.send(transmit.to, transmit.data);
  }

  command(command: ConnectionCommand): void {
    if (command.type === 'connect') {
      const base = this.#bases.get(command.transportId);
      if (base?.tcp === undefined) {
        process.nextTick(() =>
          this.#host?.onConnection({ type: 'connect-failed', attemptId: command.attemptId, reason: 'error', message: 'no TCP relay' }),
        );
        return;
      }
      base.tcp.connect(command.attemptId, command.transportId, command.remote);
      return;
    }
    for (const base of this.#all) base.tcp?.close(command.connectionId);
  }

  routeConnection(transportId: string, remote: Address, connectionId?: string): PacketConnection | undefined {
    const base = this.#bases.get(transportId);
    if (base === undefined) return undefined;
    if (base.tcp !== undefined) return connectionId === undefined ? undefined : base.tcp.framed(connectionId);
    const key = `${remote.address}|${remote.port}`;
    let route = base.routes.get(key);
    if (route === undefined || route.closed) {
      for (const [other, r] of base.routes) if (r.closed || r.listenerCount('close') === 0) base.routes.delete(other);
      route = new RelayRoute(base.allocation, remote);
      base.routes.set(key, route);
    }
    return route;
  }

  /** A remote candidate was added: ask for a permission for its IP on every allocation (RFC 8656 §9, RFC 6062 §5.3). */
  addRemoteCandidate(candidate: Candidate): void {
    if (candidate.unresolved === true || isIP(candidate.address) === 0) return;
    if (candidate.transport !== this.protocol) return;
    for (const base of this.#all) {
      if (isIP(candidate.address) !== isIP(base.relayed.address)) continue;
      const key = `${base.transportId}|${candidate.address}`;
      if (this.#permitted.has(key)) continue;
      if (this.#permitted.size < 1024) this.#permitted.add(key);
      base.allocation.permit(candidate.address);
    }
  }

  /** Deallocates everything (Refresh 0, RFC 8656 §8) and closes every connection. */
  async close(): Promise<void> {
    this.#closed = true;
    const closing: Promise<void>[] = [];
    for (const allocation of this.#pendingAllocations) closing.push(allocation.close(0));
    for (const base of this.#all) {
      base.tcp?.destroyAll();
      for (const route of base.routes.values()) route.close();
      closing.push(base.allocation.close());
    }
    this.#bases.clear();
    await Promise.all(closing);
  }

  async #allocate(component: number, address: string, context: GatherContext): Promise<void> {
    const server = this.#options.server;
    let base: RelayBase | undefined;
    const allocation = new TurnAllocation(
      server,
      address,
      {
        relayProtocol: this.protocol,
        ...(this.#options.tls !== undefined ? { tls: this.#options.tls } : {}),
        ...(this.#options.lifetimeS !== undefined ? { lifetimeS: this.#options.lifetimeS } : {}),
        ...(this.#options.random !== undefined ? { random: this.#options.random } : {}),
        ...(this.#options.client !== undefined ? { client: this.#options.client } : {}),
        ...(this.#options.timeoutMs !== undefined ? { timeoutMs: this.#options.timeoutMs } : {}),
      },
      (event) => this.#onEvent(base, event),
    );
    this.#pendingAllocations.add(allocation);
    let allocated;
    try {
      allocated = await allocation.open();
    } catch (error) {
      this.#pendingAllocations.delete(allocation);
      await allocation.close(0);
      const turnError = error instanceof TurnError ? error : new TurnError('ERR_TURN_CONNECTION', String(error));
      this.#report(turnError);
      return;
    }
    this.#pendingAllocations.delete(allocation);
    if (this.#closed || context.signal?.aborted === true) {
      await allocation.close();
      return;
    }
    const relayed = { address: allocated.relayed.address, port: allocated.relayed.port };
    const label = `${relayed.address.includes(':') ? `[${relayed.address}]` : relayed.address}:${relayed.port}`;
    const transportId = `turn${this.#id}:${this.protocol}:${label}`;
    base = { allocation, component, relayed, transportId, routes: new Map() };
    const foundation = computeFoundation({
      type: 'relay',
      baseAddress: relayed.address,
      serverAddress: server.url,
      transport: this.protocol,
    });
    const related = allocated.mapped ?? { address: allocation.local?.address ?? '0.0.0.0', port: allocation.local?.port ?? 0 };
    const common = {
      foundation,
      component,
      address: relayed.address,
      type: 'relay' as const,
      relatedAddress: related.address,
      relatedPort: related.port,
      extensions: [],
    };
    debug('%s: relayed %s (component %d) from %s', transportId, label, component, server.url);
    if (this.protocol === 'udp') {
      this.#bases.set(transportId, base);
      this.#all.push(base);
      const priority = candidatePriority(
        { type: 'relay', transport: 'udp', component, localPreference: 65535 - this.#id },
        context.priority,
      );
      this.#host?.onCandidate({ candidate: { ...common, transport: 'udp', port: relayed.port, priority }, transportId });
      return;
    }
    base.activeId = `${transportId}/active`;
    base.transportId = `${transportId}/passive`;
    const host = this.#host!;
    base.tcp = new TcpRelay(
      allocation,
      relayed,
      { onPacket: (p) => host.onPacket(p), onConnection: (e) => host.onConnection(e) },
      this.#options.tls ?? {},
      this.#options.random ?? cryptoRandom,
      `${transportId}#`,
    );
    this.#bases.set(base.transportId, base);
    this.#bases.set(base.activeId, base);
    this.#all.push(base);
    const localPreference = 65535 - this.#id;
    // RFC 6544 §5.5/§4.5: a passive relayed candidate and an active one at the same IP, port 9.
    host.onCandidate({
      candidate: {
        ...common,
        transport: 'tcp',
        tcpType: 'passive',
        port: relayed.port,
        priority: candidatePriority({ type: 'relay', transport: 'tcp', tcpType: 'passive', component, localPreference }, context.priority),
      },
      transportId: base.transportId,
    });
    host.onCandidate({
      candidate: {
        ...common,
        transport: 'tcp',
        tcpType: 'active',
        port: ACTIVE_TCP_PORT,
        priority: candidatePriority({ type: 'relay', transport: 'tcp', tcpType: 'active', component, localPreference }, context.priority),
      },
      transportId: base.activeId,
    });
  }

  #onEvent(base: RelayBase | undefined, event: TurnClientEvent): void {
    switch (event.type) {
      case 'data':
        if (base === undefined || this.#closed) return;
        this.#host?.onPacket({ transportId: base.transportId, from: event.peer, to: base.relayed, data: event.data });
        return;
      case 'connection-attempt':
        if (base?.tcp !== undefined) base.tcp.onConnectionAttempt(event.connectionId, event.peer, base.transportId);
        return;
      case 'connect-result':
        base?.tcp?.onConnectResult(event.peer, event.connectionId, event.error);
        return;
      case 'warning':
        debug('%s: %s', this.#options.server.url, event.error.message);
        return;
      case 'failed':
        if (base !== undefined) this.#report(event.error);
        return;
      default:
        debug('%s: %s', this.#options.server.url, event.type);
    }
  }

  #report(error: TurnError): void {
    debug('%s', error.message);
    this.#host?.log('turn: %s', error.message);
    this.#host?.onError?.(error);
    try {
      this.#options.onError?.(error);
    } catch (listenerError) {
      debug('onError threw: %s', String(listenerError));
    }
  }
}

const cryptoRandom: RandomSource = { bytes: (n) => randomBytes(n) };

async function dnsResolve(host: string, family: 4 | 6): Promise<string> {
  return (await lookup(host, { family })).address;
}
