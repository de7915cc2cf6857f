/**
 * Options of the public `IceAgent`, their defaults and their validation.
 * Every bad option is an `IceAgentError` `ERR_AGENT_BAD_OPTION` thrown by
 * the constructor, naming the option (see {@link asBadOption}).
 */
import { IceTcpError } from '../../errors.js';
import type { IceCoreApi, IceCoreOptions, IceCredentials, RandomSource } from '../../ice/types.js';
import { IceAgentError } from '../net-errors.js';
import { cryptoRandomSource } from './runtime.js';
import type { PacketStreamOptions } from '../../packet-stream/packet-stream.js';
import { listInterfaceAddresses, normalizeAddressList } from './interfaces.js';
import { parseStunUrl } from '../stun-url.js';
import { resolveAnnouncedAddresses, type AnnouncedAddresses } from './announced-address.js';
import type { TcpTransportOptions } from '../tcp/index.js';
import type { StunServerAddress, TransportPlugin } from './transport-plugin.js';
import type { UdpTransportOptions } from '../udp/udp-plugin.js';
import { parseIceServers, type RTCIceServer, type TurnServerConfig } from '../../turn/server-url.js';
import type { TurnTlsOptions } from '../turn/server-link.js';
import { TurnError } from '../../turn/turn-errors.js';

/** TURN settings of an agent (the servers come from `iceServers`). */
export interface IceAgentTurnOptions {
  /** TLS for `turns:` servers: a test CA (`ca`), SNI. Certificates are verified by default. */
  tls?: TurnTlsOptions;
  /**
   * Also allocate RFC 6062 TCP relays on `?transport=tcp` and `turns:`
   * servers: passive and active relayed TCP candidates (default `false`).
   */
  tcpRelays?: boolean;
  /** LIFETIME to ask for, seconds (default: the server's, usually 600). */
  lifetimeS?: number;
  /** Give up on an allocation after this long (default 10 000 ms). */
  timeoutMs?: number;
}

/**
 * TCP candidates (RFC 6544): the TCP plugin's options (kinds, shared
 * listener, limits; see `TcpTransportOptions`) and the core's TCP timers.
 * `connectTimeoutMs` applies to both.
 */
export interface IceAgentTcpOptions extends TcpTransportOptions {
  /** STUN transaction timeout over TCP, Ti (core default 39500 ms, RFC 8489 §6.2.2). */
  transactionTimeoutMs?: number;
  /** Outstanding connection attempts per remote IP (core default 5, RFC 6544 §12). */
  maxConnectsPerRemoteIp?: number;
  /** S-O connect retries after RST/refused (core defaults 20 ms, 1000 ms, 40). */
  soRetry?: { initialMs?: number; maxMs?: number; maxAttempts?: number };
  /** Reconnects of a dropped selected connection before failing (core default 5, RFC 6544 §11.1). */
  reconnectAttempts?: number;
}

