import test from 'ava';
import { CandidateError, parseCandidate, serializeCandidate, type Candidate } from '../../lib/candidate/index.js';
import { throwsCandidateError } from './helpers.js';

const base: Candidate = {
  foundation: '1',
  component: 1,
  transport: 'udp',
  priority: 2130706431,
  address: '192.0.2.1',
  port: 3478,
  type: 'host',
  extensions: [],
};

test('parses the RFC 8839 §5.1 example with the a= prefix', (t) => {
  t.deepEqual(parseCandidate('a=candidate:2 1 UDP 1694498815 192.0.2.3 45664 typ srflx raddr 203.0.113.141 rport 8998'), {
    foundation: '2',
    component: 1,
    transport: 'udp',
    priority: 1694498815,
    address: '192.0.2.3',
    port: 45664,
    type: 'srflx',
    relatedAddress: '203.0.113.141',
    relatedPort: 8998,
    extensions: [],
  });
});

test('parses without a= and a TCP passive candidate (RFC 6544 §4.5)', (t) => {
  const c = parseCandidate('candidate:2 1 TCP 2124414975 192.0.2.1 3478 typ host tcptype passive');
  t.is(c.transport, 'tcp');
  t.is(c.tcpType, 'passive');
  t.is(c.port, 3478);
  t.is(serializeCandidate(c), 'candidate:2 1 TCP 2124414975 192.0.2.1 3478 typ host tcptype passive');
  t.is(serializeCandidate(c, { prefix: true }), 'a=candidate:2 1 TCP 2124414975 192.0.2.1 3478 typ host tcptype passive');
});

test('transport is case-insensitive and printed upper-case', (t) => {
  for (const transport of ['udp', 'UDP', 'Udp', 'uDP']) {
    const c = parseCandidate(`candidate:1 1 ${transport} 1 192.0.2.1 1 typ host`);
    t.is(c.transport, 'udp');
    t.is(serializeCandidate(c), 'candidate:1 1 UDP 1 192.0.2.1 1 typ host');
  }
  t.is(parseCandidate('candidate:1 1 tCp 1 192.0.2.1 1 typ host tcptype SO').tcpType, 'so');
});

test('a TCP candidate without tcptype is ERR_CANDIDATE_MISSING_TCPTYPE', (t) => {
  throwsCandidateError(t, () => parseCandidate('candidate:1 1 TCP 2124414975 192.0.2.1 3478 typ host'), 'ERR_CANDIDATE_MISSING_TCPTYPE');
  throwsCandidateError(
    t,
    () => parseCandidate('candidate:1 1 TCP 2124414975 192.0.2.1 3478 typ host generation 0'),
    'ERR_CANDIDATE_MISSING_TCPTYPE',
  );
  throwsCandidateError(t, () => serializeCandidate({ ...base, transport: 'tcp' }), 'ERR_CANDIDATE_MISSING_TCPTYPE');
  const error = t.throws(() => parseCandidate('candidate:1 1 TCP 1 192.0.2.1 3478 typ host'), { instanceOf: CandidateError });
  t.regex(error?.message ?? '', /tcptype/);
});

test('tcptype on a UDP candidate or an unknown tcptype is rejected', (t) => {
  throwsCandidateError(t, () => parseCandidate('candidate:1 1 UDP 1 192.0.2.1 3478 typ host tcptype active'), 'ERR_CANDIDATE_BAD_VALUE');
  throwsCandidateError(t, () => parseCandidate('candidate:1 1 TCP 1 192.0.2.1 3478 typ host tcptype both'), 'ERR_CANDIDATE_BAD_VALUE');
  throwsCandidateError(t, () => serializeCandidate({ ...base, tcpType: 'active' }), 'ERR_CANDIDATE_BAD_VALUE');
  throwsCandidateError(t, () => serializeCandidate({ ...base, transport: 'tcp', tcpType: 'x' as 'so' }), 'ERR_CANDIDATE_BAD_VALUE');
});

test('active TCP: any port is accepted and recorded, 9 is printed (RFC 6544 §4.5)', (t) => {
  const c = parseCandidate('candidate:1 1 tcp 1518280447 192.168.1.36 0 typ host tcptype active generation 0');
  t.is(c.port, 0);
  t.is(serializeCandidate(c), 'candidate:1 1 TCP 1518280447 192.168.1.36 9 typ host tcptype active generation 0');
  t.is(parseCandidate('candidate:1 1 tcp 1 192.0.2.1 40000 typ host tcptype active').port, 40000);
  t.is(
    serializeCandidate({ ...base, transport: 'tcp', tcpType: 'active', port: 51234 }),
    'candidate:1 1 TCP 2130706431 192.0.2.1 9 typ host tcptype active',
  );
  // Passive and S-O keep their real port.
  t.is(
    serializeCandidate({ ...base, transport: 'tcp', tcpType: 'so', port: 51234 }),
    'candidate:1 1 TCP 2130706431 192.0.2.1 51234 typ host tcptype so',
  );
});

