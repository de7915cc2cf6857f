/**
 * IceCore: the sans-IO ICE agent (RFC 8445) with ICE-TCP bookkeeping
 * (RFC 6544). It ties together the checklists, the checks, the answers,
 * nomination, consent and the TCP connection table; see types.ts for the
 * contract with the runtime.
 */
import type { Candidate } from '../candidate/index.js';
import { formatAddress } from './address-keys.js';
import { checkEligible, handleCheckResponse, processTransactionTimers, startCheck, switchRole } from './checks.js';
import { consentDeadline, handleConsentResponse, processConsent } from './consent-checks.js';
import { checkedCandidate } from './candidate-input.js';
import { keepaliveDeadline, processKeepalives } from './keepalive.js';
import { AgentContext, log } from './context.js';
import { generateCredentials, validateCredentials } from './ice-credentials.js';
import { IceError } from './ice-errors.js';
import { followUpRequest, handleRequest } from './incoming.js';
import { checklistDeadline, updateChecklistStates } from './checklist-state.js';
import { maybeNominate, nominationDeadline } from './nomination.js';
import { resolveOptions } from './core-options.js';
import { unfreezeInitial } from './pacing.js';
import type { Pair } from './pair.js';
import { pairLocal, pairRemote } from './pairing.js';
import { randomTieBreaker } from './seeded-random.js';
import { restartAgent } from './restart.js';
import { dropRoutes } from './routes.js';
import { answerWithheldNominations } from './tcp-nomination.js';
import { handleConnectionEvent, processTcpTimers, rejectNonStunReply, tcpDeadline } from './tcp-events.js';
import type { TcpConnection } from './tcp-bookkeeping.js';
import { classifyPacket, type PacketClass } from './packet-class.js';
import type {
  ConnectionCommand,
  ConnectionEvent,
  DataDisposition,
  IceCoreApi,
  IceCoreOptions,
  IceCredentials,
  IceEvent,
  IceState,
  LocalCandidateInit,
  PacketDisposition,
  PacketInput,
  PairInfo,
  PairState,
  Transmit,
} from './types.js';

const MAX_U64 = (1n << 64n) - 1n;

/** The earlier of two optional deadlines. */
function earlier(a: number | undefined, b: number | undefined): number | undefined {
  return b === undefined || (a !== undefined && a <= b) ? a : b;
}

/**
 * The sans-IO ICE agent. See {@link IceCoreApi} for the contract.
 *
 * What the runtime must do:
 * - call `endOfLocalCandidates` once gathering is done (without it, local
 *   candidates count as complete only from the first check on, so an agent
 *   with no pair at all cannot fail, RFC 8838 §8);
 * - after every input, drain `pollTransmit`, `pollConnectionCommand` and `pollEvent`
 *   until empty (transmits before connection commands: an error answer is
 *   queued before the `close` of a connection whose first frame failed),
 *   then arm one timer for `pollTimeout()`; calling `handleTimeout` early
 *   or late is harmless;
 * - `connect` commands: connect from `local` exactly (S-O: the bound port;
 *   active: port 0) and report `connected` / `connect-failed` with the
 *   `attemptId`; report `closed` for connections that go away (for the
 *   ones the core closed, reporting it is optional: the core has already
 *   forgotten them);
 * - deliver packets classified `'data'` to the application, and send
 *   application data only along the latest non-null `route` of a
 *   component (a `null` route means: stop sending, RFC 7675 §5.1);
 * - on a `restart` event (the core restarted ICE itself after the selected
 *   TCP connection could not be re-established, RFC 6544 §11.1), signal
 *   the event's credentials and the local candidates again, then pass the
 *   peer's new credentials and candidates in as after `restart()`. An
 *   answerer seeing the peer's new credentials calls `restart()` and then
 *   `setRemoteCredentials()` (in either order).
 */
export class IceCore implements IceCoreApi {
  private readonly ctx: AgentContext;
  private readonly setState = (pair: Pair, state: PairState, reason: string): void => this.ctx.setPairState(pair, state, reason);

