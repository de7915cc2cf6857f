/**
 * The server side of checks (RFC 8445 §7.3): answering Binding requests,
 * role conflicts (§7.3.1.1), remote peer-reflexive candidates (§7.3.1.3),
 * triggered checks (§7.3.1.4), the nominated flag (§7.3.1.5) and the lite
 * agent's procedure (§7.3.2).
 */
import type { Candidate, TcpType } from '../candidate/index.js';
import { StunMethod, type StunMessage } from '../stun/index.js';
import type { LocalCandidate } from './candidates.js';
import { switchRole } from './checks.js';
import { log, type AgentContext, type DeferredRequest } from './context.js';
import { abandonConnect, cancelCheck, nominate, replacesLostPair, select } from './nomination.js';
import { sameTcpPath } from './tcp-reconnect.js';
import {
  earlierTcpNominationPending,
  firstTcpNominationElsewhere,
  notePeerTcpNomination,
  withholdTcpNomination,
} from './tcp-nomination.js';
import { setRoute } from './routes.js';
import type { Checklist } from './checklist.js';
import type { CredentialGeneration } from './ice-credentials.js';
import { Pair } from './pair.js';
import { isUsed } from './tcp-events.js';
import { authenticateRequest } from './responder.js';
import { encodeErrorResponse, encodeSuccessResponse } from './check-requests.js';
import type { PacketInput } from './types.js';

/**
 * What happened to a request: `'answered'` (success or 487), `'rejected'`
 * (400/401/420), `'dropped'` (not a Binding request, bad FINGERPRINT),
 * `'withheld'` (authentic, but a second TCP nomination, answered later
 * only if the first connection turns out closed: see tcp-nomination.ts,
 * rule 0).
 */
export type RequestOutcome = 'answered' | 'rejected' | 'dropped' | 'withheld';

/**
 * Answers a Binding request that arrived on `localBase` (the base the
 * packet's transport belongs to) and runs the full agent's follow-up.
 */
export function handleRequest(
  ctx: AgentContext,
  now: number,
  packet: PacketInput,
  msg: StunMessage,
  localBase: LocalCandidate | undefined,
): RequestOutcome {
  if (msg.method !== StunMethod.Binding) {
    log('request with method 0x%s dropped', msg.method.toString(16));
    return 'dropped';
  }
  const verdict = authenticateRequest(msg, ctx.liveGenerations());
  if (verdict.kind === 'drop') {
    log('request from %s:%d dropped: %s', packet.from.address, packet.from.port, verdict.reason);
    return 'dropped';
  }
  const software = ctx.options.software;
  if (verdict.kind === 'reject') {
    log('request from %s:%d rejected %d: %s', packet.from.address, packet.from.port, verdict.code, verdict.reason);
    const response = encodeErrorResponse({
      transactionId: msg.transactionId,
      method: msg.method,
      code: verdict.code,
      unknownAttributes: verdict.unknownAttributes,
      integrityKey: verdict.generation?.localKey,
      software,
    });
    ctx.transmit(packet.transportId, packet.connectionId, packet.from, response);
    return 'rejected';
  }
  const generation = verdict.generation;
  if (generation !== ctx.generation) {
    // RFC 7675 §5.1: the peer keeps consent on the old pair during a restart.
    ctx.transmit(
      packet.transportId,
      packet.connectionId,
      packet.from,
      encodeSuccessResponse(msg.transactionId, packet.from, generation.localKey, software),
    );
    return 'answered';
  }
  if (!ctx.options.lite) {
    const decision = ctx.role.conflictWith(msg.attributes);
    if (decision === 'reject') {
      log('role conflict with %s:%d: answering 487', packet.from.address, packet.from.port);
      ctx.transmit(
        packet.transportId,
        packet.connectionId,
        packet.from,
        encodeErrorResponse({
          transactionId: msg.transactionId,
          method: msg.method,
          code: 487,
          integrityKey: generation.localKey,
          software,
        }),
      );
      return 'answered';
    }
    if (decision === 'switch') switchRole(ctx, !ctx.controlling, "the peer's tie-breaker wins the role conflict (RFC 8445 §7.3.1.1)");
  }
  if (localBase !== undefined && !ctx.options.lite) {
    // RFC 6544 §8, §11.1 / tcp-nomination.ts rule 0.
    const component = localBase.candidate.component;
    const first = firstTcpNominationElsewhere(ctx, component, packet.connectionId, msg.attributes.useCandidate === true);
    if (first !== undefined) {
      // Kept to be answered later: copies, not views of the runtime's buffers.
      const heldPacket: PacketInput = { ...packet, from: { ...packet.from } };
      const heldMsg: StunMessage = { ...msg, transactionId: Buffer.from(msg.transactionId) };
      withholdTcpNomination(ctx, now, component, packet.connectionId!, first, (later) => {
        if (generation === ctx.generation) answerRequest(ctx, later, heldPacket, heldMsg, localBase, verdict.remoteUfrag, generation);
        else log('withheld USE-CANDIDATE dropped: ICE restarted meanwhile');
      });
      return 'withheld';
    }
  }
  return answerRequest(ctx, now, packet, msg, localBase, verdict.remoteUfrag, generation);
}

