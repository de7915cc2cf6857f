/**
 * A controlling peer that nominates every TCP check (aggressive nomination,
 * which RFC 6544 §8 forbids on TCP) and keeps the first pair whose
 * nominating check was answered, as werift-ice 0.2.3 does. Our controlled
 * core must end on that same TCP connection and never switch away from it:
 * otherwise the two sides use different connections and each closes the
 * other's (RFC 6544 §8), and data stalls.
 *
 * The peer is an IceCore whose TCP check requests are re-signed with
 * USE-CANDIDATE on the way out and whose own connection closes are
 * swallowed (it keeps its first nominated connection open, as werift does).
 * Deterministic: virtual clock, seeded randomness, fixed latency.
 */
import test from 'ava';
import { decodeStun, StunClass, StunMethod } from '../../lib/stun/index.js';
import { encodeCheckRequest } from '../../lib/ice/check-requests.js';
import { Loop, eventsOf, type LoopAgent } from './support/loop.js';

interface Outcome {
  loop: Loop;
  peer: LoopAgent;
  ours: LoopAgent;
  /** Our end of the connection the peer keeps: the first on which we answered a USE-CANDIDATE check. */
  peerKept: string | undefined;
  /** Our ends of the connections we answered USE-CANDIDATE checks on, in that order. */
  answered: string[];
}

/**
 * `breakFirst`: the connection of the peer's first nomination is reset
 * right after we answered it, before our own check of that pair succeeds.
 */
function run(seed: number, latency: number, breakFirst = false): Outcome {
  const loop = new Loop();
  loop.latency = latency;
  const peer = loop.agent('peer', { controlling: true }, seed);
  const ours = loop.agent('ours', { controlling: false }, seed + 1000);
  const peerCandidates = [loop.addTcpHost(peer, '10.0.0.1', 5000, 'active'), loop.addTcpHost(peer, '10.0.0.1', 5001, 'passive')];
  const ourCandidates = [loop.addTcpHost(ours, '10.0.0.2', 6000, 'active'), loop.addTcpHost(ours, '10.0.0.2', 6001, 'passive')];
  const peerKey = Buffer.from(ours.core.localCredentials.pwd, 'utf8');
  const nominating = new Map<string, string>(); // transaction id -> our end of the connection
  let peerKept: string | undefined;
  const answered: string[] = [];
  loop.rewrite = (from, t) => {
    const data = Buffer.from(t.data);
    if (t.connectionId === undefined) return data;
    let msg;
    try {
      msg = decodeStun(data);
    } catch {
      return data;
    }
    if (msg.method !== StunMethod.Binding) return data;
    const txid = Buffer.from(msg.transactionId).toString('hex');
    if (from === peer && msg.class === StunClass.Request && msg.attributes.iceControlling !== undefined) {
      // The peer nominates every TCP check.
      const ourEnd = loop.tcpEnds.get(t.connectionId)?.peer?.id;
      if (ourEnd !== undefined) nominating.set(txid, ourEnd);
      return encodeCheckRequest({
        transactionId: msg.transactionId,
        username: msg.attributes.username!,
        priority: msg.attributes.priority!,
        controlling: true,
        tieBreaker: msg.attributes.iceControlling,
        useCandidate: true,
        integrityKey: peerKey,
      });
    }
    if (from === ours && msg.class === StunClass.SuccessResponse && nominating.has(txid)) {
      // The first nominating check we answer is the pair the peer keeps.
      if (peerKept === undefined) {
        peerKept = nominating.get(txid);
        // breakFirst: that connection is reset before our own check of it can succeed.
        if (breakFirst) loop.schedule(1, () => loop.resetConnection(peerKept!));
      }
      const end = nominating.get(txid)!;
      if (!answered.includes(end)) answered.push(end);
    }
    return data;
  };
  // The peer never closes its connections itself (it keeps the first nominated one).
  loop.allowCommand = (agent, command) => !(agent === peer && command.type === 'close');
  loop.signal(peer, ours, peerCandidates, ourCandidates);
  loop.run(5000);
  return { loop, peer, ours, peerKept, answered };
}

for (const [seed, latency] of [
  [1, 10],
  [2, 10],
  [3, 5],
  [4, 20],
  [5, 1],
  [6, 3],
] as const) {
  test(`a peer nominating several TCP pairs (seed ${seed}, ${latency} ms): we end on the connection it keeps and never leave it`, (t) => {
    const { loop, ours, peerKept, answered } = run(seed, latency);
    t.is(ours.core.state, 'completed');
    t.truthy(peerKept, 'the peer nominated a pair');
    // Rule 0: a nomination on a second TCP connection is left unanswered while the first is open, so the
    // peer cannot see a later answer first.
    t.deepEqual(answered, [peerKept], 'USE-CANDIDATE answered on one connection only');
    // From the selection on (before it, data may use any valid pair, RFC 8445 §12.1).
    const firstSelected = ours.events.findIndex((e) => e.type === 'selected-pair');
    t.true(firstSelected >= 0);
    // The route in effect when the pair was selected, and every later one.
    const routeEvents = ours.events.flatMap((e, i) => (e.type === 'route' ? [{ i, id: e.route?.connectionId }] : []));
    const atSelection = routeEvents.filter((r) => r.i < firstSelected).at(-1);
    const routes = [...(atSelection !== undefined ? [atSelection] : []), ...routeEvents.filter((r) => r.i > firstSelected)]
      .map((r) => r.id)
      .filter((id) => id !== undefined);
    t.is(loop.route(ours)?.connectionId, peerKept, `our route ${String(loop.route(ours)?.connectionId)}, the peer keeps ${peerKept}`);
    t.deepEqual([...new Set(routes)], [peerKept], 'from the selection on, our data route never took another connection');
    t.true(loop.tcpEnds.has(peerKept!), 'the kept connection is still open');
    const selected = eventsOf(ours, 'selected-pair');
    t.is(selected.length, 1, `selected once: ${selected.map((e) => e.pair.id).join(', ')}`);
    // Data both ways on the kept connection.
    const peerEnd = loop.tcpEnds.get(peerKept!)!.peer!;
    loop.sendFrame(peerEnd.agent, peerEnd.id, Buffer.from([0x80, 1]));
    t.true(loop.sendData(ours, 1, Buffer.from([0x80, 2])));
    loop.run(loop.now + 200);
    t.deepEqual(
      ours.data.map((d) => d[1]),
      [1],
    );
    t.deepEqual(
      peerEnd.agent.data.map((d) => d[1]),
      [2],
    );
  });
}

test("the connection of the peer's first TCP nomination drops before our check of it succeeds: we select its next one", (t) => {
  const { loop, ours, peerKept, answered } = run(7, 10, true);
  t.true(answered.length >= 2, `nominations answered on ${answered.join(', ')}`);
  t.is(ours.core.state, 'completed', `state ${ours.core.state}`);
  const route = loop.route(ours)?.connectionId;
  t.not(route, peerKept);
  t.is(route, answered[1]);
  t.is(eventsOf(ours, 'selected-pair').length, 1);
});
