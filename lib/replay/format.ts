/**
 * The session-recording fixture format (JSON, versioned).
 *
 * ```json
 * {
 *   "format": "ice-tcp/session-recording",
 *   "version": 1,
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
 * `options` are the core's options without `random`; every random draw the
 * core made is kept, base64, with the call it was made in (or in
 * `constructionDraws`). Values use the encoding of {@link encodeValue}. One
 * call per line when serialized, so fixtures diff well.
 */
import { ReplayError } from './errors.js';
import type { EncodedValue } from './values.js';

/** The `format` field of every recording. */
export const RECORDING_FORMAT = 'ice-tcp/session-recording';
/** The format version this library writes and reads. */
export const RECORDING_VERSION = 1;

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
  'restart',
  'close',
] as const;

/** Core methods that produce output (polled, no arguments). */
export const POLL_CALLS = ['pollTransmit', 'pollConnect', 'pollEvent', 'pollTimeout'] as const;

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
  version: typeof RECORDING_VERSION;
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
  if (!Array.isArray(v) || !v.every((d) => typeof d === 'string' && BASE64.test(d))) bad(`${where}: draws must be an array of base64 strings`);
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
  if (value.version !== RECORDING_VERSION) {
    throw new ReplayError('ERR_REPLAY_UNSUPPORTED_VERSION', `recording version ${JSON.stringify(value.version)} is not supported (this library reads ${RECORDING_VERSION})`);
  }
  if (value.description !== undefined && typeof value.description !== 'string') bad('description must be a string');
  if (!isObject(value.options) || typeof value.options.controlling !== 'boolean') bad('options must be an object with a boolean "controlling"');
  checkDraws(value.constructionDraws, 'constructionDraws');
  if (!Array.isArray(value.calls)) bad('calls must be an array');
  value.calls.forEach((c: unknown, i: number) => {
    if (!isObject(c)) bad(`calls[${i}] must be an object`);
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
  });
  return value as unknown as SessionRecording;
}
