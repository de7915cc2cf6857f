/**
 * ICE-TCP (RFC 6544) for the Node runtime: the TCP transport plugin, the
 * shared passive listener (one port for many agents, routed by ufrag) and
 * their helpers. Debug namespace `ice-tcp:tcp`.
 */
export { TcpTransport, type TcpTransportOptions } from './tcp-transport.js';
export {
  SharedPassiveListener,
  type SharedPassiveListenerEvents,
  DEFAULT_FIRST_FRAME_TIMEOUT_MS,
  DEFAULT_MAX_FIRST_FRAME_SIZE,
  DEFAULT_MAX_PENDING_CONNECTIONS,
  MIN_FIRST_FRAME_SIZE,
  type SharedPassiveListenerOptions,
  type SharedPassiveListenerStats,
  type PassiveConnectionHandler,
  type PassiveRejectReason,
  type PassiveRejection,
} from './shared-listener.js';
export { TcpTransportError, type TcpTransportErrorCode } from './tcp-error.js';
export { requestTcpMapping, type StunTcpFraming, type TcpMapping, type TcpMappingRequest } from './stun-tcp-client.js';
export { classifyFirstFrame, type FirstFrameRejection, type FirstFrameVerdict } from './first-frame.js';
export { connectFailReason, closeReason } from './socket-errors.js';
