/**
 * Consent freshness timing for one pair (RFC 7675 §5.1): when to send the
 * next check, when consent is late, stale or gone, and (`whenIdle:
 * 'suspend'`) when a pair that carries no application data stops checking
 * and only keeps its NAT bindings with keepalives (RFC 8445 §11).
 */
import { randomUnit } from './seeded-random.js';
import type { RandomSource } from './types.js';

/** Tr, the default keepalive interval (RFC 8445 §11: SHOULD be 15 s, MUST NOT be less). */
export const KEEPALIVE_INTERVAL_MS = 15000;

/** RFC 7675 §5.1: never closer than 4 s. */
export const MIN_CONSENT_INTERVAL_MS = 4000;

/** What a full agent does on a pair that sends no application data (see {@link IceCoreOptions.consent}). */
export type ConsentWhenIdle = 'suspend' | 'maintain';

/** Consent timing options (see {@link IceCoreOptions.consent}). */
export interface ConsentTiming {
  intervalMs: number;
  expiryMs: number;
  disconnectedAfterMs: number;
  whenIdle: ConsentWhenIdle;
  /** Tr, the keepalive interval while checks are suspended (RFC 8445 §11: at least 15 s). */
  keepaliveIntervalMs: number;
}

/** Consent health of a pair. */
export type ConsentHealth = 'fresh' | 'late' | 'expired';

/** What is due on a suspended pair at a keepalive tick. */
export type IdleTick = 'keepalive' | 'probe' | undefined;

/**
 * Tracks consent on one pair. Consent starts granted: the pair has just
 * succeeded (RFC 7675 §5). Each check goes out after the mean interval ×
 * a uniform 0.8–1.2 jitter, never below 4 s; consent expires when no
 * authenticated success arrived for `expiryMs`.
 *
 * Idle pairs (`whenIdle: 'suspend'`, RFC 7675 §5.1: "An endpoint does not
 * need to maintain consent if it does not send application data"): when a
 * check comes due, no application data went out since the previous one came
 * due and that one was answered, the pair is suspended: no checks, and
 * lateness or expiry do not run (our own silence is not the peer's fault).
 * A keepalive (RFC 8445 §11) goes out every Tr instead. Consent older than
 * `expiryMs` is stale: no data may go until it is regained ("an endpoint
 * MUST regain consent before it resumes sending application data").
 * Checks restart at once when the application sends ({@link noteSent}) or
 * when nothing at all was heard from the peer for 2 × Tr ({@link takeIdleTick}
 * answers `'probe'`); from then on lateness and expiry count as usual, from
 * the later of the last answer and the restart.
 */
export class ConsentTracker {
  lastGrantedAt: number;
  /** When checks last (re)started: the route was set, data resumed, or a probe. */
  checkingSince: number;
  /** The next check (`Infinity` while suspended). */
  nextCheckAt: number;
  health: ConsentHealth = 'fresh';
  /** No checks: the pair carries no application data (RFC 7675 §5.1). */
  suspended = false;
  /** The next keepalive while suspended (RFC 8445 §11). */
  keepaliveAt: number | undefined;
  /** Consent is stale (older than `expiryMs`, not yet regained): data must wait. */
  held = false;
  /** The last application send the runtime reported. */
  sentAt = -Infinity;
  /** The last packet of any kind from the peer on the route. */
  heardAt: number;
  /** When the previous check came due (or checking started). */
  private dueSince: number;
  private readonly timing: ConsentTiming;
  private readonly random: RandomSource;

  constructor(now: number, timing: ConsentTiming, random: RandomSource) {
    this.timing = timing;
    this.random = random;
    this.lastGrantedAt = now;
    this.checkingSince = now;
    this.dueSince = now;
    this.heardAt = now;
    this.nextCheckAt = now + this.interval();
  }

  /** The next jittered interval: intervalMs × [0.8, 1.2), at least 4 s (RFC 7675 §5.1). */
  interval(): number {
    const jittered = this.timing.intervalMs * (0.8 + 0.4 * randomUnit(this.random));
    return Math.max(MIN_CONSENT_INTERVAL_MS, Math.round(jittered));
  }

