/**
 * One `ice-tcp peer` run: an {@link IceAgent} whose signalling is lines on
 * stdin/stdout (see peer-lines.ts for what is read, peer.ts for the
 * options), then the data phase (peer-transfer.ts), optionally through TLS
 * (peer-tls.ts). Diagnostics go to stderr; stdout carries only the lines of
 * the protocol, so that it can be fed to the other side as it is.
 */
import { createInterface, type Interface } from 'node:readline';
import createDebug from 'debug';
import { serializeCandidate } from '../candidate/index.js';
import { IceTcpError } from '../errors.js';
import type { PairInfo } from '../ice/index.js';
import { IceAgent, type IceAgentOptions, type IceConnection, type RoutePath } from '../net/index.js';
import { RecordingCore, serializeRecording } from '../replay/index.js';
import { SecureConnection, type DtlsConnection } from '../secure/index.js';
import { writeFileSync } from 'node:fs';
import { writeLine, type CommandIo } from './command.js';
import { ExitCode, describeError, usageError } from './cli-errors.js';
import { formatSendResult, type SendResult } from './peer-data.js';
import { parsePeerLine } from './peer-lines.js';
import { printable } from './printable.js';
import { pathLine, selectedTypesLine } from './pair-labels.js';
import { PeerTls } from './peer-tls.js';
import { PeerTransfer } from './peer-transfer.js';

const debug = createDebug('ice-tcp:cli');

/** How long closing may take before the command exits anyway. */
const CLOSE_GRACE_MS = 2000;

/**
 * After the data stalls, how long ICE has to say whether the path is down
 * (then the connection was lost, exit 4) or alive (a data problem, exit 3):
 * longer than the 10 s after which an unanswered consent makes the agent
 * `disconnected` (RFC 7675 §5.1), so that a dead peer is told apart alike
 * on every kind of pair (a TCP pair knows at once, UDP only by consent).
 */
export const STALL_VERDICT_MS = 11_000;

/** Agent states that say the path to the peer is down. */
const PATH_DOWN = new Set(['disconnected', 'failed']);

/** Everything `ice-tcp peer` was asked to do (validated by peer.ts). */
export interface PeerOptions {
  controlling: boolean;
  udp: boolean;
  tcp: false | { active: boolean; passive: boolean; so: boolean; passivePort?: number };
  /** The public address of a host behind a 1:1 NAT, advertised for UDP host and passive candidates. */
  announcedAddress?: string;
  addresses: string[];
  timeoutMs: number;
  echo: boolean;
  send: number;
  chunk: number;
  /** Most bytes the `--send` side keeps sent but not echoed (default 64 KiB). */
  window?: number;
  nomination: 'regular' | 'aggressive';
  trickle: boolean;
  ufrag?: string;
  pwd?: string;
  stunServers: string[];
  /** TURN servers (RTCIceServer-like) and their TLS CA. */
  turn?: { urls: string[]; username: string; credential: string; ca?: string; tcpRelays: boolean };
  /** iceTransportPolicy 'relay' (default false). */
  relayOnly?: boolean;
  tls: boolean;
  /** Write a session recording (lib/replay fixture) of the agent's core to this file when the run ends. */
  record?: string;
  /** Free text for the recording's description. */
  recordDescription?: string;
  /** DTLS over the selected pair (UDP or ICE-TCP) with the same fingerprint/setup lines as `tls`. */
  dtls?: boolean;
  /** Our setup value (default actpass when controlling, active when controlled). */
  setup?: 'actpass' | 'active' | 'passive';
  /** S-O connect retries (RFC 6544 §7.1); see {@link LOOPBACK_SO_RETRY}. */
  soRetry?: { initialMs: number; maxMs: number; maxAttempts: number };
}

/**
 * S-O retries for loopback: there the early SYN meets a RST at once, and the
 * two SYNs cross only if both connects are in flight together, so retry
 * every millisecond (cheap on loopback) until the pair's checks end.
 */
export const LOOPBACK_SO_RETRY = { initialMs: 1, maxMs: 1, maxAttempts: 100_000 };

/** 127.0.0.0/8 and ::1. */
export function isLoopback(address: string): boolean {
  return /^127\./.test(address) || address === '::1';
}

