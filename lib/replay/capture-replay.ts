/**
 * Captures as tests: a packet capture of a foreign ICE agent (libnice,
 * libwebrtc, pion, …) talking to some other agent becomes a test of our
 * core. The foreign agent's packets are fed, at their captured times in
 * virtual time, to a fresh {@link IceCore} that stands in for the other
 * agent (with that agent's credentials, as the signalling carried them):
 *
 * - every connectivity check the foreign agent sent (RFC 8445 §7.2.2) is
 *   handed to our core on the same 5-tuple (TCP connections the foreign
 *   agent opened arrive as accepted connections on a passive candidate);
 * - with `injectBadChecks`, each check is also fed once more with its
 *   MESSAGE-INTEGRITY broken (and a new transaction id): our core must not
 *   answer those with success (RFC 8445 §7.3, RFC 8489 §9.1.3);
 * - our core's own checks are answered as the foreign agent answered
 *   checks in the capture: with a success response signed with the foreign
 *   password, on the 5-tuples where the capture shows it answering, and not
 *   elsewhere. Connects our core asks for succeed where the capture shows
 *   a connection between the same addresses.
 *
 * The result lists, for each fed check, what our core answered, and the
 * pair our core selected next to the pair the capture's data flowed on, so
 * a test can state what our agent must do.
 */
import createDebug from 'debug';
import { candidatePriority, type Candidate } from '../candidate/index.js';
import {
  captureFlows,
  endpointText,
  iceTimeline,
  readCapture,
  type Capture,
  type Endpoint,
  type FlowPacket,
  type TcpDirectionReport,
} from '../capture/index.js';
import { IceCore, seededRandom } from '../ice/index.js';
import type { IceCoreApi, IceCredentials, RandomSource, Transmit } from '../ice/types.js';
import {
  StunClass,
  StunError,
  StunMethod,
  decodeStun,
  encodeStun,
  shortTermKey,
  verifyIntegrity,
  type StunMessage,
} from '../stun/index.js';
import { fingerprintValue } from '../stun/integrity.js';
import { ReplayError } from './replay-errors.js';

const log = createDebug('ice-tcp:replay');

/** What {@link replayCapture} needs. */
export interface CaptureReplayOptions {
  /** The capture (pcap or pcapng bytes, or an already read capture). */
  capture: Buffer | Capture;
  /** The foreign agent's credentials from the signalling. */
  foreign: IceCredentials;
  /** The agent our core stands in for: its credentials (which the foreign checks are signed with) and role. */
  local: IceCredentials & { controlling: boolean };
  /** Also feed a copy of every check with its MESSAGE-INTEGRITY broken (default false). */
  injectBadChecks?: boolean;
  /** Randomness for the core (default a seeded source, so a run is repeatable). */
  random?: RandomSource;
  /** Virtual time to run after the last captured packet (default 3000 ms). */
  tailMs?: number;
}

/** What our core did with one check of the foreign agent. */
export interface CheckOutcome {
  /** Captured time of the check, ms since the capture's first packet. */
  timeMs: number;
  transport: 'udp' | 'tcp';
  from: string;
  to: string;
  transactionId: string;
  useCandidate: boolean;
  /** `captured`: as in the capture; `bad-integrity`: the injected copy with a broken MESSAGE-INTEGRITY. */
  kind: 'captured' | 'bad-integrity';
  /** Our core's answer. */
  answer: 'success' | 'error' | 'none';
  errorCode?: number;
  /** The answer's MESSAGE-INTEGRITY verifies with our (local) password (RFC 8445 §7.3.1.4). */
  answerIntegrityOk?: boolean;
  /** The answer's XOR-MAPPED-ADDRESS is the check's source (RFC 8445 §7.3.1.2). */
  mappedAddressOk?: boolean;
}

