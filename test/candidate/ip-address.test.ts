import test from 'ava';
import fc from 'fast-check';
import { SocketAddress, isIPv4, isIPv6 } from 'node:net';
import {
  formatIPv6,
  ipFamily,
  isHostName,
  isLinkLocalAddress,
  isMdnsName,
  normalizeIpAddress,
  parseIPv4,
  parseIPv6,
} from '../../lib/candidate/index.js';

const RUNS = Math.max(1000, Math.floor(Number(process.env.FC_RUNS ?? 100_000) / 10));

/** The form node:net prints (libuv inet_ntop): the reference our normaliser must match. */
const nodeForm = (address: string) => new SocketAddress({ address, family: 'ipv6' }).address;

const table: Array<[string, string]> = [
  ['0:0::1', '::1'],
  ['::', '::'],
  ['0:0:0:0:0:0:0:0', '::'],
  ['FE80:0:0:0:0:0:0:1', 'fe80::1'],
  ['2001:DB8::0:1', '2001:db8::1'],
  ['1:0:0:1:0:0:0:1', '1:0:0:1::1'],
  ['1:0:1:0:1:0:1:0', '1:0:1:0:1:0:1:0'],
  ['1::', '1::'],
  ['::ffff:1.2.3.4', '::ffff:1.2.3.4'],
  ['::ffff:0102:0304', '::ffff:1.2.3.4'],
  ['::1.2.3.4', '::1.2.3.4'],
  ['::0.0.1.2', '::102'],
  ['::ffff:0:1.2.3.4', '::ffff:0:102:304'],
  ['64:ff9b::1.2.3.4', '64:ff9b::102:304'],
  ['1::ffff:1.2.3.4', '1::ffff:102:304'],
  ['::1:0:0:0', '::1:0:0:0'],
  ['0:0:0:0:0:1:0:0', '::1:0:0'],
  ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
];
for (const [input, expected] of table) {
  test(`IPv6 ${input} -> ${expected}, as node:net prints it`, (t) => {
    t.is(normalizeIpAddress(input), expected);
    t.is(nodeForm(input), expected);
  });
}

test('random IPv6 literals normalise exactly as node:net prints them', (t) => {
  fc.assert(
    fc.property(fc.ipV6(), (address) => normalizeIpAddress(address) === nodeForm(address)),
    { numRuns: RUNS },
  );
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.constant(0), fc.constant(0xffff), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 }),
      (groups) => {
        const text = formatIPv6(groups);
        return text === nodeForm(text) && parseIPv6(text)?.join() === groups.join();
      },
    ),
    { numRuns: RUNS },
  );
  t.pass();
});

test('IPv4 and IPv6 recognition agrees with node:net on random and near-miss input', (t) => {
  const nearMiss = fc.oneof(
    fc.ipV4(),
    fc.ipV6(),
    fc.ipV4Extended(),
    fc.string({ unit: fc.constantFrom('0', '1', 'f', 'F', ':', '.', '2', '5', 'g'), maxLength: 45 }),
  );
  fc.assert(
    fc.property(nearMiss, (text) => {
      // node accepts zone ids; we do not (RFC 8839 connection-address has none).
      if (text.includes('%')) return true;
      return (parseIPv4(text) !== null) === isIPv4(text) && (parseIPv6(text) !== null) === isIPv6(text);
    }),
    { numRuns: RUNS },
  );
  t.pass();
});

test('strict IPv4: no leading zeros, four parts, 0..255', (t) => {
  t.deepEqual(parseIPv4('192.0.2.1'), [192, 0, 2, 1]);
  t.deepEqual(parseIPv4('0.0.0.0'), [0, 0, 0, 0]);
  for (const bad of ['192.0.2.01', '192.0.2', '192.0.2.1.5', '256.0.0.1', '1.2.3.-1', '', 'a.b.c.d', '1..2.3'])
    t.is(parseIPv4(bad), null, bad);
});

test('IPv6 rejects malformed text', (t) => {
  for (const bad of [
    '',
    ':',
    ':::',
    '1:::2',
    '1::2::3',
    '12345::',
    'g::',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7::8',
    '::1.2.3',
    '1.2.3.4::',
    '::1.2.3.4:5',
    'fe80::1%eth0',
    ':1::',
    '1::2:',
  ]) {
    t.is(parseIPv6(bad), null, bad);
  }
  t.is(parseIPv6('a'.repeat(46)), null);
});

test('families and link-local ranges', (t) => {
  t.is(ipFamily('192.0.2.1'), 4);
  t.is(ipFamily('::1'), 6);
  t.is(ipFamily('host.example'), null);
  t.is(ipFamily('1:2'), null);
  t.true(isLinkLocalAddress('169.254.1.1'));
  t.true(isLinkLocalAddress('169.254.0.0'));
  t.false(isLinkLocalAddress('169.253.255.255'));
  t.false(isLinkLocalAddress('169.255.0.1'));
  t.true(isLinkLocalAddress('fe80::1'));
  t.true(isLinkLocalAddress('febf:ffff::1'));
  t.false(isLinkLocalAddress('fec0::1'));
  t.false(isLinkLocalAddress('fe7f::1'));
  t.false(isLinkLocalAddress('2001:db8::1'));
  t.false(isLinkLocalAddress('example.local'));
});

test('host names and mDNS names', (t) => {
  t.true(isHostName('turn.example.com'));
  t.true(isHostName('turn.example.com.'));
  t.true(isHostName('9f3c2b1e-4d5a-4e6f-8a7b-1c2d3e4f5a6b.local'));
  t.true(isHostName('_service.example'));
  for (const bad of [
    '',
    '.',
    '-a.example',
    'a-.example',
    'a..b',
    'a b',
    '1.2.3',
    '1.2.3.4',
    `${'a'.repeat(64)}.example`,
    `${'a.'.repeat(127)}ab`,
  ]) {
    t.false(isHostName(bad), bad);
  }
  t.true(isMdnsName('x.local'));
  t.true(isMdnsName('X.LOCAL.'));
  t.false(isMdnsName('x.example'));
});
