/**
 * One-line recording of a whole {@link IceAgent} session: the agent's core
 * is wrapped in a {@link RecordingCore} for you, so a test needs no
 * knowledge of the core or of the agent's `createCore` hook.
 *
 * ```ts
 * const { agent, save } = recordSession({ controlling: true, addresses: ['127.0.0.1'] });
 * // … signal, connect, send, close the agent as usual …
 * save('fixtures/sessions/my-session.json');
 * ```
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { IceAgent, type IceAgentOptions } from '../net/index.js';
import type { SessionRecording } from './format.js';
import { serializeRecording } from './format.js';
import { RecordingCore } from './recorder.js';
import { replaySession, type ReplayOptions, type ReplayResult } from './replayer.js';

/** Options of {@link recordSession} besides the agent's. */
export interface RecordSessionOptions {
  /** Free text stored in the recording (what the session is). */
  description?: string;
}

/** An agent whose core records itself, with ways to get the recording. */
export interface RecordedAgentSession {
  /** The agent: use it exactly as one made with `new IceAgent(options)`. */
  agent: IceAgent;
  /** The recording so far (close the agent first to include the close). */
  recording(): SessionRecording;
  /** The recording as fixture text (JSON, one call per line). */
  serialize(): string;
  /** Writes the fixture text to `path`. */
  save(path: string): void;
}

/**
 * Makes an {@link IceAgent} whose core records every input (with its time),
 * output and random draw, for {@link replaySession}. The agent's own
 * `testing.createCore` option, if given, is still used for the wrapped core.
 *
 * @throws what `new IceAgent(options)` throws
 */
export function recordSession(options: IceAgentOptions, recordOptions: RecordSessionOptions = {}): RecordedAgentSession {
  let recorder: RecordingCore | undefined;
  const inner = options.testing?.createCore;
  const agent = new IceAgent({
    ...options,
    testing: {
      ...options.testing,
      createCore: (coreOptions) => {
        recorder = new RecordingCore(coreOptions, {
          ...(inner !== undefined ? { createCore: inner } : {}),
          ...(recordOptions.description !== undefined ? { description: recordOptions.description } : {}),
        });
        return recorder;
      },
    },
  });
  const recording = (): SessionRecording => recorder!.recording();
  return {
    agent,
    recording,
    serialize: () => serializeRecording(recording()),
    save: (path) => writeFileSync(path, serializeRecording(recording())),
  };
}

/**
 * Reads a fixture file and replays it on a fresh core ({@link replaySession}).
 *
 * @throws ReplayError `ERR_REPLAY_BAD_FORMAT` / `ERR_REPLAY_UNSUPPORTED_VERSION`;
 *   the file system's error when it cannot be read
 */
export function replaySessionFile(path: string, options: ReplayOptions = {}): ReplayResult {
  return replaySession(readFileSync(path, 'utf8'), options);
}