test('IPv6 addresses are normalised the way node:net prints them', (t) => {
  const c = parseCandidate(
    'candidate:1 1 UDP 1 2001:0DB8:0000:0000:0000:0000:0000:0001 5000 typ srflx raddr FE80:0:0:0:0:0:0:1 rport 6000',
  );
  t.is(c.address, '2001:db8::1');
  t.is(c.relatedAddress, 'fe80::1');
  t.is(serializeCandidate(c), 'candidate:1 1 UDP 1 2001:db8::1 5000 typ srflx raddr fe80::1 rport 6000');
  t.is(parseCandidate('candidate:1 1 UDP 1 ::ffff:c000:0201 5000 typ host').address, '::ffff:192.0.2.1');
  t.is(serializeCandidate({ ...base, address: '0:0:0:0:0:0:0:1' }), 'candidate:1 1 UDP 2130706431 ::1 3478 typ host');
});

test('FQDN and mDNS candidates are parsed and marked unresolved (RFC 8839 §5.1)', (t) => {
  const mdns = parseCandidate(
    'candidate:3183727455 1 udp 2113937151 9f3c2b1e-4d5a-4e6f-8a7b-1c2d3e4f5a6b.local 51234 typ host generation 0',
  );
  t.true(mdns.unresolved);
  t.is(mdns.address, '9f3c2b1e-4d5a-4e6f-8a7b-1c2d3e4f5a6b.local');
  const fqdn = parseCandidate('candidate:1 1 UDP 1 turn.example.com 3478 typ relay raddr 192.0.2.1 rport 1');
  t.true(fqdn.unresolved);
  t.is(serializeCandidate(fqdn), 'candidate:1 1 UDP 1 turn.example.com 3478 typ relay raddr 192.0.2.1 rport 1');
  t.is(parseCandidate('candidate:1 1 UDP 1 192.0.2.1 1 typ host').unresolved, undefined);
});

test('typed extensions and unknown extensions in order round-trip', (t) => {
  const line =
    'candidate:842163049 1 udp 1677729535 198.51.100.77 51234 typ srflx raddr 0.0.0.0 rport 0 generation 3 ufrag Xq3b network-id 2 network-cost 999 zeta 1 alpha two zeta 3';
  const c = parseCandidate(line);
  t.is(c.generation, 3);
  t.is(c.ufrag, 'Xq3b');
  t.is(c.networkId, 2);
  t.is(c.networkCost, 999);
  t.deepEqual(c.extensions, [
    ['zeta', '1'],
    ['alpha', 'two'],
    ['zeta', '3'],
  ]);
  t.is(serializeCandidate(c), line.replace(' udp ', ' UDP '));
});

test('raddr, rport and tcptype are accepted in any order after typ (pion prints tcptype first)', (t) => {
  const c = parseCandidate('candidate:1 1 tcp 1 192.0.2.1 5000 typ srflx tcptype passive raddr 10.0.0.1 rport 5001');
  t.is(c.tcpType, 'passive');
  t.is(c.relatedAddress, '10.0.0.1');
  t.is(serializeCandidate(c), 'candidate:1 1 TCP 1 192.0.2.1 5000 typ srflx raddr 10.0.0.1 rport 5001 tcptype passive');
});

test('surrounding white space, CRLF and repeated separators are tolerated', (t) => {
  const c = parseCandidate('  a=candidate:1  1\tUDP 1 192.0.2.1 1 typ host  generation 0\r\n');
  t.is(c.generation, 0);
  t.is(serializeCandidate(c), 'candidate:1 1 UDP 1 192.0.2.1 1 typ host generation 0');
});

