/**
 * The ICE session in a capture: every STUN message decoded, responses
 * matched to their requests (RTT), MESSAGE-INTEGRITY checked with the known
 * passwords (RFC 8445 §7.2.2: a check is signed with the password of the
 * agent it is sent to, whose ufrag is the first half of USERNAME; the
 * response with the same key), roles and conflicts (ICE-CONTROLLING /
 * ICE-CONTROLLED, 487, RFC 8445 §7.3.1.1), nominations (USE-CANDIDATE,
 * RFC 8445 §8.1.1), data per pair, and the pair the session selected.
 */
import {
  StunClass,
  StunError,
  decodeStun,
  shortTermKey,
  verifyFingerprint,
  verifyIntegrity,
  verifyIntegritySha256,
  type StunMessage,
} from '../stun/index.js';
import { endpointText, type CaptureFlows, type FlowPacket } from './packet-flows.js';

/** Known ICE credentials: ufrag → password, and passwords whose ufrag is not known. */
export interface CaptureCredentials {
  byUfrag?: Record<string, string>;
  passwords?: string[];
}

/** Integrity status of one message. */
export type IntegrityStatus = 'ok' | 'failed' | 'unchecked' | 'absent';

/** One STUN message in the timeline. */
export interface StunEvent {
  packetIndex: number;
  /** Milliseconds since the first captured packet. */
  timeMs: number;
  transport: 'udp' | 'tcp';
  from: string;
  to: string;
  class: 'request' | 'indication' | 'success' | 'error';
  method: number;
  transactionId: string;
  username?: string;
  priority?: number;
  useCandidate?: boolean;
  role?: 'controlling' | 'controlled';
  tieBreaker?: string;
  mapped?: string;
  errorCode?: number;
  errorReason?: string;
  integrity: IntegrityStatus;
  /** Which password verified it (a ufrag, or `pwd #n` for the n-th given password). */
  integrityKey?: string;
  fingerprint: 'ok' | 'failed' | 'absent';
  /** Responses: the request's time to this response in ms (first transmission). */
  rttMs?: number;
  /** Requests: transmissions of the same transaction seen before this one. */
  retransmission?: number;
  /** Responses: no request with this transaction id was captured. */
  unmatched?: boolean;
}

/** A STUN message that did not decode. */
export interface StunDecodeProblem {
  packetIndex: number;
  timeMs: number;
  transport: 'udp' | 'tcp';
  from: string;
  to: string;
  error: string;
}

/** One 5-tuple (both directions) with its checks and data. */
export interface PairTimeline {
  /** `udp A ⇄ B` with A the endpoint that sent the first check. */
  id: string;
  transport: 'udp' | 'tcp';
  a: string;
  b: string;
  checks: { sent: number; answered: number; errors: number };
  /** A USE-CANDIDATE check on it got a success response. */
  nominated: boolean;
  nominatedAtMs?: number;
  /** Which side nominated (sent USE-CANDIDATE). */
  nominatedBy?: string;
  /** Non-STUN packets per direction: [a→b, b→a]. */
  data: { packets: [number, number]; bytes: [number, number]; kinds: Record<string, number> };
  roleConflicts: number;
}

/** The whole analysis. */
export interface IceTimeline {
  stun: StunEvent[];
  decodeProblems: StunDecodeProblem[];
  pairs: PairTimeline[];
  /** The pair the session selected: nominated, and the one that carried the most data after its nomination. */
  selected?: { id: string; reason: string };
  totals: {
    stun: number;
    requests: number;
    success: number;
    errors: number;
    indications: number;
    integrityOk: number;
    integrityFailed: number;
    unanswered: number;
  };
  /** Both sides claimed the same role on a pair (a conflict, RFC 8445 §7.3.1.1). */
  problems: string[];
}

const CLASS: Record<StunClass, StunEvent['class']> = {
  [StunClass.Request]: 'request',
  [StunClass.Indication]: 'indication',
  [StunClass.SuccessResponse]: 'success',
  [StunClass.ErrorResponse]: 'error',
};

interface KeyChoice {
  key: Buffer;
  name: string;
}

