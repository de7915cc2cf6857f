/**
 * `ice-tcp/replay`: record and replay of the sans-IO core. A recorder wraps
 * a core (`IceAgentOptions.testing.createCore`) and writes down every input
 * with its `now`, every output and every random draw; the versioned JSON
 * fixture format; a replayer that feeds a recording to a fresh core and
 * reports the first divergence. Exports are named one by one (see
 * lib/index.ts); the format's internals (call tables, value encoding) stay
 * inside.
 *
 * @module
 */
export {
  ReplayError,
  type ReplayErrorCode,
  RECORDING_FORMAT,
  RECORDING_VERSION,
  parseRecording,
  serializeRecording,
  type RecordedCall,
  type RecordedCallName,
  type RecordedThrow,
  type SessionRecording,
  RecordingRandomSource,
  ReplayRandomSource,
  ReplayDrawMismatch,
  RecordingCore,
  defaultCoreFactory,
  type CoreFactory,
  type RecordingCoreOptions,
  replaySession,
  assertReplays,
  describeReplay,
  ReplayDivergenceError,
  type ReplayDivergence,
  type ReplayOptions,
  type ReplayResult,
} from '../replay/index.js';

// One-call recording and file replay, and captures of any ICE agent (pcap/pcapng, `ice-tcp decode --pcap`).
export { recordSession, replaySessionFile, type RecordSessionOptions, type RecordedAgentSession } from '../replay/index.js';
export { replayCapture, type CaptureReplayOptions, type CaptureReplayResult, type CheckOutcome } from '../replay/index.js';
export {
  CaptureError,
  type CaptureErrorCode,
  readCapture,
  type Capture,
  type CapturedPacket,
  writePcap,
  writePcapng,
  captureFlows,
  iceTimeline,
  type CaptureCredentials,
  type IceTimeline,
} from '../capture/index.js';