  /** @throws IceError `ERR_ICE_BAD_OPTION`, `ERR_ICE_BAD_CREDENTIALS` */
  constructor(options: IceCoreOptions) {
    const resolved = resolveOptions(options);
    const local = options.localCredentials ?? generateCredentials(options.random);
    validateCredentials(local, 'local');
    const tieBreaker = options.tieBreaker ?? randomTieBreaker(options.random);
    if (typeof tieBreaker !== 'bigint' || tieBreaker < 0n || tieBreaker > MAX_U64) {
      throw new IceError('ERR_ICE_BAD_OPTION', 'tieBreaker must be an unsigned 64-bit bigint');
    }
    this.ctx = new AgentContext(resolved, options.random, options.controlling, tieBreaker, local, (now, reason) => {
      // RFC 6544 §11.1: the controlling side restarts ICE when the selected TCP connection cannot be re-established.
      const credentials = this.restart(now);
      this.ctx.emit({ type: 'restart', credentials, reason });
    });
  }

  get localCredentials(): IceCredentials {
    return { ...this.ctx.generation.local };
  }

  get controlling(): boolean {
    return this.ctx.controlling;
  }

  get state(): IceState {
    return this.ctx.state;
  }

  /** The tie-breaker in use (changes after a 487, RFC 8445 §7.2.5.1). */
  get tieBreaker(): bigint {
    return this.ctx.tieBreaker;
  }

  /** @throws IceError `ERR_ICE_BAD_CANDIDATE` */
  addLocalCandidate(now: number, init: LocalCandidateInit): void {
    if (this.refuseClosed('addLocalCandidate')) return;
    if (init === null || typeof init !== 'object') throw new IceError('ERR_ICE_BAD_CANDIDATE', 'a LocalCandidateInit is needed');
    const candidate = checkedCandidate(init.candidate, 'local', this.ctx.options.components);
    if (typeof init.transportId !== 'string') throw new IceError('ERR_ICE_BAD_CANDIDATE', 'transportId must be a string');
    if (candidate.unresolved === true) throw new IceError('ERR_ICE_BAD_CANDIDATE', 'a local candidate needs an IP address');
    const entry = this.ctx.locals.add(candidate, init.transportId);
    const added = pairLocal(this.ctx, entry);
    log('local candidate %s on %s: %d pairs', entry.key, init.transportId, added);
    this.afterPairing(now);
  }

  /** @throws IceError `ERR_ICE_BAD_CREDENTIALS` */
  setRemoteCredentials(now: number, credentials: IceCredentials & { lite?: boolean }): void {
    if (this.refuseClosed('setRemoteCredentials')) return;
    validateCredentials(credentials, 'remote');
    const ctx = this.ctx;
    const known = ctx.generation.remote;
    if (known !== undefined && (known.ufrag !== credentials.ufrag || known.pwd !== credentials.pwd)) {
      // The peer restarted (RFC 8445 §9) before we did: restart with our credentials kept.
      log('remote credentials changed: the peer restarted');
      restartAgent(ctx, ctx.generation.local);
      ctx.generation.markPeerInitiated();
    }
    ctx.generation.setRemote(credentials, credentials.lite === true);
    if (credentials.lite === true && !ctx.options.lite && !ctx.controlling) {
      // RFC 8445 §6.1.1: a full agent facing a lite one is controlling.
      switchRole(ctx, true, 'the peer is ICE-lite (RFC 8445 §6.1.1)');
    } else if (credentials.lite !== true && ctx.options.lite && ctx.controlling) {
      // RFC 8445 §6.1.1: a lite agent facing a full one is controlled.
      switchRole(ctx, false, 'a lite agent facing a full agent is controlled (RFC 8445 §6.1.1)');
    }
    ctx.start();
    const deferred = ctx.deferred.takeAll();
    for (const request of deferred) {
      const transportId = request.connectionId !== undefined ? ctx.tcp.get(request.connectionId)?.transportId : request.transportId;
      const base = transportId === undefined ? undefined : ctx.locals.baseOf(transportId);
      if (base !== undefined) followUpRequest(ctx, now, request, base);
    }
    this.afterPairing(now);
  }

