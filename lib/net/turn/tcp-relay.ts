/**
 * RFC 6062 data connections of a TCP allocation: each relayed TCP
 * connection to a peer is one more TCP/TLS connection to the TURN server,
 * bound with ConnectionBind (§4.3 outgoing after Connect, §4.4 incoming after
 * ConnectionAttempt), then carrying the peer's bytes as-is, which ICE-TCP
 * frames with RFC 4571 end to end (RFC 6544 §7.2).
 *
 * @module
 */
import type { Socket } from 'node:net';
import createDebug from 'debug';
import { FramedConnection } from '../../framing/index.js';
import type { Address, ConnectionEvent, PacketInput, RandomSource } from '../../ice/types.js';
import type { TurnAllocation } from './allocation.js';
import { ConnectionBinder } from '../../turn/connection-bind.js';
import { TurnError } from '../../turn/turn-errors.js';
import { peerKey, type PeerAddress } from '../../turn/peer-address.js';
import { connectStream, type TurnTlsOptions } from './server-link.js';
import { isPlainSocket } from '../tcp/plain-socket.js';

const debug = createDebug('ice-tcp:turn');

/** One bound data connection. */
interface DataConnection {
  id: string;
  transportId: string;
  framed: FramedConnection;
  peer: Address;
  closingLocally: boolean;
}

/** Where the data connections report. */
export interface TcpRelayHost {
  onPacket(packet: PacketInput): void;
  onConnection(event: ConnectionEvent): void;
}

/** Data connections of one TCP allocation. Bounded by `maxConnections`. */
export class TcpRelay {
  readonly #allocation: TurnAllocation;
  readonly #host: TcpRelayHost;
  readonly #tls: TurnTlsOptions;
  readonly #random: RandomSource;
  readonly #connections = new Map<string, DataConnection>();
  /** Connect attempts waiting for the server, by peer. */
  readonly #pending = new Map<string, { attemptId: string; transportId: string }>();
  readonly #sockets = new Set<Socket>();
  readonly #relayed: Address;
  #next = 0;
  #closed = false;

  constructor(
    allocation: TurnAllocation,
    relayed: Address,
    host: TcpRelayHost,
    tls: TurnTlsOptions,
    random: RandomSource,
    readonly idPrefix: string,
    readonly maxConnections = 64,
  ) {
    this.#allocation = allocation;
    this.#relayed = relayed;
    this.#host = host;
    this.#tls = tls;
    this.#random = random;
  }

