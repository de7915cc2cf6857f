/**
 * A local candidate as `IceAgent` hands it to the application: the plain
 * {@link Candidate} fields, plus the two forms signalling needs.
 */
import { candidateToInit, serializeCandidate, type Candidate, type RTCIceCandidateInit } from '../../candidate/index.js';

/**
 * A gathered candidate. It has every field of {@link Candidate} and:
 * - `toJSON()`: an `RTCIceCandidateInit` (what `JSON.stringify` sends, and
 *   what `IceAgent.addRemoteCandidate` accepts on the other side);
 * - `toSdp()`: the `candidate:...` attribute value (RFC 8839 §5.1).
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the class below
export interface IceCandidate extends Candidate {}

// A class merged with the interface above: its instances carry the fields.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class IceCandidate {
  /** The ufrag of the agent that gathered it (the `usernameFragment` of `toJSON()`). */
  readonly usernameFragment: string | null;

  /** Copies `candidate` (its extensions too); `usernameFragment` is the gathering agent's ufrag. */
  constructor(candidate: Candidate, usernameFragment: string | null = null) {
    Object.assign(this, candidate);
    this.extensions = candidate.extensions.map(([k, v]) => [k, v]);
    this.usernameFragment = usernameFragment;
  }

  /** The plain candidate (no methods, no signalling context). */
  toCandidate(): Candidate {
    const { usernameFragment: _unused, ...rest } = this;
    return { ...rest, extensions: this.extensions.map(([k, v]) => [k, v] as [string, string]) };
  }

  /** `RTCIceCandidateInit` with `sdpMid` `'0'` and `sdpMLineIndex` 0 (one media stream). */
  toJSON(): RTCIceCandidateInit {
    return candidateToInit(this.toCandidate(), { sdpMid: '0', sdpMLineIndex: 0, usernameFragment: this.usernameFragment });
  }

  /** `candidate:<foundation> <component> ...` (add `a=` for an SDP line). */
  toSdp(): string {
    return serializeCandidate(this.toCandidate());
  }

  /** Same as {@link toSdp}. */
  toString(): string {
    return this.toSdp();
  }
}
