/**
 * The Node side of TURN: an allocation driven with real sockets and timers
 * around the sans-IO client of lib/turn, its links to the server (UDP, TCP,
 * TLS), RFC 6062 data connections, and the transport plugin that gives the
 * agent relayed candidates.
 *
 * @module
 */
export { TurnAllocation, type TurnAllocationOptions, type Allocated } from './allocation.js';
export { TurnTransport, type TurnTransportOptions } from './plugin.js';
export type { TurnTlsOptions } from './server-link.js';
