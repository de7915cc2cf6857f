/**
 * A libwebrtc RTCPeerConnection (@roamhq/wrtc) in a child process, driven
 * from a test: offer/answer, trickled candidates, states, getStats() and the
 * selected candidate pair, data channels. The child is wrtc-child.ts; it runs
 * inside a LoopbackNamespace (netns.ts) so that libwebrtc, which gathers on
 * every interface, sees only loopback. Whatever talks to it (our `ice-tcp
 * peer`, an agent in a child script, tcpdump) must run in the same namespace.
 *
 * `wrtcUnavailable()` says why the package cannot load here.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { LoopbackNamespace } from './netns.js';

const CHILD = fileURLToPath(new URL('./wrtc-child.js', import.meta.url));

/** An SDP description as RTCPeerConnection takes and gives it. */
export interface SessionDescription {
  type: 'offer' | 'answer' | 'pranswer' | 'rollback';
  sdp: string;
}

/** One candidate as getStats() describes it. */
export interface StatsCandidate {
  address: string;
  port: number;
  protocol: 'udp' | 'tcp';
  candidateType: string;
  tcpType?: string;
  priority?: number;
}

/** The transport's selected pair as getStats() shows it. */
export interface SelectedPair {
  state: string;
  nominated: boolean;
  local: StatsCandidate;
  remote: StatsCandidate;
  /** STUN checks (consent included) received on the pair, and responses to its own. */
  requestsReceived?: number;
  responsesReceived?: number;
  /** The transport's own ICE state and role ('controlling' | 'controlled'), and its DTLS state. */
  iceState?: string;
  iceRole?: string;
  dtlsState?: string;
}

/** Events: 'candidate' (string | null, the a=candidate value without "a="), 'iceconnectionstate',
 * 'connectionstate', 'gatheringstate' (string), 'channelopen' (label), 'message' (label, Buffer), 'exit'. */
export class WrtcPeer extends EventEmitter {
  readonly child: ChildProcess;
  readonly candidates: string[] = [];
  iceConnectionState = 'new';
  connectionState = 'new';
  gatheringState = 'new';
  stderr = '';
  #nextId = 1;
  #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #exited = false;

