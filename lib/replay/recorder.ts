/**
 * The recorder: an {@link IceCoreApi} that wraps a real core, forwards every
 * call and writes down each input (with its `now`), each polled output, each
 * return value, and every random draw the core makes, so that
 * {@link replaySession} can feed the same inputs to a fresh core and check
 * that it does exactly the same.
 */
import createDebug from 'debug';
import { IceCore } from '../ice/index.js';
import type {
  ConnectionCommand,
  ConnectionEvent,
  IceCoreApi,
  IceCoreOptions,
  IceCredentials,
  IceEvent,
  IceState,
  LocalCandidateInit,
  PacketDisposition,
  PacketInput,
  PairInfo,
  Transmit,
} from '../ice/types.js';
import type { Candidate } from '../candidate/index.js';
import {
  RECORDING_FORMAT,
  RECORDING_VERSION,
  THIS_PRODUCER,
  type RecordedCall,
  type RecordedCallName,
  type RecordedThrow,
  type SessionRecording,
} from './format.js';
import { RecordingRandomSource } from './recorded-random.js';
import { encodeValue, type EncodedValue } from './values.js';

const log = createDebug('ice-tcp:replay');

/** Makes a core from options; the default is `new IceCore(options)`. */
export type CoreFactory = (options: IceCoreOptions) => IceCoreApi;

/** The default core factory. */
export const defaultCoreFactory: CoreFactory = (options) => new IceCore(options);

/** Options of a {@link RecordingCore}. */
export interface RecordingCoreOptions {
  /** How to make the wrapped core (default `new IceCore(options)`). */
  createCore?: CoreFactory;
  /** Free text stored in the recording. */
  description?: string;
}

/** Describes a thrown value for a recording. */
export function describeThrow(err: unknown): RecordedThrow {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? { name: err.name, code, message: err.message } : { name: err.name, message: err.message };
  }
  return { name: typeof err, message: String(err) };
}

const b64 = (draw: Uint8Array): string => Buffer.from(draw.buffer, draw.byteOffset, draw.byteLength).toString('base64');

/**
 * A core that records itself. Use it wherever an {@link IceCoreApi} goes;
 * `recording()` returns what happened so far.
 *
 * ```ts
 * const core = new RecordingCore({ controlling: true, random: cryptoRandom });
 * // … drive it …
 * fs.writeFileSync('session.json', serializeRecording(core.recording()));
 * ```
 */
export class RecordingCore implements IceCoreApi {
  /** The wrapped core. */
  readonly inner: IceCoreApi;
  private readonly options: EncodedValue;
  private readonly description: string | undefined;
  private readonly constructionDraws: string[] = [];
  private readonly calls: RecordedCall[] = [];
  private current: RecordedCall | undefined;

  constructor(options: IceCoreOptions, recorderOptions: RecordingCoreOptions = {}) {
    const { random, ...rest } = options;
    this.options = encodeValue(rest);
    this.description = recorderOptions.description;
    const recordingRandom = new RecordingRandomSource(random, (draw) => {
      if (this.current) (this.current.draws ??= []).push(b64(draw));
      else this.constructionDraws.push(b64(draw));
    });
    this.inner = (recorderOptions.createCore ?? defaultCoreFactory)({ ...options, random: recordingRandom });
    log('recording a core (controlling=%s)', options.controlling);
  }

  /** Number of calls recorded so far. */
  get callCount(): number {
    return this.calls.length;
  }

  /** The recording so far (a snapshot; later calls do not change it). */
  recording(): SessionRecording {
    const rec: SessionRecording = {
      format: RECORDING_FORMAT,
      version: RECORDING_VERSION,
      producer: { ...THIS_PRODUCER },
      options: this.options,
      constructionDraws: [...this.constructionDraws],
      calls: this.calls.slice(),
    };
    if (this.description !== undefined) rec.description = this.description;
    return rec;
  }

  get localCredentials(): IceCredentials {
    return this.inner.localCredentials;
  }

  get controlling(): boolean {
    return this.inner.controlling;
  }

  get state(): IceState {
    return this.inner.state;
  }

  addLocalCandidate(now: number, init: LocalCandidateInit): void {
    this.record('addLocalCandidate', [now, init], () => this.inner.addLocalCandidate(now, init));
  }

  setRemoteCredentials(now: number, credentials: IceCredentials & { lite?: boolean }): void {
    this.record('setRemoteCredentials', [now, credentials], () => this.inner.setRemoteCredentials(now, credentials));
  }

  addRemoteCandidate(now: number, candidate: Candidate): void {
    this.record('addRemoteCandidate', [now, candidate], () => this.inner.addRemoteCandidate(now, candidate));
  }

  endOfRemoteCandidates(now: number): void {
    this.record('endOfRemoteCandidates', [now], () => this.inner.endOfRemoteCandidates(now));
  }

  endOfLocalCandidates(now: number): void {
    this.record('endOfLocalCandidates', [now], () => this.inner.endOfLocalCandidates?.(now));
  }

  handlePacket(now: number, packet: PacketInput): PacketDisposition {
    return this.record('handlePacket', [now, packet], () => this.inner.handlePacket(now, packet));
  }

  handleConnection(now: number, event: ConnectionEvent): void {
    this.record('handleConnection', [now, event], () => this.inner.handleConnection(now, event));
  }

  handleTimeout(now: number): void {
    this.record('handleTimeout', [now], () => this.inner.handleTimeout(now));
  }

  handleDataSent(now: number, component: number): void {
    this.record('handleDataSent', [now, component], () => this.inner.handleDataSent?.(now, component));
  }

  restart(now: number, credentials?: IceCredentials): IceCredentials {
    const args: unknown[] = credentials === undefined ? [now] : [now, credentials];
    return this.record('restart', args, () => this.inner.restart(now, credentials));
  }

  close(now: number): void {
    this.record('close', [now], () => this.inner.close(now));
  }

  pollTransmit(): Transmit | undefined {
    return this.record('pollTransmit', undefined, () => this.inner.pollTransmit());
  }

  pollConnectionCommand(): ConnectionCommand | undefined {
    return this.record('pollConnectionCommand', undefined, () => this.inner.pollConnectionCommand());
  }

  pollEvent(): IceEvent | undefined {
    return this.record('pollEvent', undefined, () => this.inner.pollEvent());
  }

  pollTimeout(): number | undefined {
    const previous = this.calls.at(-1);
    const result = this.record('pollTimeout', undefined, () => this.inner.pollTimeout());
    // A pure query: a repeat of the previous call with the same answer and no draws adds nothing.
    const entry = this.calls.at(-1)!;
    if (previous?.call === 'pollTimeout' && !previous.draws && !entry.draws && previous.result === entry.result) this.calls.pop();
    return result;
  }

  /** Diagnostics only: not recorded (it changes nothing). */
  pairs(): PairInfo[] {
    return this.inner.pairs();
  }

  private record<T>(call: RecordedCallName, args: unknown[] | undefined, fn: () => T): T {
    const entry: RecordedCall = { call };
    // Arguments are encoded before the call, in case the core keeps and changes them.
    if (args) entry.args = args.map(encodeValue);
    this.current = entry;
    try {
      const result = fn();
      if (result !== undefined) entry.result = encodeValue(result);
      return result;
    } catch (err) {
      entry.threw = describeThrow(err);
      throw err;
    } finally {
      this.current = undefined;
      this.calls.push(entry);
    }
  }
}