  /** @throws IceError `ERR_ICE_BAD_CANDIDATE` (nothing is changed then) */
  addRemoteCandidate(now: number, signalled: Candidate): void {
    if (this.refuseClosed('addRemoteCandidate')) return;
    const candidate = checkedCandidate(signalled, 'remote', this.ctx.options.components);
    const ctx = this.ctx;
    const ufrag = ctx.generation.remote?.ufrag;
    if (candidate.ufrag !== undefined && ufrag !== undefined && candidate.ufrag !== ufrag) {
      return void log('remote candidate %s ignored: ufrag %s is not the current %s', candidate.address, candidate.ufrag, ufrag);
    }
    if (candidate.unresolved === true) {
      // Not paired (RFC 8839 §5.1), but the peer may check us from it: remembered for the checklist's failure rule.
      ctx.remotes.noteUnresolved(candidate);
      return void log('remote candidate %s not paired: unresolved name (RFC 8839 §5.1)', candidate.address);
    }
    const { candidate: stored, upgraded } = ctx.remotes.add({ ...candidate, extensions: [...(candidate.extensions ?? [])] });
    if (upgraded) {
      // A peer-reflexive candidate now signalled: its pairs take the real priority (RFC 8445 §7.3.1.3).
      const list = ctx.checklist(stored.component);
      for (const p of list.pairs) if (p.remote === stored) p.updatePriority(ctx.controlling);
      list.sort();
    }
    const added = pairRemote(ctx, stored);
    log('remote candidate %s:%d: %d pairs', stored.address, stored.port, added);
    this.afterPairing(now);
  }

  endOfRemoteCandidates(now: number): void {
    if (this.refuseClosed('endOfRemoteCandidates')) return;
    this.ctx.noteRemoteEndOfCandidates(now);
    this.runDue(now);
  }

  endOfLocalCandidates(now: number): void {
    if (this.refuseClosed('endOfLocalCandidates')) return;
    this.ctx.noteLocalEndOfCandidates(now);
    this.runDue(now);
  }

  /** Classifies the packet ({@link classifyPacket}, which changes nothing), then acts on its class. */
  handlePacket(now: number, packet: PacketInput): PacketDisposition {
    const packetClass = classifyPacket(this.ctx, packet);
    if (packetClass.kind === 'data') return packetClass;
    return this.dispatchPacket(now, packet, packetClass);
  }

  /** The second half of {@link handlePacket}: what a packet of each class does to the agent. */
  private dispatchPacket(now: number, packet: PacketInput, packetClass: Exclude<PacketClass, DataDisposition>): PacketDisposition {
    const ctx = this.ctx;
    if (packetClass.kind === 'junk') {
      const conn = packetClass.rejects;
      if (conn !== undefined) {
        ctx.tcp.firstFrameSeen(conn);
        this.rejectFirstFrame(now, conn, packetClass.firstFrameRule ?? packetClass.reason);
      }
      return this.drop(packetClass.reason, packet);
    }
    const conn = packetClass.connection;
    if (conn !== undefined) ctx.tcp.firstFrameSeen(conn);
    const msg = packetClass.message;
    switch (packetClass.kind) {
      case 'request': {
        const transportId = conn?.transportId ?? packet.transportId;
        const outcome = handleRequest(ctx, now, packet, msg, ctx.locals.baseOf(transportId));
        if (packetClass.firstFrame && conn !== undefined && conn.origin === 'accept' && outcome !== 'answered' && outcome !== 'withheld') {
          ctx.closeConnection(conn.id, `first frame is not a valid Binding request for our ufrag (${outcome}, RFC 6544 §7.2)`);
        }
        break;
      }
      case 'indication':
        // RFC 8445 §11: keepalives need no answer.
        break;
      case 'response': {
        const tx = ctx.transactions.get(msg.transactionId.toString('hex'));
        if (tx === undefined) {
          log('response %s from %s: no such transaction (late or unknown)', msg.transactionId.toString('hex'), formatAddress(packet.from));
          break;
        }
        if (tx.kind === 'check') handleCheckResponse(ctx, now, tx, msg, packet);
        else handleConsentResponse(ctx, now, tx, msg, packet);
      }
    }
    this.runDue(now);
    return 'stun';
  }

  handleConnection(now: number, event: ConnectionEvent): void {
    if (this.ctx.closed) {
      if (event.type === 'connected' || event.type === 'accepted') {
        this.ctx.out.close(event.connectionId, event.transportId, 'agent closed');
      }
      return;
    }
    handleConnectionEvent(this.ctx, now, event);
    // RFC 6544 §11.1 / tcp-nomination.ts rule 0: a reconnect nomination withheld because of this connection.
    if (event.type === 'closed') answerWithheldNominations(this.ctx, now, event.connectionId);
    this.ctx.pacer.wake(now);
    this.runDue(now);
  }

  handleTimeout(now: number): void {
    this.runDue(now);
  }