  /**
   * Whether a consent check is due; if so, schedules the next one. A due
   * check on an idle pair suspends checking instead (`whenIdle: 'suspend'`):
   * idle means no application data went out since the previous check came
   * due, and that check was answered (a pair whose answers stopped keeps
   * checking until consent expires or comes back).
   */
  takeDueCheck(now: number): boolean {
    if (this.health === 'expired' || this.suspended || now < this.nextCheckAt) return false;
    if (this.timing.whenIdle === 'suspend' && this.sentAt < this.dueSince && this.lastGrantedAt >= this.dueSince) {
      this.suspended = true;
      this.nextCheckAt = Infinity;
      this.keepaliveAt = now + this.timing.keepaliveIntervalMs;
      return false;
    }
    this.dueSince = now;
    this.nextCheckAt = now + this.interval();
    return true;
  }

  /**
   * The runtime reported application data on the pair. A suspended pair
   * checks again at once (the check is due `now`); data may go at once
   * unless consent is stale ({@link held}).
   */
  noteSent(now: number): void {
    this.sentAt = now;
    if (this.suspended) this.restartChecks(now);
  }

  /** A packet of any kind arrived from the peer on the route. */
  noteHeard(now: number): void {
    this.heardAt = now;
  }

  /**
   * A keepalive tick of a suspended pair: `'probe'` (checks restart now)
   * when nothing was heard from the peer for 2 × Tr, else `'keepalive'`
   * (RFC 8445 §11: every Tr); `undefined` when none is due.
   */
  takeIdleTick(now: number): IdleTick {
    if (!this.suspended || this.keepaliveAt === undefined || now < this.keepaliveAt) return undefined;
    if (now - this.heardAt >= 2 * this.timing.keepaliveIntervalMs) {
      this.restartChecks(now);
      return 'probe';
    }
    this.keepaliveAt = now + this.timing.keepaliveIntervalMs;
    return 'keepalive';
  }

  /** An authenticated success arrived (late ones, after expiry, do not count: RFC 7675 §5.1). */
  granted(now: number): boolean {
    if (this.health === 'expired') return false;
    this.lastGrantedAt = now;
    this.heardAt = now;
    this.health = 'fresh';
    return true;
  }

  /** Re-evaluates health and {@link held}; returns the new health. */
  evaluate(now: number): ConsentHealth {
    if (this.health === 'expired') return this.health;
    this.held = now - this.lastGrantedAt >= this.timing.expiryMs;
    if (this.suspended) return (this.health = 'fresh');
    // Lateness and expiry never count our own suspended silence.
    const silent = now - Math.max(this.lastGrantedAt, this.checkingSince);
    if (silent >= this.timing.expiryMs) this.health = 'expired';
    else if (silent >= this.timing.disconnectedAfterMs) this.health = 'late';
    else this.health = 'fresh';
    return this.health;
  }

  /** Revokes consent now (RFC 7675 §5.2, an authenticated 403). */
  revoke(): void {
    this.health = 'expired';
  }

  /** The next time something changes: a check, a keepalive, lateness, staleness or expiry. */
  nextDeadline(): number | undefined {
    if (this.health === 'expired') return undefined;
    const stale = this.lastGrantedAt + this.timing.expiryMs;
    if (this.suspended) return this.held ? this.keepaliveAt : Math.min(this.keepaliveAt ?? Infinity, stale);
    const base = Math.max(this.lastGrantedAt, this.checkingSince);
    let t = Math.min(this.nextCheckAt, base + this.timing.expiryMs);
    if (!this.held) t = Math.min(t, stale);
    if (this.health === 'fresh') t = Math.min(t, base + this.timing.disconnectedAfterMs);
    return t;
  }

  private restartChecks(now: number): void {
    this.suspended = false;
    this.keepaliveAt = undefined;
    this.checkingSince = now;
    this.dueSince = now;
    this.nextCheckAt = now;
  }
}
