import test from 'ava';
import {
  CandidateError,
  DEFAULT_TYPE_PREFERENCES,
  candidatePriority,
  tcpDirectionPreference,
  tcpLocalPreference,
  typePreference,
  type CandidateErrorCode,
  type CandidateType,
  type TcpType,
} from '../../lib/candidate/index.js';
import { throwsCandidateError } from './helpers.js';

const tcp = (type: CandidateType, tcpType: TcpType, extra: { otherPreference?: number; component?: number } = {}) => ({
  type,
  transport: 'tcp' as const,
  tcpType,
  component: extra.component ?? 1,
  otherPreference: extra.otherPreference,
});

// RFC 6544 §4.2 direction-pref table.
const directionTable: Array<[CandidateType, TcpType, number]> = [
  ['host', 'active', 6],
  ['host', 'passive', 4],
  ['host', 'so', 2],
  ['relay', 'active', 6],
  ['relay', 'passive', 4],
  ['relay', 'so', 2],
  ['srflx', 'active', 4],
  ['srflx', 'passive', 2],
  ['srflx', 'so', 6],
  ['prflx', 'active', 4],
  ['prflx', 'passive', 2],
  ['prflx', 'so', 6],
];
for (const [type, tcpType, expected] of directionTable) {
  test(`direction-pref ${type} ${tcpType} = ${expected}`, (t) => {
    t.is(tcpDirectionPreference(type, tcpType), expected);
  });
}

// RFC 6544 App. C first example / digest §2: TCP at the RFC 8445 type preferences
// (126 host, 100 srflx), i.e. TCP preferred or equal to UDP: preferTcp.
const appendixCFirst: Array<[CandidateType, TcpType, number]> = [
  ['host', 'active', 2128609279],
  ['host', 'passive', 2124414975],
  ['host', 'so', 2120220671],
  ['srflx', 'active', 1688207359],
  ['srflx', 'passive', 1684013055],
  ['srflx', 'so', 1692401663],
];
for (const [type, tcpType, expected] of appendixCFirst) {
  test(`RFC 6544 App. C worked value ${type} ${tcpType} = ${expected} (preferTcp)`, (t) => {
    t.is(candidatePriority(tcp(type, tcpType), { preferTcp: true }), expected);
    if (type === 'srflx') {
      // The default mode (TCP one below UDP) reaches the same value when srflx is configured one higher.
      t.is(candidatePriority(tcp(type, tcpType), { typePreferences: { srflx: 101 } }), expected);
    }
  });
}

test('the worked values need type preference 126 / 100 for TCP; the default (TCP one below UDP) gives App. C second example', (t) => {
  // RFC 6544 App. C second example: "type preference 125 for the host candidates and 99 for the server reflexive".
  t.is(candidatePriority(tcp('host', 'active')), 2111832063);
  t.is(candidatePriority(tcp('host', 'passive')), 2107637759);
  t.is(candidatePriority(tcp('srflx', 'active')), 1671430143);
  t.is(candidatePriority(tcp('srflx', 'passive')), 1667235839);
  t.is(candidatePriority({ type: 'host', transport: 'udp', component: 1 }), 2130706431);
  t.is(candidatePriority({ type: 'srflx', transport: 'udp', component: 1 }), 1694498815);
  // Each default TCP value is exactly 2^24 (one type-preference step) below the worked value.
  for (const [type, tcpType, expected] of appendixCFirst) {
    t.is(candidatePriority(tcp(type, tcpType)), expected - 16777216);
  }
});

test('preferTcp puts UDP one below TCP', (t) => {
  const udpDefault = candidatePriority({ type: 'host', transport: 'udp', component: 1 });
  const udpLowered = candidatePriority({ type: 'host', transport: 'udp', component: 1 }, { preferTcp: true });
  t.is(udpDefault - udpLowered, 16777216);
  t.is(typePreference('host', 'udp', { preferTcp: true }), 125);
  t.is(typePreference('host', 'tcp', { preferTcp: true }), 126);
  t.is(typePreference('host', 'tcp'), 125);
  t.is(typePreference('host', 'udp'), 126);
});

test('RFC 8445 §5.1.2.1 formula for UDP with type preferences and local preference', (t) => {
  for (const type of ['host', 'prflx', 'srflx', 'relay'] as const) {
    for (const component of [1, 2, 256]) {
      for (const localPreference of [0, 1, 32768, 65535]) {
        const expected = 2 ** 24 * DEFAULT_TYPE_PREFERENCES[type] + 2 ** 8 * localPreference + (256 - component);
        t.is(candidatePriority({ type, transport: 'udp', component, localPreference }), expected);
      }
    }
  }
  t.is(candidatePriority({ type: 'prflx', transport: 'udp', component: 1 }), 1862270975);
  t.is(candidatePriority({ type: 'relay', transport: 'udp', component: 1 }), 16777215);
});

