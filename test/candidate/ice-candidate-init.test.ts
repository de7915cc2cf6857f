import test from 'ava';
import { candidateFromInit, candidateToInit, parseCandidate, type RTCIceCandidateInit } from '../../lib/candidate/index.js';
import { throwsCandidateError } from './helpers.js';

const line =
  'candidate:3704521147 1 tcp 1518280447 192.168.1.23 9 typ host tcptype active generation 0 ufrag Xq3b network-id 1 network-cost 10';

test('reads a browser RTCIceCandidate.toJSON()', (t) => {
  const init = JSON.parse(
    JSON.stringify({ candidate: line, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'Xq3b' }),
  ) as RTCIceCandidateInit;
  const parsed = candidateFromInit(init);
  t.deepEqual(parsed.candidate, parseCandidate(line));
  t.is(parsed.sdpMid, '0');
  t.is(parsed.sdpMLineIndex, 0);
  t.is(parsed.usernameFragment, 'Xq3b');
});

test('absent or null context fields read as null; a= prefix accepted', (t) => {
  const parsed = candidateFromInit({ candidate: `a=${line}` });
  t.not(parsed.candidate, null);
  t.is(parsed.sdpMid, null);
  t.is(parsed.sdpMLineIndex, null);
  t.is(parsed.usernameFragment, null);
  t.is(candidateFromInit({ candidate: line, sdpMid: null, sdpMLineIndex: null, usernameFragment: null }).sdpMid, null);
});

test('an empty candidate string is end-of-candidates', (t) => {
  t.deepEqual(candidateFromInit({ candidate: '', sdpMid: '0', sdpMLineIndex: 0 }), {
    candidate: null,
    sdpMid: '0',
    sdpMLineIndex: 0,
    usernameFragment: null,
  });
  t.is(candidateFromInit({ candidate: '   ' }).candidate, null);
  t.deepEqual(candidateToInit(null, { sdpMid: 'audio', sdpMLineIndex: 1, usernameFragment: 'abcd' }), {
    candidate: '',
    sdpMid: 'audio',
    sdpMLineIndex: 1,
    usernameFragment: 'abcd',
  });
});

test('writes an RTCIceCandidateInit; usernameFragment defaults to the ufrag extension', (t) => {
  const c = parseCandidate(line);
  const init = candidateToInit(c, { sdpMid: '0', sdpMLineIndex: 0 });
  t.deepEqual(init, {
    candidate:
      'candidate:3704521147 1 TCP 1518280447 192.168.1.23 9 typ host tcptype active generation 0 ufrag Xq3b network-id 1 network-cost 10',
    sdpMid: '0',
    sdpMLineIndex: 0,
    usernameFragment: 'Xq3b',
  });
  t.is(candidateToInit(c, { usernameFragment: 'other' }).usernameFragment, 'other');
  const noUfrag = { ...c };
  delete noUfrag.ufrag;
  t.deepEqual(candidateToInit(noUfrag), {
    candidate: init.candidate.replace(' ufrag Xq3b', ''),
    sdpMid: null,
    sdpMLineIndex: null,
    usernameFragment: null,
  });
  // Round trip through JSON.
  t.deepEqual(candidateFromInit(JSON.parse(JSON.stringify(init)) as RTCIceCandidateInit).candidate, c);
});

test('malformed init objects are CandidateErrors', (t) => {
  const bad = (init: unknown) => throwsCandidateError(t, () => candidateFromInit(init as RTCIceCandidateInit), 'ERR_CANDIDATE_BAD_VALUE');
  bad(null);
  bad('candidate:...');
  bad({});
  bad({ candidate: 5 });
  bad({ candidate: line, sdpMid: 0 });
  bad({ candidate: line, sdpMLineIndex: -1 });
  bad({ candidate: line, sdpMLineIndex: 1.5 });
  bad({ candidate: line, sdpMLineIndex: 65536 });
  bad({ candidate: line, sdpMLineIndex: '0' });
  bad({ candidate: line, usernameFragment: 7 });
  throwsCandidateError(
    t,
    () => candidateFromInit({ candidate: 'candidate:1 1 TCP 1 192.0.2.1 1 typ host' }),
    'ERR_CANDIDATE_MISSING_TCPTYPE',
  );
  throwsCandidateError(t, () => candidateToInit(parseCandidate(line), { sdpMLineIndex: -2 }), 'ERR_CANDIDATE_BAD_VALUE');
});
