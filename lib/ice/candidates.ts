/**
 * The agent's local and remote candidate sets (RFC 8445 §5.1, §7.2.5.3.1,
 * §7.3.1.3), with the lookups the checks need.
 */
import type { Candidate, TcpType } from '../candidate/index.js';
import { candidateKey } from './address-keys.js';
import { appendTo } from './append.js';

/** A local candidate, the runtime object owning its base, and its base (RFC 8445 §5.1.1.1). */
export interface LocalCandidate {
  candidate: Candidate;
  /** The runtime's id for the base (socket, listener, bound port, interface). */
  transportId: string;
  /** {@link candidateKey} of the candidate. */
  key: string;
  /** The base: itself for host (and TCP active/passive/so host) candidates. */
  base: LocalCandidate;
}

/** Local candidates of one agent. */
export class LocalCandidateSet {
  #all: LocalCandidate[] = [];

  /** Every local candidate, in the order added. */
  get all(): LocalCandidate[] {
    return this.#all;
  }

  /**
   * Adds a candidate. Reflexive candidates get the local candidate at their
   * related address (same transport id) as base when there is one.
   * @returns the entry, or the existing one when the candidate is known
   */
  add(candidate: Candidate, transportId: string, base?: LocalCandidate): LocalCandidate {
    const key = candidateKey(candidate);
    const existing = this.all.find((l) => l.key === key && l.candidate.component === candidate.component);
    if (existing !== undefined) return existing;
    const entry = { candidate, transportId, key } as LocalCandidate;
    entry.base = base ?? this.findBase(candidate, transportId) ?? entry;
    appendTo(this.#all, entry, (one) => (this.#all = one));
    return entry;
  }

  private findBase(candidate: Candidate, transportId: string): LocalCandidate | undefined {
    if (candidate.type === 'host' || candidate.type === 'relay') return undefined;
    if (candidate.relatedAddress === undefined) return undefined;
    return this.all.find(
      (l) =>
        l.base === l &&
        l.transportId === transportId &&
        l.candidate.component === candidate.component &&
        l.candidate.transport === candidate.transport &&
        l.candidate.address === candidate.relatedAddress &&
        (candidate.transport === 'tcp' && candidate.tcpType === 'active' ? true : l.candidate.port === candidate.relatedPort),
    );
  }

  /** The local candidate with this transport address (RFC 8445 §7.2.5.3.1 "matches"). */
  findByAddress(component: number, transport: 'udp' | 'tcp', address: string, port: number, tcpType?: TcpType): LocalCandidate | undefined {
    return this.all.find(
      (l) =>
        l.candidate.component === component &&
        l.candidate.transport === transport &&
        l.candidate.address === address &&
        l.candidate.port === port &&
        (transport === 'udp' || l.candidate.tcpType === tcpType),
    );
  }

  /**
   * The base candidate served by a runtime transport: where a request that
   * arrived on `transportId` was received (RFC 8445 §7.3.1.4: never a
   * reflexive candidate).
   */
  baseOf(transportId: string, component?: number): LocalCandidate | undefined {
    return this.all.find(
      (l) => l.base === l && l.transportId === transportId && (component === undefined || l.candidate.component === component),
    );
  }

  /** Forgets peer-reflexive candidates no longer in use (bounded memory across TCP reconnects). */
  prunePrflx(inUse: ReadonlySet<LocalCandidate>): void {
    for (let i = this.all.length - 1; i >= 0; i--) {
      const l = this.all[i];
      if (l.candidate.type === 'prflx' && l.base !== l && !inUse.has(l)) this.all.splice(i, 1);
    }
  }

  /** Every base candidate (the ones pairs are formed with, RFC 8445 §6.1.2.4). */
  bases(component: number): LocalCandidate[] {
    return this.all.filter((l) => l.base === l && l.candidate.component === component && l.candidate.type !== 'prflx');
  }
}

/** The kind of a remote candidate: what matters about one that cannot be paired. */
export interface RemoteKind {
  component: number;
  transport: 'udp' | 'tcp';
  tcpType: TcpType | undefined;
}

/** Remote candidates of one agent (signalled and peer-reflexive). */
export class RemoteCandidateSet {
  #all: Candidate[] = [];

  /** Every remote candidate (signalled and peer-reflexive), in the order added. */
  get all(): Candidate[] {
    return this.#all;
  }
  /**
   * Kinds of the signalled candidates with an unresolved address (FQDN,
   * mDNS): never paired (RFC 8839 §5.1), but the peer checks from them.
   * One entry per kind, so bounded whatever the peer sends.
   */
  readonly unresolved: RemoteKind[] = [];
  /** Peer-reflexive foundations handed out so far (never reset, not even by {@link clear}). */
  private prflxCount = 0;

  /** A foundation for a new peer-reflexive candidate that no known candidate uses (RFC 8445 §7.3.1.3). */
  unusedPrflxFoundation(): string {
    let foundation: string;
    do {
      this.prflxCount++;
      foundation = `prflx${this.prflxCount}`;
    } while (this.all.some((c) => c.foundation === foundation));
    return foundation;
  }

  /** Remembers the kind of an unresolved candidate. */
  noteUnresolved(candidate: Candidate): void {
    const { component, transport, tcpType } = candidate;
    if (this.unresolved.some((k) => k.component === component && k.transport === transport && k.tcpType === tcpType)) return;
    this.unresolved.push({ component, transport, tcpType });
  }

  /**
   * Adds a candidate, or updates a known peer-reflexive one with its
   * signalled foundation, type and priority (RFC 8445 §7.3.1.3): `upgraded`.
   */
  add(candidate: Candidate): { candidate: Candidate; added: boolean; upgraded: boolean } {
    const existing = this.find(candidate.component, candidate.transport, candidate.address, candidate.port, candidate.tcpType);
    if (existing !== undefined) {
      if (existing.type === 'prflx' && candidate.type !== 'prflx') {
        existing.foundation = candidate.foundation;
        existing.type = candidate.type;
        existing.priority = candidate.priority;
        if (candidate.relatedAddress !== undefined) existing.relatedAddress = candidate.relatedAddress;
        if (candidate.relatedPort !== undefined) existing.relatedPort = candidate.relatedPort;
        return { candidate: existing, added: false, upgraded: true };
      }
      return { candidate: existing, added: false, upgraded: false };
    }
    appendTo(this.#all, candidate, (one) => (this.#all = one));
    return { candidate, added: true, upgraded: false };
  }

  /** The remote candidate with this transport address and (for TCP) tcptype. */
  find(component: number, transport: 'udp' | 'tcp', address: string, port: number, tcpType?: TcpType): Candidate | undefined {
    return this.all.find(
      (c) =>
        c.component === component &&
        c.transport === transport &&
        c.address === address &&
        c.port === port &&
        (transport === 'udp' || tcpType === undefined || c.tcpType === tcpType),
    );
  }

  /** Forgets peer-reflexive candidates no longer in use (RFC 8445 §7.3.1.3 candidates are learned, not signalled). */
  prunePrflx(inUse: ReadonlySet<Candidate>): void {
    for (let i = this.all.length - 1; i >= 0; i--) {
      const c = this.all[i];
      if (c.type === 'prflx' && !inUse.has(c)) this.all.splice(i, 1);
    }
  }

  /** Removes every candidate. */
  clear(): void {
    this.#all.length = 0;
    this.unresolved.length = 0;
  }
}
