/**
 * Record and replay of whole sessions: recordings from the virtual network
 * replay on fresh cores to byte-identical transmits; tampering with any
 * part of a recording is reported as a divergence, precisely.
 */
import test from 'ava';
import { IceCore, seededRandom } from '../../lib/ice/index.js';
import type { IceCoreApi, IceCoreOptions, Transmit } from '../../lib/ice/types.js';
import {
  assertReplays,
  decodeValue,
  describeReplay,
  describeThrow,
  RecordingCore,
  encodeValue,
  optionsForReplay,
  parseRecording,
  ReplayDivergenceError,
  replaySession,
  serializeRecording,
  type EncodedValue,
  type SessionRecording,
} from '../../lib/replay/index.js';
import { recordSession } from './sessions.js';

// Data every second for 30 s (consent checks run, the cores hear of the sends), then 45 s idle (checks suspended, keepalives, stale consent).
const udp = recordSession({ seed: 201, udp: true, tcp: { a: [], b: [] }, udpLoss: 0.2, afterMs: 30000, sendEveryMs: 1000, idleMs: 45000 });
const tcp = recordSession({
  seed: 202,
  udp: false,
  tcp: { a: ['active', 'so'], b: ['passive', 'so'] },
  afterMs: 30000,
  sendEveryMs: 1000,
  idleMs: 45000,
});

/** A deep copy of a recording that a test may change. */
const copy = (rec: SessionRecording): SessionRecording => JSON.parse(JSON.stringify(rec)) as SessionRecording;

/** A core factory that keeps every transmit the fresh core produced. */
function capturing(): { createCore: (o: IceCoreOptions) => IceCoreApi; transmits: Transmit[] } {
  const transmits: Transmit[] = [];
  return {
    transmits,
    createCore: (o) => {
      const core = new IceCore(o);
      const poll = core.pollTransmit.bind(core);
      core.pollTransmit = () => {
        const t = poll();
        if (t) transmits.push({ ...t, data: Buffer.from(t.data) });
        return t;
      };
      return core;
    },
  };
}

for (const [name, session] of [
  ['UDP with 20% loss', udp],
  ['TCP active/passive and S-O', tcp],
] as const) {
  for (const side of ['alice', 'bob'] as const) {
    test(`a recorded two-agent session (${name}, ${side}) replays to byte-identical transmits`, (t) => {
      const rec = session[side].recording();
      const recorded = rec.calls
        .filter((c) => c.call === 'pollTransmit' && c.result !== undefined)
        .map((c) => decodeValue(c.result!) as Transmit);
      t.true(recorded.length > 10, `${recorded.length} transmits recorded`);
      const cap = capturing();
      const result = replaySession(rec, { createCore: cap.createCore });
      t.true(result.ok, result.divergence?.message);
      t.is(result.transmitsCompared, recorded.length);
      t.is(cap.transmits.length, recorded.length);
      cap.transmits.forEach((tx, i) => {
        t.true(tx.data.equals(recorded[i].data), `transmit #${i} differs`);
        t.deepEqual(tx.to, recorded[i].to);
      });
    });
  }
}

test('the recording survives JSON: serialize, parse, replay', (t) => {
  const text = serializeRecording(tcp.alice.recording());
  t.true(text.split('\n').length > 100, 'one call per line');
  const result = assertReplays(text);
  t.true(result.ok);
  t.true(result.callsReplayed > 100);
});

test('a recording names every input with its now, and the random draws with their call', (t) => {
  const rec = udp.alice.recording();
  const inputs = rec.calls.filter((c) => c.args !== undefined);
  t.true(inputs.every((c) => typeof c.args![0] === 'number'));
  const nows = inputs.map((c) => c.args![0] as number);
  t.deepEqual(
    nows,
    [...nows].sort((x, y) => x - y),
    'inputs in time order',
  );
  t.true(rec.constructionDraws.length >= 2, 'ufrag/pwd/tie-breaker drawn at construction');
  t.true(
    rec.calls.some((c) => c.call === 'handleTimeout' && (c.draws?.length ?? 0) > 0),
    'checks draw transaction ids',
  );
  t.true(rec.calls.some((c) => c.call === 'handlePacket'));
  t.true(rec.calls.some((c) => c.call === 'pollEvent' && c.result !== undefined));
});

