/**
 * The README's two-terminal example, reduced to its race: both agents
 * gather active, passive and S-O host candidates on TCP only. An S-O pair
 * connects only when the two SYNs cross, which on loopback is luck (a SYN
 * that arrives before the peer's own connect meets a RST), while active →
 * passive connects at once. Ranked by the valid pairs' priorities, the S-O
 * pair (host/host) beat the active one (its local candidate is
 * peer-reflexive), so the controlling agent waited for the S-O pair until
 * the nomination timeout (2 s) and then took active → passive: S-O when
 * the SYNs crossed in time, active → passive after ~2 s when they did not.
 *
 * Now an active → passive pair ranks as the host pair it came from (RFC
 * 6544 §4.2: active 6, passive 4, S-O 2), so the outcome no longer depends
 * on the S-O connect: the same pair, at once, whether S-O connects first or
 * never. And the controlled agent sends on the nominated connection from
 * the moment it answers the nomination (lib/ice/incoming.ts,
 * followPeerNomination), not on an earlier valid pair's connection that the
 * controlling agent closes on completion (RFC 6544 §8): echoes sent there
 * were lost in about one run in 30 of the real two-process example.
 * Deterministic: virtual clock, seeded randomness.
 */
import test from 'ava';
import { decodeStun, StunClass } from '../../lib/stun/index.js';
import { Loop, eventsOf, type LoopAgent } from './support/loop.js';

/**
 * `lateCheck`: the controlling agent's first answer on its active
 * connection is lost, so the controlled agent's own check of that pair
 * succeeds only after the nomination (as when its triggered check waits for
 * a pacing slot).
 */
function run(so: 'crosses at once' | 'never connects', latency: number, lateCheck = false) {
  const loop = new Loop();
  loop.latency = latency;
  const a = loop.agent('a', { controlling: true }, 41);
  const b = loop.agent('b', { controlling: false }, 42);
  const ca = [
    loop.addTcpHost(a, '127.0.0.1', 40001, 'active'),
    loop.addTcpHost(a, '127.0.0.1', 40002, 'passive'),
    loop.addTcpHost(a, '127.0.0.1', 40003, 'so'),
  ];
  const cb = [
    loop.addTcpHost(b, '127.0.0.1', 50001, 'active'),
    loop.addTcpHost(b, '127.0.0.1', 50002, 'passive'),
    loop.addTcpHost(b, '127.0.0.1', 50003, 'so'),
  ];
  if (so === 'crosses at once') loop.soAccepts = true;
  else for (const port of [40003, 50003]) loop.blackholes.add(`127.0.0.1:${port}`);
  let dropped = false;
  loop.drop = (from, tx) => {
    if (!lateCheck || dropped || from !== a || tx.connectionId === undefined || !tx.transportId.includes('tcp-active')) return false;
    try {
      if (decodeStun(tx.data).class !== StunClass.SuccessResponse) return false;
    } catch {
      return false;
    }
    dropped = true;
    return true;
  };
  loop.signal(a, b, ca, cb);
  loop.run(10_000);
  return { loop, a, b };
}

/** Virtual time of the agent's first 'selected-pair' event. */
function selectedAt(agent: LoopAgent): number | undefined {
  const i = agent.events.findIndex((e) => e.type === 'selected-pair');
  return i < 0 ? undefined : agent.eventTimes[i];
}

const cases: Array<['crosses at once' | 'never connects', number, boolean]> = [
  ['crosses at once', 1, false],
  ['crosses at once', 10, false],
  ['never connects', 1, false],
  ['never connects', 10, false],
  ['crosses at once', 10, true],
  ['never connects', 10, true],
];

for (const [so, latency, lateCheck] of cases) {
  const late = lateCheck ? ', our check of the nominated pair late' : '';
  test(`README race, S-O ${so} (${latency} ms${late}): active → passive is nominated at once and both sides send on it`, (t) => {
    const { loop, a, b } = run(so, latency, lateCheck);
    t.is(a.core.state, 'completed');
    t.is(b.core.state, 'completed');
    const pa = eventsOf(a, 'selected-pair')[0].pair;
    const pb = eventsOf(b, 'selected-pair')[0].pair;
    t.is(`${pa.local.type}/${pa.local.tcpType} ${pa.remote.type}/${pa.remote.tcpType}`, 'prflx/active host/passive');
    t.is(`${pb.local.type}/${pb.local.tcpType} ${pb.remote.type}/${pb.remote.tcpType}`, 'host/passive prflx/active');
    t.is(eventsOf(a, 'selected-pair').length, 1);
    // Selected within a few round trips and pacing slots, far from the 2000 ms nomination timeout.
    const when = selectedAt(a);
    t.true(when !== undefined && when < 500, `selected at ${String(when)} ms`);
    // When the controlling agent's first data reaches the controlled one, the controlled agent already
    // sends on that connection (its echo would otherwise take a connection the controlling agent closed).
    const arrives = when! + latency;
    const bRouteThen = b.events
      .map((e, i) => ({ e, at: b.eventTimes[i] }))
      .filter((x) => x.e.type === 'route' && x.at <= arrives)
      .at(-1);
    const selectedConnection = eventsOf(b, 'selected-pair')[0].pair.connectionId;
    t.is(bRouteThen?.e.type === 'route' ? bRouteThen.e.route?.connectionId : undefined, selectedConnection);
    // Both on the same connection, data both ways.
    const ra = loop.route(a)!;
    const rb = loop.route(b)!;
    t.is(loop.tcpEnds.get(ra.connectionId!)?.peer?.id, rb.connectionId);
    t.true(loop.sendData(a, 1, Buffer.from([0x80, 1])));
    t.true(loop.sendData(b, 1, Buffer.from([0x80, 2])));
    loop.run(loop.now + 100);
    t.deepEqual(
      b.data.map((d) => d[1]),
      [1],
    );
    t.deepEqual(
      a.data.map((d) => d[1]),
      [2],
    );
  });
}