/** The outcome of {@link replayCapture}. */
export interface CaptureReplayResult {
  checks: CheckOutcome[];
  /** The pair our core selected, as `udp|tcp A ⇄ B` (local first), if any. */
  selected?: string;
  /** The pair the capture's data flowed on after nomination (`ice-tcp decode --pcap`'s selected pair), if any. */
  capturedSelected?: string;
  /** `selected` and `capturedSelected` name the same 5-tuple. */
  selectedMatchesCapture: boolean;
  /** Our core's own checks, and how many of them the replay answered for the foreign agent. */
  ownChecks: { sent: number; answered: number };
  /** The core's final state. */
  state: string;
}

interface Connection {
  id: string;
  local: Endpoint;
  remote: Endpoint;
  openedByForeign: boolean;
  openedAtUs: number;
}

type Step =
  | { atUs: number; order: number; kind: 'accept'; conn: Connection }
  | { atUs: number; order: number; kind: 'packet'; packet: FlowPacket; data: Buffer; outcome?: CheckOutcome }
  | { atUs: number; order: number; kind: 'answer'; transmit: Transmit; from: Endpoint; to: Endpoint; connectionId?: string; data: Buffer };

const sameEndpoint = (a: Endpoint, b: Endpoint): boolean => a.address === b.address && a.port === b.port;
const tupleKey = (t: string, a: Endpoint, b: Endpoint): string => {
  const x = endpointText(a);
  const y = endpointText(b);
  return `${t} ${x < y ? `${x}|${y}` : `${y}|${x}`}`;
};

/** A copy of a request with a new transaction id and a broken MESSAGE-INTEGRITY (FINGERPRINT recomputed so only the integrity fails). */
function breakIntegrity(msg: StunMessage): Buffer {
  const copy = Buffer.from(msg.raw);
  copy[8] = copy[8] ^ 0xff; // transaction id, first byte
  const mi = msg.integrityOffset;
  copy[mi + 4] = copy[mi + 4] ^ 0x01;
  if (msg.hasFingerprint) {
    const at = copy.length - 8;
    copy.writeUInt32BE(fingerprintValue(copy, at), at + 4);
  }
  return copy;
}

function hostCandidate(transport: 'udp' | 'tcp', e: Endpoint, tcpType?: 'active' | 'passive'): Candidate {
  const c: Candidate = {
    foundation: transport === 'udp' ? 'capu' : `cap${tcpType}`,
    component: 1,
    transport,
    priority: candidatePriority({ type: 'host', transport, component: 1, ...(tcpType ? { tcpType } : {}) }),
    address: e.address,
    port: tcpType === 'active' ? 9 : e.port,
    type: 'host',
    extensions: [],
  };
  if (tcpType) c.tcpType = tcpType;
  return c;
}

/**
 * Replays the foreign agent's side of a capture against a fresh core.
 *
 * @throws CaptureError for an unreadable capture; ReplayError
 *   `ERR_REPLAY_BAD_FORMAT` when the capture holds no check signed for
 *   `local.ufrag` by `foreign.ufrag`
 */