  /** An active relayed candidate's connect: Connect (RFC 6062 §4.3); `'connected'` once bound. */
  connect(attemptId: string, transportId: string, peer: PeerAddress): void {
    const key = peerKey(peer);
    if (this.#pending.has(key) || this.#connections.size >= this.maxConnections) {
      process.nextTick(() =>
        this.#host.onConnection({
          type: 'connect-failed',
          attemptId,
          reason: 'error',
          message: 'a Connect to this peer is in progress, or too many connections',
        }),
      );
      return;
    }
    this.#pending.set(key, { attemptId, transportId });
    this.#allocation.connect(peer);
  }

  /** The server answered a Connect. */
  onConnectResult(peer: PeerAddress, connectionId: number | undefined, error: TurnError | undefined): void {
    const key = peerKey(peer);
    const pending = this.#pending.get(key);
    if (pending === undefined) return;
    this.#pending.delete(key);
    if (connectionId === undefined) {
      this.#host.onConnection({
        type: 'connect-failed',
        attemptId: pending.attemptId,
        reason: error?.stunCode === 447 ? 'timeout' : 'error',
        message: error?.message ?? 'Connect failed',
      });
      return;
    }
    void this.#bind(connectionId, pending.transportId, peer).then(
      (entry) =>
        this.#host.onConnection({
          type: 'connected',
          attemptId: pending.attemptId,
          connectionId: entry.id,
          transportId: entry.transportId,
          local: this.#relayed,
          remote: entry.peer,
        }),
      (bindError: Error) =>
        this.#host.onConnection({ type: 'connect-failed', attemptId: pending.attemptId, reason: 'error', message: bindError.message }),
    );
  }

  /** A peer connected to the relayed address (ConnectionAttempt, RFC 6062 §4.4): bind it and report `'accepted'`. */
  onConnectionAttempt(connectionId: number, peer: PeerAddress, transportId: string): void {
    if (this.#connections.size >= this.maxConnections) {
      debug('ignores a ConnectionAttempt from %s:%d: %d connections', peer.address, peer.port, this.maxConnections);
      return; // RFC 6062 §5.3: the server closes it after 30 s without ConnectionBind
    }
    void this.#bind(connectionId, transportId, peer).then(
      (entry) =>
        this.#host.onConnection({
          type: 'accepted',
          connectionId: entry.id,
          transportId: entry.transportId,
          local: this.#relayed,
          remote: entry.peer,
        }),
      (error: Error) => debug('ConnectionAttempt from %s:%d not bound: %s', peer.address, peer.port, error.message),
    );
  }

  send(connectionId: string, data: Buffer): boolean {
    const entry = this.#connections.get(connectionId);
    if (entry === undefined) return false;
    try {
      return entry.framed.send(data);
    } catch (error) {
      debug('%s: %s', connectionId, (error as Error).message);
      return false;
    }
  }

  framed(connectionId: string): FramedConnection | undefined {
    return this.#connections.get(connectionId)?.framed;
  }

  /** The core asked for a close. */
  close(connectionId: string): void {
    const entry = this.#connections.get(connectionId);
    if (entry === undefined || entry.closingLocally) return;
    entry.closingLocally = true;
    entry.framed.close();
    setTimeout(() => entry.framed.destroy(), 2000).unref();
  }

  destroyAll(): void {
    this.#closed = true;
    for (const socket of this.#sockets) socket.destroy();
    for (const entry of this.#connections.values()) entry.framed.destroy();
    this.#connections.clear();
    this.#pending.clear();
  }

  async #bind(connectionId: number, transportId: string, peer: PeerAddress): Promise<DataConnection> {
    const { server, address, client } = this.#allocation;
    const socket = await connectStream(server, address, this.#tls, 10_000);
    this.#sockets.add(socket);
    socket.on('error', (error) => debug('data connection %d: %s', connectionId, error.message));
    socket.once('close', () => this.#sockets.delete(socket));
    if (this.#closed) {
      socket.destroy();
      throw new TurnError('ERR_TURN_CLOSED', 'the relay closed');
    }
    const binder = new ConnectionBinder(connectionId, client.auth, this.#random);
    const rest = await new Promise<Buffer>((resolve, reject) => {
      let acc: Buffer = Buffer.alloc(0);
      const timer = setTimeout(() => finish(new TurnError('ERR_TURN_TIMEOUT', 'no answer to ConnectionBind')), 10_000);
      const finish = (error?: Error, rest?: Buffer): void => {
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('close', onClose);
        if (error !== undefined) {
          socket.destroy();
          reject(error);
        } else resolve(rest ?? Buffer.alloc(0));
      };
      const onClose = (): void =>
        finish(new TurnError('ERR_TURN_CONNECTION', 'the data connection closed before ConnectionBind was answered'));
      const onData = (chunk: Buffer): void => {
        // The answer is one STUN message (RFC 8489 §5 length); what follows is the peer's bytes (RFC 6062 §4.5).
        acc = acc.length === 0 ? chunk : Buffer.concat([acc, chunk]);
        if (acc.length < 20) return;
        if ((acc[0] & 0xc0) !== 0) {
          finish(new TurnError('ERR_TURN_CONNECTION', 'the data connection sent data before the ConnectionBind answer'));
          return;
        }
        const total = 20 + acc.readUInt16BE(2);
        if (acc.length < total) return;
        const message = acc.subarray(0, total);
        const rest = acc.subarray(total);
        acc = Buffer.from(rest);
        try {
          const answer = binder.answer(message);
          if (answer === 'bound') finish(undefined, rest);
          else socket.write(answer);
        } catch (error) {
          finish(error as Error);
        }
      };
      socket.on('data', onData);
      socket.on('close', onClose);
      socket.write(binder.request());
    });
    socket.pause();
    if (rest.length > 0) socket.unshift(rest);
    const id = `${this.idPrefix}${++this.#next}`;
    const framed = new FramedConnection(socket, { freesWrittenChunks: isPlainSocket(socket) });
    const entry: DataConnection = { id, transportId, framed, peer: { address: peer.address, port: peer.port }, closingLocally: false };
    this.#connections.set(id, entry);
    framed.on('packet', (data: Buffer) =>
      this.#host.onPacket({ transportId, connectionId: id, from: entry.peer, to: this.#relayed, data }),
    );
    framed.on('error', (error: Error) => debug('%s: %s', id, error.message));
    framed.on('close', (error?: Error) => {
      if (this.#connections.get(id) !== entry) return;
      this.#connections.delete(id);
      if (this.#closed) return;
      const reason = entry.closingLocally ? 'local' : error === undefined ? 'end' : 'error';
      this.#host.onConnection(
        error === undefined
          ? { type: 'closed', connectionId: id, reason }
          : { type: 'closed', connectionId: id, reason, message: error.message },
      );
    });
    socket.resume();
    return entry;
  }
}
