/**
 * `ice-tcp/stun-server`: a small STUN Binding server (RFC 8489) on UDP and
 * TCP (plain, or RFC 4571 framed), and its sans-IO responder. Exports are
 * named one by one (see lib/index.ts).
 *
 * @module
 */
export {
  StunServer,
  type StunServerAddresses,
  type StunServerListenOptions,
  type StunServerOptions,
  type StunServerStats,
  type StunTcpFormat,
  answerBindingRequest,
  type BindingAnswer,
  type BindingResponderOptions,
  DEFAULT_STUN_PORT,
  IceAgentError,
  type IceAgentErrorCode,
} from '../net/index.js';
