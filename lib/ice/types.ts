/**
 * The contract of the sans-IO ICE core (RFC 8445 with RFC 6544 ICE-TCP).
 *
 * The core is a deterministic state machine. It never opens a socket, reads a
 * clock or draws randomness of its own: every input carries `now` (a
 * monotonic time in milliseconds chosen by the caller), randomness comes from
 * an injected {@link RandomSource}, and everything the core wants done is
 * polled out of it:
 *
 * ```
 *   runtime ──handlePacket / handleConnection / handleTimeout / commands──▶ IceCore
 *   runtime ◀──pollTransmit / pollConnectionCommand / pollEvent / pollTimeout── IceCore
 * ```
 *
 * After every input the runtime drains all four poll methods until they
 * return `undefined`, then arms one timer for `pollTimeout()`.
 *
 * TCP (RFC 6544) is visible to the core only as connection ids and
 * connection events: the runtime opens and accepts sockets, frames them with
 * RFC 4571 and hands each frame to {@link IceCoreApi.handlePacket} with the
 * connection's id.
 */
import type { Candidate, PriorityOptions, TcpType } from '../candidate/index.js';

/** A transport address (IPv4 or IPv6 in Node's textual form, and a port). */
export interface Address {
  address: string;
  port: number;
}

/**
 * Source of the randomness the core needs: transaction ids, the 64-bit
 * tie-breaker, ufrag and password, consent jitter. Injected so that a
 * recorded session replays exactly. The runtime uses `crypto.randomBytes`;
 * tests use a seeded generator.
 */
export interface RandomSource {
  /** Returns `length` fresh random bytes. */
  bytes(length: number): Uint8Array;
}

/** ICE credentials (RFC 8445 §5.3; RFC 8839 §5.4 syntax). */
export interface IceCredentials {
  ufrag: string;
  pwd: string;
}

/** A local candidate and the runtime object that owns its base. */
export interface LocalCandidateInit {
  /** The candidate as it is signalled (TCP active: port 9). */
  candidate: Candidate;
  /**
   * The runtime's id for the base: a UDP socket, a TCP passive listener, an
   * S-O bound port, or (TCP active) the interface connections are made from.
   * Transmits and connect commands name it.
   */
  transportId: string;
}

/** One received datagram, or one RFC 4571 frame's payload from a TCP connection. */
export interface PacketInput {
  transportId: string;
  /** The TCP connection the frame arrived on; absent for UDP. */
  connectionId?: string;
  /** The remote address the packet came from. */
  from: Address;
  /** The local address it arrived at, when the runtime knows it. */
  to?: Address;
  data: Buffer;
}

/** A packet of application data, and the component it belongs to (the component of its valid pair). */
export interface DataDisposition {
  readonly kind: 'data';
  readonly component: number;
}

/**
 * What the core made of a packet:
 * - `'stun'`: an ICE/STUN message, consumed by the core;
 * - a {@link DataDisposition} (`{ kind: 'data', component }`): application
 *   data from a valid pair of that component: the runtime delivers it;
 *   classifying it changed nothing in the core but when the peer was last
 *   heard (no outputs, the same `pollTimeout()`), so the runtime need not
 *   drain after it; the core
 *   returns one shared object per component (no allocation per packet);
 * - `'dropped'`: neither (not from a valid pair, malformed, or no consent);
 *   the core has logged why.
 */
export type PacketDisposition = 'stun' | 'dropped' | DataDisposition;

/** Why a TCP connect attempt failed, as the runtime saw it. */
export type ConnectFailReason = 'refused' | 'reset' | 'timeout' | 'unreachable' | 'error';

/** Why a TCP connection closed. `'local'`: the core asked for it. */
export type CloseReason = 'end' | 'reset' | 'error' | 'local';

/** A TCP connection event reported by the runtime (RFC 6544 §7). */
export type ConnectionEvent =
  | {
      /** A connect the core asked for (by `attemptId`) has been established. */
      type: 'connected';
      attemptId: string;
      connectionId: string;
      transportId: string;
      local: Address;
      remote: Address;
    }
  | {
      /** A connect the core asked for failed. */
      type: 'connect-failed';
      attemptId: string;
      reason: ConnectFailReason;
      message?: string;
    }
  | {
      /** A connection arrived on a passive or S-O base (`transportId`). */
      type: 'accepted';
      connectionId: string;
      transportId: string;
      local: Address;
      remote: Address;
    }
  | {
      /** A connection is gone. */
      type: 'closed';
      connectionId: string;
      reason: CloseReason;
      message?: string;
    };