/** Options of `IceAgent`. Only `controlling` is required. */
export interface IceAgentOptions {
  /** Initial role (RFC 8445 §6.1.1): the offerer is usually controlling. */
  controlling: boolean;
  /** UDP candidates: `true` (default), `false`, or options of the UDP transport. */
  udp?: boolean | UdpTransportOptions;
  /** TCP candidates (RFC 6544): `true` (every kind, the default), `false`, or per kind and limits. */
  tcp?: boolean | IceAgentTcpOptions;
  /** `stun:host[:port][?transport=udp|tcp]` URLs for server-reflexive candidates. */
  stunServers?: string[];
  /**
   * Local addresses to gather on (IP literals). Default: every non-internal
   * interface address, IPv4 and IPv6 (see `listInterfaceAddresses`).
   */
  addresses?: string[];
  /**
   * The public address of a host behind a 1:1 NAT (cloud VM): UDP host and
   * passive TCP candidates are advertised with it instead of the interface
   * address (their base stays the interface). One IP for every gathered
   * address of its family, or `{ localAddress: publicAddress }`.
   */
  announcedAddress?: AnnouncedAddresses;
  /** Prefer TCP candidates over UDP ones (RFC 6544 §4.2; UDP is preferred by default). */
  preferTcp?: boolean;
  /** Act as an ICE-lite agent (RFC 8445 §2.5): answer checks, never send them. */
  lite?: boolean;
  /** Nomination by the controlling side (default `'regular'`; never aggressive on TCP, RFC 6544 §8). */
  nomination?: 'regular' | 'aggressive';
  /** Local ufrag (4–256 ice-chars; drawn at random when absent, RFC 8445 §5.3). Give `pwd` with it. */
  ufrag?: string;
  /** Local password (22–256 ice-chars). Give `ufrag` with it. */
  pwd?: string;
  /** Components in the stream (default 1). */
  components?: number;
  /** Pacing interval Ta in ms (default 50, RFC 8445 §14.2). */
  ta?: number;
  /** Controlling side: nominate the best valid pair at the latest this long after the first one (core default 2000 ms). */
  nominationTimeoutMs?: number;
  /** Checklist size limit (default 100, RFC 8445 §6.1.2.5). */
  maxPairs?: number;
  /** SOFTWARE attribute in the agent's STUN requests. */
  software?: string;
  /** Consent freshness timers (RFC 7675). */
  consent?: IceCoreOptions['consent'];
  /**
   * Bound of each `IceConnection` queue, in packets (default 1024): packets
   * sent while no connection may carry them (beyond it `send()` drops them
   * and emits `'drop'`), and packets received while nobody listens or reading
   * is paused (beyond it they are dropped and counted).
   */
  maxQueuedPackets?: number;
  /**
   * Bound of each `IceConnection`'s incoming queue in bytes (default 4 MiB,
   * at least 65535): packets received while nobody listens or reading is
   * paused beyond it are dropped and counted, as beyond `maxQueuedPackets`.
   */
  maxHeldBytes?: number;
  /** Defaults of `IceConnection.stream()` (packet sizes, high-water marks). */
  stream?: PacketStreamOptions;
  /**
   * STUN and TURN servers in the W3C RTCIceServer shape:
   * `[{ urls: 'turn:host:3478?transport=tcp', username, credential }]`.
   * `stun:` URLs join `stunServers`; each `turn:`/`turns:` URL gives relayed
   * candidates (RFC 8656).
   */
  iceServers?: RTCIceServer[];
  /** `'all'` (default) or `'relay'`: gather relayed candidates only (W3C iceTransportPolicy). */
  iceTransportPolicy?: 'all' | 'relay';
  /** TURN settings. */
  turn?: IceAgentTurnOptions;
  /** More transport plugins (e.g. TURN), used beside UDP and TCP. */
  plugins?: TransportPlugin[];
  /** Hooks for tests and record/replay; leave them out in applications. */
  testing?: IceAgentTestingOptions;
}

/**
 * Hooks of `IceAgent` for deterministic tests and for recording a session
 * (lib/replay): not needed by applications, and not covered by the
 * semver promise of the other options.
 */
export interface IceAgentTestingOptions {
  /** Randomness for the core (default `crypto.randomBytes`): a seeded source makes a session repeatable. */
  random?: RandomSource;
  /**
   * Builds the core from its options (default `new IceCore(options)`); lets a
   * recorder (`RecordingCore`) wrap the core for replay.
   */
  createCore?: (options: IceCoreOptions) => IceCoreApi;
}

/** Options after validation and defaults. */
export interface ResolvedAgentOptions {
  controlling: boolean;
  udp: UdpTransportOptions | false;
  tcp: IceAgentTcpOptions | false;
  stunServers: StunServerAddress[];
  addresses: string[];
  /** The caller named `addresses` (gathering reports any of them that gives no candidate). */
  addressesNamed: boolean;
  announcedAddresses: Map<string, string>;
  preferTcp: boolean;
  components: number;
  credentials: IceCredentials | undefined;
  maxQueuedPackets: number | undefined;
  maxHeldBytes: number | undefined;
  turnServers: TurnServerConfig[];
  relayOnly: boolean;
  turn: IceAgentTurnOptions;
}

function bool(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new IceAgentError('ERR_AGENT_BAD_OPTION', `${name} must be a boolean`);
  return value;
}

function plainObject(name: string, value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new IceAgentError('ERR_AGENT_BAD_OPTION', `${name} must be a boolean or an object`);
  }
  return value as Record<string, unknown>;
}

const ICE_CHARS = /^[A-Za-z0-9+/]+$/;

