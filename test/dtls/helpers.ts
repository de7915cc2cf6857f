// Shared pieces of the DTLS tests: certificates, seeded randomness and a
// virtual-clock network between two sans-IO endpoints.
import { generateCertificate, computeFingerprint, type TlsCertificate } from '../../lib/secure/index.js';
import { DtlsEndpoint, type DtlsEndpointOptions, type DtlsEvent } from '../../lib/dtls/index.js';
import { seededRandom } from '../../lib/ice/seeded-random.js';

let cached: { client: TlsCertificate; server: TlsCertificate; other: TlsCertificate } | undefined;

/** Three ECDSA P-256 certificates, made once per test process. */
export function certs(): { client: TlsCertificate; server: TlsCertificate; other: TlsCertificate } {
  cached ??= {
    client: generateCertificate({ commonName: 'client' }),
    server: generateCertificate({ commonName: 'server' }),
    other: generateCertificate({ commonName: 'mallory' }),
  };
  return cached;
}

/** A deterministic byte source for endpoints (`random` option). */
export function seededBytes(seed: number): (n: number) => Uint8Array {
  const source = seededRandom(seed);
  return (n) => source.bytes(n);
}

/** The sha-256 fingerprint check RFC 8122 asks for, as a `verifyPeerCertificate` callback. */
export function expectCertificate(cert: TlsCertificate): (der: Uint8Array) => boolean {
  const want = computeFingerprint(cert.der).value;
  return (der) => computeFingerprint(der).value === want;
}

export interface PairOptions {
  client?: Partial<DtlsEndpointOptions>;
  server?: Partial<DtlsEndpointOptions>;
  seed?: number;
}

/** A client and a server with seeded randomness and fingerprint checks both ways. */
export function makePair(o: PairOptions = {}): { client: DtlsEndpoint; server: DtlsEndpoint } {
  const c = certs();
  const seed = o.seed ?? 1;
  const client = new DtlsEndpoint({
    role: 'client',
    certificate: c.client,
    verifyPeerCertificate: expectCertificate(c.server),
    random: seededBytes(seed),
    ...o.client,
  });
  const server = new DtlsEndpoint({
    role: 'server',
    certificate: c.server,
    verifyPeerCertificate: expectCertificate(c.client),
    random: seededBytes(seed + 1000),
    ...o.server,
  });
  return { client, server };
}

/** A datagram in flight between the two endpoints. */
export interface InFlight {
  readonly from: 'client' | 'server';
  readonly bytes: Uint8Array;
  readonly at: number;
}

/** What the network may do to each datagram; return a list of (possibly changed) datagrams with delays, or [] to drop. */
export type Tamper = (d: InFlight, index: number) => Array<{ bytes: Uint8Array; delay: number }>;

/**
 * Runs both endpoints on a virtual clock until both are connected (or
 * failed/closed) or `limitMs` of virtual time passed. Every datagram takes
 * 10 ms unless `tamper` says otherwise.
 */
export class VirtualNet {
  now = 0;
  readonly events: { client: DtlsEvent[]; server: DtlsEvent[] } = { client: [], server: [] };
  readonly sent: InFlight[] = [];
  #queue: Array<{ to: 'client' | 'server'; bytes: Uint8Array; at: number }> = [];
  #count = 0;

  constructor(
    readonly client: DtlsEndpoint,
    readonly server: DtlsEndpoint,
    readonly tamper: Tamper = (d) => [{ bytes: d.bytes, delay: 10 }],
  ) {}

  #drain(): void {
    for (const side of ['client', 'server'] as const) {
      const ep = this[side];
      for (let d = ep.pollTransmit(); d !== undefined; d = ep.pollTransmit()) {
        const flight: InFlight = { from: side, bytes: d, at: this.now };
        this.sent.push(flight);
        for (const out of this.tamper(flight, this.#count++)) {
          this.#queue.push({ to: side === 'client' ? 'server' : 'client', bytes: out.bytes, at: this.now + out.delay });
        }
      }
      for (let e = ep.pollEvent(); e !== undefined; e = ep.pollEvent()) this.events[side].push(e);
    }
  }

  /** Starts both and runs until `until()` or the time limit. */
  run(until: () => boolean = () => this.settled(), limitMs = 120_000): void {
    this.client.start(this.now);
    this.server.start(this.now);
    this.#drain();
    this.step(until, limitMs);
  }

  /** Runs the event loop without starting. */
  step(until: () => boolean, limitMs = 120_000): void {
    const end = this.now + limitMs;
    this.#drain();
    for (let guard = 0; guard < 100_000 && !until(); guard++) {
      const timers = [this.client.pollTimeout(), this.server.pollTimeout(), ...this.#queue.map((q) => q.at)].filter(
        (t): t is number => t !== undefined,
      );
      if (timers.length === 0) break;
      const next = Math.max(this.now, Math.min(...timers));
      if (next > end) break;
      this.now = next;
      const due = this.#queue.filter((q) => q.at <= this.now);
      this.#queue = this.#queue.filter((q) => q.at > this.now);
      for (const q of due) this[q.to].handleDatagram(this.now, q.bytes);
      this.client.handleTimeout(this.now);
      this.server.handleTimeout(this.now);
      this.#drain();
    }
  }

  /** Both sides connected, or one ended. */
  settled(): boolean {
    const done = (s: string) => s === 'connected' || s === 'failed' || s === 'closed';
    if (this.client.state === 'connected' && this.server.state === 'connected') return true;
    if (done(this.client.state) && done(this.server.state)) return true;
    // One side failed: let its alert (if any) reach the other side first.
    return (this.client.state === 'failed' || this.server.state === 'failed') && this.#queue.length === 0;
  }

  /** Data events of a side. */
  data(side: 'client' | 'server'): string[] {
    return this.events[side].flatMap((e) => (e.type === 'data' ? [Buffer.from(e.data).toString()] : []));
  }

  failure(side: 'client' | 'server'): string | undefined {
    const e = this.events[side].find((x) => x.type === 'failed');
    return e?.type === 'failed' ? e.error.code : undefined;
  }
}
