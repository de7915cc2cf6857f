/**
 * The events of the public emitters of the Node runtime, as maps from event
 * name to listener arguments (`EventEmitter<Events>` of `node:events`): a
 * misspelt event name or a wrong listener signature does not compile.
 *
 * Error policy (the same for every emitter of this package, README "Events and errors"):
 * nothing is ever thrown through an unhandled `'error'`. A problem the
 * emitter survives is a `'warning'`, emitted whether anyone listens or not
 * (and logged to `DEBUG=ice-tcp:*`); a failure that ends a connection comes
 * with its `'close'`.
 *
 * @module
 */
import type { Candidate } from '../../candidate/index.js';
import type { PacketConnectionEvents } from '../../connection-events.js';
import type { ListenerEvents } from '../../emitter-events.js';
import type { IceTcpError } from '../../errors.js';
import type { IceState, PairInfo, PairState, Route } from '../../ice/types.js';
import type { IceParameters } from './agent.js';
import type { IceAgentError } from '../net-errors.js';
import type { IceCandidate } from './ice-candidate.js';

/** An address the caller named in `addresses` on which gathering found no usable candidate. */
export interface UnusableAddress {
  /** The address as the caller named it (normalized). */
  address: string;
  /** Why, as far as the transports said (the first warning naming the address), for people. */
  reason: string;
}

/** Events of {@link IceAgent}. */
export interface IceAgentEvents extends ListenerEvents {
  /** A local candidate to signal to the peer (trickle). */
  candidate: [candidate: IceCandidate];
  /** Every transport has gathered. */
  'gathering-done': [];
  /**
   * Gathering found no usable candidate on an address the caller named in
   * `addresses` (not on this host, its port range taken, every kind failed):
   * the address is in no candidate. Emitted before `'gathering-done'`.
   */
  'unusable-address': [report: UnusableAddress];
  /** The ICE state changed (RFC 8445 §6.1.3, §8). */
  state: [state: IceState, previous: IceState];
  /** A candidate pair changed state (RFC 8445 §6.1.2.6). */
  'pair-state': [pair: PairInfo, previous: PairState, reason: string | undefined];
  /** A pair was selected for a component (RFC 8445 §8.1.1). */
  'selected-pair': [pair: PairInfo];
  /** The role changed after a role conflict (RFC 8445 §7.3.1.1). */
  role: [controlling: boolean, reason: string];
  /** A peer-reflexive candidate was learned (RFC 8445 §7.2.5.3.1, §7.3.1.3). */
  'peer-reflexive': [side: 'local' | 'remote', candidate: Candidate];
  /** Consent (RFC 7675) was granted or lost for a component. */
  consent: [component: number, granted: boolean];
  /**
   * The agent restarted ICE by itself (RFC 6544 §11.1, the selected TCP
   * connection could not be re-established): signal the new parameters and
   * the local candidates to the peer again, as after `restart()`.
   */
  restart: [parameters: IceParameters, reason: string];
  /**
   * A problem the agent survived: a component's checklist failed, consent
   * expired, the selected TCP connection could not be re-established, a
   * transport's gathering failed, an exception inside a handler
   * (`ERR_RUNTIME`). Never fatal to the process: failure of the session
   * shows as state `'failed'` and a rejected `connect()`.
   */
  warning: [warning: IceTcpError];
  /** Every handle is released. */
  close: [];
}

/**
 * Events of {@link IceConnection}: those of every packet connection
 * (`'packet'` carries what the core accepted, RFC 8445 §12: only from valid
 * pairs; `'end'` is never emitted) and its own.
 */
export interface IceConnectionEvents extends PacketConnectionEvents {
  /** The data route changed (`null`: nothing may be sent for now). */
  route: [route: Route | null];
  /** An outgoing packet was dropped: `maxQueuedPackets` already waited for a route. */
  drop: [error: IceAgentError, packet: Uint8Array];
}
