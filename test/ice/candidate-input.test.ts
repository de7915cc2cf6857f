import test from 'ava';
import type { Candidate } from '../../lib/candidate/index.js';
import { IceCore, IceError, seededRandom } from '../../lib/ice/index.js';
import { checkedCandidate } from '../../lib/ice/candidate-input.js';
import { udpHost } from './support/loop.js';

function startedCore(): IceCore {
  const core = new IceCore({ controlling: true, random: seededRandom(7) });
  core.addLocalCandidate(0, { transportId: 'u1', candidate: udpHost('10.0.0.1', 5000) });
  core.setRemoteCredentials(0, { ufrag: 'peer', pwd: 'peerPasswordPeerPassword' });
  return core;
}

const good = udpHost('10.0.0.2', 6000);
const broken: Array<[string, Record<string, unknown>]> = [
  ['a negative priority', { priority: -1 }],
  ['a priority above 2^32-1', { priority: 2 ** 33 }],
  ['a fractional priority', { priority: 1.5 }],
  ['priority 0', { priority: 0 }],
  ['a port above 65535', { port: 70000 }],
  ['a negative port', { port: -3 }],
  ['a NaN port', { port: Number.NaN }],
  ['a numeric address', { address: 42 }],
  ['a name not flagged unresolved', { address: 'peer.example' }],
  ['an unknown type', { type: 'weird' }],
  ['no foundation', { foundation: undefined }],
  ['an empty foundation', { foundation: '' }],
  ['extensions that are not an array', { extensions: 'x' }],
  ['component 0', { component: 0 }],
];

for (const [what, change] of broken) {
  test(`a remote candidate with ${what} is refused with ERR_ICE_BAD_CANDIDATE and changes nothing`, (t) => {
    const core = startedCore();
    const error = t.throws(() => core.addRemoteCandidate(1, { ...good, ...change }), { instanceOf: IceError });
    t.is(error?.code, 'ERR_ICE_BAD_CANDIDATE');
    t.deepEqual(core.pairs(), [], 'no pair was formed');
    t.is(core.pollTransmit(), undefined, 'nothing was sent');
    // The core is intact: a good candidate afterwards forms exactly one pair.
    core.addRemoteCandidate(2, good);
    t.is(core.pairs().length, 1);
  });
}

test('a local candidate with a bad field is refused the same way', (t) => {
  const core = new IceCore({ controlling: true, random: seededRandom(7) });
  for (const [, change] of broken) {
    const candidate = { ...udpHost('10.0.0.1', 5000), ...change };
    t.throws(() => core.addLocalCandidate(0, { transportId: 'u1', candidate }), { instanceOf: IceError, code: 'ERR_ICE_BAD_CANDIDATE' });
  }
  t.throws(() => core.addLocalCandidate(0, null as never), { instanceOf: IceError, code: 'ERR_ICE_BAD_CANDIDATE' });
});

test('an IPv6 address not in canonical form is stored canonical, so packets from it match', (t) => {
  const c = checkedCandidate({ ...udpHost('10.0.0.2', 6000), address: '2001:DB8:0:0:0:0:0:1' }, 'remote', 1);
  t.is(c.address, '2001:db8::1');
  const same = udpHost('10.0.0.2', 6000);
  t.is(checkedCandidate(same, 'remote', 1), same, 'an already canonical candidate is not copied');
  const core = new IceCore({ controlling: true, random: seededRandom(7) });
  core.addLocalCandidate(0, { transportId: 'u6', candidate: { ...udpHost('2001:db8::2', 5000), foundation: 'l6' } });
  core.setRemoteCredentials(0, { ufrag: 'peer', pwd: 'peerPasswordPeerPassword' });
  core.addRemoteCandidate(0, { ...udpHost('10.0.0.2', 6000), address: '2001:0DB8::0001' });
  t.is(core.pollTransmit()?.to.address, '2001:db8::1');
});

test('unresolved names are accepted (and not paired); an unknown tcptype is not', (t) => {
  const mdns = { ...udpHost('10.0.0.2', 6000), address: 'f3b1.local', unresolved: true };
  t.is(checkedCandidate(mdns, 'remote', 1), mdns);
  t.throws(
    () => checkedCandidate({ ...udpHost('10.0.0.2', 6000), transport: 'tcp', tcpType: 'sideways' } as unknown as Candidate, 'remote', 1),
    {
      instanceOf: IceError,
      message: /tcptype/,
    },
  );
});
