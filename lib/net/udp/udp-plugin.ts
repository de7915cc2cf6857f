/**
 * The UDP transport plugin: one `dgram` socket per local address and
 * component, a host candidate on each (RFC 8445 §5.1.1.1), server-reflexive
 * candidates learned from `stun:` servers over those same sockets
 * (RFC 8445 §5.1.1.2), transmits for the core, and the data path of UDP pairs.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import createDebug from 'debug';
import { candidatePriority, computeFoundation, type Candidate } from '../../candidate/index.js';
import type { PacketConnection } from '../../connection.js';
import type { Address, ConnectionCommand, Transmit } from '../../ice/types.js';
import type { TransportAddress } from '../../stun/index.js';
import { IceAgentError } from '../net-errors.js';
import type { GatherContext, StunServerAddress, TransportHost, TransportPlugin } from '../agent/transport-plugin.js';
import { UdpBindingClient, type BindingRetransmitOptions } from './udp-binding-client.js';
import { DEFAULT_UDP_SEND_HIGH_WATER_MARK, UdpRoute } from './udp-route.js';
import { SmallMap } from '../../small-map.js';
import { flat } from '../../flat-string.js';

const debug = createDebug('ice-tcp:udp');

/** Options of {@link UdpTransport}. */
export interface UdpTransportOptions {
  /** SO_RCVBUF of each socket in bytes (default 1 MiB; the OS may cap it, Linux at `net.core.rmem_max`). */
  receiveBufferSize?: number;
  /** SO_SNDBUF of each socket in bytes (default: the OS default). */
  sendBufferSize?: number;
  /** Bytes queued in a socket before `send()` reports backpressure (default 256 KiB). */
  sendHighWaterMark?: number;
  /** Binding retransmission towards STUN servers (RFC 8489 §6.2.1; deadline default 3000 ms). */
  stun?: BindingRetransmitOptions;
  /**
   * Keep a server-reflexive candidate that equals its base (no NAT between us
   * and the server, e.g. on loopback). RFC 8445 §5.1.3 says to eliminate such
   * redundant candidates, which is the default (`false`).
   */
  keepRedundantCandidates?: boolean;
  /**
   * Resolves a STUN server's host name to an address of the given family
   * (default `dns.promises.lookup`). IP literals are never looked up.
   */
  resolve?: (host: string, family: 4 | 6) => Promise<string>;
}

/** The options of every transport made without any: shared, frozen. */
const DEFAULT_OPTIONS: UdpTransportOptions = Object.freeze({ stun: Object.freeze({}) });

const dnsResolve = async (host: string, family: 4 | 6): Promise<string> => (await lookup(host, { family })).address;

/** One bound socket: the base of a host candidate and of its srflx candidates. */
interface UdpBase {
  transportId: string;
  socket: Socket;
  address: string;
  port: number;
  family: 4 | 6;
  component: number;
  localPreference: number;
  client: UdpBindingClient;
  /** Routes by remote `address|port`: one for most sessions (no `Map` for it, README "Capacity and speed"). */
  routes: SmallMap<string, UdpRoute>;
  /** The route whose IceConnection takes its data straight from the socket (UdpRoute.setPacketTap keeps it). */
  tapped: UdpRoute | undefined;
  /**
   * `address|port` of the server-reflexive candidates gathered on this base
   * (redundancy, RFC 8445 §5.1.3; the host candidate is the base itself):
   * made by the first one.
   */
  mapped: Set<string> | undefined;
  /** The local address of every packet received on it. */
  to: Address;
}

/** The last literal {@link literalLookup} recognised, and its family: most sends go to the same address. */
let lastLiteral = '';
let lastLiteralFamily = 0;

/**
 * `dgram`'s address lookup: every address we send to is an IP literal, which
 * the default (`dns.lookup`) also returns as is, but a tick later; answering
 * at once saves a tick per datagram. The last literal is remembered, so that
 * a stream of datagrams to one peer does not run `isIP`'s regular
 * expressions on every send. Names still go to `dns.lookup`.
 */
function literalLookup(
  hostname: string,
  options: number | LookupOneOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  if (hostname === lastLiteral) {
    callback(null, hostname, lastLiteralFamily);
    return;
  }
  const family = isIP(hostname);
  if (family !== 0) {
    lastLiteral = hostname;
    lastLiteralFamily = family;
    callback(null, hostname, family);
  } else dnsLookup(hostname, options as LookupOneOptions, callback);
}

