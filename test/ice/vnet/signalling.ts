/**
 * The signalling channel between two virtual agents: credentials,
 * candidates as `a=candidate` lines (serialized by one side and parsed by
 * the other, as a real offer/answer or trickle exchange would) and
 * end-of-candidates, each delivered after a delay in virtual time.
 */
import { parseCandidate, serializeCandidate, type Candidate } from '../../../lib/candidate/index.js';
import type { VirtualAgent } from './agent.js';
import type { VirtualNetwork } from './network.js';

/** Options of a {@link Signalling} channel. */
export interface SignallingOptions {
  /** One-way delay of the channel in ms (default 20). */
  delayMs?: number;
  /**
   * Forward candidates as they appear (trickle, default true). When false
   * they are held until {@link Signalling.flush}.
   */
  trickle?: boolean;
}

/** A bidirectional signalling channel between `a` and `b`. */
export class Signalling {
  /** Every line sent, with its direction and virtual time. */
  readonly lines: Array<{ at: number; from: string; line: string }> = [];
  delayMs: number;
  trickle: boolean;
  /** Lines held back per sender (when not trickling). */
  private readonly held = new Map<VirtualAgent, string[]>();
  /** Agents that have sent end-of-candidates. */
  private readonly ended = new Set<VirtualAgent>();
  /** Restarts announced, in order. */
  readonly restarts: Array<{ at: number; agent: string }> = [];
  /** Lines dropped on purpose (a test can make a side "forget" to signal). */
  readonly dropped: string[] = [];
  /** A test can veto lines: return false to drop. */
  filter: ((from: VirtualAgent, candidate: Candidate) => boolean) | undefined;

  constructor(
    private readonly net: VirtualNetwork,
    readonly a: VirtualAgent,
    readonly b: VirtualAgent,
    options: SignallingOptions = {},
  ) {
    this.delayMs = options.delayMs ?? 20;
    this.trickle = options.trickle ?? true;
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      this.held.set(from, []);
      from.candidateListeners.push((c) => this.onCandidate(from, to, c));
      // A restart the core decided itself (RFC 6544 §11.1) is signalled like an application's.
      from.eventListeners.push((e) => {
        if (e.type === 'restart') this.net.clock.after(0, 'signal-restart', () => this.announceRestart(from));
      });
    }
  }

  /**
   * Restarts ICE on `agent` (RFC 8445 §9) and runs the offer/answer of a
   * restart: see {@link announceRestart}.
   */
  restart(agent: VirtualAgent): void {
    agent.call((core, now) => core.restart(now));
    this.announceRestart(agent);
  }

  /**
   * The offer/answer of an ICE restart already done on `from`: its new
   * credentials and all its candidates go to the peer; the peer, seeing new
   * credentials, restarts too (the answerer MUST change its ufrag and pwd,
   * RFC 8839 §4.4.2.1) and answers with its new credentials and all its
   * candidates. End-of-candidates is repeated where it had been sent.
   */
  announceRestart(from: VirtualAgent): void {
    const to = this.peerOf(from);
    this.restarts.push({ at: this.net.now, agent: from.name });
    const offer = { ...from.core.localCredentials, lite: from.lite || undefined };
    this.net.clock.after(this.delayMs, 'signal-restart-offer', () => {
      to.call((core, now) => {
        core.restart(now);
        core.setRemoteCredentials(now, offer);
      });
      this.sendCredentials(to, from);
      for (const c of to.localCandidates) this.sendCandidate(to, c);
      if (this.ended.has(to)) this.endOfCandidates(to);
    });
    for (const c of from.localCandidates) this.sendCandidate(from, c);
    if (this.ended.has(from)) this.endOfCandidates(from);
  }

  private peerOf(agent: VirtualAgent): VirtualAgent {
    return agent === this.a ? this.b : this.a;
  }

  /** Sends each side's credentials (and ICE-lite flag) to the other. */
  exchangeCredentials(): void {
    for (const [from, to] of [
      [this.a, this.b],
      [this.b, this.a],
    ] as const)
      this.sendCredentials(from, to);
  }

  /** Sends `from`'s current credentials to its peer. */
  sendCredentials(from: VirtualAgent, to: VirtualAgent = this.peerOf(from)): void {
    const credentials = { ...from.core.localCredentials, lite: from.lite || undefined };
    this.net.clock.after(this.delayMs, 'signal-credentials', () => {
      to.call((core, now) => core.setRemoteCredentials(now, credentials));
    });
  }

  /** Sends every line held back while not trickling. */
  flush(): void {
    for (const [from, to] of [
      [this.a, this.b],
      [this.b, this.a],
    ] as const) {
      const lines = this.held.get(from)!.splice(0);
      for (const line of lines) this.deliver(from, to, line);
    }
  }

  /**
   * `from` has finished gathering: its core is told (`endOfLocalCandidates`)
   * and end-of-candidates goes to its peer (after anything held).
   */
  endOfCandidates(from: VirtualAgent): void {
    const to = this.peerOf(from);
    this.ended.add(from);
    from.call((core, now) => core.endOfLocalCandidates?.(now));
    if (!this.trickle) this.flush();
    this.lines.push({ at: this.net.now, from: from.name, line: 'end-of-candidates' });
    this.net.clock.after(this.delayMs, 'signal-eoc', () => to.call((core, now) => core.endOfRemoteCandidates(now)));
  }

  /** Re-sends a candidate line by hand (e.g. a late candidate). */
  sendCandidate(from: VirtualAgent, candidate: Candidate): void {
    this.deliver(from, from === this.a ? this.b : this.a, serializeCandidate(candidate));
  }

  private onCandidate(from: VirtualAgent, to: VirtualAgent, candidate: Candidate): void {
    if (this.filter && !this.filter(from, candidate)) {
      this.dropped.push(serializeCandidate(candidate));
      return;
    }
    const line = serializeCandidate(candidate);
    if (!this.trickle) this.held.get(from)!.push(line);
    else this.deliver(from, to, line);
  }

  private deliver(from: VirtualAgent, to: VirtualAgent, line: string): void {
    this.lines.push({ at: this.net.now, from: from.name, line });
    this.net.clock.after(this.delayMs, 'signal-candidate', () => {
      const candidate = parseCandidate(line);
      to.call((core, now) => core.addRemoteCandidate(now, candidate));
    });
  }
}
