/**
 * The replayer: builds a fresh core from a recording's options, serves it
 * the recorded random draws, makes every recorded call again in order and
 * compares each result (transmits byte for byte, events, connection
 * commands, timeouts, dispositions, thrown errors) with the recording. The
 * first divergence is reported precisely: call index, method, `now`, the
 * path inside the value and both sides.
 */
import createDebug from 'debug';
import type { IceCoreApi, IceCoreOptions } from '../ice/types.js';
import { findDifference } from './compare.js';
import { inVersion2Terms } from './legacy-v2.js';
import { ReplayError } from './replay-errors.js';
import { optionsForReplay, parseRecording, type RecordedCall, type RecordedCallName, type SessionRecording } from './format.js';
import { ReplayDrawMismatch, ReplayRandomSource } from './recorded-random.js';
import { defaultCoreFactory, describeThrow, type CoreFactory } from './recorder.js';
import { decodeValue, encodeValue, type EncodedValue } from './values.js';

const log = createDebug('ice-tcp:replay');

/** Options of {@link replaySession}. */
export interface ReplayOptions {
  /** How to make the fresh core (default `new IceCore(options)`). */
  createCore?: CoreFactory;
  /**
   * Object keys whose values are not compared, at any depth: for fixtures
   * that should survive rewording of human-readable texts, e.g.
   * `['reason', 'message']`. Default: compare everything.
   */
  ignoreKeys?: readonly string[];
}

/** The first place where a replay differs from its recording. */
export interface ReplayDivergence {
  /** Index in `calls` (-1: while constructing the core). */
  index: number;
  call: RecordedCallName | 'constructor';
  /** The call's `now`, for inputs. */
  now?: number;
  /** Where in the result: e.g. `result.data[byte 34]`, `threw`, `random`. */
  path: string;
  expected: string;
  actual: string;
  /** All of the above in one line. */
  message: string;
}

/** The outcome of a replay. */
export interface ReplayResult {
  ok: boolean;
  /** Calls replayed (up to and including a divergent one). */
  callsReplayed: number;
  /** Transmits produced and found identical to the recorded ones. */
  transmitsCompared: number;
  divergence?: ReplayDivergence;
}

/** Thrown by {@link assertReplays}; carries the divergence. */
export class ReplayDivergenceError extends ReplayError {
  readonly divergence: ReplayDivergence;

  constructor(divergence: ReplayDivergence) {
    super('ERR_REPLAY_DIVERGENCE', divergence.message);
    this.divergence = divergence;
  }
}

function divergence(
  index: number,
  call: ReplayDivergence['call'],
  now: number | undefined,
  path: string,
  expected: string,
  actual: string,
): ReplayDivergence {
  const where = index < 0 ? 'constructing the core' : `call #${index} ${call}${now === undefined ? '()' : `(now=${now})`}`;
  return { index, call, now, path, expected, actual, message: `replay diverged at ${where}: ${path}: expected ${expected}, got ${actual}` };
}

function invoke(core: IceCoreApi, call: RecordedCallName, args: unknown[]): unknown {
  const method = (core as unknown as Record<string, (...a: unknown[]) => unknown>)[call];
  if (typeof method !== 'function') throw new ReplayError('ERR_REPLAY_BAD_FORMAT', `the core has no method ${call}`);
  return method.apply(core, args);
}

/** Compares what a call threw (or not) with the recording; returns the difference path and sides. */
function compareThrow(
  entry: RecordedCall,
  thrown: unknown,
  didThrow: boolean,
  ignore?: ReadonlySet<string>,
): [string, string, string] | undefined {
  const actual = didThrow ? describeThrow(thrown) : undefined;
  const expected = entry.threw;
  if (!expected && !actual) return undefined;
  const show = (t: typeof actual): string => (t ? `${t.name}${t.code ? ` ${t.code}` : ''}: ${t.message}` : 'no exception');
  const sameMessage = ignore?.has('message') || expected?.message === actual?.message;
  if (!expected || !actual || expected.name !== actual.name || expected.code !== actual.code || !sameMessage) {
    return ['threw', show(expected), show(actual)];
  }
  return undefined;
}