test('priority: 1..2^32-1 accepted, 0 and above rejected', (t) => {
  t.is(parseCandidate('candidate:1 1 UDP 4294967295 192.0.2.1 1 typ host').priority, 4294967295);
  t.is(parseCandidate('candidate:1 1 UDP 2147483648 192.0.2.1 1 typ host').priority, 2147483648);
  throwsCandidateError(t, () => parseCandidate('candidate:1 1 UDP 0 192.0.2.1 1 typ host'), 'ERR_CANDIDATE_BAD_VALUE');
  throwsCandidateError(t, () => parseCandidate('candidate:1 1 UDP 4294967296 192.0.2.1 1 typ host'), 'ERR_CANDIDATE_BAD_VALUE');
  throwsCandidateError(t, () => parseCandidate('candidate:1 1 UDP 12345678901 192.0.2.1 1 typ host'), 'ERR_CANDIDATE_SYNTAX');
  throwsCandidateError(t, () => parseCandidate('candidate:1 1 UDP -1 192.0.2.1 1 typ host'), 'ERR_CANDIDATE_SYNTAX');
  throwsCandidateError(t, () => serializeCandidate({ ...base, priority: 0 }), 'ERR_CANDIDATE_BAD_VALUE');
  throwsCandidateError(t, () => serializeCandidate({ ...base, priority: 2 ** 32 }), 'ERR_CANDIDATE_BAD_VALUE');
  throwsCandidateError(t, () => serializeCandidate({ ...base, priority: 1.5 }), 'ERR_CANDIDATE_BAD_VALUE');
});

const syntaxErrors: Array<[string, string]> = [
  ['empty', ''],
  ['no prefix', '1 1 UDP 1 192.0.2.1 1 typ host'],
  ['wrong attribute', 'a=candidates:1 1 UDP 1 192.0.2.1 1 typ host'],
  ['too few fields', 'candidate:1 1 UDP 1 192.0.2.1 1 typ'],
  ['missing typ keyword', 'candidate:1 1 UDP 1 192.0.2.1 1 type host'],
  ['empty foundation', 'candidate: 1 UDP 1 192.0.2.1 1 typ host'],
  ['foundation too long', `candidate:${'a'.repeat(33)} 1 UDP 1 192.0.2.1 1 typ host`],
  ['foundation bad char', 'candidate:a-b 1 UDP 1 192.0.2.1 1 typ host'],
  ['component not digits', 'candidate:1 x UDP 1 192.0.2.1 1 typ host'],
  ['component 4 digits', 'candidate:1 0001 UDP 1 192.0.2.1 1 typ host'],
  ['port not digits', 'candidate:1 1 UDP 1 192.0.2.1 0x50 typ host'],
  ['dangling extension', 'candidate:1 1 UDP 1 192.0.2.1 1 typ host generation'],
  ['duplicate raddr', 'candidate:1 1 UDP 1 192.0.2.1 1 typ srflx raddr 192.0.2.2 raddr 192.0.2.3'],
  ['duplicate generation', 'candidate:1 1 UDP 1 192.0.2.1 1 typ host generation 0 generation 1'],
  ['bad extension name', 'candidate:1 1 UDP 1 192.0.2.1 1 typ host na(me) v'],
  ['control character', 'candidate:1 1 UDP 1 192.0.2.1 1 typ host\u0000'],
  ['non-ASCII', 'candidate:1 1 UDP 1 192.0.2.1 1 typ host ufrag ü'],
  ['bad transport token', 'candidate:1 1 U(P 1 192.0.2.1 1 typ host'],
  ['bad type token', 'candidate:1 1 UDP 1 192.0.2.1 1 typ ho(st'],
  ['generation not digits', 'candidate:1 1 UDP 1 192.0.2.1 1 typ host generation x'],
  ['line too long', `candidate:1 1 UDP 1 192.0.2.1 1 typ host${' a b'.repeat(2000)}`],
];
for (const [name, line] of syntaxErrors) {
  test(`ERR_CANDIDATE_SYNTAX: ${name}`, (t) => {
    throwsCandidateError(t, () => parseCandidate(line), 'ERR_CANDIDATE_SYNTAX');
  });
}

const valueErrors: Array<[string, string]> = [
  ['component 0', 'candidate:1 0 UDP 1 192.0.2.1 1 typ host'],
  ['component 257', 'candidate:1 257 UDP 1 192.0.2.1 1 typ host'],
  ['port 65536', 'candidate:1 1 UDP 1 192.0.2.1 65536 typ host'],
  ['rport 70000', 'candidate:1 1 UDP 1 192.0.2.1 1 typ srflx raddr 192.0.2.2 rport 70000'],
  ['bad IPv4', 'candidate:1 1 UDP 1 192.0.2.256 1 typ host'],
  ['IPv4 with leading zero', 'candidate:1 1 UDP 1 192.0.2.01 1 typ host'],
  ['bad IPv6', 'candidate:1 1 UDP 1 2001:db8::1::2 1 typ host'],
  ['IPv6 zone id', 'candidate:1 1 UDP 1 fe80::1%eth0 1 typ host'],
  ['bad raddr', 'candidate:1 1 UDP 1 192.0.2.1 1 typ srflx raddr -bad- rport 1'],
  ['network-cost too large', 'candidate:1 1 UDP 1 192.0.2.1 1 typ host network-cost 4294967296'],
];
for (const [name, line] of valueErrors) {
  test(`ERR_CANDIDATE_BAD_VALUE: ${name}`, (t) => {
    throwsCandidateError(t, () => parseCandidate(line), 'ERR_CANDIDATE_BAD_VALUE');
  });
}

