/**
 * TURN (RFC 8656) with TCP allocations (RFC 6062): the sans-IO client, its
 * Node driver, and the transport plugin giving relayed candidates.
 *
 * @module
 */
export { TurnClient, type TurnClientOptions, type TurnClientEvent, type TurnClientState } from './client.js';
export { TurnError, type TurnErrorCode } from './errors.js';
export { TurnAllocation, type TurnAllocationOptions, type Allocated } from './allocation.js';
export { TurnTransport, type TurnTransportOptions } from './plugin.js';
export { parseTurnUrl, parseIceServers, type RTCIceServer, type TurnServerConfig } from './server-url.js';
export type { TurnTlsOptions } from './server-link.js';
export type { TurnCredentials } from './auth.js';
export type { PeerAddress } from './peer-address.js';
