/**
 * Options, limits, events and counters of the {@link SharedPassiveListener}
 * (RFC 6544 §7.2 server side shared by many agents), and their validation.
 */
import type { Socket } from 'node:net';
import type { Address } from '../../ice/types.js';
import type { FirstFrameRejection } from './first-frame.js';
import { TcpTransportError, integerOption } from './tcp-error.js';

/** Default of {@link SharedPassiveListenerOptions.firstFrameTimeoutMs}: 10 s. */
export const DEFAULT_FIRST_FRAME_TIMEOUT_MS = 10_000;
/** Default of {@link SharedPassiveListenerOptions.maxFirstFrameSize}: 1500 bytes. */
export const DEFAULT_MAX_FIRST_FRAME_SIZE = 1500;
/** Default of {@link SharedPassiveListenerOptions.maxPendingConnections}: 4096. */
export const DEFAULT_MAX_PENDING_CONNECTIONS = 4096;
/** The smallest allowed `maxFirstFrameSize`: a STUN header (RFC 8489 §5). */
export const MIN_FIRST_FRAME_SIZE = 20;

/** Options of {@link SharedPassiveListener}. Every limit is validated. */
export interface SharedPassiveListenerOptions {
  /**
   * Address to listen on. Default: Node's default (`::` when IPv6 is
   * available, dual-stack, else `0.0.0.0`). A wildcard serves the passive
   * candidates of every interface address; a specific address only its own.
   */
  host?: string;
  /** Port to listen on, 0..65535 (default 0: any free port). */
  port?: number;
  /** `listen()` backlog, 1..65535 (default 511). */
  backlog?: number;
  /**
   * An incoming connection must deliver its first complete RFC 4571 frame
   * within this many ms of being accepted (default 10 000, 1..2^31-1);
   * otherwise it is closed (reason `'timeout'`). This closes silent
   * connections and slow trickles alike.
   */
  firstFrameTimeoutMs?: number;
  /**
   * Largest first frame accepted, in payload bytes (default 1500,
   * 20..65535). A frame header announcing more closes the connection as
   * soon as the 2-byte header is in (reason `'frame-too-large'`), without
   * waiting for the payload. An ICE Binding request is about 100 bytes.
   */
  maxFirstFrameSize?: number;
  /**
   * Connections accepted whose first frame has not arrived yet, at most
   * (default 4096, 1..1 000 000). When a new connection arrives at the cap,
   * the OLDEST pending connection is closed (reason `'pending-cap'`) and the
   * new one is kept: a real ICE peer sends its Binding request right after
   * connecting, so it is rarely the oldest, while connections that stay
   * silent to hold slots are evicted first. Refusing the newest instead would
   * let a few silent connections lock every real peer out until their
   * timeout.
   */
  maxPendingConnections?: number;
}

/**
 * Why the shared listener closed an incoming connection before handing it to
 * an agent:
 * - `'timeout'`: no complete first frame within `firstFrameTimeoutMs`;
 * - `'frame-too-large'`: the first frame header announced more than `maxFirstFrameSize`;
 * - `'pending-cap'`: evicted, the oldest of `maxPendingConnections` pending ones;
 * - `'not-stun'`: the first frame is not a STUN message;
 * - `'not-binding-request'`: STUN, but not a Binding request with USERNAME and MESSAGE-INTEGRITY;
 * - `'unknown-ufrag'`: no agent registered the ufrag of the USERNAME;
 * - `'peer-closed'`: the peer closed or reset before its first frame;
 * - `'listener-closed'`: the listener was closed.
 */
export type PassiveRejectReason =
  FirstFrameRejection | 'timeout' | 'frame-too-large' | 'pending-cap' | 'unknown-ufrag' | 'peer-closed' | 'listener-closed';

/** Payload of the `'rejected'` event. */
export interface PassiveRejection {
  reason: PassiveRejectReason;
  /** Where the connection came from (`undefined` when the socket was already gone). */
  remote: Address | undefined;
  /** Details for people debugging. */
  detail: string;
}

/**
 * Receives a connection whose first frame is a Binding request for a
 * registered ufrag. The socket is paused, with any bytes received after the
 * first frame put back (`unshift`) into it: wrap it, then `resume()` it.
 */
export type PassiveConnectionHandler = (socket: Socket, firstFrame: Buffer) => void;

/** Counters of a {@link SharedPassiveListener}. */
export interface SharedPassiveListenerStats {
  /** Connections accepted. */
  accepted: number;
  /** Connections handed to an agent. */
  routed: number;
  /** Connections closed before that, by reason. */
  rejected: Record<PassiveRejectReason, number>;
}

/** Options after validation and defaults. */
export interface ResolvedListenerOptions {
  host: string | undefined;
  port: number;
  backlog: number;
  firstFrameTimeoutMs: number;
  maxFirstFrameSize: number;
  maxPendingConnections: number;
}

/**
 * Validates {@link SharedPassiveListenerOptions} and applies the defaults.
 *
 * @throws TcpTransportError `ERR_TCP_BAD_OPTION` naming the bad option.
 */
export function resolveListenerOptions(options: SharedPassiveListenerOptions): ResolvedListenerOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TcpTransportError('ERR_TCP_BAD_OPTION', 'SharedPassiveListener options must be an object');
  }
  if (options.host !== undefined && (typeof options.host !== 'string' || options.host === '')) {
    throw new TcpTransportError('ERR_TCP_BAD_OPTION', `host must be a non-empty string, got ${String(options.host)}`);
  }
  return {
    host: options.host,
    port: integerOption('port', options.port, 0, 0, 65535),
    backlog: integerOption('backlog', options.backlog, 511, 1, 65535),
    firstFrameTimeoutMs: integerOption('firstFrameTimeoutMs', options.firstFrameTimeoutMs, DEFAULT_FIRST_FRAME_TIMEOUT_MS, 1, 2 ** 31 - 1),
    maxFirstFrameSize: integerOption(
      'maxFirstFrameSize',
      options.maxFirstFrameSize,
      DEFAULT_MAX_FIRST_FRAME_SIZE,
      MIN_FIRST_FRAME_SIZE,
      65535,
    ),
    maxPendingConnections: integerOption(
      'maxPendingConnections',
      options.maxPendingConnections,
      DEFAULT_MAX_PENDING_CONNECTIONS,
      1,
      1_000_000,
    ),
  };
}
