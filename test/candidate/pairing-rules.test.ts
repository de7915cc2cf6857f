import test from 'ava';
import {
  canPair,
  pairingRejection,
  parseCandidate,
  type Candidate,
  type PairingRejection,
  type TcpType,
} from '../../lib/candidate/index.js';

const udp = (address: string, component = 1): Candidate => ({
  foundation: 'u',
  component,
  transport: 'udp',
  priority: 1,
  address,
  port: 5000,
  type: 'host',
  extensions: [],
});
const tcp = (tcpType: TcpType | undefined, address = '192.0.2.1'): Candidate => {
  const c: Candidate = { ...udp(address), foundation: 't', transport: 'tcp' };
  if (tcpType !== undefined) c.tcpType = tcpType;
  return c;
};

// RFC 6544 §6.2 table, and every forbidden combination.
const tcpTable: Array<[TcpType, TcpType, PairingRejection | null]> = [
  ['active', 'passive', null],
  ['passive', 'active', null],
  ['so', 'so', null],
  ['active', 'active', 'tcptype-mismatch'],
  ['passive', 'passive', 'tcptype-mismatch'],
  ['active', 'so', 'tcptype-mismatch'],
  ['so', 'active', 'tcptype-mismatch'],
  ['passive', 'so', 'tcptype-mismatch'],
  ['so', 'passive', 'tcptype-mismatch'],
];
for (const [local, remote, expected] of tcpTable) {
  test(`TCP local ${local} with remote ${remote}: ${expected ?? 'may pair'}`, (t) => {
    t.is(pairingRejection(tcp(local), tcp(remote, '192.0.2.2')), expected);
    t.is(canPair(tcp(local), tcp(remote, '192.0.2.2')), expected === null);
  });
}

const rules: Array<[string, Candidate, Candidate, PairingRejection | null]> = [
  ['UDP with UDP, same family', udp('192.0.2.1'), udp('198.51.100.1'), null],
  ['UDP IPv6 with UDP IPv6', udp('2001:db8::1'), udp('2001:db8::2'), null],
  ['different components', udp('192.0.2.1', 1), udp('192.0.2.2', 2), 'component-mismatch'],
  ['TCP with UDP', tcp('active'), udp('192.0.2.2'), 'transport-mismatch'],
  ['UDP with TCP', udp('192.0.2.2'), tcp('passive'), 'transport-mismatch'],
  ['IPv4 with IPv6', udp('192.0.2.1'), udp('2001:db8::1'), 'address-family-mismatch'],
  ['IPv6 with IPv4', udp('2001:db8::1'), udp('192.0.2.1'), 'address-family-mismatch'],
  ['IPv4-mapped IPv6 is IPv6', udp('::ffff:192.0.2.1'), udp('192.0.2.2'), 'address-family-mismatch'],
  ['IPv6 link-local with link-local', udp('fe80::1'), udp('fe80::2'), null],
  ['IPv6 link-local with global', udp('fe80::1'), udp('2001:db8::2'), 'link-local-mismatch'],
  ['IPv6 global with link-local', udp('2001:db8::2'), udp('febf::1'), 'link-local-mismatch'],
  ['IPv4 link-local with link-local', udp('169.254.1.1'), udp('169.254.7.7'), null],
  ['IPv4 link-local with global', udp('169.254.1.1'), udp('192.0.2.1'), 'link-local-mismatch'],
  ['IPv4 global with link-local', udp('192.0.2.1'), udp('169.254.1.1'), 'link-local-mismatch'],
  ['TCP link-local active with link-local passive', tcp('active', 'fe80::1'), tcp('passive', 'fe80::2'), null],
  ['TCP link-local with global', tcp('active', 'fe80::1'), tcp('passive', '2001:db8::2'), 'link-local-mismatch'],
  ['remote mDNS candidate', udp('192.0.2.1'), parseCandidate('candidate:1 1 UDP 1 abc.local 1 typ host'), 'unresolved-address'],
  ['local FQDN candidate', { ...udp('host.example'), unresolved: true }, udp('192.0.2.1'), 'unresolved-address'],
  ['unflagged non-IP address', udp('192.0.2.1'), udp('not-an-ip'), 'unresolved-address'],
  ['TCP without tcptype (local)', tcp(undefined), tcp('passive', '192.0.2.2'), 'tcptype-missing'],
  ['TCP without tcptype (remote)', tcp('active'), tcp(undefined, '192.0.2.2'), 'tcptype-missing'],
];
for (const [name, local, remote, expected] of rules) {
  test(`pairing rule: ${name} -> ${expected ?? 'may pair'}`, (t) => {
    t.is(pairingRejection(local, remote), expected);
    t.is(canPair(local, remote), expected === null);
  });
}

test('rules are checked in the documented order', (t) => {
  // Component first, even when everything else differs too.
  t.is(pairingRejection(udp('192.0.2.1', 1), { ...tcp('active', '2001:db8::1'), component: 2 }), 'component-mismatch');
  // Transport before family.
  t.is(pairingRejection(udp('192.0.2.1'), tcp('active', '2001:db8::1')), 'transport-mismatch');
  // Family before tcptype.
  t.is(pairingRejection(tcp('active', '192.0.2.1'), tcp('active', '2001:db8::1')), 'address-family-mismatch');
});
