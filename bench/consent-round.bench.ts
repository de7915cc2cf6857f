// What one consent round costs the sans-IO core (issue 16, idle CPU): two
// IceCores in one process on a virtual clock, connected over UDP or over an
// active → passive TCP connection, then left idle so that only consent runs
// (RFC 7675 §5.1). A round is one consent check: the request encoded
// (MESSAGE-INTEGRITY, FINGERPRINT), decoded and verified by the peer, which
// encodes its answer, decoded and verified by the sender, with every
// handleTimeout / handlePacket / poll* call the runtime makes around them
// (the drain after each input and its pollTimeout()). Both sides check, as
// at 10,000 sessions: each process sends a round's request and receives the
// peer's, so per process one round's worth of work per check it sends.
//
// Baselines measured in the same run:
// - "crypto floor": node:crypto HMAC-SHA1 (createHmac) and zlib CRC-32 over
//   the same bytes, four of each per round (encode + verify of the request
//   and of the answer): what the authentication itself costs, the part no
//   implementation on node:crypto can remove;
// - "before" (CONSENT_BENCH_BASE=/path/to/other/build): the same driver on
//   another build of the library (e.g. main), interleaved round by round.
//
// CONSENT_BENCH_SESSIONS (default 50) session pairs run side by side, so that
// the figure includes the cost of touching many agents' state, not one
// agent's hot cache. CONSENT_BENCH_ROUNDS (default 7) interleaved measurement
// rounds of CONSENT_BENCH_CHECKS (default 20,000) consent rounds each; the
// median is printed.
import { createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Candidate } from '../lib/candidate/index.js';
import type { ConnectionCommand, IceCoreApi, IceCoreOptions, PacketInput, RandomSource } from '../lib/ice/types.js';
import * as currentIce from '../lib/ice/index.js';
import { pooledCryptoRandom as currentRandom } from '../lib/net/agent/pooled-random.js';

/** What the driver needs of a build of the library. */
interface Library {
  name: string;
  IceCore: new (options: IceCoreOptions) => IceCoreApi;
  random: RandomSource;
}

/** Loads the core of another build (its `build/` or `dist/` directory, or the repository holding `build/`). */
async function loadLibrary(name: string, dir: string): Promise<Library> {
  const candidates = [join(dir, 'lib'), join(dir, 'build', 'lib'), dir];
  for (const lib of candidates) {
    try {
      const ice = (await import(pathToFileURL(join(lib, 'ice', 'index.js')).href)) as typeof currentIce;
      const rnd = (await import(pathToFileURL(join(lib, 'net', 'agent', 'pooled-random.js')).href)) as { pooledCryptoRandom: RandomSource };
      return { name, IceCore: ice.IceCore, random: rnd.pooledCryptoRandom };
    } catch {
      // try the next layout
    }
  }
  throw new Error(`no build of the library under ${dir} (looked for lib/ice/index.js in ${candidates.join(', ')})`);
}

type Transport = 'udp' | 'tcp';

interface Side {
  core: IceCoreApi;
  peer: Side;
  /** Where its packets come from, as the peer sees them. */
  address: { address: string; port: number };
  transportId: string;
  /** TCP: the id of its end of the one connection. */
  connectionId: string | undefined;
  deadline: number;
}

interface Delivery {
  to: Side;
  data: Buffer;
}

/** One process's worth of session pairs on one virtual clock. */
class ConsentWorld {
  now = 0;
  readonly sides: Side[] = [];
  readonly #queue: Delivery[] = [];
  #head = 0;
  /** Consent (and check) requests put on the wire so far. */
  requests = 0;
  /** The last request and answer seen (bytes for the crypto floor). */
  lastRequest: Buffer | undefined;
  lastAnswer: Buffer | undefined;
  #nextPort = 20000;
  #conn = 0;

  constructor(
    readonly lib: Library,
    readonly transport: Transport,
    sessions: number,
  ) {
    for (let i = 0; i < sessions; i++) this.#addSession(i);
    // Connect everything: run until every core completed.
    const limit = this.now + 60_000;
    while (this.now < limit && !this.sides.every((s) => s.core.state === 'completed')) this.step();
    const notDone = this.sides.filter((s) => s.core.state !== 'completed').length;
    if (notDone > 0) throw new Error(`${lib.name} ${transport}: ${notDone} agents did not complete`);
    // Let nomination and the first consent checks settle.
    this.runUntil(this.now + 30_000);
  }

