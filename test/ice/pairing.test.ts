import test from 'ava';
import { decodeStun, encodeStun, shortTermKey, StunClass, StunMethod } from '../../lib/stun/index.js';
import { IceCore, seededRandom, type IceEvent, type PairInfo } from '../../lib/ice/index.js';
import { udpHost } from './support/loop.js';

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
