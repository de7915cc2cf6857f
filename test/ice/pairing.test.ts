import test from 'ava';
import { decodeStun, encodeStun, shortTermKey, StunClass, StunMethod } from '../../lib/stun/index.js';
import { IceCore, seededRandom, type IceEvent, type PairInfo } from '../../lib/ice/index.js';
import { udpHost } from './support/loop.js';
import { pairPriority, parseCandidate, type Candidate } from '../../lib/candidate/index.js';

const PEER = { ufrag: 'peer', pwd: 'peerpasswordpeerpassword' };

function core(options: { maxPairs?: number } = {}) {
  const c = new IceCore({
    controlling: true,
    random: seededRandom(3),
    localCredentials: { ufrag: 'mine', pwd: 'minepasswordminepassword' },
    ...options,
  });
  c.setRemoteCredentials(0, PEER);
  return c;
}

test('reflexive local candidates are not paired: their base is (RFC 8445 §6.1.2.4)', (t) => {
  const c = core();
  c.addLocalCandidate(0, { candidate: udpHost('10.0.0.1', 5000), transportId: 'u' });
  c.addLocalCandidate(0, {
    candidate: {
      ...udpHost('198.51.100.1', 7000),
      type: 'srflx',
      foundation: 's1',
      priority: 1694498815,
      relatedAddress: '10.0.0.1',
      relatedPort: 5000,
    },
    transportId: 'u',
  });
  c.addRemoteCandidate(0, udpHost('192.0.2.1', 6000));
  const pairs = c.pairs();
  t.is(pairs.length, 1);
  t.is(pairs[0].local.type, 'host');
});

test('a response mapping to a known srflx candidate makes the valid pair with that candidate', (t) => {
  const c = core();
  c.addLocalCandidate(0, { candidate: udpHost('10.0.0.1', 5000), transportId: 'u' });
  c.addLocalCandidate(0, {
    candidate: {
      ...udpHost('198.51.100.1', 7000),
      type: 'srflx',
      foundation: 's1',
      priority: 1694498815,
      relatedAddress: '10.0.0.1',
      relatedPort: 5000,
    },
    transportId: 'u',
  });
  c.addRemoteCandidate(0, udpHost('192.0.2.1', 6000));
  const check = c.pollTransmit()!;
  const msg = decodeStun(check.data);
  const response = encodeStun(
    {
      class: StunClass.SuccessResponse,
      method: StunMethod.Binding,
      transactionId: msg.transactionId,
      attributes: { xorMappedAddress: { family: 4, address: '198.51.100.1', port: 7000 } },
    },
    { integrityKey: shortTermKey(PEER.pwd), fingerprint: true },
  );
  t.is(c.handlePacket(10, { transportId: 'u', from: check.to, data: response }), 'stun');
  const events: IceEvent[] = [];
  for (let e = c.pollEvent(); e; e = c.pollEvent()) events.push(e);
  t.false(
    events.some((e) => e.type === 'local-candidate'),
    'no prflx: the mapped address is a known candidate',
  );
  const pairs = c.pairs();
  t.true(
    pairs.some((p: PairInfo) => p.local.type === 'srflx' && p.state === 'succeeded'),
    'the valid pair has the srflx local candidate',
  );
  t.true(
    pairs.some((p: PairInfo) => p.local.type === 'host'),
    'the checked pair stays (it is re-checked to nominate)',
  );
  const route = events.find((e): e is Extract<IceEvent, { type: 'route' }> => e.type === 'route');
  t.is(route?.route?.transportId, 'u', 'data leaves from the base');
});

test('the checklist keeps the maxPairs highest-priority pairs', (t) => {
  const c = core({ maxPairs: 3 });
  c.addLocalCandidate(0, { candidate: udpHost('10.0.0.1', 5000), transportId: 'u' });
  // the first check goes out at once and leaves its pair In-Progress
  for (let i = 0; i < 6; i++)
    c.addRemoteCandidate(0, { ...udpHost(`192.0.2.${i + 1}`, 6000), foundation: `r${i}`, priority: 1000 + i * 100 });
  const remotes = c.pairs().map((p) => p.remote.address);
  t.is(remotes.length, 3);
  t.true(remotes.includes('192.0.2.6'));
  t.true(remotes.includes('192.0.2.5'));
  t.false(remotes.includes('192.0.2.2'));
});