/** A packet the core wants sent. On TCP the runtime frames it (RFC 4571). */
export interface Transmit {
  transportId: string;
  /** The TCP connection to send it on; absent for UDP. */
  connectionId?: string;
  to: Address;
  data: Buffer;
}

/** A TCP connection the core wants opened or closed. */
export type ConnectionCommand =
  | {
      type: 'connect';
      /** Echoed back in the `'connected'` / `'connect-failed'` event. */
      attemptId: string;
      transportId: string;
      tcpType: Extract<TcpType, 'active' | 'so'>;
      /**
       * Where to connect from. Active: the interface address with port 0
       * (an ephemeral port, RFC 6544 §7.1). S-O: the bound S-O port.
       */
      local: Address;
      remote: Address;
      /** Give up and report `'connect-failed'` / `'timeout'` after this long. */
      timeoutMs: number;
    }
  | {
      type: 'close';
      connectionId: string;
      /**
       * The transport id the connection was reported on (`'connected'` /
       * `'accepted'`): the runtime finds the plugin that owns it by this id.
       */
      transportId: string;
      /** Human-readable reason, for logs (e.g. "not selected, RFC 6544 §8"). */
      reason: string;
    };

/** Candidate-pair states (RFC 8445 §6.1.2.6). */
export type PairState = 'frozen' | 'waiting' | 'in-progress' | 'succeeded' | 'failed';

/** ICE agent states, as in RTCIceConnectionState. */
export type IceState = 'new' | 'checking' | 'connected' | 'completed' | 'disconnected' | 'failed' | 'closed';

/** A read-only view of a candidate pair, for events and diagnostics. */
export interface PairInfo {
  /** Stable within one core: `${component}:${local key}:${remote key}`-like. */
  id: string;
  component: number;
  local: Candidate;
  remote: Candidate;
  priority: bigint;
  state: PairState;
  nominated: boolean;
  /** The TCP connection this pair is checked on, if any. */
  connectionId?: string;
}

/** Where application data for a component goes (the runtime sends it there itself). */
export interface Route {
  component: number;
  transport: 'udp' | 'tcp';
  transportId: string;
  connectionId?: string;
  remote: Address;
  /** The local candidate's tcptype, for TCP routes. */
  tcpType?: TcpType;
  pairId: string;
}

/** Events for the application and for people debugging a session. */
export type IceEvent =
  | { type: 'state'; state: IceState; previous: IceState }
  | { type: 'pair-state'; pair: PairInfo; previous: PairState; reason?: string }
  | { type: 'selected-pair'; pair: PairInfo }
  /**
   * The data route for a component changed: the first valid pair, the
   * selected pair, a reconnected TCP connection, or `null` when nothing may be
   * sent (consent lost, RFC 7675 §5.1; selected TCP connection down).
   *
   * The core owns the route's lifecycle: a newly selected pair's `'route'`
   * comes before its `'selected-pair'` (an application that sends from its
   * `'selected-pair'` listener already uses the new route), and the close
   * of a route's connection (the runtime's `'closed'` event, or a `close`
   * command of the core's own) changes that component's route in the same
   * drain: a route never names a connection the core has closed.
   */
  | { type: 'route'; component: number; route: Route | null }
  | { type: 'role'; controlling: boolean; reason: string }
  /** A peer-reflexive remote candidate was learned (RFC 8445 §7.3.1.3). */
  | { type: 'remote-candidate'; candidate: Candidate }
  /** A peer-reflexive local candidate was learned (RFC 8445 §7.2.5.3.1). */
  | { type: 'local-candidate'; candidate: Candidate }
  | { type: 'consent'; component: number; granted: boolean }
  | { type: 'error'; code: string; message: string }
  /**
   * The core restarted ICE by itself (RFC 6544 §11.1: the controlling side,
   * after the selected TCP connection could not be re-established). The
   * local candidates are kept; the runtime must signal `credentials` (and
   * its candidates again) to the peer, and pass the peer's new credentials
   * and candidates back in with `setRemoteCredentials` /
   * `addRemoteCandidate`, as after an application-initiated `restart()`.
   */
  | { type: 'restart'; credentials: IceCredentials; reason: string };