function candidateKeys(creds: CaptureCredentials, ufrag: string | undefined): KeyChoice[] {
  const out: KeyChoice[] = [];
  const byUfrag = creds.byUfrag ?? {};
  if (ufrag !== undefined && Object.hasOwn(byUfrag, ufrag)) out.push({ key: shortTermKey(byUfrag[ufrag]), name: `ufrag ${ufrag}` });
  else {
    for (const [u, p] of Object.entries(byUfrag)) out.push({ key: shortTermKey(p), name: `ufrag ${u}` });
    (creds.passwords ?? []).forEach((p, i) => out.push({ key: shortTermKey(p), name: `pwd #${i + 1}` }));
  }
  return out;
}

function checkIntegrity(msg: StunMessage, keys: KeyChoice[]): { status: IntegrityStatus; name?: string } {
  if (!msg.hasIntegrity && !msg.hasIntegritySha256) return { status: 'absent' };
  if (keys.length === 0) return { status: 'unchecked' };
  for (const k of keys) {
    const ok = msg.hasIntegrity ? verifyIntegrity(msg, k.key) : verifyIntegritySha256(msg, k.key);
    if (ok) return { status: 'ok', name: k.name };
  }
  return { status: 'failed' };
}

function pairKey(p: FlowPacket): string {
  const x = endpointText(p.from);
  const y = endpointText(p.to);
  return `${p.transport} ${x < y ? `${x}|${y}` : `${y}|${x}`}`;
}

