/**
 * Options, states and events of the sans-IO TURN client (lib/turn/client.ts),
 * and the timing rules it applies.
 *
 * @module
 */
import type { RandomSource } from '../ice/types.js';
import type { TransportAddress } from '../stun/index.js';
import type { TurnCredentials } from './auth.js';
import type { TurnError } from './turn-errors.js';
import type { PeerAddress } from './peer-address.js';
import type { RetransmitOptions } from './turn-transactions.js';

/** Options of {@link TurnClient}. */
export interface TurnClientOptions {
  credentials: TurnCredentials;
  random: RandomSource;
  /** The connection to the server is TCP or TLS: no retransmissions, ChannelData padded (RFC 8656 §12.5). */
  reliable: boolean;
  /** Relay protocol: `'udp'` (default) or `'tcp'` (RFC 6062; needs `reliable`). */
  relayProtocol?: 'udp' | 'tcp';
  /** LIFETIME to ask for, in seconds (default: none, the server's 600 s, RFC 8656 §7.1). */
  lifetimeS?: number;
  /** SOFTWARE attribute. */
  software?: string;
  retransmit?: RetransmitOptions;
  /** Bound of permissions (default 64). */
  maxPermissions?: number;
  /** Bound of channels (default 64). */
  maxChannels?: number;
  /** Packets queued per permission being installed (default 16). */
  maxQueued?: number;
  /** Bind a channel after this many packets to a peer (default 4; 0: only {@link TurnClient.bindChannel}). */
  channelAfterPackets?: number;
}

/** Client states. */
export type TurnClientState = 'idle' | 'allocating' | 'allocated' | 'failed' | 'closing' | 'closed';

/** What the client reports. */
export type TurnClientEvent =
  | { type: 'allocated'; relayed: TransportAddress; mapped: TransportAddress | undefined; lifetimeS: number }
  | { type: 'refreshed'; lifetimeS: number }
  | { type: 'permission'; ip: string }
  | { type: 'channel'; peer: PeerAddress; channel: number }
  | { type: 'data'; peer: PeerAddress; data: Buffer }
  /** RFC 6062 §4.4: a peer connected to the relayed address. */
  | { type: 'connection-attempt'; connectionId: number; peer: PeerAddress }
  /** RFC 6062 §4.3: the server connected to the peer. */
  | { type: 'connect-result'; peer: PeerAddress; connectionId?: number; error?: TurnError }
  /** A non-fatal failure (a permission or a channel refused, a packet dropped). */
  | { type: 'warning'; error: TurnError }
  /** The allocation failed or was lost; the client sends nothing more. */
  | { type: 'failed'; error: TurnError }
  | { type: 'closed' };

/** What an outstanding request is for. */
export type Context =
  | { kind: 'allocate' }
  | { kind: 'refresh'; lifetimeS: number }
  | { kind: 'permission'; ip: string }
  | { kind: 'channel'; key: string }
  | { kind: 'connect'; peer: PeerAddress };

/** Retries of one request after 438 Stale Nonce (RFC 8489 §9.2.5). */
export const MAX_NONCE_RETRIES = 3;
/** Refresh margin: 60 s before expiry, or half the lifetime when it is shorter (RFC 8656 §8). */
export function refreshDelayMs(lifetimeMs: number): number {
  return lifetimeMs - Math.min(60_000, lifetimeMs / 2);
}