export function replayCapture(options: CaptureReplayOptions): CaptureReplayResult {
  const capture = Buffer.isBuffer(options.capture) ? readCapture(options.capture) : options.capture;
  const flows = captureFlows(capture);
  const timeline = iceTimeline(flows, {
    byUfrag: { [options.local.ufrag]: options.local.pwd, [options.foreign.ufrag]: options.foreign.pwd },
  });
  const username = `${options.local.ufrag}:${options.foreign.ufrag}`;
  const localKey = shortTermKey(options.local.pwd);
  const foreignKey = shortTermKey(options.foreign.pwd);

  // Who is who: the foreign agent sends checks with USERNAME local:foreign.
  const foreignChecks: Array<{ packet: FlowPacket; msg: StunMessage }> = [];
  const answeredTuples = new Set<string>();
  for (const p of flows.packets) {
    if (p.kind !== 'stun') continue;
    let msg: StunMessage;
    try {
      msg = decodeStun(p.data);
    } catch (error) {
      if (error instanceof StunError) continue;
      throw error;
    }
    if (msg.class === StunClass.Request && msg.method === StunMethod.Binding && msg.attributes.username === username)
      foreignChecks.push({ packet: p, msg });
    // The foreign agent answering a check signed with its own password, on this 5-tuple.
    if (msg.class === StunClass.SuccessResponse && msg.hasIntegrity && verifyIntegrity(msg, foreignKey))
      answeredTuples.add(tupleKey(p.transport, p.from, p.to));
  }
  if (foreignChecks.length === 0)
    throw new ReplayError('ERR_REPLAY_BAD_FORMAT', `the capture holds no Binding request with USERNAME ${JSON.stringify(username)}`);
  const foreignEndpoints = new Map<string, Endpoint>();
  const localEndpoints = new Map<string, { transport: 'udp' | 'tcp'; e: Endpoint }>();
  for (const { packet } of foreignChecks) {
    foreignEndpoints.set(`${packet.transport} ${endpointText(packet.from)}`, packet.from);
    localEndpoints.set(`${packet.transport} ${endpointText(packet.to)}`, { transport: packet.transport, e: packet.to });
  }
  const isForeign = (t: string, e: Endpoint): boolean => foreignEndpoints.has(`${t} ${endpointText(e)}`);

  // TCP connections that carried something, and who opened them.
  const connections: Connection[] = [];
  const reports = new Map<string, TcpDirectionReport>();
  for (const d of flows.tcp) reports.set(`${endpointText(d.from)}>${endpointText(d.to)}`, d);
  for (const d of flows.tcp) {
    if (!d.openedConnection) continue;
    const back = reports.get(`${endpointText(d.to)}>${endpointText(d.from)}`);
    if (d.stats.delivered === 0 && (back?.stats.delivered ?? 0) === 0) continue;
    const byForeign = isForeign('tcp', d.from);
    const local = byForeign ? d.to : d.from;
    const remote = byForeign ? d.from : d.to;
    connections.push({
      id: `cap:${endpointText(local)}-${endpointText(remote)}`,
      local,
      remote,
      openedByForeign: byForeign,
      openedAtUs: d.firstTimeUs,
    });
  }

  const core: IceCoreApi = new IceCore({
    controlling: options.local.controlling,
    random: options.random ?? seededRandom(1),
    localCredentials: { ufrag: options.local.ufrag, pwd: options.local.pwd },
  });
  const startUs = flows.startUs;
  const ms = (us: number): number => (us - startUs) / 1000;
  const transportIds = new Map<string, Endpoint>();
  let now = 0;
  // Local candidates: UDP hosts, TCP passive where the foreign agent connected to us, active where we connected.
  for (const { transport, e } of localEndpoints.values()) {
    if (transport === 'udp') {
      const id = `udp:${endpointText(e)}`;
      transportIds.set(id, e);
      core.addLocalCandidate(now, { candidate: hostCandidate('udp', e), transportId: id });
    } else if (connections.some((c) => c.openedByForeign && sameEndpoint(c.local, e))) {
      const id = `tcp-passive:${endpointText(e)}`;
      transportIds.set(id, e);
      core.addLocalCandidate(now, { candidate: hostCandidate('tcp', e, 'passive'), transportId: id });
    }
  }
  for (const c of connections.filter((x) => !x.openedByForeign)) {
    const id = `tcp-active:${c.local.address}`;
    if (transportIds.has(id)) continue;
    transportIds.set(id, { address: c.local.address, port: 9 });
    core.addLocalCandidate(now, { candidate: hostCandidate('tcp', c.local, 'active'), transportId: id });
  }
  core.endOfLocalCandidates?.(now);
  core.setRemoteCredentials(now, options.foreign);
  for (const [key, e] of foreignEndpoints) {
    const transport = key.startsWith('udp') ? 'udp' : 'tcp';
    if (transport === 'udp') core.addRemoteCandidate(now, hostCandidate('udp', e));
    else {
      const opened = connections.some((c) => c.openedByForeign && sameEndpoint(c.remote, e));
      core.addRemoteCandidate(now, hostCandidate('tcp', e, opened ? 'active' : 'passive'));
    }
  }
  core.endOfRemoteCandidates(now);

  // The schedule: accepted connections, the foreign checks (and broken copies), answers to our checks.
  const steps: Step[] = [];
  let order = 0;
  const outcomes: CheckOutcome[] = [];
  const byTx = new Map<string, CheckOutcome>();
  for (const c of connections)
    if (c.openedByForeign && transportIds.has(`tcp-passive:${endpointText(c.local)}`))
      steps.push({ atUs: c.openedAtUs, order: order++, kind: 'accept', conn: c });
  for (const { packet, msg } of foreignChecks) {
    const base = {
      timeMs: Math.round(ms(packet.timeUs) * 1000) / 1000,
      transport: packet.transport,
      from: endpointText(packet.from),
      to: endpointText(packet.to),
      useCandidate: msg.attributes.useCandidate === true,
      answer: 'none' as const,
    };
    const good: CheckOutcome = { ...base, transactionId: msg.transactionId.toString('hex'), kind: 'captured' };
    steps.push({ atUs: packet.timeUs, order: order++, kind: 'packet', packet, data: packet.data, outcome: good });
    if (options.injectBadChecks && msg.hasIntegrity) {
      const broken = breakIntegrity(msg);
      const bad: CheckOutcome = { ...base, transactionId: broken.subarray(8, 20).toString('hex'), kind: 'bad-integrity' };
      steps.push({ atUs: packet.timeUs, order: order++, kind: 'packet', packet, data: broken, outcome: bad });
    }
  }
  const connectionOf = (id: string | undefined): Connection | undefined => connections.find((c) => c.id === id);
  const own = { sent: 0, answered: 0 };
  let selected: string | undefined;

  const onTransmit = (t: Transmit): void => {
    const conn = connectionOf(t.connectionId);
    const from = conn?.local ?? transportIds.get(t.transportId);
    if (from === undefined) return;
    let msg: StunMessage;
    try {
      msg = decodeStun(t.data);
    } catch {
      return; // data or junk: nothing to check
    }
    const tx = msg.transactionId.toString('hex');
    if (msg.class === StunClass.SuccessResponse || msg.class === StunClass.ErrorResponse) {
      const outcome = byTx.get(tx);
      if (outcome === undefined || outcome.answer !== 'none') return;
      outcome.answer = msg.class === StunClass.SuccessResponse ? 'success' : 'error';
      if (msg.attributes.errorCode) outcome.errorCode = msg.attributes.errorCode.code;
      outcome.answerIntegrityOk = msg.hasIntegrity && verifyIntegrity(msg, localKey);
      const mapped = msg.attributes.xorMappedAddress;
      outcome.mappedAddressOk = mapped !== undefined && `${endpointText({ address: mapped.address, port: mapped.port })}` === outcome.from;
      return;
    }
    if (msg.class !== StunClass.Request) return;
    own.sent++;
    const transport = t.connectionId ? 'tcp' : 'udp';
    if (!answeredTuples.has(tupleKey(transport, from, t.to))) return;
    // The foreign agent answers: success, XOR-MAPPED-ADDRESS = our source, signed with its password (RFC 8445 §7.3.1.4).
    const family = from.address.includes(':') ? 6 : 4;
    const answer = encodeStun(
      {
        class: StunClass.SuccessResponse,
        method: StunMethod.Binding,
        transactionId: msg.transactionId,
        attributes: { xorMappedAddress: { family, address: from.address, port: from.port } },
      },
      { integrityKey: foreignKey, fingerprint: true },
    );
    own.answered++;
    steps.push({
      atUs: startUs + (now + 1) * 1000,
      order: order++,
      kind: 'answer',
      transmit: t,
      from: t.to,
      to: from,
      ...(t.connectionId ? { connectionId: t.connectionId } : {}),
      data: answer,
    });
  };

  const drain = (): void => {
    for (let guard = 0; guard < 10_000; guard++) {
      const t = core.pollTransmit();
      if (t !== undefined) {
        onTransmit(t);
        continue;
      }
      const command = core.pollConnectionCommand();
      if (command !== undefined) {
        if (command.type === 'connect') {
          const c = connections.find(
            (x) => !x.openedByForeign && x.local.address === command.local.address && sameEndpoint(x.remote, command.remote),
          );
          if (c !== undefined && c.id.startsWith('cap:')) {
            core.handleConnection(now, {
              type: 'connected',
              attemptId: command.attemptId,
              connectionId: c.id,
              transportId: command.transportId,
              local: c.local,
              remote: c.remote,
            });
          } else {
            core.handleConnection(now, {
              type: 'connect-failed',
              attemptId: command.attemptId,
              reason: 'refused',
              message: 'no such connection in the capture',
            });
          }
        }
        continue;
      }
      const event = core.pollEvent();
      if (event === undefined) return;
      if (event.type === 'selected-pair' && event.pair.component === 1) {
        const conn = connectionOf(event.pair.connectionId);
        const l = conn?.local ?? { address: event.pair.local.address, port: event.pair.local.port };
        const r = conn?.remote ?? { address: event.pair.remote.address, port: event.pair.remote.port };
        selected = `${event.pair.local.transport} ${endpointText(l)} ⇄ ${endpointText(r)}`;
        log('capture replay: our core selected %s', selected);
      }
    }
  };

  const runTimersUntil = (untilMs: number): void => {
    for (let guard = 0; guard < 100_000; guard++) {
      const due = core.pollTimeout();
      if (due === undefined || due > untilMs) break;
      now = Math.max(now, due);
      core.handleTimeout(now);
      drain();
    }
    now = Math.max(now, untilMs);
  };

  drain();
  const lastUs = Math.max(...flows.packets.map((p) => p.timeUs), startUs);
  const endMs = ms(lastUs) + (options.tailMs ?? 3000);
  for (let guard = 0; guard < 1_000_000; guard++) {
    steps.sort((a, b) => a.atUs - b.atUs || a.order - b.order);
    const step = steps.shift();
    if (step === undefined || ms(step.atUs) > endMs) break;
    runTimersUntil(ms(step.atUs));
    if (step.kind === 'accept') {
      const transportId = `tcp-passive:${endpointText(step.conn.local)}`;
      core.handleConnection(now, {
        type: 'accepted',
        connectionId: step.conn.id,
        transportId,
        local: step.conn.local,
        remote: step.conn.remote,
      });
    } else if (step.kind === 'packet') {
      const p = step.packet;
      const conn =
        p.transport === 'tcp' ? connections.find((c) => sameEndpoint(c.local, p.to) && sameEndpoint(c.remote, p.from)) : undefined;
      const transportId =
        p.transport === 'udp'
          ? `udp:${endpointText(p.to)}`
          : conn?.openedByForeign
            ? `tcp-passive:${endpointText(p.to)}`
            : `tcp-active:${p.to.address}`;
      if (step.outcome) {
        outcomes.push(step.outcome);
        byTx.set(step.outcome.transactionId, step.outcome);
      }
      core.handlePacket(now, { transportId, ...(conn ? { connectionId: conn.id } : {}), from: p.from, to: p.to, data: step.data });
    } else {
      const conn = connectionOf(step.connectionId);
      const transportId = step.transmit.transportId;
      core.handlePacket(now, { transportId, ...(conn ? { connectionId: conn.id } : {}), from: step.from, to: step.to, data: step.data });
    }
    drain();
  }
  runTimersUntil(endMs);
  const capturedSelected = timeline.selected?.id;
  const norm = (id: string | undefined): string | undefined => {
    if (id === undefined) return undefined;
    const [t, rest] = [id.slice(0, 3), id.slice(4)];
    return `${t} ${rest.split(' ⇄ ').sort().join('|')}`;
  };
  return {
    checks: outcomes,
    ...(selected !== undefined ? { selected } : {}),
    ...(capturedSelected !== undefined ? { capturedSelected } : {}),
    selectedMatchesCapture: selected !== undefined && norm(selected) === norm(capturedSelected),
    ownChecks: own,
    state: core.state,
  };
}