  #addSession(i: number): void {
    const a = new this.lib.IceCore({ random: this.lib.random, controlling: true });
    const b = new this.lib.IceCore({ random: this.lib.random, controlling: false });
    const ipA = `10.1.${i >> 8}.${i & 0xff}`;
    const ipB = `10.2.${i >> 8}.${i & 0xff}`;
    const port = this.#nextPort++;
    const sa: Side = {
      core: a,
      peer: undefined!,
      address: { address: ipA, port },
      transportId: `a${i}`,
      connectionId: undefined,
      deadline: Infinity,
    };
    const sb: Side = {
      core: b,
      peer: sa,
      address: { address: ipB, port },
      transportId: `b${i}`,
      connectionId: undefined,
      deadline: Infinity,
    };
    sa.peer = sb;
    this.sides.push(sa, sb);
    const ca = this.#candidate(ipA, port, this.transport === 'tcp' ? 'active' : undefined);
    const cb = this.#candidate(ipB, port, this.transport === 'tcp' ? 'passive' : undefined);
    a.addLocalCandidate(this.now, { candidate: ca, transportId: sa.transportId });
    b.addLocalCandidate(this.now, { candidate: cb, transportId: sb.transportId });
    a.endOfLocalCandidates?.(this.now);
    b.endOfLocalCandidates?.(this.now);
    a.setRemoteCredentials(this.now, b.localCredentials);
    b.setRemoteCredentials(this.now, a.localCredentials);
    a.addRemoteCandidate(this.now, cb);
    b.addRemoteCandidate(this.now, ca);
    a.endOfRemoteCandidates(this.now);
    b.endOfRemoteCandidates(this.now);
    this.#drain(sa);
    this.#drain(sb);
  }

  #candidate(address: string, port: number, tcpType: 'active' | 'passive' | undefined): Candidate {
    if (tcpType === undefined) {
      return { foundation: '1', component: 1, transport: 'udp', priority: 2130706431, address, port, type: 'host', extensions: [] };
    }
    return {
      foundation: '2',
      component: 1,
      transport: 'tcp',
      priority: tcpType === 'active' ? 1677721600 + 256 * (8192 * 6 + 8191) + 255 : 1677721600 + 256 * (8192 * 4 + 8191) + 255,
      address,
      port: tcpType === 'active' ? 9 : port,
      type: 'host',
      tcpType,
      extensions: [],
    };
  }

  /** What the runtime does after every input: drain the four outputs, then ask for the next deadline. */
  #drain(side: Side): void {
    const core = side.core;
    for (let t = core.pollTransmit(); t !== undefined; t = core.pollTransmit()) {
      const data = t.data;
      if (data[0] === 0x00 && data[1] === 0x01) {
        this.requests++;
        this.lastRequest = data;
      } else if (data[0] === 0x01 && data[1] === 0x01) this.lastAnswer = data;
      this.#queue.push({ to: side.peer, data });
    }
    for (let c = core.pollConnectionCommand(); c !== undefined; c = core.pollConnectionCommand()) this.#command(side, c);
    while (core.pollEvent() !== undefined);
    side.deadline = core.pollTimeout() ?? Infinity;
  }

  #command(side: Side, c: ConnectionCommand): void {
    if (c.type !== 'connect') return;
    const peer = side.peer;
    const n = ++this.#conn;
    side.connectionId = `k${n}a`;
    peer.connectionId = `k${n}b`;
    const local = { address: c.local.address, port: side.address.port };
    side.core.handleConnection(this.now, {
      type: 'connected',
      attemptId: c.attemptId,
      connectionId: side.connectionId,
      transportId: c.transportId,
      local,
      remote: c.remote,
    });
    this.#drain(side);
    peer.core.handleConnection(this.now, {
      type: 'accepted',
      connectionId: peer.connectionId,
      transportId: peer.transportId,
      local: c.remote,
      remote: local,
    });
    this.#drain(peer);
  }

  /** One input: the next delivery, or else the earliest timer. */
  step(): void {
    if (this.#head < this.#queue.length) {
      const d = this.#queue[this.#head++];
      if (this.#head === this.#queue.length) {
        this.#queue.length = 0;
        this.#head = 0;
      }
      const to = d.to;
      const packet: PacketInput =
        to.connectionId === undefined
          ? { transportId: to.transportId, from: to.peer.address, data: d.data }
          : { transportId: to.transportId, connectionId: to.connectionId, from: to.peer.address, data: d.data };
      to.core.handlePacket(this.now, packet);
      this.#drain(to);
      return;
    }
    let next: Side | undefined;
    for (const s of this.sides) if (next === undefined || s.deadline < next.deadline) next = s;
    if (next === undefined || next.deadline === Infinity) throw new Error('nothing left to do');
    if (next.deadline > this.now) this.now = next.deadline;
    next.core.handleTimeout(this.now);
    this.#drain(next);
  }

  runUntil(t: number): void {
    while (this.#head < this.#queue.length || this.sides.some((s) => s.deadline <= t)) this.step();
    this.now = Math.max(this.now, t);
  }

  /** Runs `checks` consent rounds; returns µs of wall time per round. */
  measure(checks: number): number {
    const target = this.requests + checks;
    const start = performance.now();
    while (this.requests < target || this.#head < this.#queue.length) this.step();
    return ((performance.now() - start) * 1000) / checks;
  }
}

/** The authentication alone: 4 HMAC-SHA1 and 4 CRC-32 per round over the round's two messages. */
function cryptoFloor(request: Buffer, answer: Buffer, key: Buffer, checks: number): number {
  const rMi = request.length - 32;
  const aMi = answer.length - 32;
  let sink = 0;
  const start = performance.now();
  for (let i = 0; i < checks; i++) {
    for (const [msg, mi] of [
      [request, rMi],
      [answer, aMi],
    ] as const) {
      for (let k = 0; k < 2; k++) {
        sink ^= createHmac('sha1', key).update(msg.subarray(0, mi)).digest()[0];
        sink ^= crc32(msg.subarray(0, msg.length - 8));
      }
    }
  }
  const us = ((performance.now() - start) * 1000) / checks;
  if (sink === 0.5) console.log('');
  return us;
}

function median(values: number[]): number {
  const s = [...values].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs the consent-round benchmark and prints one table per transport. */
export async function run(): Promise<void> {
  const sessions = Number(process.env.CONSENT_BENCH_SESSIONS ?? 50);
  const rounds = Number(process.env.CONSENT_BENCH_ROUNDS ?? 7);
  const checks = Number(process.env.CONSENT_BENCH_CHECKS ?? 20000);
  const libs: Library[] = [{ name: 'ice-tcp', IceCore: currentIce.IceCore, random: currentRandom }];
  const basePath = process.env.CONSENT_BENCH_BASE;
  if (basePath !== undefined && basePath !== '') libs.unshift(await loadLibrary('before', resolve(basePath)));
  const transports = (process.env.CONSENT_BENCH_TRANSPORTS ?? 'udp,tcp').split(',') as Transport[];
  const key = Buffer.from('hsYbwqlw0Ncm5NeY7Prx1Rcs');

  for (const transport of transports) {
    const worlds = libs.map((lib) => new ConsentWorld(lib, transport, sessions));
    const times = new Map<string, number[]>([['crypto floor', []], ...libs.map((l): [string, number[]] => [l.name, []])]);
    const reference = worlds[worlds.length - 1];
    for (const w of worlds) w.measure(Math.min(2000, checks)); // warm-up
    for (let r = 0; r < rounds; r++) {
      times.get('crypto floor')!.push(cryptoFloor(reference.lastRequest!, reference.lastAnswer!, key, checks));
      for (const w of worlds) times.get(w.lib.name)!.push(w.measure(checks));
    }
    const floor = median(times.get('crypto floor')!);
    console.log(
      `### One consent round over ${transport.toUpperCase()} (${sessions} session pairs, median of ${rounds} × ${checks} rounds)\n`,
    );
    console.log('| case | µs per round | ratio to crypto floor | rounds/s per core |');
    console.log('|---|---:|---:|---:|');
    for (const [name, list] of times) {
      const us = median(list);
      console.log(`| ${name} | ${us.toFixed(2)} | ${(us / floor).toFixed(2)}× | ${Math.round(1e6 / us).toLocaleString('en-US')} |`);
    }
    const before = times.get('before');
    if (before !== undefined) console.log(`\nice-tcp ÷ before: ${(median(times.get('ice-tcp')!) / median(before)).toFixed(2)}×`);
    console.log(
      `\nA round is one request and its answer, both authenticated: at 10,000 sessions a process pays about 2,000 rounds/s. Request ${reference.lastRequest!.length} bytes, answer ${reference.lastAnswer!.length} bytes.\n`,
    );
  }
}
