/**
 * Captures as tests: libnice's side of committed tcpdump captures
 * (fixtures/captures) is replayed against a fresh core of ours playing the
 * controlled side, with the controlled agent's credentials from the
 * signalling. Our core must answer every captured check with a success
 * signed with its password and the check's source as XOR-MAPPED-ADDRESS,
 * refuse every check whose MESSAGE-INTEGRITY is broken, and select the pair
 * the capture's data flowed on.
 */
import test from 'ava';
import { readFileSync } from 'node:fs';
import { replayCapture, type CaptureReplayResult } from '../../lib/replay/index.js';

const DIR = new URL('../../../fixtures/captures/', import.meta.url);

interface Meta {
  a: { ufrag: string; pwd: string; role: string; implementation: string };
  b: { ufrag: string; pwd: string; role: string; implementation: string };
}

function replay(name: string, change: (m: Meta) => void = () => undefined): CaptureReplayResult {
  const meta = JSON.parse(readFileSync(new URL(`${name}.json`, DIR), 'utf8')) as Meta;
  change(meta);
  return replayCapture({
    capture: readFileSync(new URL(`${name}.pcap`, DIR)),
    foreign: { ufrag: meta.a.ufrag, pwd: meta.a.pwd },
    local: { ufrag: meta.b.ufrag, pwd: meta.b.pwd, controlling: false },
    injectBadChecks: true,
  });
}

for (const name of ['libnice-ours-tcp', 'libnice-ours-udp', 'libnice-libnice-tcp', 'libnice-libnice-udp', 'libwebrtc-ours-udp']) {
  test(`${name}: our core, controlled, answers every foreign check, refuses broken ones, selects the capture's pair`, (t) => {
    const meta = JSON.parse(readFileSync(new URL(`${name}.json`, DIR), 'utf8')) as Meta;
    t.regex(meta.a.implementation, /^(libnice|libwebrtc) /);
    t.is(meta.a.role, 'controlling');
    const r = replay(name);
    const captured = r.checks.filter((c) => c.kind === 'captured');
    const broken = r.checks.filter((c) => c.kind === 'bad-integrity');
    t.true(captured.length >= 2, `${captured.length} checks`);
    t.true(
      captured.some((c) => c.useCandidate),
      'libnice nominated',
    );
    for (const c of captured) {
      t.is(c.answer, 'success', JSON.stringify(c));
      t.true(c.answerIntegrityOk, JSON.stringify(c));
      t.true(c.mappedAddressOk, JSON.stringify(c));
    }
    t.is(broken.length, captured.length);
    for (const c of broken) {
      t.not(c.answer, 'success', JSON.stringify(c));
      if (c.answer === 'error') t.is(c.errorCode, 401); // RFC 8489 §9.1.3
    }
    t.truthy(r.capturedSelected);
    t.true(r.selectedMatchesCapture, `ours ${r.selected} vs capture ${r.capturedSelected}`);
    t.true(r.ownChecks.answered > 0);
    t.is(r.state, 'completed');
    t.deepEqual(replay(name), r, 'a replay is deterministic');
  });
}

test('with the wrong local password no captured check gets a success: the test can fail', (t) => {
  const r = replay('libnice-ours-udp', (m) => (m.b.pwd = 'x'.repeat(24)));
  t.true(r.checks.length > 0);
  t.true(r.checks.every((c) => c.answer !== 'success'));
  t.false(r.selectedMatchesCapture);
});

test('credentials that match no check in the capture are a typed error', (t) => {
  const error = t.throws(() => replay('libnice-ours-udp', (m) => (m.a.ufrag = 'nobody')));
  t.is((error as { code?: string }).code, 'ERR_REPLAY_BAD_FORMAT');
});
