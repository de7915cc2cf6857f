/**
 * Wire constants of TURN (RFC 8656 §18) and of its TCP-allocation extension
 * (RFC 6062 §6).
 *
 * @module
 */

/** TURN methods (RFC 8656 §17, RFC 6062 §6.1). */
export const TurnMethod = {
  Allocate: 0x003,
  Refresh: 0x004,
  Send: 0x006,
  Data: 0x007,
  CreatePermission: 0x008,
  ChannelBind: 0x009,
  Connect: 0x00a,
  ConnectionBind: 0x00b,
  ConnectionAttempt: 0x00c,
} as const;

/** TURN attribute types (RFC 8656 §18, RFC 6062 §6.2). */
export const TurnAttr = {
  ChannelNumber: 0x000c,
  Lifetime: 0x000d,
  XorPeerAddress: 0x0012,
  Data: 0x0013,
  XorRelayedAddress: 0x0016,
  RequestedAddressFamily: 0x0017,
  EvenPort: 0x0018,
  RequestedTransport: 0x0019,
  DontFragment: 0x001a,
  ConnectionId: 0x002a,
} as const;

/** IANA protocol numbers carried by REQUESTED-TRANSPORT (RFC 8656 §18.11, RFC 6062 §6.3). */
export const PROTOCOL_UDP = 17;
/** TCP (RFC 6062 §5.1). */
export const PROTOCOL_TCP = 6;

/** Channel numbers a client may bind: 0x4000..0x4FFF (RFC 8656 §12). */
export const MIN_CHANNEL = 0x4000;
/** Highest channel number (RFC 8656 §12). */
export const MAX_CHANNEL = 0x4fff;

/** Permission lifetime: 300 s, not negotiable (RFC 8656 §9). */
export const PERMISSION_LIFETIME_MS = 300_000;
/** Channel-binding lifetime: 600 s (RFC 8656 §12). */
export const CHANNEL_LIFETIME_MS = 600_000;
/** Default allocation lifetime the server grants: 600 s (RFC 8656 §3.2). */
export const DEFAULT_ALLOCATION_LIFETIME_S = 600;
/** Default TURN port for `turn:` (RFC 8656 §18.5? RFC 7065 §3). */
export const DEFAULT_TURN_PORT = 3478;
/** Default TURN port for `turns:` (RFC 7065 §3). */
export const DEFAULT_TURNS_PORT = 5349;

/** TURN error codes the client reacts to (RFC 8656 §18.8, RFC 8489 §14.8, RFC 6062 §6.3). */
export const TurnErrorCode = {
  TryAlternate: 300,
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  AllocationMismatch: 437,
  StaleNonce: 438,
  AddressFamilyNotSupported: 440,
  WrongCredentials: 441,
  UnsupportedTransport: 442,
  ConnectionAlreadyExists: 446,
  ConnectionTimeoutOrFailure: 447,
  AllocationQuotaReached: 486,
  InsufficientCapacity: 508,
} as const;