test('unsupported transports and candidate types are ERR_CANDIDATE_UNSUPPORTED (to be ignored, RFC 8839 §5.1)', (t) => {
  throwsCandidateError(t, () => parseCandidate('candidate:1 1 ssltcp 1 192.0.2.1 443 typ host'), 'ERR_CANDIDATE_UNSUPPORTED');
  throwsCandidateError(t, () => parseCandidate('candidate:1 1 UDP 1 192.0.2.1 443 typ nat-assisted'), 'ERR_CANDIDATE_UNSUPPORTED');
});

test('non-string input is a CandidateError', (t) => {
  throwsCandidateError(t, () => parseCandidate(42 as unknown as string), 'ERR_CANDIDATE_SYNTAX');
  throwsCandidateError(t, () => parseCandidate(undefined as unknown as string), 'ERR_CANDIDATE_SYNTAX');
});

test('serialize validates every field', (t) => {
  const bad = (c: unknown) => throwsCandidateError(t, () => serializeCandidate(c as Candidate), 'ERR_CANDIDATE_BAD_VALUE');
  bad(null);
  bad('candidate');
  bad({ ...base, foundation: '' });
  bad({ ...base, foundation: 'a b' });
  bad({ ...base, foundation: 'x'.repeat(33) });
  bad({ ...base, component: 0 });
  bad({ ...base, transport: 'sctp' });
  bad({ ...base, address: 'not an address!' });
  bad({ ...base, address: 7 });
  bad({ ...base, port: 65536 });
  bad({ ...base, type: 'nat' });
  bad({ ...base, relatedAddress: '::g' });
  bad({ ...base, relatedPort: -1 });
  bad({ ...base, generation: -1 });
  bad({ ...base, ufrag: 'a b' });
  bad({ ...base, ufrag: '' });
  bad({ ...base, networkId: 1.5 });
  bad({ ...base, networkCost: 2 ** 32 });
  bad({ ...base, extensions: 'x' });
  bad({ ...base, extensions: [['generation', '1']] });
  bad({ ...base, extensions: [['tcptype', 'active']] });
  bad({ ...base, extensions: [['ok', '']] });
  bad({ ...base, extensions: [['ok', 'a b']] });
  bad({ ...base, extensions: [['bad name', 'v']] });
  bad({ ...base, extensions: ['x'] });
  bad({ ...base, extensions: Array.from({ length: 1000 }, (_, i) => [`n${i}`, 'v']) });
});

test('serialize prints every field in canonical order', (t) => {
  const c: Candidate = {
    foundation: 'a+/Z9',
    component: 2,
    transport: 'tcp',
    priority: 1692401663,
    address: '2001:db8:0:0:1:0:0:1',
    port: 45687,
    type: 'srflx',
    relatedAddress: '10.0.1.1',
    relatedPort: 8999,
    tcpType: 'so',
    generation: 1,
    ufrag: 'uF+/',
    networkId: 7,
    networkCost: 10,
    extensions: [['x-vendor', 'on']],
  };
  t.is(
    serializeCandidate(c),
    'candidate:a+/Z9 2 TCP 1692401663 2001:db8::1:0:0:1 45687 typ srflx raddr 10.0.1.1 rport 8999 tcptype so generation 1 ufrag uF+/ network-id 7 network-cost 10 x-vendor on',
  );
});

test('active TCP candidates print port 9 (RFC 6544 §4.5), except peer-reflexive ones, which keep their real port', (t) => {
  const host = parseCandidate('candidate:1 1 TCP 2128609279 192.0.2.1 51234 typ host tcptype active');
  t.is(host.port, 51234, 'the parsed port is kept');
  t.is(serializeCandidate(host), 'candidate:1 1 TCP 2128609279 192.0.2.1 9 typ host tcptype active');
  // A prflx candidate is learned from a connection (never signalled): its port is where that connection came from.
  const prflx = { ...host, type: 'prflx' as const, port: 45733, relatedAddress: '192.0.2.1', relatedPort: 9 };
  const line = serializeCandidate(prflx);
  t.is(line, 'candidate:1 1 TCP 2128609279 192.0.2.1 45733 typ prflx raddr 192.0.2.1 rport 9 tcptype active');
  t.is(parseCandidate(line).port, 45733);
});
