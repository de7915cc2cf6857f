import test from 'ava';
import type { NetworkInterfaceInfo } from 'node:os';
import { addressExclusion, listInterfaceAddresses, normalizeAddressList } from '../../lib/net/agent/interfaces.js';
import { IceAgentError } from '../../lib/net/net-errors.js';

function info(address: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo {
  return {
    address,
    family,
    internal,
    netmask: '',
    mac: '00:00:00:00:00:00',
    cidr: null,
    ...(family === 'IPv6' ? { scopeid: 0 } : {}),
  } as NetworkInterfaceInfo;
}

const table = {
  lo: [info('127.0.0.1', 'IPv4', true), info('::1', 'IPv6', true)],
  eth0: [
    info('192.0.2.2', 'IPv4'),
    info('FD00:0:0::2', 'IPv6'),
    info('fe80::fc:ff:fe00:1', 'IPv6'),
    info('fec0::1', 'IPv6'),
    info('::ffff:192.0.2.9', 'IPv6'),
    info('::192.0.2.9', 'IPv6'),
  ],
  eth1: [info('198.51.100.7', 'IPv4'), info('192.0.2.2', 'IPv4'), info('2001:db8::7', 'IPv6')],
};

test('discovery: non-internal addresses, IPv4 first, canonical, each once; link-local, site-local, mapped and compatible IPv6 skipped', (t) => {
  t.deepEqual(listInterfaceAddresses({}, table), ['192.0.2.2', '198.51.100.7', 'fd00::2', '2001:db8::7']);
});

test('discovery: internal interfaces on request, families filtered', (t) => {
  t.deepEqual(listInterfaceAddresses({ includeInternal: true, families: [6] }, table), ['::1', 'fd00::2', '2001:db8::7']);
  t.deepEqual(listInterfaceAddresses({ families: [4] }, table), ['192.0.2.2', '198.51.100.7']);
  t.deepEqual(listInterfaceAddresses({}, { lo: table.lo }), []);
});

test('discovery of this machine returns only IP literals that pass the exclusions', (t) => {
  const found = listInterfaceAddresses();
  for (const address of found) t.is(addressExclusion(address), null, address);
  t.false(found.includes('127.0.0.1'));
  t.false(found.includes('::1'));
});

test('addressExclusion names the RFC 8445 §5.1.1.1 reason', (t) => {
  t.is(addressExclusion('192.0.2.1'), null);
  t.is(addressExclusion('::1'), null);
  t.regex(addressExclusion('0.0.0.0')!, /unspecified/);
  t.regex(addressExclusion('::')!, /unspecified/);
  t.regex(addressExclusion('fe80::1')!, /link-local/);
  t.regex(addressExclusion('fe80::1%eth0')!, /scope id/);
  t.regex(addressExclusion('fec0::1')!, /site-local/);
  t.regex(addressExclusion('::ffff:1.2.3.4')!, /IPv4-mapped/);
  t.regex(addressExclusion('::1.2.3.4')!, /IPv4-compatible/);
});

test('explicit addresses: canonicalized and deduplicated; anything else is ERR_AGENT_BAD_OPTION', (t) => {
  t.deepEqual(normalizeAddressList(['127.0.0.1', '0:0::1', '::1']), ['127.0.0.1', '::1']);
  for (const bad of [['localhost'], ['fe80::1'], ['fe80::1%lo'], [42], ['0.0.0.0'], ['1.2.3']]) {
    const error = t.throws(() => normalizeAddressList(bad), { instanceOf: IceAgentError });
    t.is(error?.code, 'ERR_AGENT_BAD_OPTION');
  }
  t.throws(() => normalizeAddressList('127.0.0.1'), { code: 'ERR_AGENT_BAD_OPTION' });
});
