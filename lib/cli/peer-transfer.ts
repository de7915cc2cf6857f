/**
 * The data phase of `ice-tcp peer` over a packet connection (the selected
 * pair, or TLS over it): the `--echo` side returns every packet; the
 * `--send` side sends the pattern of peer-data.ts within its window, checks
 * each echo, and reports.
 */
import createDebug from 'debug';
import type { PacketConnection } from '../connection.js';
import { DataSender, type SendResult } from './peer-data.js';

const debug = createDebug('ice-tcp:cli');

/** Default of {@link TransferOptions.stallMs}. */
export const DEFAULT_STALL_MS = 5000;

/** Options of {@link PeerTransfer}. */
export interface TransferOptions {
  /** Return every packet received (the `--echo` side). */
  echo: boolean;
  /** Bytes to send and have echoed (0: none). */
  send: number;
  /** Packet size. */
  chunk: number;
  /** Most bytes sent but not echoed (default 64 KiB, `MAX_UNECHOED` of peer-data.ts). */
  window?: number;
  /** The sender fails when no echo arrives for this long with data in flight (default 5000 ms). */
  stallMs?: number;
  /** Monotonic clock in ms (default `performance.now`). */
  now?: () => number;
}

/** What the transfer tells the session. */
export interface TransferEvents {
  /** Every byte sent was echoed (with or without corrupt packets). */
  onComplete(result: SendResult): void;
  /**
   * The transfer cannot complete: `'stall'`, no echo for `stallMs` with data
   * in flight; `'closed'`, the connection closed during the transfer.
   */
  onProblem(reason: string, result: SendResult, kind: 'stall' | 'closed'): void;
}

/** One data session over a connection. */
export class PeerTransfer {
  readonly #conn: PacketConnection;
  readonly #options: TransferOptions;
  readonly #events: TransferEvents;
  readonly #now: () => number;
  readonly #sender: DataSender | undefined;
  #stallTimer: NodeJS.Timeout | undefined;
  /** When the sender last saw progress (start or an echo). */
  #progressAt = 0;
  #stopped = false;
  /** The clock read for the packets of this tick (see {@link #tickNow}); `undefined` once the tick is over. */
  #nowOfTick: number | undefined;
  readonly #endTick = (): void => {
    this.#nowOfTick = undefined;
  };
  /** Packets received that were neither echoes nor echoed. */
  ignoredPackets = 0;
  /** Packets echoed back (the `--echo` side). */
  echoedPackets = 0;

  constructor(conn: PacketConnection, options: TransferOptions, events: TransferEvents) {
    this.#conn = conn;
    this.#options = options;
    this.#events = events;
    this.#now = options.now ?? (() => performance.now());
    this.#sender = options.send > 0 ? new DataSender(options.send, options.chunk, options.window) : undefined;
    conn.on('packet', this.#onPacket);
    conn.on('drain', this.#pump);
    conn.on('close', this.#onClose);
  }

  /** Whether this side sends. */
  get sending(): boolean {
    return this.#sender !== undefined;
  }

  /** Starts sending (no-op on a side that only echoes). */
  start(): void {
    if (this.#sender === undefined || this.#stopped) return;
    this.#armStall(this.#now());
    this.#pump();
  }

  /** Stops: no more sends, timers cleared, listeners removed. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#stallTimer);
    this.#stallTimer = undefined;
    this.#conn.off('packet', this.#onPacket);
    this.#conn.off('drain', this.#pump);
    this.#conn.off('close', this.#onClose);
  }

  readonly #onPacket = (packet: Buffer): void => {
    if (this.#stopped) return;
    if (this.#options.echo) {
      this.echoedPackets++;
      this.#conn.send(packet);
      return;
    }
    const sender = this.#sender;
    if (sender === undefined || sender.echoed >= sender.sent) {
      this.ignoredPackets++;
      debug('ignores a %d-byte packet: nothing is waiting for an echo', packet.length);
      return;
    }
    const now = this.#tickNow();
    if (!sender.onEcho(packet, now)) debug('echo at %d bytes is corrupt', sender.echoed - packet.length);
    this.#armStall(now);
    if (sender.complete) {
      this.stop();
      this.#events.onComplete(sender.result(now));
      return;
    }
    this.#send(sender, now);
  };

  readonly #pump = (): void => {
    const sender = this.#sender;
    if (sender === undefined || this.#stopped) return;
    this.#send(sender, this.#now());
  };

  /**
   * One clock reading per tick, not one per echo: the packets of one chunk
   * arrived together, and the figures (start, last echo, stall) need no
   * finer time.
   */
  #tickNow(): number {
    if (this.#nowOfTick === undefined) {
      this.#nowOfTick = this.#now();
      process.nextTick(this.#endTick);
    }
    return this.#nowOfTick;
  }

  /** Sends what the window allows now. */
  #send(sender: DataSender, now: number): void {
    // The window (64 KiB unechoed) bounds what is queued below, whatever send() returns.
    for (let packet = sender.nextPacket(now); packet !== undefined; packet = sender.nextPacket(now)) {
      this.#conn.send(packet);
    }
  }

  /**
   * Notes progress (an echo): the stall deadline moves to `stallMs` from now.
   * One timer per transfer, not one per packet: when it fires early (there
   * was progress since it was armed) it re-arms for the time left.
   */
  #armStall(now: number): void {
    this.#progressAt = now;
    if (this.#stallTimer === undefined) this.#startStallTimer(this.#options.stallMs ?? DEFAULT_STALL_MS);
  }

  #startStallTimer(ms: number): void {
    this.#stallTimer = setTimeout(this.#onStallTimer, ms);
  }

  readonly #onStallTimer = (): void => {
    this.#stallTimer = undefined;
    if (this.#stopped) return;
    const stallMs = this.#options.stallMs ?? DEFAULT_STALL_MS;
    const left = this.#progressAt + stallMs - this.#now();
    if (left > 0) {
      this.#startStallTimer(left);
      return;
    }
    const sender = this.#sender!;
    this.stop();
    this.#events.onProblem(`data stalled: ${sender.inFlight} bytes not echoed within ${stallMs} ms`, sender.result(this.#now()), 'stall');
  };

  readonly #onClose = (): void => {
    if (this.#stopped) return;
    const sender = this.#sender;
    this.stop();
    if (sender !== undefined) this.#events.onProblem('connection closed during the transfer', sender.result(this.#now()), 'closed');
  };
}
