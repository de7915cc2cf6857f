/**
 * Defaults and validation of {@link IceCoreOptions}.
 */
import type { PriorityOptions } from '../candidate/index.js';
import { IceError } from './ice-errors.js';
import type { IceCoreOptions } from './types.js';

/** Every option of the core with its default applied; frozen, and shared by agents resolved to the same values. */
export interface ResolvedOptions {
  components: number;
  lite: boolean;
  nomination: 'regular' | 'aggressive';
  ta: number;
  maxPairs: number;
  priority: PriorityOptions;
  software: string | undefined;
  /** Controlling side: nominate the best valid pair at the latest this long after the first one (default 2000 ms). */
  nominationTimeoutMs: number;
  consent: { intervalMs: number; expiryMs: number; disconnectedAfterMs: number };
  tcp: {
    connectTimeoutMs: number;
    maxConnectsPerRemoteIp: number;
    transactionTimeoutMs: number;
    soRetry: { initialMs: number; maxMs: number; maxAttempts: number };
    reconnectAttempts: number;
  };
}

function positive(name: string, value: number | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new IceError('ERR_ICE_BAD_OPTION', `${name} must be a finite number >= ${min}, got ${String(value)}`);
  }
  return value;
}

function integer(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const v = positive(name, value, fallback, min);
  if (!Number.isInteger(v) || v > max) throw new IceError('ERR_ICE_BAD_OPTION', `${name} must be an integer in ${min}..${max}`);
  return v;
}

/**
 * Applies defaults (Ta 50 ms, RFC 8445 §14.2; 100 pairs, §6.1.2.5;
 * consent 5 s / 30 s, RFC 7675 §5.1; Ti 39.5 s, RFC 8489 §6.2.2; 5
 * connects per remote IP, RFC 6544 §12) and validates.
 *
 * @throws IceError `ERR_ICE_BAD_OPTION`
 */
export function resolveOptions(options: IceCoreOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') throw new IceError('ERR_ICE_BAD_OPTION', 'options must be an object');
  if (typeof options.controlling !== 'boolean') throw new IceError('ERR_ICE_BAD_OPTION', 'controlling must be a boolean');
  if (options.random === undefined || typeof options.random.bytes !== 'function') {
    throw new IceError('ERR_ICE_BAD_OPTION', 'random must be a RandomSource');
  }
  const nomination = options.nomination ?? 'regular';
  if (nomination !== 'regular' && nomination !== 'aggressive')
    throw new IceError('ERR_ICE_BAD_OPTION', 'nomination must be regular or aggressive');
  const consent = options.consent ?? {};
  const tcp = options.tcp ?? {};
  const so = tcp.soRetry ?? {};
  const resolved: ResolvedOptions = {
    components: integer('components', options.components, 1, 1, 256),
    lite: options.lite === true,
    nomination,
    // RFC 8445 §14.2: never more than one send per 5 ms.
    ta: positive('ta', options.ta, 50, 5),
    maxPairs: integer('maxPairs', options.maxPairs, 100, 1, 10000),
    priority: copyPriority(options.priority),
    software: options.software,
    nominationTimeoutMs: positive('nominationTimeoutMs', options.nominationTimeoutMs, 2000),
    consent: {
      // RFC 7675 §5.1: the period between checks is never below 4 s.
      intervalMs: positive('consent.intervalMs', consent.intervalMs, 5000, 4000),
      expiryMs: positive('consent.expiryMs', consent.expiryMs, 30000, 1),
      disconnectedAfterMs: positive('consent.disconnectedAfterMs', consent.disconnectedAfterMs, 10000, 1),
    },
    tcp: {
      connectTimeoutMs: positive('tcp.connectTimeoutMs', tcp.connectTimeoutMs, 10000, 1),
      maxConnectsPerRemoteIp: integer('tcp.maxConnectsPerRemoteIp', tcp.maxConnectsPerRemoteIp, 5, 1, 1000),
      transactionTimeoutMs: positive('tcp.transactionTimeoutMs', tcp.transactionTimeoutMs, 39500, 1),
      soRetry: {
        initialMs: positive('tcp.soRetry.initialMs', so.initialMs, 20, 1),
        maxMs: positive('tcp.soRetry.maxMs', so.maxMs, 1000, 1),
        maxAttempts: integer('tcp.soRetry.maxAttempts', so.maxAttempts, 40, 0, 100000),
      },
      reconnectAttempts: integer('tcp.reconnectAttempts', tcp.reconnectAttempts, 5, 0, 1000),
    },
  };
  return shared(resolved);
}

/** A frozen copy of the priority options (the caller's object may change later; the resolved options are shared). */
function copyPriority(priority: PriorityOptions | undefined): PriorityOptions {
  const copy: PriorityOptions = {};
  if (priority?.preferTcp !== undefined) copy.preferTcp = priority.preferTcp;
  if (priority?.typePreferences !== undefined) copy.typePreferences = Object.freeze({ ...priority.typePreferences });
  return Object.freeze(copy);
}

/** The resolved options handed out last (frozen), to share with the next agent resolved to the same values. */
let last: ResolvedOptions | undefined;

/**
 * Agents made with the same options (thousands of sessions of one server)
 * share one frozen object instead of a copy each (README "Capacity and
 * speed"); the core only reads its options.
 */
function shared(resolved: ResolvedOptions): ResolvedOptions {
  if (last !== undefined && sameOptions(last, resolved)) return last;
  Object.freeze(resolved.consent);
  Object.freeze(resolved.tcp.soRetry);
  Object.freeze(resolved.tcp);
  last = Object.freeze(resolved);
  return resolved;
}

function sameOptions(a: ResolvedOptions, b: ResolvedOptions): boolean {
  return (
    a.components === b.components &&
    a.lite === b.lite &&
    a.nomination === b.nomination &&
    a.ta === b.ta &&
    a.maxPairs === b.maxPairs &&
    a.software === b.software &&
    a.nominationTimeoutMs === b.nominationTimeoutMs &&
    a.priority.preferTcp === b.priority.preferTcp &&
    samePreferences(a.priority.typePreferences, b.priority.typePreferences) &&
    a.consent.intervalMs === b.consent.intervalMs &&
    a.consent.expiryMs === b.consent.expiryMs &&
    a.consent.disconnectedAfterMs === b.consent.disconnectedAfterMs &&
    a.tcp.connectTimeoutMs === b.tcp.connectTimeoutMs &&
    a.tcp.maxConnectsPerRemoteIp === b.tcp.maxConnectsPerRemoteIp &&
    a.tcp.transactionTimeoutMs === b.tcp.transactionTimeoutMs &&
    a.tcp.soRetry.initialMs === b.tcp.soRetry.initialMs &&
    a.tcp.soRetry.maxMs === b.tcp.soRetry.maxMs &&
    a.tcp.soRetry.maxAttempts === b.tcp.soRetry.maxAttempts &&
    a.tcp.reconnectAttempts === b.tcp.reconnectAttempts
  );
}

function samePreferences(a: PriorityOptions['typePreferences'], b: PriorityOptions['typePreferences']): boolean {
  if (a === undefined || b === undefined) return a === b;
  const keys = Object.keys(a) as Array<keyof typeof a>;
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
