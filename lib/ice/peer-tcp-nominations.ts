/**
 * The controlled side's record of the peer's TCP nominations on one
 * component (RFC 6544 §8: one nominated TCP pair; tcp-nomination.ts, rules
 * 0-3): the order in which we answered them, the connection of the first
 * one answered, and a USE-CANDIDATE request withheld for now. Changed only
 * through {@link PeerTcpNominations}' methods.
 */
import type { Pair } from './pair.js';

/** A USE-CANDIDATE request left unanswered for now (controlled side, one per component; tcp-nomination.ts, rule 0). */
export interface WithheldNomination {
  /** The connection the request came on. */
  readonly connectionId: string;
  /** The connection of the first answered USE-CANDIDATE, still open when the request came. */
  readonly first: string;
  /** The request may be answered until this time (virtual time of the core). */
  readonly until: number;
  /** Answers it now (success response and the usual follow-up). */
  readonly answer: (now: number) => void;
}

/** The peer's TCP nominations on one component, as the controlled side answered them. */
export class PeerTcpNominations {
  #answered = 0;
  /** The first pair answered (its order is 0; kept with the checklist, one pair at most): most agents answer one nomination at most. */
  #firstPair: Pair | undefined;
  /** The order of the later ones: made by the second (a `WeakMap` is about 140 bytes). */
  #order: WeakMap<Pair, number> | undefined;
  #firstConnection: string | undefined;
  #withheld: WithheldNomination | undefined;

  /** Rule 1: we answered the peer's USE-CANDIDATE for this TCP pair (the first answer counts). */
  noteAnswered(pair: Pair): void {
    if (!pair.tcp || this.#orderOf(pair) !== undefined) return;
    if (this.#firstPair === undefined) this.#firstPair = pair;
    else (this.#order ??= new WeakMap()).set(pair, this.#answered);
    this.#answered++;
  }

  /** Where `pair` stands in the peer's nomination order (its own, or that of the pair whose check produced it). */
  orderOf(pair: Pair): number | undefined {
    return this.#orderOf(pair) ?? (pair.generatedBy === undefined ? undefined : this.#orderOf(pair.generatedBy));
  }

  #orderOf(pair: Pair): number | undefined {
    return pair === this.#firstPair ? 0 : this.#order?.get(pair);
  }

  /** The connection of the first USE-CANDIDATE request answered (rule 0). */
  get firstConnection(): string | undefined {
    return this.#firstConnection;
  }

  /** A USE-CANDIDATE request on `connectionId` is answered: it is the first one from now on (rule 0). */
  answeredOn(connectionId: string): void {
    this.#firstConnection = connectionId;
  }

  /** The request withheld for now, if any. */
  get withheld(): WithheldNomination | undefined {
    return this.#withheld;
  }

  /** Withholds a request; returns the one it replaces, if any. */
  withhold(request: WithheldNomination): WithheldNomination | undefined {
    const replaced = this.#withheld;
    this.#withheld = request;
    return replaced;
  }

  /** Forgets the withheld request (answered or dropped). */
  forgetWithheld(): void {
    this.#withheld = undefined;
  }
}
