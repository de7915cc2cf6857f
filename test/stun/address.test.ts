import test from 'ava';
import fc from 'fast-check';
import { SocketAddress } from 'node:net';
import { formatIpv6, parseIpv4Into, parseIpv6Into } from '../../lib/stun/address-attributes.js';
import { FC_RUNS } from './helpers.js';

/** How node:net prints an IPv6 address: the oracle for our formatter. */
const nodeForm = (text: string) => new SocketAddress({ address: text, family: 'ipv6' }).address;

const v6 = (text: string): Uint8Array | null => {
  const out = new Uint8Array(16);
  return parseIpv6Into(text, out, 0) ? out : null;
};
const v4 = (text: string): number[] | null => {
  const out = new Uint8Array(4);
  return parseIpv4Into(text, out, 0) ? [...out] : null;
};

test('IPv6 formatting matches node:net on chosen cases', (t) => {
  const cases = [
    '::',
    '::1',
    '1::',
    '2001:db8::1',
    '2001:db8:0:0:1:0:0:1',
    '1:0:0:2:0:0:0:3',
    '0:0:1:0:0:0:0:0',
    '::ffff:1.2.3.4',
    '::1.2.3.4',
    '::ffff:0:0',
    '::2',
    '::1:2',
    '1:2:3:4:5:6:7:8',
    'fe80::1',
    '0:1::',
    '2001:db8:1234:5678:11:2233:4455:6677',
    '::ffff:0:102:304',
    '0:0:0:0:ffff::',
    'abcd:ef01::',
  ];
  for (const c of cases) {
    const bytes = v6(c);
    t.truthy(bytes, c);
    t.is(formatIpv6(bytes!), nodeForm(c), c);
  }
});

test('IPv6 formatting matches node:net, and parsing inverts it (property)', (t) => {
  // Words biased towards 0 so that runs of zero groups are common.
  const word = fc.oneof(fc.constant(0), fc.constant(0), fc.constant(0xffff), fc.integer({ min: 0, max: 0xffff }));
  fc.assert(
    fc.property(fc.array(word, { minLength: 8, maxLength: 8 }), (words) => {
      const bytes = new Uint8Array(16);
      words.forEach((w, i) => {
        bytes[2 * i] = w >> 8;
        bytes[2 * i + 1] = w & 0xff;
      });
      const text = formatIpv6(bytes);
      t.is(text, nodeForm(words.map((w) => w.toString(16)).join(':')));
      t.deepEqual(v6(text), bytes);
    }),
    { numRuns: Math.max(1000, FC_RUNS / 10) },
  );
});

test('IPv6 parsing accepts the textual forms of RFC 4291 §2.2 and ignores a zone', (t) => {
  t.deepEqual(v6('::'), new Uint8Array(16));
  t.deepEqual(v6('fe80::1%eth0'), v6('fe80::1'));
  t.deepEqual(v6('ABCD::EF'), v6('abcd::ef'));
  t.deepEqual(v6('1:2:3:4:5:6:1.2.3.4'), v6('1:2:3:4:5:6:102:304'));
  t.deepEqual(v6('0001:0002:0003:0004:0005:0006:0007:0008'), v6('1:2:3:4:5:6:7:8'));
});

test('IPv6 parsing rejects malformed text', (t) => {
  const bad = [
    '',
    ':',
    ':::',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '12345::',
    'g::',
    '1.2.3.4',
    '::1.2.3',
    '1:2:3:4:5:6:7:1.2.3.4',
    ':1::',
    '1:',
    '1::2:',
    '::1.2.3.4.5',
    '1:2:3:4:5:6:7:8::',
    '::x',
    '1 ::',
    '::256.1.1.1',
    '1:2:3:4:5:1.2.3.4',
  ];
  for (const b of bad) t.is(v6(b), null, JSON.stringify(b));
});

test('IPv4 parsing: dotted quads only', (t) => {
  t.deepEqual(v4('0.0.0.0'), [0, 0, 0, 0]);
  t.deepEqual(v4('255.255.255.255'), [255, 255, 255, 255]);
  t.deepEqual(v4('192.0.2.1'), [192, 0, 2, 1]);
  for (const b of ['', '1.2.3', '1.2.3.4.5', '1..2.3', '256.0.0.1', '1.2.3.4 ', '0001.2.3.4', 'a.b.c.d', '.1.2.3', '1.2.3.']) {
    t.is(v4(b), null, JSON.stringify(b));
  }
});
