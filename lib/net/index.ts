/**
 * The Node runtime: the public {@link IceAgent}, the selected pair as an
 * {@link IceConnection} (packets) and its Duplex view, the UDP and TCP
 * transport plugins, the runtime that drives the sans-IO core, interface
 * discovery, `stun:` URLs and a small {@link StunServer}.
 * Debug namespaces: `ice-tcp:net`, `ice-tcp:udp`, `ice-tcp:stun-server`, `ice-tcp:tcp`.
 */
export { IceAgent, type ConnectOptions, type GatheringState, type IceParameters } from './agent/agent.js';
export {
  checkIceCredentials,
  type IceAgentOptions,
  type IceAgentTcpOptions,
  type IceAgentTestingOptions,
  type IceAgentTurnOptions,
} from './agent/agent-options.js';
export type { IceAgentEvents, IceConnectionEvents, UnusableAddress } from './agent/agent-events.js';
export type { AnnouncedAddresses } from './agent/announced-address.js';
export { IceAgentError, type IceAgentErrorCode } from './net-errors.js';
export { IceCandidate } from './agent/ice-candidate.js';
export {
  IceConnection,
  DEFAULT_MAX_QUEUED_PACKETS,
  DEFAULT_MAX_HELD_BYTES,
  MAX_ICE_PACKET_SIZE,
  type IceConnectionOptions,
} from './agent/ice-connection.js';
export { type RoutePath } from './agent/route-path.js';
export { IceConnectionStream, type IceConnectionStreamOptions } from './agent/ice-connection-stream.js';
export { IceRuntime, cryptoRandomSource, type RuntimeSink } from './agent/runtime.js';
export { UdpTransport, type UdpTransportOptions } from './udp/udp-plugin.js';
export { UdpRoute, DEFAULT_UDP_SEND_HIGH_WATER_MARK } from './udp/udp-route.js';
export { UdpBindingClient, type BindingRetransmitOptions } from './udp/udp-binding-client.js';
export { addressExclusion, listInterfaceAddresses, normalizeAddressList, type InterfaceAddressOptions } from './agent/interfaces.js';
export { DEFAULT_STUN_PORT, parseStunUrl } from './stun-url.js';
export {
  StunServer,
  peerAddress,
  type StunServerAddresses,
  type StunServerListenOptions,
  type StunServerOptions,
  type StunServerStats,
} from './stun-server/stun-server.js';
export { answerBindingRequest, type BindingAnswer, type BindingResponderOptions } from './stun-server/binding-responder.js';
export type { StunTcpFormat } from './stun-server/stun-tcp-session.js';
export type { GatherContext, StunServerAddress, TransportHost, TransportPlugin } from './agent/transport-plugin.js';
export * from './tcp/index.js';