/** Finds the index of the n-th call matching `pred`. */
function nth(rec: SessionRecording, pred: (c: SessionRecording['calls'][number]) => boolean, n = 0): number {
  let seen = 0;
  for (let i = 0; i < rec.calls.length; i++) if (pred(rec.calls[i]) && seen++ === n) return i;
  throw new Error('no such call');
}

test('a tampered transmit is reported at its call, down to the byte', (t) => {
  const rec = copy(udp.alice.recording());
  const i = nth(rec, (c) => c.call === 'pollTransmit' && c.result !== undefined, 5);
  const result = rec.calls[i].result as { data: { $bytes: string } };
  const bytes = Buffer.from(result.data.$bytes, 'base64');
  bytes[30] ^= 0x01;
  result.data.$bytes = bytes.toString('base64');
  const replay = replaySession(rec);
  t.false(replay.ok);
  const d = replay.divergence!;
  t.is(d.index, i);
  t.is(d.call, 'pollTransmit');
  t.is(d.path, 'result.data[byte 30]');
  t.regex(d.message, new RegExp(`call #${i} pollTransmit`));
  t.regex(d.expected, /^0x[0-9a-f]{2} \(\d+ bytes\)$/);
  const err = t.throws(() => assertReplays(rec), { instanceOf: ReplayDivergenceError });
  t.is(err.code, 'ERR_REPLAY_DIVERGENCE');
  t.deepEqual(err.divergence, d);
});

test('a tampered input packet is reported where the core starts behaving differently', (t) => {
  const base = udp.bob.recording();
  const i = nth(base, (c) => c.call === 'handlePacket' && c.result === 'stun', 2);
  const tamper = (f: (bytes: Buffer) => void): SessionRecording => {
    const rec = copy(base);
    const packet = rec.calls[i].args![1] as { data: { $bytes: string } };
    const bytes = Buffer.from(packet.data.$bytes, 'base64');
    f(bytes);
    packet.data.$bytes = bytes.toString('base64');
    return rec;
  };
  // No longer STUN (RFC 7983: first byte 255): the disposition differs right at that call.
  const d = replaySession(tamper((b) => (b[0] = 0xff))).divergence!;
  t.is(d.index, i);
  t.is(d.path, 'result');
  t.is(d.expected, '"stun"');
  // A broken FINGERPRINT: still consumed as STUN, but dropped, so the core's later outputs differ.
  const late = replaySession(tamper((b) => (b[b.length - 1] ^= 0xff))).divergence!;
  t.truthy(late);
  t.true(late.index > i, `diverged at #${late.index} (${late.call} ${late.path})`);
});

test('a tampered random draw changes what the core sends', (t) => {
  const rec = copy(udp.alice.recording());
  const i = nth(rec, (c) => (c.draws?.length ?? 0) > 0 && c.call === 'handleTimeout');
  const draw = Buffer.from(rec.calls[i].draws![0], 'base64');
  draw[0] ^= 0x80;
  rec.calls[i].draws![0] = draw.toString('base64');
  const d = replaySession(rec).divergence!;
  t.truthy(d);
  t.true(d.index > i);
  t.is(d.call, 'pollTransmit');
  t.regex(d.path, /^result\.data\[byte \d+\]$/);
});

test('a missing, extra or resized draw is reported at its call', (t) => {
  const base = udp.alice.recording();
  const i = nth(base, (c) => (c.draws?.length ?? 0) > 0 && c.call === 'handleTimeout');
  const missing = copy(base);
  missing.calls[i].draws!.pop();
  const dm = replaySession(missing).divergence!;
  t.is(dm.index, i);
  t.is(dm.path, 'random');
  const extra = copy(base);
  extra.calls[i].draws!.push(Buffer.alloc(4).toString('base64'));
  const de = replaySession(extra).divergence!;
  t.is(de.index, i);
  t.is(de.path, 'random');
  const resized = copy(base);
  resized.calls[i].draws![0] = Buffer.alloc(3).toString('base64');
  t.regex(replaySession(resized).divergence!.actual, /recording has 3/);
  const construction = copy(base);
  construction.constructionDraws.push(Buffer.alloc(8).toString('base64'));
  t.is(replaySession(construction).divergence!.call, 'constructor');
});