/** Options of the core. Every field has a sane default except `controlling` and `random`. */
export interface IceCoreOptions {
  /** Initial role (RFC 8445 §6.1.1); may change on a role conflict. */
  controlling: boolean;
  random: RandomSource;
  /** Local credentials; generated from `random` when absent (ufrag 8 chars, pwd 24). */
  localCredentials?: IceCredentials;
  /** Components in the stream (default 1). */
  components?: number;
  /** Act as an ICE-lite agent: answer checks, never send them (RFC 8445 §2.5). */
  lite?: boolean;
  /** Nomination by the controlling side (default `'regular'`). Aggressive is never used on TCP pairs (RFC 6544 §8). */
  nomination?: 'regular' | 'aggressive';
  /** Pacing interval Ta in ms (default 50, RFC 8445 §14.2). */
  ta?: number;
  /**
   * Controlling side, regular nomination: nominate the best valid pair once
   * no better-ranked pair (by priority; see `priority` for `preferTcp`) is
   * still pending and worth waiting for, or at the latest this long after
   * the component's first valid pair (default 2000 ms). A pending pair is
   * worth waiting for up to this bound when anything arrived from its
   * remote address over its transport, and otherwise for max(20 ms, 3 × the
   * fastest check round trip) from its first check (lib/ice/nomination-wait.ts).
   */
  nominationTimeoutMs?: number;
  /** Checklist size limit (default 100, RFC 8445 §6.1.2.5). */
  maxPairs?: number;
  /**
   * Priority options: the PRIORITY attribute of checks (the prflx type
   * preference, RFC 8445 §7.1.1) is computed with them; pass the same
   * options the local candidates' priorities were computed with.
   *
   * `preferTcp` also steers the controlling agent's nomination. RFC 8445
   * §8.1.1 lets the controlling agent choose which valid pair to nominate;
   * with `preferTcp` it nominates the best TCP valid pair whenever one
   * exists, ranking any TCP pair above any UDP pair before comparing pair
   * priorities. Priorities alone cannot do this for every TCP kind: the
   * active side's valid pair has a peer-reflexive local candidate (type
   * preference 110, which must stay above srflx, RFC 8445 §5.1.2.2), and
   * the passive side's has the peer's peer-reflexive one, so both rank
   * below a UDP host pair. The controlling agent waits for TCP as it waits
   * for any better-ranked pair: while a TCP pair is pending, and (passive
   * side) while the peer's signalled active candidate has not connected
   * yet, but never longer than `nominationTimeoutMs` after the first valid
   * pair, after which it nominates the best valid pair it has (UDP).
   *
   * The controlled agent cannot choose under regular nomination: there
   * `preferTcp` only raises its own TCP candidates' priorities, which does
   * not outweigh a controlling agent that prefers UDP (the default), so
   * UDP is selected. Set it on the controlling side (or both) to get TCP.
   * With `nomination: 'aggressive'` the controlling agent's successful UDP
   * checks nominate themselves (aggressive nomination is never used on TCP
   * pairs, RFC 6544 §8), so `preferTcp` cannot make TCP win there.
   */
  priority?: PriorityOptions;
  /** The 64-bit tie-breaker; drawn from `random` when absent. */
  tieBreaker?: bigint;
  /** SOFTWARE attribute to put in requests, if any. */
  software?: string;
  /** Consent freshness (RFC 7675). */
  consent?: {
    /** Mean interval between consent checks (default 5000 ms, ×0.8–1.2 jitter). */
    intervalMs?: number;
    /** Consent expires without an authenticated answer for this long (default 30000 ms). */
    expiryMs?: number;
    /** State `'disconnected'` after no answer for this long (default 10000 ms). */
    disconnectedAfterMs?: number;
    /**
     * What a full agent does on a pair that sends no application data
     * (default `'suspend'`). RFC 7675 §5.1: "An endpoint does not need to
     * maintain consent if it does not send application data. However, an
     * endpoint MUST regain consent before it resumes sending application
     * data."
     *
     * - `'suspend'`: when a check comes due and no data went out since the
     *   previous one came due (and that one was answered), checks stop; a
     *   keepalive (RFC 8445 §11: Binding Indication, FINGERPRINT only) goes
     *   out every `keepaliveIntervalMs` instead, to keep NAT and firewall
     *   bindings, and our own silence never makes the state `'disconnected'`
     *   or `'failed'`. The first send (the runtime's
     *   {@link IceCoreApi.handleDataSent}) restarts checks at once: with
     *   consent answered within `expiryMs` data goes at once; with older
     *   (stale) consent the route is `null` (data waits) until an answer
     *   regains it, and consent is lost as usual when none comes within
     *   `expiryMs`. When nothing at all arrived from the peer for 2 ×
     *   `keepaliveIntervalMs`, checks restart too (a dead peer is still
     *   detected). The default because idle sessions are most sessions of a
     *   server that holds many, and consent checks are most of their cost.
     * - `'maintain'`: a check every `intervalMs` whether data flows or not
     *   (the behaviour before `whenIdle` existed).
     */
    whenIdle?: 'suspend' | 'maintain';
    /**
     * Tr, the keepalive interval of idle pairs (`whenIdle: 'suspend'`) and
     * of ICE-lite agents (default 15000 ms; RFC 8445 §11: never less).
     */
    keepaliveIntervalMs?: number;
  };
  /** ICE-TCP (RFC 6544) settings. */
  tcp?: {
    /** Connect timeout per attempt (default 10000 ms). */
    connectTimeoutMs?: number;
    /** Outstanding connection attempts per remote IP (default 5, RFC 6544 §12). */
    maxConnectsPerRemoteIp?: number;
    /** STUN transaction timeout over TCP, Ti (default 39500 ms, RFC 8489 §6.2.2). */
    transactionTimeoutMs?: number;
    /** S-O connect retries after RST/refused: first delay, cap and count (defaults 20 ms, 1000 ms, 40). */
    soRetry?: { initialMs?: number; maxMs?: number; maxAttempts?: number };
    /** Reconnect attempts for a dropped selected connection before failing (default 5, RFC 6544 §11.1). */
    reconnectAttempts?: number;
  };
}

