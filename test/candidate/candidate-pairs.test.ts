import test from 'ava';
import { formPairs, makePair, pairFoundation, pairPriority, parseCandidate, type Candidate } from '../../lib/candidate/index.js';
import { throwsCandidateError } from './helpers.js';

const p = (line: string): Candidate => parseCandidate(line);

// RFC 6544 App. C first offer (local, controlling) and answer (remote).
const offer = [
  p('candidate:1 1 TCP 2128609279 10.0.1.1 9 typ host tcptype active'),
  p('candidate:2 1 TCP 2124414975 10.0.1.1 8998 typ host tcptype passive'),
  p('candidate:3 1 TCP 2120220671 10.0.1.1 8999 typ host tcptype so'),
  p('candidate:4 1 TCP 1688207359 192.0.2.3 9 typ srflx raddr 10.0.1.1 rport 9 tcptype active'),
  p('candidate:5 1 TCP 1684013055 192.0.2.3 45664 typ srflx raddr 10.0.1.1 rport 8998 tcptype passive'),
  p('candidate:6 1 TCP 1692401663 192.0.2.3 45687 typ srflx raddr 10.0.1.1 rport 8999 tcptype so'),
];
const answer = [
  p('candidate:1 1 TCP 2128609279 192.0.2.1 9 typ host tcptype active'),
  p('candidate:2 1 TCP 2124414975 192.0.2.1 3478 typ host tcptype passive'),
  p('candidate:3 1 TCP 2120220671 192.0.2.1 3482 typ host tcptype so'),
];

test('RFC 6544 App. C: pairs, base replacement, passive pruning, redundancy, order', (t) => {
  const pairs = formPairs(offer, answer, { controlling: true });
  t.deepEqual(
    pairs.map((x) => `${x.foundation} ${x.local.tcpType}->${x.remote.tcpType}`),
    ['1:2 active->passive', '3:3 so->so'],
  );
  // Priorities from the original local candidates, as RFC 8445 §6.1.2.4 sorts before replacing.
  t.is(pairs[0].priority, pairPriority(2128609279, 2124414975));
  t.is(pairs[1].priority, pairPriority(2120220671, 2120220671));
  t.is(pairs[0].local, offer[0]);
  t.is(pairs[1].remote, answer[2]);
});

test('the answerer (controlled) sees passive locals pruned and active/so pairs kept', (t) => {
  const pairs = formPairs(answer, offer, { controlling: false });
  // Local active -> remote passive (host and srflx), local so -> remote so (host and srflx); local passive pruned.
  t.deepEqual(
    pairs.map((x) => x.foundation),
    ['1:2', '3:3', '3:6', '1:5'],
  );
  for (const pair of pairs) t.not(pair.local.tcpType, 'passive');
  t.is(pairs[0].priority, pairPriority(2124414975, 2128609279));
  // Sorted, highest first.
  for (let i = 1; i < pairs.length; i++) t.true(pairs[i - 1].priority >= pairs[i].priority);
});

test('a srflx local whose base is also a local candidate becomes a redundant, dropped pair (RFC 8445 §6.1.2.4)', (t) => {
  const host = p('candidate:h 1 UDP 2130706431 10.0.0.1 5000 typ host');
  const srflx = p('candidate:s 1 UDP 1694498815 203.0.113.1 6000 typ srflx raddr 10.0.0.1 rport 5000');
  const remote = p('candidate:r 1 UDP 2130706431 198.51.100.1 7000 typ host');
  const pairs = formPairs([srflx, host], [remote], { controlling: true });
  t.is(pairs.length, 1);
  t.is(pairs[0].local, host);
  t.is(pairs[0].foundation, 'h:r');
});

test('a srflx local without its host in the list is replaced by a synthesized base', (t) => {
  const srflx = p('candidate:s 1 UDP 1694498815 203.0.113.1 6000 typ srflx raddr 10.0.0.1 rport 5000 generation 0');
  const remote = p('candidate:r 1 UDP 2130706431 198.51.100.1 7000 typ host');
  const [pair] = formPairs([srflx], [remote], { controlling: false });
  t.deepEqual(pair.local, {
    foundation: 's',
    component: 1,
    transport: 'udp',
    priority: 1694498815,
    address: '10.0.0.1',
    port: 5000,
    type: 'host',
    generation: 0,
    extensions: [],
  });
  t.is(pair.foundation, 's:r');
  t.is(pair.priority, pairPriority(2130706431, 1694498815));
});

test('a reflexive local with a hidden or missing related address has no known base and is dropped', (t) => {
  const remote = p('candidate:r 1 UDP 2130706431 198.51.100.1 7000 typ host');
  const hidden = p('candidate:s 1 UDP 1677729535 203.0.113.1 6000 typ srflx raddr 0.0.0.0 rport 0');
  const hidden6 = p('candidate:t 1 UDP 1677729535 2001:db8::1 6000 typ srflx raddr :: rport 0');
  const missing = p('candidate:u 1 UDP 1677729535 203.0.113.1 6000 typ prflx');
  const remote6 = p('candidate:r6 1 UDP 2130706431 2001:db8::9 7000 typ host');
  t.deepEqual(formPairs([hidden, hidden6, missing], [remote, remote6], { controlling: true }), []);
});