test('a removed call and changed options are divergences too', (t) => {
  const base = udp.alice.recording();
  const removed = copy(base);
  const i = nth(removed, (c) => c.call === 'handlePacket' && c.result === 'stun');
  removed.calls.splice(i, 1);
  t.false(replaySession(removed).ok);
  const options = copy(base);
  (options.options as Record<string, EncodedValue>).ta = 20;
  const d = replaySession(options).divergence!;
  t.truthy(d, 'Ta 20 ms instead of 50 paces checks differently');
});

test('human-readable texts can be left out of the comparison; codes and bytes cannot', (t) => {
  const rec = copy(tcp.bob.recording());
  const i = nth(rec, (c) => c.call === 'pollEvent' && JSON.stringify(c.result ?? null).includes('"reason"'));
  const before = JSON.stringify(rec.calls[i].result);
  const reworded = JSON.parse(before.replace(/"reason":"[^"]*"/, '"reason":"reworded"')) as EncodedValue;
  rec.calls[i].result = reworded;
  t.false(replaySession(rec).ok, 'strict by default');
  t.true(replaySession(rec, { ignoreKeys: ['reason', 'message'] }).ok);
});

test('errors thrown by the core are recorded and must be thrown again', (t) => {
  const rec = copy(udp.alice.recording());
  // Append a bad input: a candidate with component 0 makes the core throw IceError.
  const now = (rec.calls.filter((c) => c.args).at(-1)!.args![0] as number) + 1;
  const bad = encodeValue({
    foundation: 'x',
    component: 0,
    transport: 'udp',
    priority: 1,
    address: '10.9.9.9',
    port: 9,
    type: 'host',
    extensions: [],
  });
  rec.calls.push({
    call: 'addRemoteCandidate',
    args: [now, bad],
    threw: { name: 'IceError', code: 'ERR_ICE_BAD_CANDIDATE', message: 'whatever' },
  });
  const d = replaySession(rec).divergence!;
  t.is(d.path, 'threw');
  t.regex(d.actual, /^IceError ERR_ICE_BAD_CANDIDATE: /);
  t.true(replaySession(rec, { ignoreKeys: ['message'] }).ok, 'same error name and code');
  rec.calls.at(-1)!.threw = undefined;
  t.is(replaySession(rec).divergence!.expected, 'no exception');
});

test('bad recordings are typed errors', (t) => {
  const code = (f: () => unknown): string | undefined => (t.throws(f) as { code?: string }).code;
  t.is(
    code(() => parseRecording('{')),
    'ERR_REPLAY_BAD_FORMAT',
  );
  t.is(
    code(() => parseRecording('[]')),
    'ERR_REPLAY_BAD_FORMAT',
  );
  const good = JSON.parse(serializeRecording(udp.alice.recording())) as Record<string, unknown>;
  t.is(
    code(() => parseRecording({ ...good, version: 1 })),
    'ERR_REPLAY_UNSUPPORTED_VERSION',
  );
  t.is(
    code(() => parseRecording({ ...good, version: 5 })),
    'ERR_REPLAY_UNSUPPORTED_VERSION',
  );
  t.regex(t.throws<Error>(() => parseRecording({ ...good, version: 1 })).message, /version 1 .*is an older format/);
  t.regex(t.throws<Error>(() => parseRecording({ ...good, version: 5 })).message, /version 5 by ice-tcp 0\.1\.0 is a newer format/);
  t.is(
    code(() => parseRecording({ ...good, producer: undefined })),
    'ERR_REPLAY_BAD_FORMAT',
  );
  t.is(
    code(() => parseRecording({ ...good, producer: { name: 'ice-tcp' } })),
    'ERR_REPLAY_BAD_FORMAT',
  );
  t.is(
    code(() => parseRecording({ ...good, format: 'pcap' })),
    'ERR_REPLAY_BAD_FORMAT',
  );
  t.is(
    code(() => parseRecording({ ...good, options: {} })),
    'ERR_REPLAY_BAD_FORMAT',
  );
  t.is(
    code(() => parseRecording({ ...good, constructionDraws: ['***'] })),
    'ERR_REPLAY_BAD_FORMAT',
  );
  t.is(
    code(() => parseRecording({ ...good, calls: [{ call: 'selfDestruct' }] })),
    'ERR_REPLAY_BAD_FORMAT',
  );
  t.is(
    code(() => parseRecording({ ...good, calls: [{ call: 'handleTimeout', args: ['soon'] }] })),
    'ERR_REPLAY_BAD_FORMAT',
  );
  t.is(
    code(() => parseRecording({ ...good, calls: [{ call: 'pollEvent', args: [1] }] })),
    'ERR_REPLAY_BAD_FORMAT',
  );
  t.is(
    code(() => parseRecording({ ...good, calls: [{ call: 'pollEvent', threw: 'x' }] })),
    'ERR_REPLAY_BAD_FORMAT',
  );
  t.is(
    code(() => replaySession('not json')),
    'ERR_REPLAY_BAD_FORMAT',
  );
});

test('restart, close and the getters go through the recorder; thrown errors replay too', (t) => {
  const core = new RecordingCore({ controlling: true, random: seededRandom(7) }, { description: 'by hand' });
  const first = core.localCredentials;
  t.true(core.controlling);
  t.is(core.state, 'new');
  const renewed = core.restart(5);
  t.not(renewed.ufrag, first.ufrag);
  t.deepEqual(core.restart(6, { ufrag: 'abcd', pwd: 'abcdefghijklmnopqrstuv' }), { ufrag: 'abcd', pwd: 'abcdefghijklmnopqrstuv' });
  t.deepEqual(core.pairs(), []);
  core.close(10);
  t.is(core.state, 'closed');
  t.throws(() => core.restart(11), { code: 'ERR_ICE_CLOSED' });
  while (core.pollEvent()) {
    /* drain */
  }
  const rec = core.recording();
  t.is(rec.description, 'by hand');
  t.is(core.callCount, rec.calls.length);
  t.is(rec.calls.filter((c) => c.call === 'restart').at(-1)!.threw?.code, 'ERR_ICE_CLOSED');
  const result = replaySession(rec);
  t.true(result.ok, result.divergence?.message);
  t.regex(describeReplay(result), /^replayed \d+ calls, 0 transmits identical$/);
  t.deepEqual(describeThrow('plain'), { name: 'string', message: 'plain' });
});

test('a recording whose options the core rejects diverges at construction', (t) => {
  const rec = copy(udp.alice.recording());
  (rec.options as Record<string, EncodedValue>).ta = -1;
  const result = replaySession(rec);
  t.false(result.ok);
  t.is(result.divergence!.call, 'constructor');
  t.is(result.divergence!.path, 'threw');
  t.regex(describeReplay(result), /constructing the core/);
});

test('application sends are recorded (handleDataSent, format 4) and matter: without them the core suspends consent and diverges', (t) => {
  const rec = copy(udp.alice.recording());
  t.is(rec.version, 4);
  const sends = rec.calls.filter((c) => c.call === 'handleDataSent');
  t.true(sends.length >= 5 && sends.length <= 30, `${sends.length} sends heard: the first after each timeout, not one per packet`);
  t.true(
    sends.every((c) => c.args?.[1] === 1),
    'with their component',
  );
  t.true(assertReplays(rec).ok);
  rec.calls = rec.calls.filter((c) => c.call !== 'handleDataSent');
  t.false(replaySession(rec).ok);
});

test('version 2 and 3 recordings replay with consent maintained on idle pairs (their cores did not suspend it)', (t) => {
  const rec = copy(udp.alice.recording());
  const options = { controlling: true, consent: { intervalMs: 6000 } };
  t.deepEqual(optionsForReplay({ ...rec, version: 3 }, options), {
    controlling: true,
    consent: { whenIdle: 'maintain', intervalMs: 6000 },
  });
  t.deepEqual(optionsForReplay({ ...rec, version: 2 }, { controlling: false }), { controlling: false, consent: { whenIdle: 'maintain' } });
  const named = { controlling: true, consent: { whenIdle: 'suspend' } };
  t.deepEqual(optionsForReplay({ ...rec, version: 3 }, named), named, 'an option the recording names is kept');
  t.is(optionsForReplay(rec, options), options, 'version 4: as recorded');
});