/** Sends the success response to an accepted request and runs the full agent's follow-up. */
function answerRequest(
  ctx: AgentContext,
  now: number,
  packet: PacketInput,
  msg: StunMessage,
  localBase: LocalCandidate | undefined,
  remoteUfrag: string,
  generation: CredentialGeneration,
): RequestOutcome {
  const software = ctx.options.software;
  ctx.transmit(
    packet.transportId,
    packet.connectionId,
    packet.from,
    encodeSuccessResponse(msg.transactionId, packet.from, generation.localKey, software),
  );
  if (localBase !== undefined) ctx.paths.noteArrival(localBase.candidate.transport, packet.from);
  if (localBase === undefined) {
    log('request on unknown transport %s answered; no local candidate to pair', packet.transportId);
    return 'answered';
  }
  const request: DeferredRequest = {
    transportId: packet.transportId,
    connectionId: packet.connectionId,
    from: { address: packet.from.address, port: packet.from.port },
    priority: msg.attributes.priority ?? 0,
    useCandidate: msg.attributes.useCandidate === true,
    remoteUfrag,
  };
  if (ctx.options.lite) {
    liteRequest(ctx, now, request, localBase);
    return 'answered';
  }
  if (generation.remote === undefined) {
    // RFC 8445 §7.3: answered at once; the triggered check waits for the peer's credentials.
    if (!ctx.deferred.add(request)) log('deferred request dropped: %d already waiting', ctx.deferred.length);
    return 'answered';
  }
  followUpRequest(ctx, now, request, localBase);
  return 'answered';
}

/** The tcptype a remote candidate needs to pair with a local one (RFC 6544 §6.2). */
function remoteTcpTypeFor(local: TcpType | undefined): TcpType | undefined {
  if (local === 'passive') return 'active';
  if (local === 'active') return 'passive';
  return local;
}

/** The known remote candidate a request came from, if any. */
function knownRemote(ctx: AgentContext, request: DeferredRequest, localBase: LocalCandidate): Candidate | undefined {
  const local = localBase.candidate;
  return ctx.remotes.find(local.component, local.transport, request.from.address, request.from.port, remoteTcpTypeFor(local.tcpType));
}

/**
 * The peer-reflexive candidate a request from an unknown source stands for
 * (RFC 8445 §7.3.1.3), not yet learned: see {@link learnRemote}.
 */
function prflxRemote(request: DeferredRequest, localBase: LocalCandidate): Candidate {
  const local = localBase.candidate;
  const tcpType = remoteTcpTypeFor(local.tcpType);
  const candidate: Candidate = {
    foundation: '',
    component: local.component,
    transport: local.transport,
    priority: request.priority,
    address: request.from.address,
    port: request.from.port,
    type: 'prflx',
    extensions: [],
  };
  // RFC 6544 §7.2: a connection accepted on a passive candidate comes from an active one.
  if (tcpType !== undefined) candidate.tcpType = tcpType;
  return candidate;
}