test('the priority above 2^31 is computed without 32-bit shifts', (t) => {
  const p = candidatePriority({ type: 'host', transport: 'udp', component: 1 }, { typePreferences: { host: 126 } });
  t.true(p > 0);
  t.is(p, 2130706431);
  t.is(
    candidatePriority({ type: 'host', transport: 'tcp', tcpType: 'active', component: 1, otherPreference: 0 }, { preferTcp: true }),
    126 * 2 ** 24 + 6 * 8192 * 256 + 255,
  );
});

test('prflx ranks above srflx by default (RFC 8445 §5.1.2.2)', (t) => {
  t.true(
    candidatePriority({ type: 'prflx', transport: 'udp', component: 1 }) >
      candidatePriority({ type: 'srflx', transport: 'udp', component: 1 }),
  );
  t.true(candidatePriority(tcp('prflx', 'so')) > candidatePriority(tcp('srflx', 'so')));
});

test('RFC 6544 §4.2 local preference = 2^13 * direction + other', (t) => {
  t.is(tcpLocalPreference(6), 57343);
  t.is(tcpLocalPreference(6, 8191), 57343);
  t.is(tcpLocalPreference(0, 0), 0);
  t.is(tcpLocalPreference(7, 8191), 65535);
  t.is(tcpLocalPreference(2, 100), 16484);
  // other-pref keeps candidates of one type and direction apart (multi-homed hosts).
  t.not(
    candidatePriority(tcp('host', 'active', { otherPreference: 8191 })),
    candidatePriority(tcp('host', 'active', { otherPreference: 8190 })),
  );
  t.is(
    candidatePriority(tcp('host', 'active', { otherPreference: 8191 })) -
      candidatePriority(tcp('host', 'active', { otherPreference: 8190 })),
    256,
  );
});

test('relay keeps type preference 0 for both transports (never negative)', (t) => {
  t.is(typePreference('relay', 'tcp'), 0);
  t.is(typePreference('relay', 'udp', { preferTcp: true }), 0);
  t.is(candidatePriority(tcp('relay', 'passive')), 4 * 8192 * 256 + 8191 * 256 + 255);
  t.true(candidatePriority({ type: 'relay', transport: 'udp', component: 1 }) > candidatePriority(tcp('relay', 'active')));
});

test('custom type preferences are honoured and validated', (t) => {
  t.is(typePreference('srflx', 'udp', { typePreferences: { srflx: 105 } }), 105);
  t.is(typePreference('srflx', 'tcp', { typePreferences: { srflx: 105 } }), 104);
  for (const bad of [-1, 127, 1.5, Number.NaN]) {
    const error = t.throws(() => typePreference('host', 'udp', { typePreferences: { host: bad } }), { instanceOf: CandidateError });
    t.is(error?.code, 'ERR_CANDIDATE_BAD_OPTION');
  }
});

test('out-of-range inputs throw CandidateError', (t) => {
  const bad = (fn: () => unknown, code: CandidateErrorCode) => throwsCandidateError(t, fn, code);
  bad(() => candidatePriority({ type: 'host', transport: 'udp', component: 0 }), 'ERR_CANDIDATE_BAD_VALUE');
  bad(() => candidatePriority({ type: 'host', transport: 'udp', component: 257 }), 'ERR_CANDIDATE_BAD_VALUE');
  bad(() => candidatePriority({ type: 'host', transport: 'udp', component: 1.5 }), 'ERR_CANDIDATE_BAD_VALUE');
  bad(() => candidatePriority({ type: 'host', transport: 'udp', component: 1, localPreference: 65536 }), 'ERR_CANDIDATE_BAD_VALUE');
  bad(() => candidatePriority({ type: 'host', transport: 'udp', component: 1, localPreference: -1 }), 'ERR_CANDIDATE_BAD_VALUE');
  bad(
    () => candidatePriority({ type: 'host', transport: 'tcp', tcpType: 'active', component: 1, otherPreference: 8192 }),
    'ERR_CANDIDATE_BAD_VALUE',
  );
  bad(() => candidatePriority({ type: 'host', transport: 'tcp', component: 1 }), 'ERR_CANDIDATE_MISSING_TCPTYPE');
  bad(() => candidatePriority({ type: 'bogus' as CandidateType, transport: 'udp', component: 1 }), 'ERR_CANDIDATE_BAD_VALUE');
  bad(() => candidatePriority({ type: 'host', transport: 'sctp' as 'udp', component: 1 }), 'ERR_CANDIDATE_BAD_VALUE');
  bad(() => tcpDirectionPreference('host', 'both' as TcpType), 'ERR_CANDIDATE_BAD_VALUE');
  bad(() => tcpLocalPreference(8), 'ERR_CANDIDATE_BAD_VALUE');
  bad(() => tcpLocalPreference(-1), 'ERR_CANDIDATE_BAD_VALUE');
});