test('unresolved remote candidates and candidates of another ufrag are ignored', (t) => {
  const c = core();
  c.addLocalCandidate(0, { candidate: udpHost('10.0.0.1', 5000), transportId: 'u' });
  c.addRemoteCandidate(0, { ...udpHost('host.local', 6000), unresolved: true });
  c.addRemoteCandidate(0, { ...udpHost('192.0.2.9', 6000), ufrag: 'someoneelse' });
  t.is(c.pairs().length, 0);
  c.addRemoteCandidate(0, { ...udpHost('192.0.2.9', 6000), ufrag: 'peer' });
  t.is(c.pairs().length, 1);
});

// RFC 6544 Appendix C: the first offer and answer (the pairing rules of RFC 6544 §6.2 with RFC 8445 §6.1.2).
const offer = [
  'candidate:1 1 TCP 2128609279 10.0.1.1 9 typ host tcptype active',
  'candidate:2 1 TCP 2124414975 10.0.1.1 8998 typ host tcptype passive',
  'candidate:3 1 TCP 2120220671 10.0.1.1 8999 typ host tcptype so',
  'candidate:4 1 TCP 1688207359 192.0.2.3 9 typ srflx raddr 10.0.1.1 rport 9 tcptype active',
  'candidate:5 1 TCP 1684013055 192.0.2.3 45664 typ srflx raddr 10.0.1.1 rport 8998 tcptype passive',
  'candidate:6 1 TCP 1692401663 192.0.2.3 45687 typ srflx raddr 10.0.1.1 rport 8999 tcptype so',
].map((line) => parseCandidate(line));
const answer = [
  'candidate:1 1 TCP 2128609279 192.0.2.1 9 typ host tcptype active',
  'candidate:2 1 TCP 2124414975 192.0.2.1 3478 typ host tcptype passive',
  'candidate:3 1 TCP 2120220671 192.0.2.1 3482 typ host tcptype so',
].map((line) => parseCandidate(line));

/** The pairs of a core with these locals (host and srflx of one tcptype share a base) and remotes, highest priority first. */
function tcpPairs(controlling: boolean, locals: Candidate[], remotes: Candidate[]): Array<{ pair: string; priority: bigint }> {
  const c = new IceCore({ controlling, random: seededRandom(5), localCredentials: { ufrag: 'mine', pwd: 'minepasswordminepassword' } });
  c.setRemoteCredentials(0, PEER);
  for (const local of locals) c.addLocalCandidate(0, { candidate: local, transportId: `tcp-${local.tcpType}` });
  for (const remote of remotes) c.addRemoteCandidate(0, remote);
  return c
    .pairs()
    .sort((a, b) => (a.priority === b.priority ? 0 : a.priority > b.priority ? -1 : 1))
    .map((p) => ({ pair: `${p.local.foundation}:${p.remote.foundation} ${p.local.tcpType}->${p.remote.tcpType}`, priority: p.priority }));
}

test('RFC 6544 App. C, the offerer (controlling): active → passive and S-O ↔ S-O from the bases; passive locals pruned (§6.2)', (t) => {
  t.deepEqual(tcpPairs(true, offer, answer), [
    { pair: '1:2 active->passive', priority: pairPriority(2128609279, 2124414975) },
    { pair: '3:3 so->so', priority: pairPriority(2120220671, 2120220671) },
  ]);
});

test('RFC 6544 App. C, the answerer (controlled): its active and S-O bases pair with host and srflx remotes, by priority', (t) => {
  t.deepEqual(
    tcpPairs(false, answer, offer).map((p) => p.pair),
    ['1:2 active->passive', '3:3 so->so', '3:6 so->so', '1:5 active->passive'],
  );
  t.is(tcpPairs(false, answer, offer)[0].priority, pairPriority(2124414975, 2128609279));
});
