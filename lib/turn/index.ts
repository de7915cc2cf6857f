/**
 * TURN (RFC 8656) with TCP allocations (RFC 6062): the sans-IO client and what it
 * is made of (no sockets, timers or clock: time and randomness are passed in).
 * Its Node driver and the transport plugin are in lib/net/turn.
 *
 * @module
 */
export { TurnClient, type TurnClientOptions, type TurnClientEvent, type TurnClientState } from './client.js';
export { TurnError, type TurnErrorCode } from './turn-errors.js';
export { parseTurnUrl, parseIceServers, type RTCIceServer, type TurnServerConfig } from './server-url.js';
export type { TurnCredentials } from './auth.js';
export type { PeerAddress } from './peer-address.js';
