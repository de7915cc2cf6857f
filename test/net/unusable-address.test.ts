/**
 * A gather that finds no usable candidate on an address the caller named is
 * reported: an `'unusable-address'` event before `'gathering-done'` (and the
 * CLI's stderr line), never a silent skip. 192.0.2.77 (TEST-NET-1, RFC 5737)
 * is on no interface here: binding to it fails, and nothing is ever sent.
 */
import test from 'ava';
import { IceAgent, type UnusableAddress } from '../../lib/index.js';
import { findUnusableAddresses } from '../../lib/net/agent/unusable-addresses.js';
import type { Candidate } from '../../lib/candidate/index.js';
import { runIceTcp } from '../cli/helpers.js';

const ABSENT = '192.0.2.77';

async function gatherOn(options: Omit<ConstructorParameters<typeof IceAgent>[0], 'controlling'>) {
  const agent = new IceAgent({ controlling: true, ...options });
  const order: string[] = [];
  const unusable: UnusableAddress[] = [];
  const warnings: string[] = [];
  agent.on('unusable-address', (report) => {
    order.push('unusable-address');
    unusable.push(report);
  });
  agent.on('warning', (warning) => warnings.push(`${warning.code} ${warning.message}`));
  agent.on('gathering-done', () => order.push('gathering-done'));
  const candidates = await agent.gather();
  await agent.close();
  return { candidates, unusable, warnings, order };
}

test.serial('UDP and every TCP kind: the absent address is reported, the loopback one is not', async (t) => {
  const r = await gatherOn({ addresses: ['127.0.0.1', ABSENT] });
  t.true(r.candidates.some((c) => c.address === '127.0.0.1'));
  t.deepEqual(
    r.unusable.map((u) => u.address),
    [ABSENT],
  );
  t.is(r.unusable[0].reason, 'it is not an address of any interface of this host');
  t.deepEqual(r.order, ['unusable-address', 'gathering-done']);
});

test.serial('TCP only: an active candidate on an absent address does not count as usable', async (t) => {
  const r = await gatherOn({ addresses: [ABSENT], udp: false, tcp: true });
  t.deepEqual(
    r.unusable.map((u) => u.address),
    [ABSENT],
  );
  t.is(r.unusable[0].reason, 'it is not an address of any interface of this host');
});

test.serial('every named address usable: no report', async (t) => {
  const r = await gatherOn({ addresses: ['127.0.0.1'], udp: true, tcp: { active: true, passive: false, so: false } });
  t.deepEqual(r.unusable, []);
  t.deepEqual(r.order, ['gathering-done']);
});

test('findUnusableAddresses: host and reflexive bases count, active TCP only on an interface address', (t) => {
  const host = (address: string, tcpType?: Candidate['tcpType']) =>
    ({ type: 'host', address, port: tcpType === 'active' ? 9 : 5000, tcpType }) as unknown as Candidate;
  const srflx = { type: 'srflx', address: '203.0.113.5', port: 1, relatedAddress: '10.0.0.2' } as unknown as Candidate;
  const interfaces = new Set(['10.0.0.1', '10.0.0.5']);
  const result = findUnusableAddresses(
    ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5'],
    [host('10.0.0.1', 'active'), srflx, host('10.0.0.4', 'active')],
    ['STUN server 198.51.100.1 did not answer for 10.0.0.3 in time'],
    interfaces,
  );
  t.deepEqual(result, [
    { address: '10.0.0.3', reason: 'STUN server 198.51.100.1 did not answer for 10.0.0.3 in time' },
    { address: '10.0.0.4', reason: 'it is not an address of any interface of this host' },
    { address: '10.0.0.5', reason: 'every transport failed to bind on it (DEBUG=ice-tcp:* says why)' },
  ]);
});

test('ice-tcp peer prints a stderr line for a --bind address with no usable candidate', async (t) => {
  const r = await runIceTcp(['peer', '--controlling', '--bind', '127.0.0.1', '--bind', ABSENT, '--timeout', '2'], { timeoutMs: 30_000 });
  t.regex(r.stderr, /ice-tcp peer: no usable candidate on 192\.0\.2\.77: it is not an address of any interface of this host/);
  t.notRegex(r.stderr, /no usable candidate on 127\.0\.0\.1/);
  t.regex(r.stdout, /^gathering-done$/m);
});
