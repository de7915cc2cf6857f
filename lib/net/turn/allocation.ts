/**
 * One allocation on a real TURN server: a {@link TurnClient} driven by a
 * {@link ServerLink}, `performance.now()` and one timer (the runtime half of
 * the sans-IO client).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import createDebug from 'debug';
import type { RandomSource } from '../../ice/types.js';
import type { TransportAddress } from '../../stun/index.js';
import { TurnClient, type TurnClientEvent, type TurnClientOptions } from '../../turn/client.js';
import { TurnError } from '../../turn/turn-errors.js';
import type { PeerAddress } from '../../turn/peer-address.js';
import { openServerLink, type ServerLink, type TurnTlsOptions } from './server-link.js';
import type { TurnServerConfig } from '../../turn/server-url.js';

const debug = createDebug('ice-tcp:turn');

/** Options of {@link TurnAllocation}. */
export interface TurnAllocationOptions {
  relayProtocol?: 'udp' | 'tcp';
  lifetimeS?: number;
  tls?: TurnTlsOptions;
  random?: RandomSource;
  software?: string;
  /** Give up on the allocation after this long (default 10 000 ms). */
  timeoutMs?: number;
  /** More client options (bounds, retransmission). */
  client?: Partial<Pick<TurnClientOptions, 'maxPermissions' | 'maxChannels' | 'maxQueued' | 'channelAfterPackets' | 'retransmit'>>;
}

/** The result of a successful Allocate. */
export interface Allocated {
  relayed: TransportAddress;
  mapped: TransportAddress | undefined;
  lifetimeS: number;
}

const cryptoRandom: RandomSource = { bytes: (n) => randomBytes(n) };

/** A live allocation. Events other than the allocation's own go to `onEvent`. */
export class TurnAllocation {
  readonly client: TurnClient;
  readonly server: TurnServerConfig;
  readonly address: string;
  readonly #options: TurnAllocationOptions;
  readonly #onEvent: (event: TurnClientEvent) => void;
  #link: ServerLink | undefined;
  #timer: NodeJS.Timeout | undefined;
  #timerAt: number | undefined;
  #opened: { resolve: (a: Allocated) => void; reject: (e: TurnError) => void } | undefined;
  #closedWaiter: (() => void) | undefined;

  constructor(server: TurnServerConfig, address: string, options: TurnAllocationOptions, onEvent: (event: TurnClientEvent) => void) {
    this.server = server;
    this.address = address;
    this.#options = options;
    this.#onEvent = onEvent;
    this.client = new TurnClient({
      credentials: { username: server.username, password: server.password },
      random: options.random ?? cryptoRandom,
      reliable: server.transport !== 'udp',
      ...(options.relayProtocol !== undefined ? { relayProtocol: options.relayProtocol } : {}),
      ...(options.lifetimeS !== undefined ? { lifetimeS: options.lifetimeS } : {}),
      ...(options.software !== undefined ? { software: options.software } : {}),
      ...options.client,
    });
  }

  /** The local end of the link to the server. */
  get local(): { address: string; port: number } | undefined {
    return this.#link?.local;
  }

  /** Opens the link and allocates. */
  async open(): Promise<Allocated> {
    this.#link = await openServerLink(
      this.server,
      this.address,
      this.#options.tls ?? {},
      {
        onMessage: (bytes) => {
          if (!this.#input((now) => this.client.handleMessage(now, bytes))) {
            debug(
              '%s: dropped a %d-byte message from the server (0x%s)',
              this.server.url,
              bytes.length,
              bytes.subarray(0, 4).toString('hex'),
            );
          }
        },
        onClose: (error) => {
          debug('%s: %s', this.server.url, error.message);
          this.#link = undefined;
          if (this.client.state === 'allocated' || this.client.state === 'allocating') {
            this.#onEvent({ type: 'failed', error });
            this.#opened?.reject(error);
          }
          this.#closedWaiter?.();
        },
      },
      this.#options.timeoutMs ?? 10_000,
    );
    const timeoutMs = this.#options.timeoutMs ?? 10_000;
    return new Promise<Allocated>((resolve, reject) => {
      const timer = setTimeout(
        () => this.#opened?.reject(new TurnError('ERR_TURN_TIMEOUT', `${this.server.url}: no allocation within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#opened = {
        resolve: (a) => {
          clearTimeout(timer);
          this.#opened = undefined;
          resolve(a);
        },
        reject: (e) => {
          clearTimeout(timer);
          this.#opened = undefined;
          reject(e);
        },
      };
      this.#input((now) => this.client.allocate(now));
    });
  }

  /** Relays data to a peer (UDP allocations). */
  send(peer: PeerAddress, data: Buffer): boolean {
    return this.#input((now) => this.client.send(now, peer, data));
  }

  /** Installs a permission for a peer IP ahead of its traffic. */
  permit(ip: string): void {
    this.#input((now) => this.client.permit(now, ip));
  }

  /** RFC 6062: asks the server to connect to a peer. */
  connect(peer: PeerAddress): void {
    this.#input((now) => this.client.connect(now, peer));
  }

  /** Deallocates (Refresh 0) and closes the link; waits at most `waitMs` for the answer. */
  async close(waitMs = 2000): Promise<void> {
    if (this.#link !== undefined && this.client.state === 'allocated') {
      const answered = new Promise<void>((resolve) => {
        this.#closedWaiter = resolve;
        setTimeout(resolve, waitMs).unref();
      });
      this.#input((now) => this.client.close(now));
      await answered;
    } else {
      this.#input((now) => this.client.close(now));
    }
    this.#clearTimer();
    this.#link?.close();
    this.#link = undefined;
    this.#opened?.reject(new TurnError('ERR_TURN_CLOSED', 'closed while allocating'));
  }

  #input<T>(fn: (now: number) => T): T {
    try {
      return fn(performance.now());
    } finally {
      this.#drain();
    }
  }

  #drain(): void {
    let bytes: Buffer | undefined;
    while ((bytes = this.client.pollTransmit()) !== undefined) this.#link?.send(bytes);
    let event: TurnClientEvent | undefined;
    while ((event = this.client.pollEvent()) !== undefined) {
      if (event.type === 'allocated') this.#opened?.resolve({ relayed: event.relayed, mapped: event.mapped, lifetimeS: event.lifetimeS });
      else if (event.type === 'failed') this.#opened?.reject(event.error);
      else if (event.type === 'closed') this.#closedWaiter?.();
      this.#onEvent(event);
    }
    this.#arm();
  }

  #arm(): void {
    const at = this.client.pollTimeout();
    if (at === undefined || this.#link === undefined) {
      this.#clearTimer();
      return;
    }
    if (this.#timer !== undefined && this.#timerAt === at) return;
    this.#clearTimer();
    this.#timerAt = at;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAt = undefined;
        this.#input((now) => this.client.handleTimeout(now));
      },
      Math.min(2 ** 31 - 1, Math.max(0, Math.ceil(at - performance.now()))),
    );
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = undefined;
  }
}
