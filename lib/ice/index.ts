/**
 * The sans-IO ICE core (RFC 8445) with the ICE-TCP bookkeeping of
 * RFC 6544: {@link IceCore}, its contract types, the seeded random source
 * for tests and replays, and {@link IceError}.
 */
export type * from './types.js';
export { IceCore } from './ice-core.js';
export { IceError, type IceErrorCode } from './ice-errors.js';
export { seededRandom } from './seeded-random.js';