  /** @throws IceError `ERR_ICE_BAD_CREDENTIALS` */
  restart(now: number, credentials?: IceCredentials): IceCredentials {
    if (this.ctx.closed) throw new IceError('ERR_ICE_CLOSED', 'restart on a closed agent');
    const local = credentials ?? generateCredentials(this.ctx.random);
    validateCredentials(local, 'local');
    const generation = this.ctx.generation;
    if (generation.peerInitiated && !this.ctx.checklists.some((l) => l.selected !== undefined)) {
      // The peer restarted first (its new credentials are already in): this
      // generation gets our new credentials instead of starting another one.
      log('restart completes the restart the peer started');
      generation.replaceLocal(local);
    } else {
      restartAgent(this.ctx, local);
    }
    this.runDue(now);
    return { ...local };
  }

  close(now: number): void {
    const ctx = this.ctx;
    if (ctx.closed) return;
    log('close at %d', now);
    for (const conn of ctx.tcp.connections()) ctx.closeConnection(conn.id, 'agent closed');
    for (const attempt of ctx.tcp.attempts()) ctx.tcp.removeAttempt(attempt.id);
    for (const tx of ctx.transactions.list()) ctx.transactions.delete(tx.key);
    ctx.dataRoutes.clear();
    ctx.markClosed();
    ctx.pacer.halt();
    dropRoutes(ctx);
    ctx.reconnects.endAll();
    ctx.updateState();
  }

  pollTransmit(): Transmit | undefined {
    return this.ctx.out.transmits.shift();
  }

  pollConnectionCommand(): ConnectionCommand | undefined {
    return this.ctx.out.connectionCommands.shift();
  }

  pollEvent(): IceEvent | undefined {
    return this.ctx.out.events.shift();
  }

  pollTimeout(): number | undefined {
    const ctx = this.ctx;
    if (ctx.closed) return undefined;
    // Asked after every input (runtime.ts): seven look-ups, no array.
    let min = ctx.pacer.deadline();
    min = earlier(min, ctx.transactions.nextDeadline());
    min = earlier(min, tcpDeadline(ctx));
    min = earlier(min, consentDeadline(ctx));
    min = earlier(min, nominationDeadline(ctx));
    min = earlier(min, checklistDeadline(ctx));
    min = earlier(min, keepaliveDeadline(ctx));
    return earlier(min, ctx.dataRoutes.nextDeadline());
  }

  pairs(): PairInfo[] {
    const out: PairInfo[] = [];
    const seen = new Set<Pair>();
    for (const list of this.ctx.checklists) {
      for (const p of list.pairs) {
        seen.add(p);
        out.push(p.info());
      }
    }
    for (const s of this.ctx.components) if (s.route !== undefined && !seen.has(s.route)) out.push(s.route.info());
    return out;
  }

  private refuseClosed(what: string): boolean {
    if (!this.ctx.closed) return false;
    log('%s ignored: agent closed', what);
    return true;
  }

  private afterPairing(now: number): void {
    unfreezeInitial(this.ctx.checklists, this.setState);
    this.ctx.pacer.wake(now);
    this.ctx.updateState();
    this.runDue(now);
  }

  private drop(reason: string, packet: PacketInput): 'dropped' {
    log(
      'packet from %s on %s%s dropped: %s',
      formatAddress(packet.from),
      packet.transportId,
      packet.connectionId !== undefined ? `/${packet.connectionId}` : '',
      reason,
    );
    return 'dropped';
  }

  private rejectFirstFrame(now: number, conn: TcpConnection, reason: string): void {
    if (conn.origin === 'connect') rejectNonStunReply(this.ctx, now, conn);
    else this.ctx.closeConnection(conn.id, `${reason} (RFC 6544 §7.2)`);
    this.runDue(now);
  }

  /** Everything due at `now`: transactions, TCP timers, consent, keepalives, nomination, the pacer, then checklist states. */
  private runDue(now: number): void {
    const ctx = this.ctx;
    if (ctx.closed) return;
    processTransactionTimers(ctx, now);
    ctx.dataRoutes.expire(now);
    processTcpTimers(ctx, now);
    processConsent(ctx, now);
    processKeepalives(ctx, now);
    maybeNominate(ctx, now);
    const next = ctx.pacer.tick(now, ctx.checklists, (p) => checkEligible(ctx, p), this.setState);
    if (next !== undefined) startCheck(ctx, now, next);
    updateChecklistStates(ctx, now);
  }
}