function checkSize(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new IceAgentError('ERR_AGENT_BAD_OPTION', `udp.${name} must be a positive integer, got ${String(value)}`);
  }
}

function formatHostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** The UDP plugin of one agent. */
export class UdpTransport implements TransportPlugin {
  /** Always `'udp'`. */
  readonly protocol = 'udp' as const;
  readonly #options: UdpTransportOptions;
  /** One base per address and component: one for most agents (no `Map` for it). */
  readonly #bases = new SmallMap<string, UdpBase>();
  /** Binds in progress: `close()` waits for them (their sockets are closed as they finish); none after gathering. */
  #binding: Set<Promise<unknown>> | undefined;
  #host: TransportHost | undefined;
  #closed = false;

  /** @throws IceAgentError `ERR_AGENT_BAD_OPTION` */
  constructor(options: UdpTransportOptions = {}) {
    checkSize('receiveBufferSize', options.receiveBufferSize);
    checkSize('sendBufferSize', options.sendBufferSize);
    checkSize('sendHighWaterMark', options.sendHighWaterMark);
    if (options.resolve !== undefined && typeof options.resolve !== 'function') {
      throw new IceAgentError('ERR_AGENT_BAD_OPTION', 'udp.resolve must be a function');
    }
    const stun = options.stun ?? {};
    for (const key of ['rtoMs', 'maxSends', 'lastWaitFactor', 'deadlineMs'] as const) {
      const value = stun[key];
      if (value !== undefined && (!Number.isFinite(value) || value <= 0)) {
        throw new IceAgentError('ERR_AGENT_BAD_OPTION', `udp.stun.${key} must be a positive number, got ${String(value)}`);
      }
    }
    // The defaults are one frozen object for every agent (README "Capacity and speed").
    this.#options = Object.keys(options).length === 0 ? DEFAULT_OPTIONS : { ...options, stun: { ...stun } };
  }

