/**
 * The credential generations of one agent (RFC 8445 §9): the current one,
 * and during an ICE restart the previous one, whose selected pairs still
 * carry data and answer consent checks (RFC 7675 §5.1) until new pairs are
 * selected. Changed only through {@link Generations}' methods.
 */
import { CredentialGeneration } from './ice-credentials.js';
import type { IceCredentials } from './types.js';

/** The current and previous credential generations. */
export class Generations {
  #current: CredentialGeneration;
  #previous: CredentialGeneration | undefined;

  constructor(local: IceCredentials) {
    this.#current = new CredentialGeneration(local, 0);
  }

  get current(): CredentialGeneration {
    return this.#current;
  }

  /** The generation before the last restart, while its selected pairs still carry data. */
  get previous(): CredentialGeneration | undefined {
    return this.#previous;
  }

  /** Generations whose ufrag a request may name: current first. */
  live(): CredentialGeneration[] {
    return this.#previous === undefined ? [this.#current] : [this.#current, this.#previous];
  }

  /**
   * Starts the next generation with `local` credentials (ICE restart). Of
   * the current and previous generations, the newest one whose pairs still
   * carry data (`carriesData`) stays alive as the previous one.
   */
  next(local: IceCredentials, carriesData: (generation: CredentialGeneration) => boolean): CredentialGeneration {
    const old = this.#current;
    this.#previous = carriesData(old) ? old : this.#previous !== undefined && carriesData(this.#previous) ? this.#previous : undefined;
    this.#current = new CredentialGeneration(local, old.index + 1);
    return this.#current;
  }

  /** The restart is complete (every component selected a pair of the current generation): the previous one retires. */
  retirePrevious(): CredentialGeneration | undefined {
    const retired = this.#previous;
    this.#previous = undefined;
    return retired;
  }
}
