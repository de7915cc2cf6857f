/**
 * Record and replay of the sans-IO ICE core: a recorder that wraps a core and
 * writes down every input with its `now`, every output and every random
 * draw; a versioned JSON fixture format; and a replayer that feeds a
 * recording to a fresh core and reports the first divergence precisely.
 * Debug namespace: `ice-tcp:replay`.
 *
 * @module
 */
export { ReplayError, type ReplayErrorCode } from './replay-errors.js';
export { encodeValue, decodeValue, type EncodedValue } from './values.js';
export { findDifference, summarize, type ValueDifference } from './compare.js';
export {
  RECORDING_FORMAT,
  RECORDING_VERSION,
  THIS_PRODUCER,
  type RecordingProducer,
  INPUT_CALLS,
  POLL_CALLS,
  optionsForReplay,
  parseRecording,
  serializeRecording,
  type RecordedCall,
  type RecordedCallName,
  type RecordedThrow,
  type SessionRecording,
} from './format.js';
export { RecordingRandomSource, ReplayRandomSource, ReplayDrawMismatch } from './recorded-random.js';
export { RecordingCore, defaultCoreFactory, describeThrow, type CoreFactory, type RecordingCoreOptions } from './recorder.js';
export {
  replaySession,
  assertReplays,
  describeReplay,
  ReplayDivergenceError,
  type ReplayDivergence,
  type ReplayOptions,
  type ReplayResult,
} from './replayer.js';
export { recordSession, replaySessionFile, type RecordSessionOptions, type RecordedAgentSession } from './record-session.js';
export { replayCapture, type CaptureReplayOptions, type CaptureReplayResult, type CheckOutcome } from './capture-replay.js';