/** Analyses the STUN and data packets of a capture. */
export function iceTimeline(flows: CaptureFlows, creds: CaptureCredentials = {}): IceTimeline {
  const stun: StunEvent[] = [];
  const decodeProblems: StunDecodeProblem[] = [];
  const pairs = new Map<string, PairTimeline & { lastNominationUs?: number; dataAfter: number; rolesSeen: Map<string, Set<string>> }>();
  const requests = new Map<string, { event: StunEvent; timeUs: number; keyName?: string; count: number; pair: string; from: string }>();
  const ms = (us: number): number => Math.round((us - flows.startUs) / 1) / 1000;

  const pairOf = (p: FlowPacket, firstSenderIsFrom: boolean): PairTimeline & { dataAfter: number; rolesSeen: Map<string, Set<string>> } => {
    const key = pairKey(p);
    let pair = pairs.get(key);
    if (pair === undefined) {
      const [a, b] = firstSenderIsFrom ? [endpointText(p.from), endpointText(p.to)] : [endpointText(p.to), endpointText(p.from)];
      pair = {
        id: `${p.transport} ${a} ⇄ ${b}`,
        transport: p.transport,
        a,
        b,
        checks: { sent: 0, answered: 0, errors: 0 },
        nominated: false,
        data: { packets: [0, 0], bytes: [0, 0], kinds: {} },
        roleConflicts: 0,
        dataAfter: 0,
        rolesSeen: new Map(),
      };
      pairs.set(key, pair);
    }
    return pair;
  };

  for (const p of flows.packets) {
    const from = endpointText(p.from);
    const to = endpointText(p.to);
    if (p.kind !== 'stun') {
      const pair = pairOf(p, true);
      const dir = from === pair.a ? 0 : 1;
      pair.data.packets[dir]++;
      pair.data.bytes[dir] += p.data.length;
      pair.data.kinds[p.kind] = (pair.data.kinds[p.kind] ?? 0) + 1;
      if (pair.nominated) pair.dataAfter++;
      continue;
    }
    let msg: StunMessage;
    try {
      msg = decodeStun(p.data);
    } catch (error) {
      if (!(error instanceof StunError)) throw error;
      decodeProblems.push({
        packetIndex: p.packetIndex,
        timeMs: ms(p.timeUs),
        transport: p.transport,
        from,
        to,
        error: `${error.code}: ${error.message}`,
      });
      continue;
    }
    const a = msg.attributes;
    const cls = CLASS[msg.class];
    const tx = msg.transactionId.toString('hex');
    const event: StunEvent = {
      packetIndex: p.packetIndex,
      timeMs: ms(p.timeUs),
      transport: p.transport,
      from,
      to,
      class: cls,
      method: msg.method,
      transactionId: tx,
      integrity: 'absent',
      fingerprint: msg.hasFingerprint ? (verifyFingerprint(msg) ? 'ok' : 'failed') : 'absent',
    };
    if (a.username !== undefined) event.username = a.username;
    if (a.priority !== undefined) event.priority = a.priority;
    if (a.useCandidate) event.useCandidate = true;
    if (a.iceControlling !== undefined) [event.role, event.tieBreaker] = ['controlling', a.iceControlling.toString(16)];
    if (a.iceControlled !== undefined) [event.role, event.tieBreaker] = ['controlled', a.iceControlled.toString(16)];
    const mapped = a.xorMappedAddress ?? a.mappedAddress;
    if (mapped !== undefined) event.mapped = endpointText({ address: mapped.address, port: mapped.port });
    if (a.errorCode !== undefined) [event.errorCode, event.errorReason] = [a.errorCode.code, a.errorCode.reason];
    const reqKey = `${p.transport}|${tx}`;
    if (cls === 'request' || cls === 'indication') {
      const ufrag = a.username?.split(':')[0];
      const integrity = checkIntegrity(msg, candidateKeys(creds, ufrag));
      event.integrity = integrity.status;
      if (integrity.name !== undefined) event.integrityKey = integrity.name;
      if (cls === 'request') {
        const pair = pairOf(p, true);
        const earlier = requests.get(reqKey);
        if (earlier !== undefined) {
          earlier.count++;
          event.retransmission = earlier.count - 1;
        } else {
          requests.set(reqKey, {
            event,
            timeUs: p.timeUs,
            ...(integrity.name !== undefined ? { keyName: integrity.name } : {}),
            count: 1,
            pair: pairKey(p),
            from,
          });
          pair.checks.sent++;
        }
        if (event.role !== undefined) {
          const seen = pair.rolesSeen.get(event.role) ?? new Set<string>();
          seen.add(from);
          pair.rolesSeen.set(event.role, seen);
        }
      }
    } else {
      const request = requests.get(reqKey);
      let keys: KeyChoice[];
      if (request !== undefined && request.from === to) {
        event.rttMs = Math.round(p.timeUs - request.timeUs) / 1000;
        const name = request.keyName;
        keys =
          name === undefined
            ? candidateKeys(creds, request.event.username?.split(':')[0])
            : candidateKeys(creds, name.startsWith('ufrag ') ? name.slice(6) : undefined).filter((k) => k.name === name);
        const pair = pairs.get(request.pair)!;
        if (!request.event.rttMs) {
          if (cls === 'success') pair.checks.answered++;
          else pair.checks.errors++;
        }
        request.event.rttMs ??= event.rttMs;
        if (cls === 'error' && event.errorCode === 487) pair.roleConflicts++;
        if (cls === 'success' && request.event.useCandidate && !pair.nominated) {
          pair.nominated = true;
          pair.nominatedAtMs = event.timeMs;
          pair.nominatedBy = request.from;
        }
      } else {
        event.unmatched = true;
        keys = candidateKeys(creds, undefined);
        pairOf(p, false);
      }
      const integrity = checkIntegrity(msg, keys);
      event.integrity = integrity.status;
      if (integrity.name !== undefined) event.integrityKey = integrity.name;
    }
    stun.push(event);
  }

  const problems: string[] = [];
  for (const pair of pairs.values()) {
    for (const [role, senders] of pair.rolesSeen) {
      if (senders.size > 1) problems.push(`${pair.id}: both sides sent checks as ${role} (a role conflict, RFC 8445 §7.3.1.1)`);
    }
  }
  const list = [...pairs.values()];
  const nominated = list.filter((p) => p.nominated);
  let selected: IceTimeline['selected'];
  if (nominated.length > 0) {
    const best = nominated.reduce((x, y) =>
      y.dataAfter > x.dataAfter || (y.dataAfter === x.dataAfter && (y.nominatedAtMs ?? 0) > (x.nominatedAtMs ?? 0)) ? y : x,
    );
    selected = {
      id: best.id,
      reason:
        `nominated by ${best.nominatedBy} at ${best.nominatedAtMs} ms (USE-CANDIDATE answered); ${best.dataAfter} data packets after it` +
        (nominated.length > 1 ? `; ${nominated.length - 1} other pair(s) nominated too` : ''),
    };
  }
  const count = (c: StunEvent['class']): number => stun.filter((e) => e.class === c).length;
  return {
    stun,
    decodeProblems,
    pairs: list.map(({ dataAfter: _d, rolesSeen: _r, ...rest }) => rest),
    ...(selected !== undefined ? { selected } : {}),
    totals: {
      stun: stun.length,
      requests: count('request'),
      success: count('success'),
      errors: count('error'),
      indications: count('indication'),
      integrityOk: stun.filter((e) => e.integrity === 'ok').length,
      integrityFailed: stun.filter((e) => e.integrity === 'failed').length,
      unanswered: [...requests.values()].filter((r) => r.event.rttMs === undefined).length,
    },
    problems,
  };
}
