/**
 * A regression found over real sockets (S-O pairs between two processes):
 * both agents' first checks cross, each incoming request triggers a second
 * check on the same pair, the controlling side queues its USE-CANDIDATE check
 * once the pair succeeds, and then the answer to its *first* check arrives.
 * That late answer must not cancel the queued nomination (RFC 8445 §8.1.1).
 */
import test from 'ava';
import type { Candidate } from '../../lib/candidate/index.js';
import { IceCore, seededRandom, type Address, type Transmit } from '../../lib/ice/index.js';

const hostA: Candidate = {
  foundation: 'a',
  component: 1,
  transport: 'udp',
  priority: 2130706431,
  address: '10.0.0.1',
  port: 1000,
  type: 'host',
  extensions: [],
};
const hostB: Candidate = { ...hostA, foundation: 'b', address: '10.0.0.2', port: 2000 };
const fromA: Address = { address: '10.0.0.1', port: 1000 };
const fromB: Address = { address: '10.0.0.2', port: 2000 };

function drain(core: IceCore): Transmit[] {
  const out: Transmit[] = [];
  for (let t = core.pollTransmit(); t !== undefined; t = core.pollTransmit()) out.push(t);
  while (core.pollEvent() !== undefined);
  while (core.pollConnectionCommand() !== undefined);
  return out;
}

test('a late answer to an earlier check does not cancel a queued USE-CANDIDATE check', (t) => {
  let now = 0;
  const a = new IceCore({ controlling: true, random: seededRandom(1) });
  const b = new IceCore({ controlling: false, random: seededRandom(2) });
  a.addLocalCandidate(now, { candidate: hostA, transportId: 'A' });
  b.addLocalCandidate(now, { candidate: hostB, transportId: 'B' });
  a.setRemoteCredentials(now, b.localCredentials);
  b.setRemoteCredentials(now, a.localCredentials);
  a.addRemoteCandidate(now, hostB);
  b.addRemoteCandidate(now, hostA);
  const toA = (tx: Transmit) => a.handlePacket(now, { transportId: 'A', from: fromB, data: tx.data });
  const toB = (tx: Transmit) => b.handlePacket(now, { transportId: 'B', from: fromA, data: tx.data });

  // Both first checks cross.
  const [a1] = drain(a);
  const [b1] = drain(b);
  t.truthy(a1);
  t.truthy(b1);
  // Each answers the other's check and queues a triggered check on the same pair.
  toB(a1);
  toA(b1);
  now += 50;
  a.handleTimeout(now);
  b.handleTimeout(now);
  const a2 = drain(a); // [answer to b1, A's triggered check]
  const b2 = drain(b); // [answer to a1, B's triggered check]
  t.is(a2.length, 2);
  t.is(b2.length, 2);
  // A's triggered check is answered first: the pair succeeds and A queues its nomination.
  toB(a2[1]);
  const [answerToTriggered] = drain(b);
  toA(answerToTriggered);
  t.true(
    a.pairs().some((p) => p.state === 'waiting'),
    'the nominating check is queued',
  );
  // Then the late answer to A's very first check arrives.
  toA(b2[0]);
  // Run on: the USE-CANDIDATE check must still go out and select the pair.
  for (let i = 0; i < 40 && a.state !== 'completed'; i++) {
    now += 50;
    a.handleTimeout(now);
    for (const tx of drain(a)) {
      toB(tx);
      for (const answer of drain(b)) toA(answer);
    }
  }
  const pairs = a.pairs();
  t.is(pairs.length, 1);
  t.true(pairs[0].nominated, `pair ${pairs[0].state}, agent ${a.state}`);
  t.is(a.state, 'completed');
});