/**
 * Replays a recording on a fresh core and compares every output.
 *
 * @param recording a {@link SessionRecording} or its JSON text (checked with `parseRecording`)
 * @throws ReplayError `ERR_REPLAY_BAD_FORMAT` / `ERR_REPLAY_UNSUPPORTED_VERSION` for a bad recording
 */
export function replaySession(recording: SessionRecording | string, options: ReplayOptions = {}): ReplayResult {
  const rec = parseRecording(recording);
  const random = new ReplayRandomSource();
  random.load(rec.constructionDraws);
  const coreOptions = {
    ...optionsForReplay(rec, decodeValue(rec.options) as Record<string, unknown>),
    random,
  } as unknown as IceCoreOptions;
  let core: IceCoreApi;
  try {
    core = (options.createCore ?? defaultCoreFactory)(coreOptions);
  } catch (err) {
    const d = divergence(
      -1,
      'constructor',
      undefined,
      err instanceof ReplayDrawMismatch ? 'random' : 'threw',
      'a core',
      describeThrow(err).message,
    );
    return { ok: false, callsReplayed: 0, transmitsCompared: 0, divergence: d };
  }
  if (random.remaining > 0) {
    const d = divergence(
      -1,
      'constructor',
      undefined,
      'random',
      `${rec.constructionDraws.length} draws`,
      `${rec.constructionDraws.length - random.remaining} draws`,
    );
    return { ok: false, callsReplayed: 0, transmitsCompared: 0, divergence: d };
  }
  const ignore = options.ignoreKeys?.length ? new Set(options.ignoreKeys) : undefined;
  let transmits = 0;
  for (let i = 0; i < rec.calls.length; i++) {
    const entry = rec.calls[i];
    const args = (entry.args ?? []).map((a) => decodeValue(a));
    const now = typeof args[0] === 'number' ? args[0] : undefined;
    const fail = (path: string, expected: string, actual: string): ReplayResult => {
      const d = divergence(i, entry.call, now, path, expected, actual);
      log('%s', d.message);
      return { ok: false, callsReplayed: i + 1, transmitsCompared: transmits, divergence: d };
    };
    random.load(entry.draws ?? []);
    let result: unknown;
    let thrown: unknown;
    let didThrow = false;
    try {
      result = invoke(core, entry.call, args);
    } catch (err) {
      if (err instanceof ReplayDrawMismatch) return fail('random', `${entry.draws?.length ?? 0} draws`, err.message);
      thrown = err;
      didThrow = true;
    }
    const throwDiff = compareThrow(entry, thrown, didThrow, ignore);
    if (throwDiff) return fail(...throwDiff);
    if (random.remaining > 0) {
      const n = entry.draws?.length ?? 0;
      return fail('random', `${n} draws`, `${n - random.remaining} draws`);
    }
    const recorded = rec.version === 2 ? inVersion2Terms(entry.call, result) : result;
    const actual: EncodedValue | undefined = recorded === undefined ? undefined : encodeValue(recorded);
    const diff = findDifference(entry.result, actual, 'result', ignore);
    if (diff) return fail(diff.path, diff.expected, diff.actual);
    if (entry.call === 'pollTransmit' && entry.result !== undefined) transmits++;
  }
  log('replayed %d calls, %d transmits identical', rec.calls.length, transmits);
  return { ok: true, callsReplayed: rec.calls.length, transmitsCompared: transmits };
}

/**
 * Replays and throws on the first divergence.
 *
 * @throws ReplayDivergenceError (`ERR_REPLAY_DIVERGENCE`) describing it
 */
export function assertReplays(recording: SessionRecording | string, options: ReplayOptions = {}): ReplayResult {
  const result = replaySession(recording, options);
  if (result.divergence) throw new ReplayDivergenceError(result.divergence);
  return result;
}

/** A one-line description of a replay result, for logs and test messages. */
export function describeReplay(result: ReplayResult): string {
  return result.ok ? `replayed ${result.callsReplayed} calls, ${result.transmitsCompared} transmits identical` : result.divergence!.message;
}