/** RFC 8839 §5.4: ufrag 4–256 and pwd 22–256 ice-chars. */
export function checkIceCredentials(
  ufrag: unknown,
  pwd: unknown,
  code: 'ERR_AGENT_BAD_OPTION' | 'ERR_AGENT_BAD_REMOTE_PARAMETERS',
): IceCredentials {
  if (typeof ufrag !== 'string' || ufrag.length < 4 || ufrag.length > 256 || !ICE_CHARS.test(ufrag)) {
    throw new IceAgentError(code, 'ufrag must be 4-256 ice-chars [A-Za-z0-9+/] (RFC 8839 §5.4)');
  }
  if (typeof pwd !== 'string' || pwd.length < 22 || pwd.length > 256 || !ICE_CHARS.test(pwd)) {
    throw new IceAgentError(code, 'pwd must be 22-256 ice-chars [A-Za-z0-9+/] (RFC 8839 §5.4)');
  }
  return { ufrag, pwd };
}

/**
 * Validates the agent's own options and applies defaults (the core validates
 * its timers itself, with `IceError` `ERR_ICE_BAD_OPTION`).
 *
 * @throws IceAgentError `ERR_AGENT_BAD_OPTION`, `ERR_AGENT_BAD_STUN_URL`
 */
export function resolveAgentOptions(options: IceAgentOptions): ResolvedAgentOptions {
  if (options === null || typeof options !== 'object') {
    throw new IceAgentError('ERR_AGENT_BAD_OPTION', 'options must be an object with at least { controlling }');
  }
  if (typeof options.controlling !== 'boolean') {
    throw new IceAgentError('ERR_AGENT_BAD_OPTION', 'controlling must be a boolean');
  }
  let udp: UdpTransportOptions | false;
  if (options.udp === undefined || options.udp === true) udp = {};
  else if (options.udp === false) udp = false;
  else udp = plainObject('udp', options.udp);

  let tcp: IceAgentTcpOptions | false;
  if (options.tcp === false) tcp = false;
  else if (options.tcp === undefined || options.tcp === true) tcp = { active: true, passive: true, so: true };
  else {
    const raw = plainObject('tcp', options.tcp) as IceAgentTcpOptions;
    tcp = {
      ...raw,
      active: bool('tcp.active', raw.active, true),
      passive: bool('tcp.passive', raw.passive, true),
      so: bool('tcp.so', raw.so, true),
    };
  }
  let ice: { stun: string[]; turn: TurnServerConfig[] } = { stun: [], turn: [] };
  if (options.iceServers !== undefined) {
    try {
      ice = parseIceServers(options.iceServers);
    } catch (error) {
      if (error instanceof TurnError) throw new IceAgentError('ERR_AGENT_BAD_OPTION', `iceServers: ${error.message}`, { cause: error });
      throw error;
    }
  }
  const policy = options.iceTransportPolicy ?? 'all';
  if (policy !== 'all' && policy !== 'relay')
    throw new IceAgentError('ERR_AGENT_BAD_OPTION', "iceTransportPolicy must be 'all' or 'relay'");
  if (policy === 'relay' && ice.turn.length === 0 && (options.plugins ?? []).length === 0) {
    throw new IceAgentError('ERR_AGENT_BAD_OPTION', "iceTransportPolicy 'relay' needs a TURN server in iceServers");
  }
  const turn = options.turn === undefined ? {} : (plainObject('turn', options.turn) as IceAgentTurnOptions);
  if (
    udp === false &&
    (tcp === false || (!tcp.active && !tcp.passive && !tcp.so)) &&
    (options.plugins ?? []).length === 0 &&
    ice.turn.length === 0
  ) {
    throw new IceAgentError('ERR_AGENT_BAD_OPTION', 'every transport is switched off: enable udp or a kind of tcp');
  }

  if (options.stunServers !== undefined && !Array.isArray(options.stunServers)) {
    throw new IceAgentError('ERR_AGENT_BAD_OPTION', 'stunServers must be an array of stun: URLs');
  }
  const stunServers = [...(options.stunServers ?? []), ...ice.stun].map((url) => parseStunUrl(url));

  const addresses = options.addresses === undefined ? listInterfaceAddresses() : normalizeAddressList(options.addresses);
  if (options.addresses !== undefined && addresses.length === 0) {
    throw new IceAgentError('ERR_AGENT_BAD_OPTION', 'addresses must name at least one address');
  }

  const components = options.components ?? 1;
  if (!Number.isInteger(components) || components < 1 || components > 256) {
    throw new IceAgentError('ERR_AGENT_BAD_OPTION', `components must be an integer 1..256, got ${String(components)}`);
  }

  let credentials: IceCredentials | undefined;
  if (options.ufrag !== undefined || options.pwd !== undefined) {
    credentials = checkIceCredentials(options.ufrag, options.pwd, 'ERR_AGENT_BAD_OPTION');
  }
  const testing = options.testing ?? {};
  if (testing === null || typeof testing !== 'object' || Array.isArray(testing)) {
    throw new IceAgentError('ERR_AGENT_BAD_OPTION', 'testing must be an object { random?, createCore? }');
  }
  if (testing.createCore !== undefined && typeof testing.createCore !== 'function') {
    throw new IceAgentError('ERR_AGENT_BAD_OPTION', 'testing.createCore must be a function');
  }
  if (testing.random !== undefined && typeof testing.random?.bytes !== 'function') {
    throw new IceAgentError('ERR_AGENT_BAD_OPTION', 'testing.random must have a bytes(length) method');
  }
  if (options.plugins !== undefined && !Array.isArray(options.plugins)) {
    throw new IceAgentError('ERR_AGENT_BAD_OPTION', 'plugins must be an array of transport plugins');
  }
  return {
    controlling: options.controlling,
    udp,
    tcp,
    stunServers,
    addresses,
    addressesNamed: options.addresses !== undefined,
    announcedAddresses: resolveAnnouncedAddresses(options.announcedAddress, addresses),
    preferTcp: bool('preferTcp', options.preferTcp, false),
    components,
    credentials,
    maxQueuedPackets: options.maxQueuedPackets,
    maxHeldBytes: options.maxHeldBytes,
    turnServers: ice.turn,
    relayOnly: policy === 'relay',
    turn,
  };
}