  /** The bound sockets: transport id, local address and component. */
  bases(): Array<{ transportId: string; address: string; port: number; component: number }> {
    return [...this.#bases.values()].map((b) => ({ transportId: b.transportId, address: b.address, port: b.port, component: b.component }));
  }

  /** See {@link TransportPlugin.attach}. */
  attach(host: TransportHost): void {
    this.#host = host;
  }

  /**
   * Binds one socket per address and component (a host candidate each), then
   * asks the UDP STUN servers for server-reflexive candidates over those
   * sockets. An address that cannot be bound is skipped with a debug line.
   */
  async gather(context: GatherContext): Promise<void> {
    const host = this.#requireHost();
    const servers = context.stunServers.filter((s) => s.transport !== 'tcp');
    const srflx: Promise<void>[] = [];
    // RFC 8445 §5.1.2.1: a local preference unique per interface address.
    let localPreference = 65535;
    for (const address of context.addresses) {
      for (const component of context.components) {
        if (this.#stopped(context)) break;
        let base: UdpBase;
        try {
          base = await this.#bind(address, component, localPreference);
        } catch (error) {
          debug('no UDP candidate on %s: %s', address, (error as Error).message);
          host.log('udp: cannot bind %s: %s', address, (error as Error).message);
          continue;
        }
        if (this.#closed) break;
        host.onCandidate({ candidate: this.#hostCandidate(base, context), transportId: base.transportId });
        for (const server of servers) srflx.push(this.#gatherSrflx(base, server, context));
      }
      localPreference--;
    }
    await Promise.all(srflx);
  }

  /** Sends one datagram the core produced from the socket named by `transportId` (a debug line when there is none). */
  send(transmit: Transmit): boolean {
    const base = this.#bases.get(transmit.transportId);
    if (base === undefined) {
      debug('drops a %d-byte transmit: no UDP socket %s', transmit.data.length, transmit.transportId);
      return false;
    }
    try {
      base.socket.send(transmit.data, transmit.to.port, transmit.to.address, (error) => {
        if (error) debug('%s: send to %s:%d failed: %s', base.transportId, transmit.to.address, transmit.to.port, error.message);
      });
    } catch (error) {
      debug('%s: cannot send: %s', base.transportId, (error as Error).message);
      return false;
    }
    return true;
  }

  /** UDP has no connections: commands are ignored with a debug line. */
  command(command: ConnectionCommand): void {
    debug('ignores a %s command: UDP has no connections', command.type);
  }

  /**
   * The datagram view towards `remote` on a socket: one per remote address,
   * reused while someone uses it. Views nobody listens to any more (the
   * route moved on) are forgotten when a new one is made, so a long session
   * whose peer changes ports does not accumulate them.
   */
  routeConnection(transportId: string, remote: Address): PacketConnection | undefined {
    const base = this.#bases.get(transportId);
    if (base === undefined) return undefined;
    const key = `${remote.address}|${remote.port}`;
    let route = base.routes.get(key);
    if (route === undefined || route.closed) {
      for (const [otherKey, other] of base.routes) {
        if (other.closed || (other.listenerCount('drain') === 0 && other.listenerCount('close') === 0)) base.routes.delete(otherKey);
      }
      route = new UdpRoute(base.socket, remote, this.#options.sendHighWaterMark ?? DEFAULT_UDP_SEND_HIGH_WATER_MARK, base);
      base.routes.set(flat(key), route); // kept for the session: one flat string
    }
    return route;
  }

  /** Cancels STUN transactions, closes every socket (also those still binding); resolves once all are released. */
  async close(): Promise<void> {
    this.#closed = true;
    const closing: Promise<void>[] = [];
    for (const base of this.#bases.values()) {
      base.client.cancelAll('the transport is closing');
      for (const route of base.routes.values()) route.close();
      base.routes.clear();
      base.tapped = undefined;
      closing.push(
        new Promise((resolve) => {
          try {
            base.socket.close(() => resolve());
          } catch {
            resolve(); // closed already
          }
        }),
      );
    }
    this.#bases.clear();
    await Promise.all([...closing, ...[...(this.#binding ?? [])].map((bind) => bind.catch(() => undefined))]);
  }

  /** Closed, or gathering aborted (read after every await). */
  #stopped(context: GatherContext): boolean {
    return this.#closed || context.signal?.aborted === true;
  }

  #requireHost(): TransportHost {
    if (this.#host === undefined) throw new IceAgentError('ERR_AGENT_BAD_OPTION', 'the UDP transport is not attached to an agent');
    return this.#host;
  }

  #bind(address: string, component: number, localPreference: number): Promise<UdpBase> {
    const binding = this.#bindSocket(address, component, localPreference);
    (this.#binding ??= new Set()).add(binding);
    const settled = (): void => {
      if (this.#binding?.delete(binding) === true && this.#binding.size === 0) this.#binding = undefined;
    };
    binding.then(settled, settled);
    return binding;
  }

  #bindSocket(address: string, component: number, localPreference: number): Promise<UdpBase> {
    const family = isIP(address) === 6 ? 6 : 4;
    const socket = createSocket({
      type: family === 6 ? 'udp6' : 'udp4',
      lookup: literalLookup,
      ipv6Only: family === 6,
      recvBufferSize: this.#options.receiveBufferSize ?? 1024 * 1024,
      ...(this.#options.sendBufferSize !== undefined ? { sendBufferSize: this.#options.sendBufferSize } : {}),
    });
    return new Promise((resolve, reject) => {
      const onBindError = (error: Error): void => {
        const failed = new IceAgentError('ERR_UDP_BIND', `cannot bind UDP on ${address}: ${error.message}`, { cause: error });
        try {
          socket.close(() => reject(failed));
        } catch {
          reject(failed); // already closed
        }
      };
      socket.once('error', onBindError);
      socket.bind({ address, port: 0, exclusive: true }, () => {
        socket.off('error', onBindError);
        const port = socket.address().port;
        const base = this.#makeBase(socket, address, port, family, component, localPreference);
        const transportId = base.transportId;
        if (this.#closed) {
          // Settles once the socket is released, so that close() can wait for it.
          socket.close(() => reject(new IceAgentError('ERR_AGENT_CLOSED', 'the transport closed while binding')));
          return;
        }
        this.#bases.set(transportId, base);
        debug('%s: bound (component %d)', transportId, component);
        resolve(base);
      });
    });
  }

  /**
   * A bound socket's base, its binding client and its listeners, made here so
   * that their closures keep only the plugin and the base, not the binding's
   * scope (its promise functions) for the session's life.
   */
  #makeBase(socket: Socket, address: string, port: number, family: 4 | 6, component: number, localPreference: number): UdpBase {
    const base: UdpBase = {
      transportId: flat(`udp:${formatHostPort(address, port)}`),
      socket,
      address,
      port,
      family,
      component,
      localPreference,
      client: new UdpBindingClient((data, toPort, toAddress) => this.#sendRaw(base, data, toPort, toAddress)),
      routes: new SmallMap(),
      tapped: undefined,
      mapped: undefined,
      to: { address, port },
    };
    socket.on('error', (error) => debug('%s: socket error: %s', base.transportId, error.message));
    socket.on('message', (data: Buffer, rinfo: RemoteInfo) => this.#onMessage(base, data, rinfo));
    return base;
  }

  #sendRaw(base: UdpBase, data: Buffer, port: number, address: string): void {
    try {
      base.socket.send(data, port, address, (error) => {
        if (error) debug('%s: send to %s:%d failed: %s', base.transportId, address, port, error.message);
      });
    } catch (error) {
      debug('%s: cannot send: %s', base.transportId, (error as Error).message);
    }
  }

  #onMessage(base: UdpBase, data: Buffer, rinfo: RemoteInfo): void {
    // RFC 7983: only a first byte of 0-3 can be a STUN server's answer.
    if (data.length > 0 && data[0] < 4 && base.client.size > 0) {
      if (base.client.handleResponse(data, { family: base.family, address: rinfo.address, port: rinfo.port })) return;
    }
    // The selected route's application data goes straight to its IceConnection (STUN still to the core).
    const tapped = base.tapped;
    if (
      tapped !== undefined &&
      rinfo.port === tapped.remote.port &&
      rinfo.address === tapped.remote.address &&
      tapped.tap?.takePacket(data) === true
    ) {
      return;
    }
    this.#host?.onPacket({ transportId: base.transportId, from: { address: rinfo.address, port: rinfo.port }, to: base.to, data });
  }

  #hostCandidate(base: UdpBase, context: GatherContext): Candidate {
    return {
      foundation: computeFoundation({ type: 'host', baseAddress: base.address, transport: 'udp' }),
      component: base.component,
      transport: 'udp',
      priority: candidatePriority(
        { type: 'host', transport: 'udp', component: base.component, localPreference: base.localPreference },
        context.priority,
      ),
      address: base.address,
      port: base.port,
      type: 'host',
      extensions: [],
    };
  }

  async #gatherSrflx(base: UdpBase, server: StunServerAddress, context: GatherContext): Promise<void> {
    const serverLabel = formatHostPort(server.host, server.port);
    let serverAddress: string;
    try {
      serverAddress = isIP(server.host) !== 0 ? server.host : await (this.#options.resolve ?? dnsResolve)(server.host, base.family);
    } catch (error) {
      debug('%s: cannot resolve STUN server %s: %s', base.transportId, server.host, (error as Error).message);
      return;
    }
    if (this.#stopped(context)) {
      debug('%s: no Binding request to %s: the transport closed while resolving it', base.transportId, serverLabel);
      return;
    }
    if ((isIP(serverAddress) === 6 ? 6 : 4) !== base.family) {
      debug('%s: skips STUN server %s: another IP family', base.transportId, serverLabel);
      return;
    }
    let mapped: TransportAddress;
    try {
      mapped = await base.client.request({ family: base.family, address: serverAddress, port: server.port }, this.#options.stun);
    } catch (error) {
      debug('%s: no server-reflexive candidate from %s: %s', base.transportId, serverLabel, (error as Error).message);
      this.#host?.log('udp: STUN server %s: %s', serverLabel, (error as Error).message);
      return;
    }
    if (this.#stopped(context)) return;
    const key = `${mapped.address}|${mapped.port}`;
    const redundant = (mapped.address === base.address && mapped.port === base.port) || base.mapped?.has(key) === true;
    if (redundant && this.#options.keepRedundantCandidates !== true) {
      // RFC 8445 §5.1.3: same transport address and base as another candidate.
      debug(
        '%s: server-reflexive %s from %s is redundant, eliminated',
        base.transportId,
        formatHostPort(mapped.address, mapped.port),
        serverLabel,
      );
      return;
    }
    (base.mapped ??= new Set()).add(key);
    const candidate: Candidate = {
      foundation: computeFoundation({ type: 'srflx', baseAddress: base.address, serverAddress, transport: 'udp' }),
      component: base.component,
      transport: 'udp',
      priority: candidatePriority(
        { type: 'srflx', transport: 'udp', component: base.component, localPreference: base.localPreference },
        context.priority,
      ),
      address: mapped.address,
      port: mapped.port,
      type: 'srflx',
      relatedAddress: base.address,
      relatedPort: base.port,
      extensions: [],
    };
    debug('%s: server-reflexive %s from %s', base.transportId, formatHostPort(mapped.address, mapped.port), serverLabel);
    this.#host?.onCandidate({ candidate, transportId: base.transportId });
  }
}
