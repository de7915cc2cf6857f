/**
 * The agent's role, controlling or controlled (RFC 8445 §6.1.1), with its
 * tie-breaker and the role-conflict rules (RFC 8445 §7.2.5.1, §7.3.1.1).
 * The role changes only through {@link AgentRole.switchTo}.
 */
import type { StunAttributes } from '../stun/index.js';
import { randomTieBreaker } from './seeded-random.js';
import type { RandomSource } from './types.js';

/**
 * What to do about the peer's role attribute (RFC 8445 §7.3.1.1):
 * - `'none'`: no conflict;
 * - `'switch'`: change our role, then answer normally;
 * - `'reject'`: answer 487 and keep our role.
 */
export type RoleConflictDecision = 'none' | 'switch' | 'reject';

/** The RFC 8445 §7.3.1.1 decision table. */
export function decideRoleConflict(controlling: boolean, tieBreaker: bigint, attributes: StunAttributes): RoleConflictDecision {
  if (controlling && attributes.iceControlling !== undefined) {
    // Both controlling: the larger tie-breaker keeps the role; ties go to us.
    return tieBreaker >= attributes.iceControlling ? 'reject' : 'switch';
  }
  if (!controlling && attributes.iceControlled !== undefined) {
    // Both controlled: the larger tie-breaker becomes controlling.
    return tieBreaker >= attributes.iceControlled ? 'switch' : 'reject';
  }
  return 'none';
}

/** The role and tie-breaker of one agent. */
export class AgentRole {
  private isControlling: boolean;
  private breaker: bigint;

  constructor(
    controlling: boolean,
    tieBreaker: bigint,
    private readonly random: RandomSource,
  ) {
    this.isControlling = controlling;
    this.breaker = tieBreaker;
  }

  get controlling(): boolean {
    return this.isControlling;
  }

  /** The 64-bit tie-breaker of ICE-CONTROLLING / ICE-CONTROLLED (RFC 8445 §7.1.3). */
  get tieBreaker(): bigint {
    return this.breaker;
  }

  /** A request's role attribute against ours (RFC 8445 §7.3.1.1). */
  conflictWith(attributes: StunAttributes): RoleConflictDecision {
    return decideRoleConflict(this.isControlling, this.breaker, attributes);
  }

  /** Takes the role; returns whether it changed (the caller recomputes pair priorities, RFC 8445 §6.1.2.3). */
  switchTo(controlling: boolean): boolean {
    if (this.isControlling === controlling) return false;
    this.isControlling = controlling;
    return true;
  }

  /**
   * A 487 answered a check sent as `sentControlling` (RFC 8445 §7.2.5.1):
   * whether the role must switch now (not when it already switched since
   * the check went out).
   */
  mustSwitchAfter487(sentControlling: boolean): boolean {
    return sentControlling === this.isControlling;
  }

  /** Draws a new tie-breaker (RFC 8445 §7.2.5.1, after switching on a 487). */
  renewTieBreaker(): void {
    this.breaker = randomTieBreaker(this.random);
  }
}