/** The core's public surface. `IceCore` implements it. */
export interface IceCoreApi {
  readonly localCredentials: IceCredentials;
  readonly controlling: boolean;
  readonly state: IceState;

  /** Adds a local candidate (trickle: also while checking). */
  addLocalCandidate(now: number, init: LocalCandidateInit): void;
  /** Sets the remote ufrag/pwd (RFC 8445 §5.3); `lite` when the peer is ICE-lite. */
  setRemoteCredentials(now: number, credentials: IceCredentials & { lite?: boolean }): void;
  /** Adds a remote candidate (trickle: also while checking). */
  addRemoteCandidate(now: number, candidate: Candidate): void;
  /**
   * The peer has sent all its candidates (end-of-candidates, RFC 8838 §8).
   * A checklist may fail only after it and once our own candidates are
   * complete (see `endOfLocalCandidates`).
   */
  endOfRemoteCandidates(now: number): void;
  /**
   * Our own gathering is done: every local candidate has been added
   * (RFC 8838 §8: with the peer's end-of-candidates, a checklist with no
   * pair left that can succeed, or with no pair at all, then fails, and the
   * agent goes `'failed'`). The runtime calls it once gathering has
   * finished. Without it, local candidates count as complete from the
   * first connectivity check on, so an agent that has no pair at all
   * waits (state `'checking'`) until it is called. Optional in this
   * interface for compatibility; `IceCore` implements it.
   */
  endOfLocalCandidates?(now: number): void;
  /** One packet from a UDP socket or one frame from a TCP connection. */
  handlePacket(now: number, packet: PacketInput): PacketDisposition;
  /** A TCP connection event. */
  handleConnection(now: number, event: ConnectionEvent): void;
  /**
   * The application sends data on a component's route (RFC 7675 §5.1:
   * consent follows application data; `consent.whenIdle`). The runtime
   * calls it for the first send after each `handleTimeout` (also a send
   * that waits because the route is `null`), not for every packet: the
   * core only needs to know whether data went out between two consent
   * checks. A suspended idle pair checks again at once. Optional in this
   * interface for compatibility; `IceCore` implements it.
   */
  handleDataSent?(now: number, component: number): void;
  /** The timer armed from `pollTimeout()` fired (calling it early is harmless). */
  handleTimeout(now: number): void;
  /**
   * ICE restart (RFC 8445 §9): new local credentials (drawn when absent);
   * the selected pair keeps carrying data until a new one is selected.
   */
  restart(now: number, credentials?: IceCredentials): IceCredentials;
  /** Closes the agent: state `'closed'`, close commands for every connection. */
  close(now: number): void;

  pollTransmit(): Transmit | undefined;
  /** The next TCP connection command: a `connect` to open or a `close` of a connection. */
  pollConnectionCommand(): ConnectionCommand | undefined;
  pollEvent(): IceEvent | undefined;
  /** When the core next wants `handleTimeout`, or `undefined` for never. */
  pollTimeout(): number | undefined;

  /** A snapshot of all pairs, for diagnostics. */
  pairs(): PairInfo[];
}
