/**
 * The session-recording fixture format (JSON, versioned).
 *
 * ```json
 * {
 *   "format": "ice-tcp/session-recording",
 *   "version": 4,
 *   "producer": { "name": "ice-tcp", "version": "0.1.0" },
 *   "description": "…",
 *   "options": { "controlling": true, "tieBreaker": { "$bigint": "…" } },
 *   "constructionDraws": ["<base64>", …],
 *   "calls": [
 *     { "call": "addRemoteCandidate", "args": [20, { … }] },
 *     { "call": "handlePacket", "args": [31, { "data": { "$bytes": "…" }, … }], "result": "stun", "draws": ["…"] },
 *     { "call": "pollTransmit", "result": { … } },
 *     …
 *   ]
 * }
 * ```
 *
 * `producer` names the library and version that recorded it (for people:
 * the replay does not depend on it). `version` is the format's version: a
 * recording of another format version is refused with
 * `ERR_REPLAY_UNSUPPORTED_VERSION` rather than replayed wrongly. Version 1
 * (0.1.0 before record/replay was public) had no `producer`. Version 2
 * recordings are still read (legacy-v2.ts): they name the connection-command
 * poll `pollConnect`, record data as `"data"` without its component and
 * `close` commands without their `transportId`; a replay compares the
 * outputs in those terms. Version 4 added the `handleDataSent` input (RFC
 * 7675 §5.1: consent follows application data, `consent.whenIdle`):
 * version 2 and 3 recordings come from cores that kept consent checks
 * running on idle pairs and did not hear of application sends, so they
 * replay with `consent.whenIdle: 'maintain'` unless their options say
 * otherwise (format.ts {@link optionsForReplay}).
 *
 * `options` are the core's options without `random`; every random draw the
 * core made is kept, base64, with the call it was made in (or in
 * `constructionDraws`). Values use the encoding of {@link encodeValue}. One
 * call per line when serialized, so fixtures diff well.
 */
import { LIBRARY_NAME, LIBRARY_VERSION } from '../version.js';
import { ReplayError } from './replay-errors.js';
import type { EncodedValue } from './values.js';
import { renameLegacyCall } from './legacy-v2.js';

/** The `format` field of every recording. */
export const RECORDING_FORMAT = 'ice-tcp/session-recording';
/** The format version this library writes (and reads, with {@link READABLE_VERSIONS}). */
export const RECORDING_VERSION = 4;
/** Format versions this library replays: the current one, 3, and version 2 (legacy-v2.ts). */
export const READABLE_VERSIONS: readonly number[] = [2, 3, RECORDING_VERSION];

/** Who wrote a recording. */
export interface RecordingProducer {
  name: string;
  version: string;
}

/** The producer this library writes into recordings. */
export const THIS_PRODUCER: RecordingProducer = { name: LIBRARY_NAME, version: LIBRARY_VERSION };

/** Core methods that take input (the first argument is always `now`). */
export const INPUT_CALLS = [
  'addLocalCandidate',
  'setRemoteCredentials',
  'addRemoteCandidate',
  'endOfRemoteCandidates',
  'endOfLocalCandidates',
  'handlePacket',
  'handleConnection',
  'handleTimeout',
  'handleDataSent',
  'restart',
  'close',
] as const;

/** Core methods that produce output (polled, no arguments). */
export const POLL_CALLS = ['pollTransmit', 'pollConnectionCommand', 'pollEvent', 'pollTimeout'] as const;

/** Name of a recorded core method. */
export type RecordedCallName = (typeof INPUT_CALLS)[number] | (typeof POLL_CALLS)[number];

/** An exception a recorded call threw. */
export interface RecordedThrow {
  name: string;
  code?: string;
  message: string;
}

/** One call on the core: its arguments, what it returned or threw, and the random draws it made. */
export interface RecordedCall {
  call: RecordedCallName;
  /** Encoded arguments (input calls only). */
  args?: EncodedValue[];
  /** Encoded return value (absent for void calls that returned nothing). */
  result?: EncodedValue;
  threw?: RecordedThrow;
  /** Random draws made during this call, base64, in order. */
  draws?: string[];
}

/** A whole recorded session of one core. */
export interface SessionRecording {
  format: typeof RECORDING_FORMAT;
  /** {@link RECORDING_VERSION}, or 3, or 2 for a version-2 recording (read as described in legacy-v2.ts). */
  version: typeof RECORDING_VERSION | 3 | 2;
  /** The library and version that recorded it. */
  producer: RecordingProducer;
  /** Free text: what the session is. */
  description?: string;
  /** The core's options without `random`, encoded. */
  options: EncodedValue;
  /** Draws made while the core was constructed. */
  constructionDraws: string[];
  calls: RecordedCall[];
}

