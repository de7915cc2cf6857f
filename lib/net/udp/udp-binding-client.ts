/**
 * STUN Binding transactions over UDP from an agent's own sockets, to learn
 * server-reflexive candidates (RFC 8445 §5.1.1.2). Retransmission follows
 * RFC 8489 §6.2.1 (RTO doubling, Rc sends, a final wait of Rm × RTO) under a
 * short overall deadline, so that a dead server delays gathering by little.
 *
 * Responses arrive on the socket the request left from, mixed with ICE
 * traffic: {@link UdpBindingClient.handleResponse} claims only those whose
 * transaction id it is waiting for.
 */
import { randomBytes } from 'node:crypto';
import createDebug from 'debug';
import {
  StunClass,
  StunError,
  StunMethod,
  decodeStun,
  encodeStun,
  isStun,
  verifyFingerprint,
  type TransportAddress,
} from '../../stun/index.js';
import { IceAgentError } from '../net-errors.js';

const debug = createDebug('ice-tcp:udp');

/** Retransmission settings (RFC 8489 §6.2.1). */
export interface BindingRetransmitOptions {
  /** Initial RTO in ms (default 500, the RFC's minimum recommendation). */
  rtoMs?: number;
  /** Rc: requests sent at most (default 7). */
  maxSends?: number;
  /** Rm: the last request waits Rm × RTO (default 16). */
  lastWaitFactor?: number;
  /** Overall deadline in ms, which cuts the schedule short (default 3000). */
  deadlineMs?: number;
}

interface Pending {
  server: TransportAddress;
  resolve: (mapped: TransportAddress) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
  deadline: NodeJS.Timeout;
}

/** Sends one datagram to `address:port`. */
export type DatagramSender = (data: Buffer, port: number, address: string) => void;

/** Binding transactions of one UDP socket. */
export class UdpBindingClient {
  readonly #send: DatagramSender;
  /** Transactions in flight by transaction id; there only while one is (none once gathering is over). */
  #pending: Map<string, Pending> | undefined;

  /** `send` puts a request on the socket; answers come back through {@link handleResponse}. */
  constructor(send: DatagramSender) {
    this.#send = send;
  }

  /** Transactions in flight. */
  get size(): number {
    return this.#pending?.size ?? 0;
  }

  /**
   * Runs one Binding transaction with `server` (an IP literal and port).
   * Resolves with the mapped address (XOR-MAPPED-ADDRESS, else MAPPED-ADDRESS).
   *
   * @throws IceAgentError `ERR_SRFLX_TIMEOUT` (no answer by the deadline),
   *   `ERR_SRFLX_FAILED` (an error response, no mapped address, or cancelled)
   */
  request(server: TransportAddress, options: BindingRetransmitOptions = {}): Promise<TransportAddress> {
    const rto = options.rtoMs ?? 500;
    const maxSends = options.maxSends ?? 7;
    const lastWait = options.lastWaitFactor ?? 16;
    const deadlineMs = options.deadlineMs ?? 3000;
    const transactionId = randomBytes(12); // RFC 8489 §5: a fresh 96-bit id per transaction
    const key = transactionId.toString('hex');
    const request = encodeStun({ class: StunClass.Request, method: StunMethod.Binding, transactionId }, { fingerprint: true });
    return new Promise<TransportAddress>((resolve, reject) => {
      const finish = (): void => {
        const entry = this.#pending?.get(key);
        if (entry === undefined) return;
        clearTimeout(entry.timer);
        clearTimeout(entry.deadline);
        this.#pending!.delete(key);
        if (this.#pending!.size === 0) this.#pending = undefined;
      };
      const entry: Pending = {
        server,
        resolve: (mapped) => {
          finish();
          resolve(mapped);
        },
        reject: (error) => {
          finish();
          reject(error);
        },
        timer: undefined,
        deadline: setTimeout(() => {
          entry.reject(new IceAgentError('ERR_SRFLX_TIMEOUT', `no answer from ${server.address}:${server.port} within ${deadlineMs} ms`));
        }, deadlineMs),
      };
      (this.#pending ??= new Map()).set(key, entry);
      let sends = 0;
      let interval = rto;
      const transmit = (): void => {
        if (this.#pending?.has(key) !== true) return;
        sends++;
        this.#send(request, server.port, server.address);
        // RFC 8489 §6.2.1: RTO doubles after each send; after the Rc-th, wait Rm × RTO.
        const wait = sends < maxSends ? interval : rto * lastWait;
        interval *= 2;
        entry.timer = setTimeout(
          sends < maxSends
            ? transmit
            : () =>
                entry.reject(
                  new IceAgentError('ERR_SRFLX_TIMEOUT', `no answer from ${server.address}:${server.port} after ${sends} requests`),
                ),
          wait,
        );
      };
      transmit();
    });
  }

  /**
   * Offers a received datagram. Returns `true` when it answered one of our
   * transactions (it is consumed), `false` when it is someone else's.
   */
  handleResponse(data: Buffer, from: TransportAddress): boolean {
    if (this.#pending === undefined || !isStun(data)) return false;
    const entry = this.#pending.get(data.toString('hex', 8, 20));
    if (entry === undefined) return false;
    if (entry.server.port !== from.port || entry.server.address !== from.address) {
      debug('ignores an answer to our Binding request from %s:%d, not the server', from.address, from.port);
      return true;
    }
    let message;
    try {
      message = decodeStun(data);
    } catch (error) {
      if (!(error instanceof StunError)) throw error;
      debug('ignores a malformed answer from %s:%d: %s', from.address, from.port, error.message);
      return true;
    }
    if (message.method !== StunMethod.Binding || (message.hasFingerprint && !verifyFingerprint(message))) {
      debug('ignores an answer from %s:%d: wrong method or FINGERPRINT', from.address, from.port);
      return true;
    }
    if (message.class === StunClass.ErrorResponse) {
      const code = message.attributes.errorCode;
      entry.reject(
        new IceAgentError('ERR_SRFLX_FAILED', `${from.address}:${from.port} answered ${code?.code ?? '?'} ${code?.reason ?? ''}`),
      );
      return true;
    }
    if (message.class !== StunClass.SuccessResponse) {
      debug('ignores a Binding %s with our transaction id', StunClass[message.class]);
      return true;
    }
    const mapped = message.attributes.xorMappedAddress ?? message.attributes.mappedAddress;
    if (mapped === undefined) {
      entry.reject(new IceAgentError('ERR_SRFLX_FAILED', `${from.address}:${from.port} answered without a mapped address`));
      return true;
    }
    entry.resolve(mapped);
    return true;
  }

  /** Fails every transaction in flight (the socket is closing). */
  cancelAll(reason: string): void {
    for (const entry of [...(this.#pending?.values() ?? [])]) {
      entry.reject(new IceAgentError('ERR_SRFLX_FAILED', `cancelled: ${reason}`));
    }
  }
}