  private constructor(child: ChildProcess) {
    super();
    this.child = child;
    let partial = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop()!;
      for (const line of parts) if (line.trim() !== '') this.#onLine(line);
    });
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      this.stderr = (this.stderr + s).slice(-20_000);
    });
    child.on('exit', (code, signal) => {
      this.#exited = true;
      for (const { reject } of this.#pending.values())
        reject(new Error(`wrtc child exited (${code ?? signal}): ${this.stderr.slice(-2000)}`));
      this.#pending.clear();
      this.emit('exit', code, signal);
    });
  }

  /** Starts a peer connection with `config` (an RTCConfiguration) in `ns`. */
  static start(ns: LoopbackNamespace, config: Record<string, unknown> = {}): WrtcPeer {
    return new WrtcPeer(ns.spawn(process.execPath, [CHILD, JSON.stringify(config)]));
  }

  #onLine(line: string): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.stderr += `\n[stdout, not JSON] ${line}`;
      return;
    }
    if (typeof message.id === 'number') {
      const waiter = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (waiter === undefined) return;
      if (message.ok === true) waiter.resolve(message.result);
      else waiter.reject(new Error(`wrtc: ${String(message.error)}`));
      return;
    }
    switch (message.event) {
      case 'icecandidate': {
        const c = message.candidate as { candidate: string } | null;
        const value = c === null || c.candidate === '' ? null : c.candidate.replace(/^a=/, '');
        if (value !== null) this.candidates.push(value);
        this.emit('candidate', value);
        break;
      }
      case 'iceconnectionstatechange':
        this.iceConnectionState = String(message.state);
        this.emit('iceconnectionstate', this.iceConnectionState);
        break;
      case 'connectionstatechange':
        this.connectionState = String(message.state);
        this.emit('connectionstate', this.connectionState);
        break;
      case 'icegatheringstatechange':
        this.gatheringState = String(message.state);
        this.emit('gatheringstate', this.gatheringState);
        break;
      case 'channelopen':
      case 'channelclose':
      case 'datachannel':
        this.emit(message.event, message.label);
        break;
      case 'channelmessage':
        this.emit('message', message.label, Buffer.from(String(message.base64), 'base64'));
        break;
      default:
        this.emit('child-event', message);
    }
  }

  #call<T>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    if (this.#exited) return Promise.reject(new Error(`wrtc child has exited: ${this.stderr.slice(-2000)}`));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.stdin!.write(`${JSON.stringify({ id, op, ...args })}\n`);
    });
  }

  createOffer(): Promise<SessionDescription> {
    return this.#call('createOffer');
  }
  createAnswer(): Promise<SessionDescription> {
    return this.#call('createAnswer');
  }
  /** Sets the local description (the implicit one when omitted); returns localDescription. */
  setLocalDescription(description?: SessionDescription): Promise<SessionDescription> {
    return this.#call('setLocalDescription', description === undefined ? {} : { description });
  }
  /** The current local description (with the candidates gathered so far). */
  localDescription(): Promise<SessionDescription | null> {
    return this.#call('localDescription');
  }
  setRemoteDescription(description: SessionDescription): Promise<void> {
    return this.#call('setRemoteDescription', { description });
  }
  /** Adds a remote candidate (`candidate:…` value, sdpMid defaults to "0"). */
  addIceCandidate(candidate: string, sdpMid = '0'): Promise<void> {
    return this.#call('addIceCandidate', { candidate: { candidate: candidate.replace(/^a=/, ''), sdpMid, sdpMLineIndex: 0 } });
  }
  getStats(): Promise<Record<string, unknown>[]> {
    return this.#call('getStats');
  }
  /**
   * The selected candidate pair from getStats() (the transport's
   * selectedCandidatePairId), or null. Use its iceState rather than
   * iceConnectionState: libwebrtc's peer-level state waits for DTLS in some
   * roles.
   */
  selectedPair(): Promise<SelectedPair | null> {
    return this.#call('selectedPair');
  }
  createDataChannel(label: string, options: Record<string, unknown> = {}): Promise<void> {
    return this.#call('createDataChannel', { label, options });
  }
  send(label: string, data: Uint8Array): Promise<void> {
    return this.#call('send', { label, base64: Buffer.from(data).toString('base64') });
  }

  /** Resolves once all local candidates were gathered. */
  gathered(timeoutMs = 10_000): Promise<string[]> {
    return this.#until(() => this.gatheringState === 'complete', 'gatheringstate', timeoutMs, 'gathering complete').then(
      () => this.candidates,
    );
  }

  /** Resolves when iceConnectionState is one of `states` (rejects on 'failed' unless asked for). */
  iceState(states: readonly string[], timeoutMs = 20_000): Promise<string> {
    return this.#until(
      () => states.includes(this.iceConnectionState) || this.iceConnectionState === 'failed',
      'iceconnectionstate',
      timeoutMs,
      `ICE state ${states.join('|')}`,
    ).then(() => {
      if (!states.includes(this.iceConnectionState)) throw new Error(`wrtc ICE state ${this.iceConnectionState}`);
      return this.iceConnectionState;
    });
  }

  /** Resolves when connectionState is one of `states` (rejects on 'failed' unless asked for). */
  peerState(states: readonly string[], timeoutMs = 20_000): Promise<string> {
    return this.#until(
      () => states.includes(this.connectionState) || this.connectionState === 'failed',
      'connectionstate',
      timeoutMs,
      `connection state ${states.join('|')}`,
    ).then(() => {
      if (!states.includes(this.connectionState)) throw new Error(`wrtc connection state ${this.connectionState}`);
      return this.connectionState;
    });
  }

  #until(done: () => boolean, event: string, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (done()) return resolve();
      const check = (): void => {
        if (!done()) return;
        cleanup();
        resolve();
      };
      const onExit = (): void => {
        cleanup();
        reject(new Error(`wrtc child exited before ${what}: ${this.stderr.slice(-2000)}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${what} within ${timeoutMs} ms (ice ${this.iceConnectionState}, connection ${this.connectionState})`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.off(event, check);
        this.off('exit', onExit);
      };
      this.on(event, check);
      this.on('exit', onExit);
    });
  }

  /** Closes the connection and waits for the child to exit (killed after 3 s). */
  async close(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}

/** Why @roamhq/wrtc cannot be loaded here (not installed, no prebuilt binary for this platform), or undefined. */
export function wrtcUnavailable(): string | undefined {
  try {
    createRequire(import.meta.url).resolve('@roamhq/wrtc');
  } catch {
    return '@roamhq/wrtc is not installed (npm install: it is an optional dev dependency)';
  }
  try {
    execFileSync(process.execPath, ['-e', "require('@roamhq/wrtc')"], {
      stdio: 'pipe',
      cwd: fileURLToPath(new URL('../../../', import.meta.url)),
    });
  } catch (error) {
    return `@roamhq/wrtc does not load here: ${(error as { stderr?: Buffer }).stderr?.toString().split('\n')[0] ?? String(error)}`;
  }
  return undefined;
}