const CALL_NAMES = new Set<string>([...INPUT_CALLS, ...POLL_CALLS]);
const INPUTS = new Set<string>(INPUT_CALLS);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Serializes a recording as JSON, one call per line. */
export function serializeRecording(recording: SessionRecording): string {
  const { calls, ...head } = recording;
  const headJson = JSON.stringify(head, null, 2);
  const body = calls.map((c) => `    ${JSON.stringify(c)}`).join(',\n');
  return `${headJson.slice(0, -2)},\n  "calls": [\n${body}\n  ]\n}\n`;
}

function bad(message: string): never {
  throw new ReplayError('ERR_REPLAY_BAD_FORMAT', message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function checkDraws(v: unknown, where: string): string[] {
  if (!Array.isArray(v) || !v.every((d) => typeof d === 'string' && BASE64.test(d)))
    bad(`${where}: draws must be an array of base64 strings`);
  return v as string[];
}

/**
 * Parses and checks a recording (JSON text or an already parsed object).
 *
 * @throws ReplayError `ERR_REPLAY_BAD_FORMAT` for invalid JSON or a wrong
 *   shape; `ERR_REPLAY_UNSUPPORTED_VERSION` for another format version.
 */
export function parseRecording(input: unknown): SessionRecording {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (err) {
      throw new ReplayError('ERR_REPLAY_BAD_FORMAT', `recording is not JSON: ${(err as Error).message}`, { cause: err });
    }
  }
  if (!isObject(value)) bad('recording must be a JSON object');
  if (value.format !== RECORDING_FORMAT) bad(`format must be "${RECORDING_FORMAT}", got ${JSON.stringify(value.format)}`);
  if (typeof value.version !== 'number' || !READABLE_VERSIONS.includes(value.version)) {
    const v = value.version;
    const by = isObject(value.producer) ? ` by ${String(value.producer.name)} ${String(value.producer.version)}` : '';
    const age = typeof v === 'number' && v < RECORDING_VERSION ? 'an older' : typeof v === 'number' ? 'a newer' : 'an unknown';
    throw new ReplayError(
      'ERR_REPLAY_UNSUPPORTED_VERSION',
      `recording format version ${JSON.stringify(v)}${by} is ${age} format than this library's (${LIBRARY_NAME} ${LIBRARY_VERSION} reads versions ${READABLE_VERSIONS.join(', ')}): record the session again with this version`,
    );
  }
  if (!isObject(value.producer) || typeof value.producer.name !== 'string' || typeof value.producer.version !== 'string') {
    bad('producer must be { name, version } strings');
  }
  if (value.description !== undefined && typeof value.description !== 'string') bad('description must be a string');
  if (!isObject(value.options) || typeof value.options.controlling !== 'boolean')
    bad('options must be an object with a boolean "controlling"');
  checkDraws(value.constructionDraws, 'constructionDraws');
  if (!Array.isArray(value.calls)) bad('calls must be an array');
  const legacy = value.version === 2;
  const calls = value.calls.map((entry: unknown, i: number) => {
    if (!isObject(entry)) bad(`calls[${i}] must be an object`);
    const c = legacy ? renameLegacyCall(entry) : entry;
    if (typeof c.call !== 'string' || !CALL_NAMES.has(c.call)) bad(`calls[${i}]: unknown call ${JSON.stringify(c.call)}`);
    if (INPUTS.has(c.call)) {
      if (!Array.isArray(c.args) || typeof c.args[0] !== 'number') bad(`calls[${i}] (${c.call}): args must be an array starting with now`);
    } else if (c.args !== undefined) {
      bad(`calls[${i}] (${c.call}): a poll takes no args`);
    }
    if (c.draws !== undefined) checkDraws(c.draws, `calls[${i}]`);
    if (c.threw !== undefined && (!isObject(c.threw) || typeof c.threw.message !== 'string' || typeof c.threw.name !== 'string')) {
      bad(`calls[${i}]: threw must be { name, message, code? }`);
    }
    return c;
  });
  return { ...value, calls } as unknown as SessionRecording;
}

/**
 * The core options a recording replays with: its own, and for version 2
 * and 3 recordings (made before `handleDataSent` existed, by cores that
 * always kept consent checks running) `consent.whenIdle: 'maintain'` unless
 * they name it.
 */
export function optionsForReplay(recording: SessionRecording, decoded: Record<string, unknown>): Record<string, unknown> {
  if (recording.version >= 4) return decoded;
  const consent = isObject(decoded.consent) ? decoded.consent : {};
  return { ...decoded, consent: { whenIdle: 'maintain', ...consent } };
}
