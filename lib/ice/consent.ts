/**
 * Consent freshness timing for one pair (RFC 7675 §5.1): when to send the
 * next check and when consent is late or gone.
 */
import { randomUnit } from './seeded-random.js';
import type { RandomSource } from './types.js';

/** RFC 7675 §5.1: never closer than 4 s. */
export const MIN_CONSENT_INTERVAL_MS = 4000;

/** Consent timing options (see {@link IceCoreOptions.consent}). */
export interface ConsentTiming {
  intervalMs: number;
  expiryMs: number;
  disconnectedAfterMs: number;
}

/** Consent health of a pair. */
export type ConsentHealth = 'fresh' | 'late' | 'expired';

/**
 * Tracks consent on one pair. Consent starts granted: the pair has just
 * succeeded (RFC 7675 §5). Each check goes out after the mean interval ×
 * a uniform 0.8–1.2 jitter, never below 4 s; consent expires when no
 * authenticated success arrived for `expiryMs`.
 */
export class ConsentTracker {
  lastGrantedAt: number;
  nextCheckAt: number;
  health: ConsentHealth = 'fresh';
  private readonly timing: ConsentTiming;
  private readonly random: RandomSource;

  constructor(now: number, timing: ConsentTiming, random: RandomSource) {
    this.timing = timing;
    this.random = random;
    this.lastGrantedAt = now;
    this.nextCheckAt = now + this.interval();
  }

  /** The next jittered interval: intervalMs × [0.8, 1.2), at least 4 s (RFC 7675 §5.1). */
  interval(): number {
    const jittered = this.timing.intervalMs * (0.8 + 0.4 * randomUnit(this.random));
    return Math.max(MIN_CONSENT_INTERVAL_MS, Math.round(jittered));
  }

  /** Whether a consent check is due; if so, schedules the next one. */
  takeDueCheck(now: number): boolean {
    if (this.health === 'expired' || now < this.nextCheckAt) return false;
    this.nextCheckAt = now + this.interval();
    return true;
  }

  /** An authenticated success arrived (late ones, after expiry, do not count: RFC 7675 §5.1). */
  granted(now: number): boolean {
    if (this.health === 'expired') return false;
    this.lastGrantedAt = now;
    this.health = 'fresh';
    return true;
  }

  /** Re-evaluates health; returns the new health. */
  evaluate(now: number): ConsentHealth {
    if (this.health === 'expired') return this.health;
    const silent = now - this.lastGrantedAt;
    if (silent >= this.timing.expiryMs) this.health = 'expired';
    else if (silent >= this.timing.disconnectedAfterMs) this.health = 'late';
    else this.health = 'fresh';
    return this.health;
  }

  /** Revokes consent now (RFC 7675 §5.2, an authenticated 403). */
  revoke(): void {
    this.health = 'expired';
  }

  /** The next time something changes: a check, lateness or expiry. */
  nextDeadline(): number | undefined {
    if (this.health === 'expired') return undefined;
    const late = this.lastGrantedAt + this.timing.disconnectedAfterMs;
    const expiry = this.lastGrantedAt + this.timing.expiryMs;
    let t = Math.min(this.nextCheckAt, expiry);
    if (this.health === 'fresh') t = Math.min(t, late);
    return t;
  }
}
