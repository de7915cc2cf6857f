import test from 'ava';
import {
  computeFoundation,
  parseCandidate,
  serializeCandidate,
  type CandidateType,
  type TransportProtocol,
} from '../../lib/candidate/index.js';
import { throwsCandidateError } from './helpers.js';

const input = { type: 'host' as CandidateType, baseAddress: '192.0.2.1', transport: 'udp' as TransportProtocol };

test('deterministic, 8 ice-chars', (t) => {
  const a = computeFoundation(input);
  t.is(a, computeFoundation({ ...input }));
  t.regex(a, /^[A-Za-z0-9+/]{8}$/);
  // Usable in a candidate line.
  const c = parseCandidate(`candidate:${a} 1 UDP 1 192.0.2.1 1 typ host`);
  t.is(serializeCandidate(c), `candidate:${a} 1 UDP 1 192.0.2.1 1 typ host`);
});

test('RFC 8445 §5.1.1.3: equal iff type, base, server and transport match', (t) => {
  const a = computeFoundation(input);
  t.not(computeFoundation({ ...input, type: 'srflx' }), a);
  t.not(computeFoundation({ ...input, baseAddress: '192.0.2.2' }), a);
  t.not(computeFoundation({ ...input, transport: 'tcp' }), a);
  t.not(computeFoundation({ ...input, serverAddress: '198.51.100.1' }), a);
  const srflx = { type: 'srflx' as const, baseAddress: '192.0.2.1', transport: 'udp' as const };
  t.is(computeFoundation({ ...srflx, serverAddress: '198.51.100.1' }), computeFoundation({ ...srflx, serverAddress: '198.51.100.1' }));
  t.not(computeFoundation({ ...srflx, serverAddress: '198.51.100.1' }), computeFoundation({ ...srflx, serverAddress: '198.51.100.2' }));
  t.not(computeFoundation({ ...srflx, serverAddress: 'stun:a.example' }), computeFoundation({ ...srflx, serverAddress: 'stun:b.example' }));
});

test('IP literals are canonicalised first', (t) => {
  const v6 = { type: 'host' as const, transport: 'tcp' as const };
  t.is(computeFoundation({ ...v6, baseAddress: '2001:DB8:0:0::1' }), computeFoundation({ ...v6, baseAddress: '2001:db8::1' }));
  t.is(
    computeFoundation({ type: 'relay', transport: 'udp', baseAddress: '::1', serverAddress: '2001:db8:0::5' }),
    computeFoundation({ type: 'relay', transport: 'udp', baseAddress: '0::1', serverAddress: '2001:db8::5' }),
  );
});

test('bad input is a CandidateError', (t) => {
  throwsCandidateError(t, () => computeFoundation({ ...input, baseAddress: 'host.example' }), 'ERR_CANDIDATE_BAD_VALUE');
  throwsCandidateError(t, () => computeFoundation({ ...input, baseAddress: 5 as unknown as string }), 'ERR_CANDIDATE_BAD_VALUE');
  throwsCandidateError(t, () => computeFoundation({ ...input, type: 'x' as CandidateType }), 'ERR_CANDIDATE_BAD_VALUE');
  throwsCandidateError(t, () => computeFoundation({ ...input, transport: 'sctp' as TransportProtocol }), 'ERR_CANDIDATE_BAD_VALUE');
  throwsCandidateError(t, () => computeFoundation({ ...input, serverAddress: 1 as unknown as string }), 'ERR_CANDIDATE_BAD_VALUE');
});
