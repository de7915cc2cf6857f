/**
 * Recorded sessions for the replay tests and for the committed fixtures in
 * fixtures/sessions/: two agents on the virtual network, each core wrapped
 * in a RecordingCore. Run this file directly to rewrite the fixtures:
 *
 *   npx tsc -p tsconfig.test.json && node build/test/replay/sessions.js fixtures/sessions
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TcpType } from '../../lib/candidate/index.js';
import { RecordingCore, serializeRecording, type SessionRecording } from '../../lib/replay/index.js';
import { dataPacket } from '../ice/vnet/data.js';
import { bothCompleted, finishGathering, twoAgents, type TwoAgents } from '../ice/vnet/scenario.js';

/** What to record. */
export interface SessionSpec {
  seed: number;
  udp: boolean;
  tcp: { a: TcpType[]; b: TcpType[] };
  udpLoss?: number;
  /** Virtual time to run after both sides completed (consent checks, data). */
  afterMs: number;
  /** Both sides send a packet this often during `afterMs` (default: not at all; consent checks then stop on the idle pair). */
  sendEveryMs?: number;
  /** Idle virtual time after `afterMs` (default 0): consent checks suspended, keepalives, the route null once consent is stale. */
  idleMs?: number;
}

/** A recorded session: the scenario and both cores' recordings. */
export interface RecordedSession {
  s: TwoAgents;
  alice: RecordingCore;
  bob: RecordingCore;
}

/** Runs a two-agent session with both cores recorded. */
export function recordSession(spec: SessionSpec): RecordedSession {
  let alice: RecordingCore | undefined;
  let bob: RecordingCore | undefined;
  const s = twoAgents({
    seed: spec.seed,
    udpLoss: spec.udpLoss,
    a: {
      name: 'alice',
      controlling: true,
      udp: spec.udp,
      tcp: spec.tcp.a,
      wrapCore: (o) => (alice = new RecordingCore(o, { description: `alice (controlling), vnet seed ${spec.seed}` })),
    },
    b: {
      name: 'bob',
      controlling: false,
      udp: spec.udp,
      tcp: spec.tcp.b,
      wrapCore: (o) => (bob = new RecordingCore(o, { description: `bob (controlled), vnet seed ${spec.seed}` })),
    },
  });
  finishGathering(s);
  if (!s.world.runUntil(() => bothCompleted(s), 30000)) throw new Error(`session did not connect: ${s.a.core.state} / ${s.b.core.state}`);
  for (let i = 0; i < 10; i++) {
    s.a.send(dataPacket(i));
    s.b.send(dataPacket(i));
    s.world.runFor(20);
  }
  if (spec.sendEveryMs === undefined) s.world.runFor(spec.afterMs);
  else {
    for (let t = 0, i = 0; t < spec.afterMs; t += spec.sendEveryMs, i++) {
      s.a.send(dataPacket(i & 0x7f));
      s.b.send(dataPacket(i & 0x7f));
      s.world.runFor(Math.min(spec.sendEveryMs, spec.afterMs - t));
    }
  }
  s.world.runFor(spec.idleMs ?? 0);
  return { s, alice: alice!, bob: bob! };
}

/** The sessions committed as fixtures. */
export const FIXTURES: Record<string, { spec: SessionSpec; side: 'alice' | 'bob' }> = {
  'udp-controlling.json': { spec: { seed: 101, udp: true, tcp: { a: [], b: [] }, udpLoss: 0.1, afterMs: 12000 }, side: 'alice' },
  'tcp-active-passive-controlled.json': {
    spec: { seed: 102, udp: false, tcp: { a: ['active'], b: ['passive'] }, afterMs: 12000 },
    side: 'bob',
  },
};

/** Records every fixture. */
export function recordFixtures(): Record<string, SessionRecording> {
  const out: Record<string, SessionRecording> = {};
  for (const [name, { spec, side }] of Object.entries(FIXTURES)) out[name] = recordSession(spec)[side].recording();
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = process.argv[2] ?? 'fixtures/sessions';
  for (const [name, rec] of Object.entries(recordFixtures())) {
    writeFileSync(join(dir, name), serializeRecording(rec));
    console.log(`${join(dir, name)}: ${rec.calls.length} calls`);
  }
}
