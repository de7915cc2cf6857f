/**
 * A small STUN server: a Binding responder (RFC 8489) on UDP and on TCP, the
 * TCP side accepting both plain STUN-over-TCP (RFC 8489 §6.2.2) and RFC 4571
 * framed STUN (what ICE-TCP agents send, RFC 6544 §3) on the same port. For
 * tests, for the `ice-tcp stun-server` command, and for server-reflexive
 * gathering on networks without a public server.
 *
 * It is stateless per request (RFC 8489 §6.3.1: Binding is idempotent) and
 * never crashes on input: malformed messages are ignored with a debug line
 * (`ice-tcp:stun-server`), and a TCP connection that is not STUN is closed.
 */
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { createServer, isIP, type Server, type Socket } from 'node:net';
import createDebug from 'debug';
import type { TransportAddress } from '../../stun/index.js';
import { answerClassicBinding } from './classic-binding.js';
import { answerBindingRequest, type BindingAnswer, type BindingResponderOptions } from './binding-responder.js';
import { IceAgentError } from '../net-errors.js';
import { StunTcpSession, type StunTcpFormat } from './stun-tcp-session.js';
import { StunTcpSlots } from './stun-tcp-slots.js';
import { DEFAULT_STUN_PORT } from '../stun-url.js';

const debug = createDebug('ice-tcp:stun-server');

/**
 * Options of {@link StunServer}. The TCP bounds keep one client from holding
 * the server (see `stun-tcp-slots.ts`): a per-source cap, eviction of the
 * idlest connection when all slots are taken, deadlines that only answered
 * requests extend, and a budget of ignored messages.
 */
export interface StunServerOptions extends BindingResponderOptions {
  /**
   * Concurrent TCP connections (default 1024). When all are taken, the
   * connection idle the longest (oldest last answered request) is closed
   * to admit the new one.
   */
  maxTcpConnections?: number;
  /** Concurrent TCP connections from one source IP address (default 16); more are refused by closing them. */
  maxTcpConnectionsPerSource?: number;
  /**
   * A TCP connection that has not completed a request this long after its
   * accept is closed (default 10000 ms), however many bytes it trickles.
   */
  tcpFirstRequestTimeoutMs?: number;
  /** A TCP connection with no request answered for this long since the previous answer is closed (default 120000 ms). */
  tcpIdleTimeoutMs?: number;
  /**
   * A TCP connection is closed after this many messages in a row that get
   * no answer (default 32): empty or short frames (dropped without
   * decoding), malformed STUN, indications, other methods.
   */
  maxTcpIgnoredMessages?: number;
  /** Largest STUN message accepted over TCP, header included (default 4096 bytes). */
  maxTcpMessageSize?: number;
}

/** Where {@link StunServer.listen} listens. */
export interface StunServerListenOptions {
  /** UDP port (default 3478; 0 for an ephemeral port; `false` for no UDP). */
  udpPort?: number | false;
  /** TCP port (default 3478; 0 for an ephemeral port; `false` for no TCP). */
  tcpPort?: number | false;
  /** Address to bind (default `127.0.0.1`; `0.0.0.0` or `::` to serve a network). */
  address?: string;
}

/** The bound addresses. */
export interface StunServerAddresses {
  udp?: TransportAddress;
  tcp?: TransportAddress;
}

/** Counters, for tests and for the command line. */
export interface StunServerStats {
  /** Binding success responses sent over UDP / TCP. */
  udpAnswered: number;
  tcpAnswered: number;
  /** RFC 3489 (classic) Binding requests answered over UDP, RFC 5389 §12.2 (not in `udpAnswered`). */
  udpClassicAnswered: number;
  /** 420 error responses sent. */
  errorsSent: number;
  /** Messages ignored (not STUN, malformed, not a Binding request). */
  ignored: number;
  /** TCP connections closed because their bytes were not STUN, too large, too many ignored, past a deadline, refused (per-source limit) or evicted. */
  tcpRejected: number;
  /** Of those: connections evicted to make room for a new one (all slots taken). */
  tcpEvicted: number;
  /** TCP connections seen per detected format. */
  tcpPlain: number;
  tcpFramed: number;
}

/**
 * Node prints IPv4 peers of a dual-stack socket as `::ffff:a.b.c.d`: answer
 * them with their IPv4 address, which is what they sent from.
 */
export function peerAddress(address: string, port: number): TransportAddress {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped !== null) return { family: 4, address: mapped[1], port };
  return { family: isIP(address) === 6 ? 6 : 4, address, port };
}

function checkPositiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new IceAgentError('ERR_AGENT_BAD_OPTION', `${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function checkPort(name: string, value: number | false | undefined): number | false {
  if (value === undefined) return DEFAULT_STUN_PORT;
  if (value === false) return false;
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new IceAgentError('ERR_AGENT_BAD_OPTION', `${name} must be a port 0..65535 or false, got ${String(value)}`);
  }
  return value;
}

/** A STUN Binding server on UDP and TCP. */
export class StunServer {
  readonly #responder: BindingResponderOptions;
  readonly #maxTcpConnections: number;
  readonly #idleTimeoutMs: number;
  readonly #firstRequestTimeoutMs: number;
  readonly #maxIgnored: number;
  readonly #maxMessageSize: number;
  readonly #slots: StunTcpSlots<StunTcpSession>;
  #udp: UdpSocket | undefined;
  #tcp: Server | undefined;
  #addresses: StunServerAddresses = {};
  #state: 'new' | 'listening' | 'closed' = 'new';
  /** Live counters. */
  readonly stats: StunServerStats = {
    udpAnswered: 0,
    udpClassicAnswered: 0,
    tcpAnswered: 0,
    errorsSent: 0,
    ignored: 0,
    tcpRejected: 0,
    tcpEvicted: 0,
    tcpPlain: 0,
    tcpFramed: 0,
  };

  /** @throws IceAgentError `ERR_AGENT_BAD_OPTION` */
  constructor(options: StunServerOptions = {}) {
    if (options.software !== undefined && typeof options.software !== 'string') {
      throw new IceAgentError('ERR_AGENT_BAD_OPTION', 'software must be a string');
    }
    this.#responder = { software: options.software ?? 'ice-tcp stun-server', mappedAddress: options.mappedAddress ?? true };
    this.#maxTcpConnections = checkPositiveInteger('maxTcpConnections', options.maxTcpConnections, 1024);
    const perSource = checkPositiveInteger('maxTcpConnectionsPerSource', options.maxTcpConnectionsPerSource, 16);
    this.#slots = new StunTcpSlots({ total: this.#maxTcpConnections, perSource });
    this.#idleTimeoutMs = checkPositiveInteger('tcpIdleTimeoutMs', options.tcpIdleTimeoutMs, 120_000);
    this.#firstRequestTimeoutMs = checkPositiveInteger('tcpFirstRequestTimeoutMs', options.tcpFirstRequestTimeoutMs, 10_000);
    this.#maxIgnored = checkPositiveInteger('maxTcpIgnoredMessages', options.maxTcpIgnoredMessages, 32);
    this.#maxMessageSize = checkPositiveInteger('maxTcpMessageSize', options.maxTcpMessageSize, 4096);
    if (this.#maxMessageSize < 20) throw new IceAgentError('ERR_AGENT_BAD_OPTION', 'maxTcpMessageSize must be at least 20');
  }

  /** The bound addresses (after `listen()`). */
  get addresses(): StunServerAddresses {
    return { ...this.#addresses };
  }

  /** Open TCP connections. */
  get tcpConnections(): number {
    return this.#slots.size;
  }

  /**
   * Binds the UDP socket and the TCP listener.
   *
   * @throws IceAgentError `ERR_AGENT_BAD_OPTION` (bad port or address),
   *   `ERR_STUN_SERVER_STATE` (listening already or closed),
   *   `ERR_STUN_SERVER_LISTEN` (the OS refused, e.g. the port is in use; `cause` has the system error)
   */
  async listen(options: StunServerListenOptions = {}): Promise<StunServerAddresses> {
    const udpPort = checkPort('udpPort', options.udpPort);
    const tcpPort = checkPort('tcpPort', options.tcpPort);
    const address = options.address ?? '127.0.0.1';
    if (isIP(address) === 0) throw new IceAgentError('ERR_AGENT_BAD_OPTION', `address ${JSON.stringify(address)} is not an IP address`);
    if (this.#state !== 'new') throw new IceAgentError('ERR_STUN_SERVER_STATE', `the server is ${this.#state}`);
    this.#state = 'listening';
    try {
      if (udpPort !== false) this.#addresses.udp = await this.#listenUdp(address, udpPort);
      if (tcpPort !== false) this.#addresses.tcp = await this.#listenTcp(address, tcpPort);
    } catch (error) {
      await this.close();
      throw new IceAgentError('ERR_STUN_SERVER_LISTEN', `cannot listen on ${address}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    debug('listening: udp %o tcp %o', this.#addresses.udp, this.#addresses.tcp);
    return this.addresses;
  }

  /** Closes the sockets and every TCP connection; resolves once all are released. */
  async close(): Promise<void> {
    this.#state = 'closed';
    const udp = this.#udp;
    const tcp = this.#tcp;
    this.#udp = undefined;
    this.#tcp = undefined;
    for (const session of [...this.#slots.holders()]) {
      this.#slots.release(session);
      session.destroy();
    }
    const pending: Promise<void>[] = [];
    if (udp !== undefined) pending.push(new Promise((resolve) => udp.close(() => resolve())));
    if (tcp !== undefined && tcp.listening) pending.push(new Promise((resolve) => tcp.close(() => resolve())));
    await Promise.all(pending);
  }

  #answer(data: Buffer, from: TransportAddress): BindingAnswer {
    return answerBindingRequest(data, from, this.#responder);
  }

  #count(answer: BindingAnswer, transport: 'udp' | 'tcp'): void {
    if (answer.kind === 'ignored') this.stats.ignored++;
    else if (answer.kind === 'error') this.stats.errorsSent++;
    else if (transport === 'udp') this.stats.udpAnswered++;
    else this.stats.tcpAnswered++;
  }

  #listenUdp(address: string, port: number): Promise<TransportAddress> {
    const socket = createSocket({ type: isIP(address) === 6 ? 'udp6' : 'udp4' });
    this.#udp = socket;
    socket.on('message', (data: Buffer, rinfo: RemoteInfo) => this.#onDatagram(socket, data, rinfo));
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      socket.once('error', onError);
      socket.bind({ address, port }, () => {
        socket.off('error', onError);
        socket.on('error', (error) => debug('udp socket error: %s', error.message));
        const bound = socket.address();
        resolve(peerAddress(bound.address, bound.port));
      });
    });
  }

  #onDatagram(socket: UdpSocket, data: Buffer, rinfo: RemoteInfo): void {
    const from = peerAddress(rinfo.address, rinfo.port);
    if (this.#answerClassic(socket, data, from, rinfo)) return;
    const answer = this.#answer(data, from);
    this.#count(answer, 'udp');
    if (answer.response === undefined) {
      debug('udp %s:%d: ignores a %d-byte datagram: %s', from.address, from.port, data.length, answer.reason);
      return;
    }
    // Answer to where the request came from (the socket's own textual form).
    socket.send(answer.response, rinfo.port, rinfo.address, (error) => {
      if (error) debug('udp %s:%d: send failed: %s', from.address, from.port, error.message);
    });
  }

  /** An RFC 3489 Binding request (RFC 5389 §12.2): answered here, counted apart; false when not one. */
  #answerClassic(socket: UdpSocket, data: Buffer, from: TransportAddress, rinfo: RemoteInfo): boolean {
    const classic = answerClassicBinding(data, from);
    if (classic.kind === 'not-classic') return false;
    if (classic.kind === 'ignored') {
      this.stats.ignored++;
      debug('udp %s:%d: ignores an RFC 3489 datagram: %s', from.address, from.port, classic.reason);
      return true;
    }
    if (classic.kind === 'success') this.stats.udpClassicAnswered++;
    else this.stats.errorsSent++;
    socket.send(classic.response, rinfo.port, rinfo.address, (error) => {
      if (error) debug('udp %s:%d: send failed: %s', from.address, from.port, error.message);
    });
    return true;
  }

  #listenTcp(address: string, port: number): Promise<TransportAddress> {
    // No `maxConnections`: the slot table bounds the connections, evicting rather than refusing.
    const server = createServer({ noDelay: true });
    this.#tcp = server;
    server.on('connection', (socket) => this.#onConnection(socket));
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      server.once('error', onError);
      server.listen({ host: address, port, exclusive: true }, () => {
        server.off('error', onError);
        server.on('error', (error) => debug('tcp listener error: %s', error.message));
        const bound = server.address();
        if (bound === null || typeof bound === 'string') {
          reject(new Error('the listener has no address'));
          return;
        }
        resolve(peerAddress(bound.address, bound.port));
      });
    });
  }

  #onConnection(socket: Socket): void {
    if (this.#state === 'closed' || socket.remoteAddress === undefined || socket.remotePort === undefined) {
      socket.destroy();
      return;
    }
    const from = peerAddress(socket.remoteAddress, socket.remotePort);
    let counted = false;
    const session = new StunTcpSession(socket, from, {
      maxMessageSize: this.#maxMessageSize,
      idleTimeoutMs: this.#idleTimeoutMs,
      firstRequestTimeoutMs: this.#firstRequestTimeoutMs,
      maxIgnoredMessages: this.#maxIgnored,
      answer: (message, peer) => this.#answer(message, peer),
      onHandled: (answer, format: StunTcpFormat) => {
        if (!counted) {
          counted = true;
          if (format === 'plain') this.stats.tcpPlain++;
          else this.stats.tcpFramed++;
        }
        this.#count(answer, 'tcp');
      },
      onRejected: () => this.stats.tcpRejected++,
      onClosed: () => this.#slots.release(session),
      log: debug,
    });
    const verdict = this.#slots.admit(session);
    if (!verdict.admitted) {
      this.stats.tcpRejected++;
      debug('tcp: refuses a connection from %s:%d: %s', from.address, from.port, verdict.reason);
      session.destroy();
      return;
    }
    if (verdict.evicted !== undefined) this.stats.tcpEvicted++;
  }
}
