/**
 * The interface between the Node runtime (which drives one sans-IO `IceCore`)
 * and the transports it can use. UDP and TCP are plugins behind it; a future
 * TURN or TLS-wrapped transport is one more (ARCHITECTURE.md "Transport plugins").
 *
 * A plugin owns sockets. It reports what happens on them to its
 * {@link TransportHost} (the runtime), which feeds the core, and it carries out
 * what the core asks for (transmits, connection commands).
 */
import type { DebugLog } from '../../debug-log.js';
import type { Candidate, PriorityOptions } from '../../candidate/index.js';
import type { PacketConnection } from '../../connection.js';
import type { Address, ConnectionCommand, ConnectionEvent, LocalCandidateInit, PacketInput, Transmit } from '../../ice/types.js';

/** A `stun:` server to learn server-reflexive candidates from (RFC 7064 URL). */
export interface StunServerAddress {
  host: string;
  port: number;
  /**
   * `'udp'` or `'tcp'` for `stun:host:port?transport=udp|tcp`; absent (a plain
   * `stun:host:port`): both, UDP srflx candidates and TCP srflx S-O candidates,
   * the TCP attempt with a short timeout of its own.
   */
  transport?: 'udp' | 'tcp';
}

/** What the runtime tells a plugin when gathering. */
export interface GatherContext {
  /** Local interface addresses to gather on (already filtered by the agent's options). */
  addresses: string[];
  /** Component ids to gather for (usually `[1]`). */
  components: number[];
  /** STUN servers for server-reflexive candidates. */
  stunServers: StunServerAddress[];
  /** Priority options (type preferences, prefer TCP). */
  priority: PriorityOptions;
  /** The agent's local ufrag, e.g. for registering with a shared passive listener. */
  localUfrag: string;
  /** Aborts gathering (agent closed). */
  signal?: AbortSignal;
  /** Local address → announced public address (1:1 NAT) for UDP host and passive TCP candidates; applied by the runtime. */
  announcedAddresses?: ReadonlyMap<string, string>;
}

/** The runtime side, as a plugin sees it. All callbacks are synchronous. */
export interface TransportHost {
  /** A packet (datagram, or one RFC 4571 frame's payload) arrived. */
  onPacket(packet: PacketInput): void;
  /** A TCP connection event. */
  onConnection(event: ConnectionEvent): void;
  /** A local candidate was gathered (host or server-reflexive). */
  onCandidate(init: LocalCandidateInit): void;
  /** Debug logger of the agent. */
  readonly log: DebugLog;
  /**
   * Optional: a failure the application should hear of (e.g. a TURN server
   * refusing the credentials); the agent emits it as `'warning'`.
   */
  onError?(error: Error): void;
}

/** A transport plugin (one per protocol per agent). */
export interface TransportPlugin {
  /** The transport protocol of its candidates (one plugin per protocol per agent). */
  readonly protocol: 'udp' | 'tcp';
  /** Binds its host to the plugin; called once, before `gather`. */
  attach(host: TransportHost): void;
  /**
   * Opens sockets on the given addresses and reports candidates through
   * `host.onCandidate` as they are found. Resolves when this plugin has
   * gathered everything it will (server-reflexive ones included).
   */
  gather(context: GatherContext): Promise<void>;
  /**
   * Sends one packet the core produced. Returns `false` when the packet was
   * queued beyond the socket's high-water mark (wait for the route's drain).
   */
  send(transmit: Transmit): boolean;
  /** Carries out a connection command. UDP plugins ignore these. */
  command(command: ConnectionCommand): void;
  /**
   * The packet connection behind a route, for the application data path
   * (TCP: the framed connection with its backpressure; UDP: a view bound to a
   * socket and remote address).
   */
  routeConnection(transportId: string, remote: Address, connectionId?: string): PacketConnection | undefined;
  /**
   * Optional: the agent's local ufrag changed (ICE restart, RFC 8445 §9).
   * Plugins that route incoming connections by ufrag (a TCP passive
   * listener) start routing the new one; the previous one may stay routed
   * for late checks.
   */
  setLocalUfrag?(ufrag: string): void;
  /**
   * Optional: ICE has completed. Connections kept open to STUN servers for
   * server-reflexive mappings may be closed now (RFC 6544 §4.1, §11.2).
   */
  closeServerConnections?(): void;
  /**
   * Optional: a remote candidate was added. A TURN plugin asks its server
   * for a permission for the candidate's IP (RFC 8656 §9), so that the
   * peer's packets get through the relay before we send to it.
   */
  addRemoteCandidate?(candidate: Candidate): void;
  /** Closes every socket; resolves when all handles are released. */
  close(): Promise<void>;
}