/** One peer run. */
export class PeerSession {
  readonly #options: PeerOptions;
  readonly #io: CommandIo;
  readonly #abort = new AbortController();
  #agent!: IceAgent;
  #recorder: RecordingCore | undefined;
  /**
   * Component 1's data path. Until TLS (or the transfer) listens, it holds
   * what arrives (bounded): the peer may start TLS the instant its side
   * selects the pair, before ours has, and on a TCP pair that first flight
   * is never sent again.
   */
  #connection!: IceConnection;
  #tls: PeerTls | undefined;
  #secure: SecureConnection | DtlsConnection | undefined;
  #transfer: PeerTransfer | undefined;
  #lines: Interface | undefined;
  #timer: NodeJS.Timeout | undefined;
  // Signalling from the peer.
  #remoteUfrag: string | undefined;
  #remotePwd: string | undefined;
  #remoteCandidates: string[] = [];
  #remoteEnded = false;
  #checksStartedAt: number | undefined;
  readonly #startedAt = performance.now();
  // Completion.
  #connected = false;
  #lastPath: string | undefined;
  #localDone = false;
  #peerDone = false;
  #stdinEnded = false;
  #dataProblem: string | undefined;
  /** A stall waiting for ICE's verdict ({@link STALL_VERDICT_MS}). */
  #stall: { reason: string; timer: NodeJS.Timeout } | undefined;
  #finished = false;
  #resolve!: (code: number) => void;

  constructor(options: PeerOptions, io: CommandIo) {
    this.#options = options;
    this.#io = io;
  }