/** The core's options from the agent's (validated) options. */
export function coreOptionsFor(options: IceAgentOptions, resolved: ResolvedAgentOptions): IceCoreOptions {
  const tcp = resolved.tcp;
  const coreTcp: NonNullable<IceCoreOptions['tcp']> = {};
  if (tcp !== false) {
    // connectTimeoutMs goes to the TCP plugin too.
    if (tcp.connectTimeoutMs !== undefined) coreTcp.connectTimeoutMs = tcp.connectTimeoutMs;
    if (tcp.maxConnectsPerRemoteIp !== undefined) coreTcp.maxConnectsPerRemoteIp = tcp.maxConnectsPerRemoteIp;
    if (tcp.transactionTimeoutMs !== undefined) coreTcp.transactionTimeoutMs = tcp.transactionTimeoutMs;
    if (tcp.soRetry !== undefined) coreTcp.soRetry = tcp.soRetry;
    if (tcp.reconnectAttempts !== undefined) coreTcp.reconnectAttempts = tcp.reconnectAttempts;
  }
  return {
    controlling: options.controlling,
    random: options.testing?.random ?? cryptoRandomSource,
    components: resolved.components,
    priority: { preferTcp: resolved.preferTcp },
    ...(resolved.credentials !== undefined ? { localCredentials: resolved.credentials } : {}),
    ...(options.lite !== undefined ? { lite: options.lite } : {}),
    ...(options.nomination !== undefined ? { nomination: options.nomination } : {}),
    ...(options.ta !== undefined ? { ta: options.ta } : {}),
    ...(options.nominationTimeoutMs !== undefined ? { nominationTimeoutMs: options.nominationTimeoutMs } : {}),
    ...(options.maxPairs !== undefined ? { maxPairs: options.maxPairs } : {}),
    ...(options.software !== undefined ? { software: options.software } : {}),
    ...(options.consent !== undefined ? { consent: options.consent } : {}),
    ...(tcp !== false ? { tcp: coreTcp } : {}),
  };
}

/**
 * Runs the constructor's option handling so that every bad option surfaces
 * as one code, `ERR_AGENT_BAD_OPTION`: a lower layer's own bad-option error
 * (a `stun:` URL, a core timer, a transport limit) becomes its `cause`, and
 * its message is kept.
 *
 * @throws IceAgentError `ERR_AGENT_BAD_OPTION`
 */
export function asBadOption<T>(build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof IceTcpError && error.code !== 'ERR_AGENT_BAD_OPTION' && /BAD_(OPTION|STUN_URL|CREDENTIALS)$/.test(error.code)) {
      throw new IceAgentError('ERR_AGENT_BAD_OPTION', error.message, { cause: error });
    }
    throw error;
  }
}