test('relay locals are kept (their base is themselves)', (t) => {
  const relay = p('candidate:x 1 UDP 16777215 203.0.113.30 49152 typ relay raddr 198.51.100.20 rport 61000');
  const remote = p('candidate:r 1 UDP 2130706431 198.51.100.1 7000 typ host');
  const [pair] = formPairs([relay], [remote], { controlling: true });
  t.is(pair.local, relay);
});

test('the cap keeps the highest-priority pairs (default 100, configurable)', (t) => {
  const locals = Array.from({ length: 12 }, (_, i) => p(`candidate:l${i} 1 UDP ${2130706431 - i * 256} 10.0.0.${i + 1} 5000 typ host`));
  const remotes = Array.from({ length: 12 }, (_, i) =>
    p(`candidate:r${i} 1 UDP ${2130706431 - i * 256} 198.51.100.${i + 1} 7000 typ host`),
  );
  const all = formPairs(locals, remotes, { controlling: true, maxPairs: 1000 });
  t.is(all.length, 144);
  const capped = formPairs(locals, remotes, { controlling: true });
  t.is(capped.length, 100);
  t.deepEqual(capped, all.slice(0, 100));
  const five = formPairs(locals, remotes, { controlling: true, maxPairs: 5 });
  t.deepEqual(five, all.slice(0, 5));
  t.is(five[0].foundation, 'l0:r0');
});

test('unpairable candidates and components are left out', (t) => {
  const locals = [
    p('candidate:a 1 UDP 2130706431 192.0.2.1 5000 typ host'),
    p('candidate:b 2 UDP 2130706430 192.0.2.1 5001 typ host'),
    p('candidate:c 1 TCP 2105524479 192.0.2.1 9 typ host tcptype active'),
  ];
  const remotes = [
    p('candidate:x 1 UDP 2130706431 2001:db8::1 5000 typ host'),
    p('candidate:y 2 UDP 2130706430 198.51.100.1 5001 typ host'),
    p('candidate:z 1 UDP 2130706431 abc.local 5000 typ host'),
  ];
  t.deepEqual(
    formPairs(locals, remotes, { controlling: true }).map((x) => x.foundation),
    ['b:y'],
  );
});

test('duplicate remote candidates (same transport address) give one pair, the higher-priority one', (t) => {
  const local = p('candidate:a 1 UDP 2130706431 192.0.2.1 5000 typ host');
  const r1 = p('candidate:x 1 UDP 1694498815 198.51.100.1 5000 typ srflx raddr 10.0.0.1 rport 1');
  const r2 = p('candidate:y 1 UDP 1862270975 198.51.100.1 5000 typ prflx raddr 10.0.0.1 rport 1');
  const pairs = formPairs([local], [r1, r2], { controlling: true });
  t.is(pairs.length, 1);
  t.is(pairs[0].remote, r2);
});

test('equal priorities keep the input order', (t) => {
  const locals = [p('candidate:a 1 UDP 100 192.0.2.1 5000 typ host'), p('candidate:b 1 UDP 100 192.0.2.2 5000 typ host')];
  const remote = p('candidate:x 1 UDP 100 198.51.100.1 5000 typ host');
  t.deepEqual(
    formPairs(locals, [remote], { controlling: true }).map((x) => x.foundation),
    ['a:x', 'b:x'],
  );
});

test('makePair and pairFoundation', (t) => {
  const [l, r] = [offer[0], answer[1]];
  t.is(pairFoundation(l, r), '1:2');
  t.deepEqual(makePair(l, r, true), { local: l, remote: r, priority: pairPriority(l.priority, r.priority), foundation: '1:2' });
  t.is(makePair(l, r, false).priority, pairPriority(r.priority, l.priority));
});

test('bad options and input are CandidateErrors', (t) => {
  throwsCandidateError(t, () => formPairs(offer, answer, { controlling: true, maxPairs: 0 }), 'ERR_CANDIDATE_BAD_OPTION');
  throwsCandidateError(t, () => formPairs(offer, answer, { controlling: true, maxPairs: 2.5 }), 'ERR_CANDIDATE_BAD_OPTION');
  throwsCandidateError(t, () => formPairs(offer, answer, {} as { controlling: boolean }), 'ERR_CANDIDATE_BAD_OPTION');
  throwsCandidateError(t, () => formPairs(offer, answer, null as unknown as { controlling: boolean }), 'ERR_CANDIDATE_BAD_OPTION');
  throwsCandidateError(t, () => formPairs(null as unknown as Candidate[], answer, { controlling: true }), 'ERR_CANDIDATE_BAD_VALUE');
  throwsCandidateError(t, () => formPairs(offer, [null as unknown as Candidate], { controlling: true }), 'ERR_CANDIDATE_BAD_VALUE');
  const badPriority = { ...offer[0], priority: -5 };
  throwsCandidateError(t, () => formPairs([badPriority], answer, { controlling: true }), 'ERR_CANDIDATE_BAD_VALUE');
});
