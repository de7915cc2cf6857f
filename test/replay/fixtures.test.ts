/**
 * Regression: every recorded session committed in fixtures/sessions/ replays
 * on today's core: the virtual-network ones (test/replay/sessions.ts) and
 * the real-socket corpus (scripts/record-fixtures.mjs: UDP, TCP
 * active/passive, simultaneous open, TLS, an ICE restart, a
 * reconnect of the selected TCP connection, a failure). A
 * divergence means the core now behaves differently on the wire (or in its
 * events) than when the fixture was recorded: either a regression, or an
 * intended change after which the fixtures are recorded again (see
 * fixtures/README.md). Human-readable texts (`reason`, `message`) are not
 * compared, so rewording a log line breaks nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import test from 'ava';
import { parseRecording, replaySession, type SessionRecording } from '../../lib/replay/index.js';

const DIR = new URL('../../../fixtures/sessions/', import.meta.url);
const names = readdirSync(DIR)
  .filter((n) => n.endsWith('.json'))
  .sort();
const load = (name: string): SessionRecording => parseRecording(readFileSync(new URL(name, DIR), 'utf8'));

test('the fixture corpus holds every kind of session', (t) => {
  for (const expected of [
    'udp-controlling.json',
    'tcp-active-passive-controlled.json',
    'real-udp-controlling.json',
    'real-udp-controlled.json',
    'real-tcp-active-passive-controlling.json',
    'real-tcp-active-passive-controlled.json',
    'real-tcp-so-controlled.json',
    'real-tls-controlling.json',
    'real-restart-controlling.json',
    'real-failure-controlling.json',
    'real-tcp-reconnect-controlling.json',
  ])
    t.true(names.includes(expected), expected);
  const events = (name: string): string => JSON.stringify(load(name).calls.filter((c) => c.call === 'pollEvent' && c.result !== undefined));
  t.true(
    load('real-restart-controlling.json').calls.some((c) => c.call === 'restart'),
    'the restart fixture restarts',
  );
  t.is(events('real-restart-controlling.json').match(/"state":"completed"/g)?.length, 2, 'completed before and after the restart');
  t.regex(events('real-failure-controlling.json'), /"state":"failed"/);
  const reconnect = load('real-tcp-reconnect-controlling.json')
    .calls.filter((c) => c.call === 'handleConnection')
    .map((c) => (c.args![1] as { type: string }).type);
  t.deepEqual(
    reconnect.filter((type) => type !== 'connect-failed'),
    ['connected', 'closed', 'connected'],
    'connected, reset, reconnected',
  );
  t.regex(events('real-tcp-so-controlled.json'), /"tcpType":"so"/);
  t.true(
    load('real-tcp-active-passive-controlled.json').calls.some((c) => c.call === 'handleConnection'),
    'TCP connection events are recorded',
  );
});

for (const name of names) {
  test(`fixtures/sessions/${name} replays on the current core`, (t) => {
    const recording = load(name);
    const result = replaySession(recording, { ignoreKeys: ['reason', 'message'] });
    t.true(result.ok, result.divergence?.message);
    t.is(result.callsReplayed, recording.calls.length);
    if (!name.includes('failure')) t.true(result.transmitsCompared >= 3, `${result.transmitsCompared} transmits compared`);
  });
}
