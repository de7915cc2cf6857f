/**
 * Regression: the recorded sessions committed in fixtures/sessions/ replay
 * on today's core. A divergence means the core now behaves differently on
 * the wire (or in its events) than when the fixture was recorded: either a
 * regression, or an intended change after which the fixtures are recorded
 * again (see fixtures/README.md). Human-readable texts (`reason`,
 * `message`) are not compared, so rewording a log line breaks nothing.
 */
import { readFileSync } from 'node:fs';
import test from 'ava';
import { parseRecording, replaySession } from '../../lib/replay/index.js';
import { FIXTURES } from './sessions.js';

for (const name of Object.keys(FIXTURES)) {
  test(`fixtures/sessions/${name} replays on the current core`, (t) => {
    const recording = parseRecording(readFileSync(new URL(`../../../fixtures/sessions/${name}`, import.meta.url), 'utf8'));
    const result = replaySession(recording, { ignoreKeys: ['reason', 'message'] });
    t.true(result.ok, result.divergence?.message);
    t.is(result.callsReplayed, recording.calls.length);
    t.true(result.transmitsCompared >= 5, `${result.transmitsCompared} transmits compared`);
  });
}
