import { IceTcpError } from '../errors.js';

/**
 * Stable codes of {@link IceAgentError}:
 * - `ERR_AGENT_BAD_OPTION`: an option of `IceAgent`, `UdpTransport` or
 *   `StunServer` is invalid (the message names it);
 * - `ERR_AGENT_BAD_STUN_URL`: a `stun:` URL is not `stun:host[:port][?transport=udp|tcp]` (RFC 7064),
 *   from `parseStunUrl` (the `IceAgent` constructor reports it as the `cause` of `ERR_AGENT_BAD_OPTION`);
 * - `ERR_AGENT_BAD_REMOTE_PARAMETERS`: remote ufrag/pwd are missing or malformed (RFC 8839 §5.4);
 * - `ERR_AGENT_CLOSED`: the agent is closed;
 * - `ERR_AGENT_GATHERING`: `gather()` was called while already gathered or gathering;
 * - `ERR_ICE_FAILED`: ICE failed before a pair was selected;
 * - `ERR_CONNECT_ABORTED`: `connect()` was aborted by its signal;
 * - `ERR_CONNECT_TIMEOUT`: `connect()` gave up after `timeoutMs`;
 * - `ERR_UDP_BIND`: a UDP socket could not be bound on an address;
 * - `ERR_SRFLX_TIMEOUT`: a STUN server did not answer a Binding request in time (RFC 8489 §6.2.1);
 * - `ERR_SRFLX_FAILED`: a STUN server answered with an error or without a mapped address;
 * - `ERR_STUN_SERVER_LISTEN`: the STUN server could not listen;
 * - `ERR_STUN_SERVER_STATE`: `listen()` twice, or on a closed server;
 * - `ERR_CONNECTION_CLOSED`: the ICE connection is closed;
 * - `ERR_CONNECTION_BAD_PACKET`: `IceConnection.send()` was given something
 *   other than a `Uint8Array` of 1..65535 bytes (RFC 4571 §2);
 * - `ERR_CONNECTION_QUEUE_FULL`: an `IceConnection` dropped a packet because
 *   `maxQueuedPackets` already waited for a route (its `'drop'` event);
 * - `ERR_RUNTIME`: an unexpected exception inside the runtime, the core or a
 *   plugin while handling one input (reported as a `'warning'` event, never thrown; `cause` has it).
 */
export type IceAgentErrorCode =
  | 'ERR_AGENT_BAD_OPTION'
  | 'ERR_AGENT_BAD_STUN_URL'
  | 'ERR_AGENT_BAD_REMOTE_PARAMETERS'
  | 'ERR_AGENT_CLOSED'
  | 'ERR_AGENT_GATHERING'
  | 'ERR_ICE_FAILED'
  | 'ERR_CONNECT_ABORTED'
  | 'ERR_CONNECT_TIMEOUT'
  | 'ERR_UDP_BIND'
  | 'ERR_SRFLX_TIMEOUT'
  | 'ERR_SRFLX_FAILED'
  | 'ERR_STUN_SERVER_LISTEN'
  | 'ERR_STUN_SERVER_STATE'
  | 'ERR_CONNECTION_CLOSED'
  | 'ERR_CONNECTION_BAD_PACKET'
  | 'ERR_CONNECTION_QUEUE_FULL'
  | 'ERR_RUNTIME';

/** Errors of the Node runtime (lib/net): the agent, its transports and the STUN server. */
export class IceAgentError extends IceTcpError {
  declare readonly code: IceAgentErrorCode;

  /** `code` is one of the stable codes above; `cause` keeps the underlying error. */
  constructor(code: IceAgentErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
