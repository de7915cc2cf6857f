/**
 * `ice-tcp/core`: the sans-IO ICE core (RFC 8445 with the ICE-TCP
 * bookkeeping of RFC 6544), for people writing their own runtime or testing
 * in virtual time. No sockets, no clock: `(now, input)` in, transmits,
 * connects, events and a timeout polled out (ARCHITECTURE.md "The sans-IO
 * boundary"). Exports are named one by one (see lib/index.ts).
 *
 * @module
 */
export { IceCore } from '../ice/index.js';
export { IceError, type IceErrorCode } from '../ice/index.js';
export { seededRandom } from '../ice/index.js';
export type {
  Address,
  CloseReason,
  ConnectFailReason,
  ConnectionCommand,
  ConnectionEvent,
  DataDisposition,
  IceCoreApi,
  IceCoreOptions,
  IceCredentials,
  IceEvent,
  IceState,
  LocalCandidateInit,
  PacketDisposition,
  PacketInput,
  PairInfo,
  PairState,
  RandomSource,
  Route,
  Transmit,
} from '../ice/index.js';
// The candidate rules the core applies, for runtimes that pre-check input.
export { canPair, pairingRejection, pairPriority, type PairingRejection } from '../candidate/index.js';
export type { Candidate, CandidateType, PriorityOptions, TcpType, TransportProtocol } from '../candidate/index.js';
