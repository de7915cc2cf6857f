/**
 * Options of the ICE-TCP transport plugin ({@link TcpTransport}), their
 * defaults and their validation.
 */
import type { SharedPassiveListenerOptions } from './shared-listener-options.js';
import { SharedPassiveListener } from './shared-listener.js';
import type { StunTcpFraming } from './stun-tcp-client.js';
import { TcpTransportError, booleanOption, integerOption } from './tcp-error.js';

/** Options of {@link TcpTransport}. Every field is optional and validated. */
export interface TcpTransportOptions {
  /** Gather active candidates (port 9, connect from an ephemeral port). Default `true`. */
  active?: boolean;
  /** Gather passive candidates (a listening port). Default `true`. */
  passive?: boolean;
  /** Gather simultaneous-open candidates (a bound port, connect-only) and their srflx. Default `true`. */
  so?: boolean;
  /**
   * Share this listener's port for the passive candidates (routed by ufrag)
   * instead of opening a listening socket per interface address. The
   * listener is not closed with the plugin. With several components, only
   * the first gets a passive candidate (one port cannot tell components apart).
   */
  listener?: SharedPassiveListener;
  /**
   * Put the passive candidates on this port (1..65535) of each gathered
   * address, e.g. 443 for peers behind firewalls that allow outbound TCP to
   * 80/443 only. Every agent of the process asking for the same address and
   * port shares one listener (connections routed by ufrag, RFC 6544 §7.2);
   * it closes with the last of them. Ignored when `listener` is given.
   */
  passivePort?: number;
  /** Limits of the plugin's own passive listeners (when no `listener` is given). */
  passiveListener?: Pick<SharedPassiveListenerOptions, 'firstFrameTimeoutMs' | 'maxFirstFrameSize' | 'maxPendingConnections' | 'backlog'>;
  /**
   * Upper bound of a connect attempt, ms. By default the core's connect
   * command decides (its `timeoutMs`, the core's `tcp.connectTimeoutMs`).
   */
  connectTimeoutMs?: number;
  /** Largest RFC 4571 frame accepted from a peer, 0..65535 (default 65535). */
  maxFrameSize?: number;
  /** Packets a connection holds for a paused consumer before pausing the socket (default 1024). */
  maxBufferedPackets?: number;
  /** Timeout of a STUN Binding over TCP to a STUN server, ms (default 5000). */
  stunTimeoutMs?: number;
  /**
   * Message delimiting towards STUN servers: `'plain'` (default) is STUN over
   * TCP as RFC 8489 §6.2.2 defines it and as third-party servers (coturn, …)
   * speak it; `'rfc4571'` puts a 2-byte length before each message. The
   * bundled `StunServer` answers both.
   */
  stunFraming?: StunTcpFraming;
  /** After a close command (FIN), destroy the socket if the peer has not closed within this, ms (default 2000). */
  closeGraceMs?: number;
}

/** Options after validation and defaults. */
export interface ResolvedTcpTransportOptions {
  active: boolean;
  passive: boolean;
  so: boolean;
  listener: SharedPassiveListener | undefined;
  passivePort: number | undefined;
  passiveListener: SharedPassiveListenerOptions;
  stunTimeoutMs: number;
  stunFraming: StunTcpFraming;
  connections: { maxFrameSize: number; maxBufferedPackets: number; connectTimeoutMs: number | undefined; closeGraceMs: number };
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Validates {@link TcpTransportOptions} and applies the defaults.
 *
 * @throws TcpTransportError `ERR_TCP_BAD_OPTION` naming the bad option.
 */
export function resolveTcpTransportOptions(options: TcpTransportOptions): ResolvedTcpTransportOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TcpTransportError('ERR_TCP_BAD_OPTION', 'TcpTransport options must be an object');
  }
  if (options.listener !== undefined && !(options.listener instanceof SharedPassiveListener)) {
    throw new TcpTransportError('ERR_TCP_BAD_OPTION', 'listener must be a SharedPassiveListener');
  }
  const own = options.passiveListener ?? {};
  // Validated now rather than at gather time.
  new SharedPassiveListener(own);
  if (options.stunFraming !== undefined && options.stunFraming !== 'rfc4571' && options.stunFraming !== 'plain') {
    throw new TcpTransportError('ERR_TCP_BAD_OPTION', `stunFraming must be 'rfc4571' or 'plain', got ${String(options.stunFraming)}`);
  }
  return {
    active: booleanOption('active', options.active, true),
    passive: booleanOption('passive', options.passive, true),
    so: booleanOption('so', options.so, true),
    listener: options.listener,
    passivePort: options.passivePort === undefined ? undefined : integerOption('passivePort', options.passivePort, 0, 1, 65535),
    passiveListener: { ...own },
    stunTimeoutMs: integerOption('stunTimeoutMs', options.stunTimeoutMs, 5000, 1, MAX_TIMER_MS),
    stunFraming: options.stunFraming ?? 'plain',
    connections: {
      maxFrameSize: integerOption('maxFrameSize', options.maxFrameSize, 65535, 0, 65535),
      maxBufferedPackets: integerOption('maxBufferedPackets', options.maxBufferedPackets, 1024, 1, MAX_TIMER_MS),
      connectTimeoutMs:
        options.connectTimeoutMs === undefined
          ? undefined
          : integerOption('connectTimeoutMs', options.connectTimeoutMs, 0, 1, MAX_TIMER_MS),
      closeGraceMs: integerOption('closeGraceMs', options.closeGraceMs, 2000, 0, MAX_TIMER_MS),
    },
  };
}