/**
 * Learns a peer-reflexive remote candidate (RFC 8445 §7.3.1.3): gives it
 * an unused foundation, adds it to the remote set, emits it. Only done for
 * a candidate a pair will use, so that requests which trigger nothing
 * (after nomination, a full checklist) leave no state behind.
 */
function learnRemote(ctx: AgentContext, candidate: Candidate): Candidate {
  candidate.foundation = ctx.remotes.unusedPrflxFoundation();
  ctx.remotes.add(candidate);
  log('remote prflx %s:%d (component %d)', candidate.address, candidate.port, candidate.component);
  ctx.emit({ type: 'remote-candidate', candidate: { ...candidate, extensions: [] } });
  return candidate;
}

/** Finds the remote candidate a request came from, or learns a peer-reflexive one. */
function remoteFor(ctx: AgentContext, request: DeferredRequest, localBase: LocalCandidate): Candidate {
  return knownRemote(ctx, request, localBase) ?? learnRemote(ctx, prflxRemote(request, localBase));
}

/** RFC 8445 §7.3.1.3–§7.3.1.5 for an accepted request, once the peer's credentials are known. */
export function followUpRequest(ctx: AgentContext, now: number, request: DeferredRequest, localBase: LocalCandidate): void {
  const generation = ctx.generation;
  if (generation.remote !== undefined && request.remoteUfrag !== generation.remote.ufrag) {
    log('request names remote ufrag %s, expected %s: no triggered check', request.remoteUfrag, generation.remote.ufrag);
    return;
  }
  const known = knownRemote(ctx, request, localBase);
  const remote = known ?? prflxRemote(request, localBase);
  const component = localBase.candidate.component;
  const list = ctx.checklist(component);
  const nominating = request.useCandidate && !ctx.controlling;
  let pair = known === undefined ? undefined : list.pairs.find((p) => p.local === localBase && p.remote === known);
  if (
    pair !== undefined &&
    pair.connectionId !== undefined &&
    request.connectionId !== undefined &&
    pair.connectionId !== request.connectionId
  ) {
    if (ctx.tcp.get(pair.connectionId) !== undefined) {
      log('request for %s on connection %s, pair uses %s: no triggered check', pair.id, request.connectionId, pair.connectionId);
      return;
    }
    pair.useConnection(undefined);
  }
  if (pair === undefined) {
    const candidatePair = new Pair(component, localBase, remote, ctx.controlling, generation);
    const reconnecting = replacesLostPair(ctx, candidatePair) || (list.selected !== undefined && sameTcpPath(list.selected, candidatePair));
    if (list.state !== 'running' && !nominating && !reconnecting) {
      // RFC 8445 §8.1.2: after nomination, requests are answered but trigger nothing new.
      const conn = request.connectionId;
      if (
        conn !== undefined &&
        ctx.checklists.every((l) => l.state === 'completed') &&
        !isUsed(ctx, conn) &&
        ctx.tcp.get(conn) !== undefined
      ) {
        // RFC 6544 §8: once ICE completed, connections other than the selected ones are closed; the answer goes first.
        ctx.closeConnection(conn, 'not selected, ICE completed (RFC 6544 §8)');
      }
      return;
    }
    if (list.pairs.length >= 2 * ctx.options.maxPairs) {
      log('checklist %d full: no triggered check for %s', component, candidatePair.id);
      return;
    }
    if (known === undefined) learnRemote(ctx, remote);
    pair = new Pair(component, localBase, remote, ctx.controlling, generation);
    pair.useConnection(request.connectionId);
    list.add(pair);
    ctx.setPairState(pair, 'waiting', 'triggered by a request (RFC 8445 §7.3.1.4)');
    list.enqueueTriggered(pair);
  } else {
    if (request.connectionId !== undefined && pair.connectionId === undefined) {
      // RFC 6544 §7.2: the triggered check goes over the connection the request came on.
      pair.useConnection(request.connectionId);
      abandonConnect(ctx, pair);
    }
    if (pair.state === 'in-progress' || pair.state === 'waiting' || pair.state === 'frozen' || pair.state === 'failed') {
      // RFC 8445 §7.3.1.4: cancel an in-progress check and requeue.
      cancelCheck(ctx, pair);
      ctx.setPairState(pair, 'waiting', 'triggered by a request (RFC 8445 §7.3.1.4)');
      list.enqueueTriggered(pair);
      if (pair.generation === ctx.generation) list.reopen();
    }
  }
  // RFC 8445 §12.2: be ready to receive data where the peer authenticated
  // itself with a check; a nomination can make the peer send there before
  // our own check of the pair has succeeded.
  if (list.selected === undefined || nominating || list.selected === pair) ctx.dataRoutes.add(pair);
  if (nominating) {
    // RFC 6544 §8 / tcp-nomination.ts rule 1: the order we answer the peer's TCP nominations in.
    notePeerTcpNomination(list, pair);
    // RFC 8445 §7.3.1.5
    if (pair.state === 'succeeded') nominate(ctx, now, pair.validPair ?? pair, 'USE-CANDIDATE on a succeeded pair (RFC 8445 §7.3.1.5)');
    else {
      pair.setNominateOnSuccess(true);
      followPeerNomination(ctx, now, list, pair);
    }
  }
  ctx.pacer.wake(now);
  ctx.updateState();
}

