/**
 * The client's view of its permissions (per peer IP, RFC 8656 §9) and
 * channels (per peer transport address, RFC 8656 §12), with the packets
 * waiting for a permission. Every table is bounded.
 *
 * @module
 */
import { MAX_CHANNEL, MIN_CHANNEL } from './turn-constants.js';
import type { PeerAddress } from './peer-address.js';

/** A permission for one peer IP. */
export interface Permission {
  ip: string;
  state: 'pending' | 'installed';
  /** When to refresh it (installed), RFC 8656 §9: lifetime 300 s. */
  refreshAt: number;
  /** Last time a packet went to or came from this IP (unused permissions lapse). */
  lastUsed: number;
  /** Packets waiting for the permission, per peer. */
  queue: Array<{ peer: PeerAddress; data: Buffer }>;
}

/** A channel bound to one peer transport address. */
export interface Channel {
  number: number;
  peer: PeerAddress;
  state: 'binding' | 'bound';
  /** When to rebind (RFC 8656 §12: 600 s; rebinding also refreshes the permission, §12.2). */
  refreshAt: number;
  lastUsed: number;
}

/** Permission and channel tables. */
export class PeerTables {
  readonly permissions = new Map<string, Permission>();
  readonly #channelsByPeer = new Map<string, Channel>();
  readonly #channelsByNumber = new Map<number, Channel>();
  /** Packets sent to each peer without a channel (for the automatic ChannelBind). */
  readonly #sends = new Map<string, number>();
  #nextChannel = MIN_CHANNEL;

  constructor(
    readonly maxPermissions: number,
    readonly maxChannels: number,
    readonly maxQueued: number,
  ) {}

  channelOf(key: string): Channel | undefined {
    return this.#channelsByPeer.get(key);
  }

  channelByNumber(number: number): Channel | undefined {
    return this.#channelsByNumber.get(number);
  }

  get channels(): Iterable<Channel> {
    return this.#channelsByPeer.values();
  }

  get channelCount(): number {
    return this.#channelsByPeer.size;
  }

  /** Counts a send to a peer without a channel; returns the count. */
  countSend(key: string): number {
    const n = (this.#sends.get(key) ?? 0) + 1;
    if (this.#sends.size >= this.maxPermissions * 4 && !this.#sends.has(key)) this.#sends.clear();
    this.#sends.set(key, n);
    return n;
  }

  /** A new channel for a peer (state `binding`), or undefined when every number is taken or the bound is reached. */
  newChannel(key: string, peer: PeerAddress, now: number): Channel | undefined {
    if (this.#channelsByPeer.size >= this.maxChannels) return undefined;
    for (let tries = 0; tries <= MAX_CHANNEL - MIN_CHANNEL; tries++) {
      const number = this.#nextChannel;
      this.#nextChannel = number === MAX_CHANNEL ? MIN_CHANNEL : number + 1;
      if (this.#channelsByNumber.has(number)) continue;
      const channel: Channel = { number, peer, state: 'binding', refreshAt: Number.POSITIVE_INFINITY, lastUsed: now };
      this.#channelsByPeer.set(key, channel);
      this.#channelsByNumber.set(number, channel);
      this.#sends.delete(key);
      return channel;
    }
    return undefined;
  }

  removeChannel(key: string): void {
    const channel = this.#channelsByPeer.get(key);
    if (channel === undefined) return;
    this.#channelsByPeer.delete(key);
    this.#channelsByNumber.delete(channel.number);
  }

  clear(): void {
    this.permissions.clear();
    this.#channelsByPeer.clear();
    this.#channelsByNumber.clear();
    this.#sends.clear();
  }
}