  /** Runs until `result …` and resolves with the exit code. */
  async run(): Promise<number> {
    const o = this.#options;
    const agentOptions: IceAgentOptions = {
      controlling: o.controlling,
      udp: o.udp,
      tcp: o.tcp === false ? false : { ...o.tcp, ...(o.soRetry !== undefined ? { soRetry: o.soRetry } : {}) },
      addresses: o.addresses,
      nomination: o.nomination,
      stunServers: o.stunServers,
      ...(o.turn !== undefined
        ? {
            iceServers: [{ urls: o.turn.urls, username: o.turn.username, credential: o.turn.credential }],
            turn: { tcpRelays: o.turn.tcpRelays, ...(o.turn.ca !== undefined ? { tls: { ca: o.turn.ca } } : {}) },
          }
        : {}),
      ...(o.relayOnly === true ? { iceTransportPolicy: 'relay' as const } : {}),
      ...(o.announcedAddress !== undefined ? { announcedAddress: o.announcedAddress } : {}),
      software: 'ice-tcp peer',
      // TLS needs a TCP pair: rank TCP candidates first (RFC 6544 §4.2).
      preferTcp: o.tls,
      ...(o.ufrag !== undefined ? { ufrag: o.ufrag, pwd: o.pwd } : {}),
      ...(o.record !== undefined
        ? {
            testing: {
              createCore: (coreOptions) =>
                (this.#recorder = new RecordingCore(coreOptions, {
                  description: o.recordDescription ?? `ice-tcp peer ${o.controlling ? 'controlling' : 'controlled'}`,
                })),
            },
          }
        : {}),
    };
    try {
      this.#agent = new IceAgent(agentOptions);
    } catch (error) {
      // Bad --ufrag/--pwd, --stun URL, --bind address: the agent names the option.
      if (error instanceof IceTcpError) throw usageError(error.message);
      throw error;
    }
    const result = new Promise<number>((resolve) => (this.#resolve = resolve));
    const agent = this.#agent;
    const connection = agent.connection(1);
    this.#connection = connection;
    // A later route (TCP reconnect, another selected pair) prints its path again.
    connection.on('route', () => {
      if (this.#connected) this.#printPath(connection.path);
    });
    if (o.tls) this.#tls = new PeerTls(o.controlling, 'tls', o.setup);
    else if (o.dtls === true) this.#tls = new PeerTls(o.controlling, 'dtls', o.setup);
    else this.#attachTransfer(connection);

    agent.on('candidate', (candidate) => this.#out(`a=${candidate.toSdp()}`));
    agent.on('state', (state: string) => this.#onState(state));
    agent.on('selected-pair', (pair: PairInfo) => this.#onSelected(pair));
    agent.on('warning', (warning) => this.#onAgentWarning(warning));
    agent.on('unusable-address', ({ address, reason }) => this.#diag(`no usable candidate on ${address}: ${reason}`));
    agent.on('restart', (_parameters: unknown, reason: string) => {
      // RFC 6544 §11.1 self-restart after the selected connection could not be
      // re-established: this command does not signal again, so the session is lost.
      void this.#finish(ExitCode.ConnectionLost, `connection lost: ice restarted (${reason})`);
    });

    const local = agent.localParameters;
    this.#out(`ufrag ${local.ufrag}`);
    this.#out(`pwd ${local.pwd}`);
    for (const line of this.#tls?.lines() ?? []) this.#out(line);

    this.#timer = setTimeout(() => this.#onTimeout(), o.timeoutMs);
    this.#lines = createInterface({ input: this.#io.stdin, crlfDelay: Infinity });
    this.#lines.on('line', (line) => this.#onLine(line));
    this.#lines.on('close', () => {
      this.#stdinEnded = true;
      debug('stdin ended');
      this.#maybeExit();
    });

    agent.gather().then(
      (candidates) => {
        if (candidates.length === 0) this.#diag('no local candidate was gathered (check --bind, --udp, --tcp)');
        this.#out('gathering-done');
        this.#out('end-of-candidates');
      },
      (error: unknown) => void this.#finish(ExitCode.Failed, `gathering failed: ${describeError(error)}`),
    );
    return result;
  }

  #out(line: string): void {
    if (!this.#finished) writeLine(this.#io.stdout, line);
  }

  /** One diagnostic line on stderr; what it quotes of the peer is escaped and bounded. */
  #diag(line: string): void {
    writeLine(this.#io.stderr, `ice-tcp peer: ${printable(line, 600)}`);
  }

  /**
   * `--timeout` bounds the time to get done; once done it no longer counts.
   * A stall already waiting for ICE's verdict is reported as what it turns out to be.
   */
  #onTimeout(): void {
    if (this.#localDone || this.#finished) return;
    if (this.#stall === undefined) void this.#finish(ExitCode.Timeout, 'timeout');
  }

  #onAgentWarning(error: Error): void {
    this.#diag(`agent: ${describeError(error)}`);
    // The checklist failed: no pair can be selected, even if one is valid and
    // the agent still reports a state other than failed (RFC 8445 §7.2.5.4).
    if (error instanceof IceTcpError && error.code === 'ERR_ICE_CHECKLIST_FAILED' && !this.#connected) {
      // After the events of the same pass (a 'state failed' is printed first when it comes).
      process.nextTick(() => {
        if (!this.#connected) void this.#finish(ExitCode.Failed, `ice failed: ${error.message}`);
      });
    }
  }

  #onLine(raw: string): void {
    if (this.#finished) return;
    const line = parsePeerLine(raw);
    try {
      switch (line.kind) {
        case 'ufrag':
        case 'pwd': {
          const current = line.kind === 'ufrag' ? this.#remoteUfrag : this.#remotePwd;
          if (current !== undefined && current !== line.value) {
            this.#diag(`ignores a new remote ${line.kind}: ICE restarts are not supported here`);
            return;
          }
          if (line.kind === 'ufrag') this.#remoteUfrag = line.value;
          else this.#remotePwd = line.value;
          this.#maybeStartChecks();
          return;
        }
        case 'candidate':
          if (this.#checksStartedAt !== undefined) this.#addRemoteCandidate(line.value);
          else this.#remoteCandidates.push(line.value);
          this.#maybeStartChecks();
          return;
        case 'end-of-candidates':
          if (this.#remoteEnded) return;
          this.#remoteEnded = true;
          if (this.#checksStartedAt !== undefined) this.#agent.endOfRemoteCandidates();
          else this.#maybeStartChecks();
          return;
        case 'done':
          this.#peerDone = true;
          this.#maybeExit();
          return;
        case 'fingerprint':
          this.#tls?.addRemoteFingerprint(line.value);
          return;
        case 'setup':
          this.#tls?.setRemoteSetup(line.value);
          return;
        case 'peer-failed':
          // The peer gave up before a pair was selected: ICE cannot complete,
          // and this side reports the same kind of failure (a peer that timed
          // out: a timeout here too). Later, this side's own checks (stall,
          // consent, TLS) tell what failed here.
          if (this.#connected) return;
          if (line.reason === 'timeout') void this.#finish(ExitCode.Timeout, 'timeout');
          else void this.#finish(ExitCode.Failed, `ice failed: the peer gave up (${printable(line.reason)})`);
          return;
        case 'ignored':
          return;
      }
    } catch (error) {
      if (line.kind === 'fingerprint' || line.kind === 'setup') {
        void this.#finish(ExitCode.DataProblem, `bad ${line.kind} line: ${printable(describeError(error))}`);
      } else {
        void this.#finish(ExitCode.Failed, `bad remote ${line.kind}: ${printable(describeError(error))}`);
      }
    }
  }

  #addRemoteCandidate(line: string): void {
    try {
      this.#agent.addRemoteCandidate(line);
    } catch (error) {
      // A line we cannot parse is the peer's problem, not a reason to stop (RFC 8839 §5.1).
      this.#diag(`ignores a remote candidate: ${printable(describeError(error))}: ${printable(line)}`);
    }
  }

  /**
   * Gives the agent the peer's credentials and candidates: at
   * `end-of-candidates`, or with `--trickle` as soon as the credentials are
   * known (then each candidate as it comes).
   */
  #maybeStartChecks(): void {
    if (this.#checksStartedAt !== undefined || this.#remoteUfrag === undefined || this.#remotePwd === undefined) return;
    if (!this.#options.trickle && !this.#remoteEnded) return;
    this.#agent.setRemoteParameters({ ufrag: this.#remoteUfrag, pwd: this.#remotePwd });
    this.#checksStartedAt = performance.now();
    const buffered = this.#remoteCandidates;
    this.#remoteCandidates = [];
    for (const line of buffered) this.#addRemoteCandidate(line);
    if (this.#remoteEnded) this.#agent.endOfRemoteCandidates();
    debug('checks start with %d remote candidates', buffered.length);
  }

  #onState(state: string): void {
    this.#out(`state ${state}`);
    if (this.#stall !== undefined && PATH_DOWN.has(state)) {
      void this.#finish(ExitCode.ConnectionLost, `connection lost: ${this.#stall.reason} and ice is ${state}`);
      return;
    }
    if (state !== 'failed') return;
    // Before a pair was selected ICE could not connect; after, the connection was lost (consent, reconnect).
    if (this.#connected) void this.#finish(ExitCode.ConnectionLost, 'connection lost: ice failed');
    else void this.#finish(ExitCode.Failed, 'ice failed');
  }

  /**
   * The sender's echoes stalled. A path ICE reports down means the
   * connection was lost (exit 4); one ICE still reports alive after
   * {@link STALL_VERDICT_MS} means the data itself is stuck (exit 3).
   */
  #onStall(reason: string): void {
    const state = this.#agent.state;
    if (PATH_DOWN.has(state)) {
      void this.#finish(ExitCode.ConnectionLost, `connection lost: ${reason} and ice is ${state}`);
      return;
    }
    debug('%s; waiting up to %d ms for ice to tell a lost path from stuck data', reason, STALL_VERDICT_MS);
    const timer = setTimeout(() => void this.#finish(ExitCode.DataProblem, `${reason} while ice reports the path alive`), STALL_VERDICT_MS);
    this.#stall = { reason, timer };
  }

  #onSelected(pair: PairInfo): void {
    if (pair.component !== 1) return;
    this.#out(`selected a=${serializeCandidate(pair.local)} a=${serializeCandidate(pair.remote)}`);
    this.#out(selectedTypesLine(pair));
    this.#printPath(this.#agent.connection(1).path);
    if (this.#connected) return;
    this.#connected = true;
    const since = this.#checksStartedAt ?? this.#startedAt;
    this.#out(`connected-ms ${Math.round(performance.now() - since)}`);
    // The runtime moves the data route before it announces 'selected-pair'
    // (lib/net/agent/runtime.ts), so data sent from here already takes this pair.
    if (this.#tls !== undefined) void this.#startTls(pair);
    else this.#startData();
  }

  /** `path …` when the data path's 5-tuple changed since it was last printed. */
  #printPath(path: RoutePath | undefined): void {
    if (path === undefined) return;
    const line = pathLine(path);
    if (line === this.#lastPath) return;
    this.#lastPath = line;
    this.#out(line);
  }

  #attachTransfer(conn: IceConnection | SecureConnection | DtlsConnection): void {
    const o = this.#options;
    this.#transfer = new PeerTransfer(
      conn,
      { echo: o.echo, send: o.send, chunk: o.chunk, ...(o.window !== undefined ? { window: o.window } : {}) },
      {
        onComplete: (result) => this.#onSent(result),
        onProblem: (reason, result, kind) => {
          this.#out(formatSendResult(result));
          if (kind === 'stall') this.#onStall(reason);
          else void this.#finish(ExitCode.DataProblem, reason);
        },
      },
    );
  }

  #startData(): void {
    const transfer = this.#transfer!;
    transfer.start();
    if (!transfer.sending) this.#markDone();
  }

  #onSent(result: SendResult): void {
    this.#out(formatSendResult(result));
    if (result.corruptChunks > 0) this.#dataProblem = `corrupt data: ${result.corruptChunks} echoed packets differ`;
    this.#markDone();
  }

  async #startTls(pair: PairInfo): Promise<void> {
    const tls = this.#tls!;
    if (tls.kind === 'tls' && pair.local.transport !== 'tcp') {
      await this.#finish(ExitCode.DataProblem, 'tls needs a TCP pair and a UDP pair was selected (use --dtls)');
      return;
    }
    const missing = tls.missing();
    if (missing !== undefined) {
      await this.#finish(ExitCode.DataProblem, `${tls.kind} cannot start: ${missing}`);
      return;
    }
    try {
      const role = tls.role();
      // TLS listens from here on: the connection hands it what came early.
      const secure = await tls.secure(this.#connection, role, this.#abort.signal);
      if (this.#finished) {
        secure.close();
        return;
      }
      this.#secure = secure;
      if (secure instanceof SecureConnection) {
        this.#out(`tls role=${role} version=${secure.protocol} cipher=${secure.tlsSocket.getCipher().name}`);
      } else {
        this.#out(`dtls role=${role} version=DTLSv1.2 cipher=${secure.cipherSuite ?? '?'} transport=${secure.transport}`);
      }
      this.#attachTransfer(secure);
      this.#startData();
    } catch (error) {
      await this.#finish(ExitCode.DataProblem, `${tls.kind} failed: ${describeError(error)}`);
    }
  }

  #markDone(): void {
    if (this.#localDone) return;
    this.#localDone = true;
    clearTimeout(this.#timer); // --timeout bounds the time to get done, not the time after
    this.#out('done');
    this.#maybeExit();
  }

  /** The run ends once we are done and the peer is too (its `done`, or its output ended). */
  #maybeExit(): void {
    if (!this.#localDone || !(this.#peerDone || this.#stdinEnded)) return;
    if (this.#dataProblem !== undefined) void this.#finish(ExitCode.DataProblem, this.#dataProblem);
    else void this.#finish(ExitCode.Ok, 'ok');
  }

  #saveRecording(): void {
    if (this.#options.record === undefined || this.#recorder === undefined) return;
    try {
      const recording = this.#recorder.recording();
      writeFileSync(this.#options.record, serializeRecording(recording));
      this.#diag(`recorded ${recording.calls.length} core calls to ${this.#options.record}`);
    } catch (error) {
      this.#diag(`cannot write the recording: ${describeError(error)}`);
    }
  }

  async #finish(code: number, reason: string): Promise<void> {
    if (this.#finished) return;
    this.#out(code === ExitCode.Ok ? 'result ok' : `result fail ${printable(reason, 600)}`);
    this.#finished = true;
    if (code !== ExitCode.Ok) this.#diag(reason);
    clearTimeout(this.#timer);
    clearTimeout(this.#stall?.timer);
    this.#transfer?.stop();
    this.#abort.abort();
    this.#lines?.close();
    this.#io.stdin.pause();
    const closing = (async () => {
      this.#secure?.close();
      await this.#agent.close();
    })();
    const grace = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref());
    await Promise.race([closing.catch((error: unknown) => debug('close failed: %s', describeError(error))), grace]);
    this.#saveRecording();
    this.#resolve(code);
  }
}