/**
 * Controlled side, a TCP pair the peer nominated before our own check of it
 * succeeded: send data on it already. The controlling peer selects the
 * pair as soon as we answer its USE-CANDIDATE check, closes its other TCP
 * connections (RFC 6544 §8) and starts sending on it, one round trip before
 * our triggered check can make the pair valid (RFC 8445 §7.3.1.5); data we
 * sent meanwhile on an earlier route would go into a connection it is
 * closing and be lost. The peer has authenticated itself on this very
 * connection (MESSAGE-INTEGRITY with our password), which is the consent
 * RFC 7675 asks for on a TCP connection. UDP pairs are left to the
 * ordinary rules.
 */
function followPeerNomination(ctx: AgentContext, now: number, list: Checklist, pair: Pair): void {
  if (!pair.tcp || pair.connectionId === undefined || list.selected !== undefined || pair.generation !== ctx.generation) return;
  if (ctx.status(pair.component).route === pair || earlierTcpNominationPending(ctx, list, pair) !== undefined) return;
  log("data follows the peer's nomination of %s before our check of it succeeds (RFC 6544 §8)", pair.id);
  setRoute(ctx, now, pair);
}

/**
 * RFC 8445 §7.3.2: a lite agent puts the pair a USE-CANDIDATE request
 * names into the valid list, nominated; it becomes the selected pair.
 */
function liteRequest(ctx: AgentContext, now: number, request: DeferredRequest, localBase: LocalCandidate): void {
  if (!request.useCandidate) return;
  const remote = remoteFor(ctx, request, localBase);
  const list = ctx.checklist(localBase.candidate.component);
  let pair = list.pairs.find((p) => p.local === localBase && p.remote === remote && p.connectionId === request.connectionId);
  if (pair === undefined) {
    pair = new Pair(localBase.candidate.component, localBase, remote, ctx.controlling, ctx.generation);
    pair.useConnection(request.connectionId);
    list.add(pair);
  }
  if (list.selected === pair) return;
  ctx.setPairState(pair, 'succeeded', 'nominated by the full peer (RFC 8445 §7.3.2)');
  pair.markValid();
  if (list.selected !== undefined && list.selected.priority >= pair.priority && !replacesLostPair(ctx, pair)) {
    pair.markNominated();
    return;
  }
  select(ctx, now, pair, 'nominated by the full peer (RFC 8445 §7.3.2)');
}
