/**
 * Interop with libwebrtc (@roamhq/wrtc 0.10, Chromium's WebRTC in Node) at
 * the ICE level: our `ice-tcp peer` and an RTCPeerConnection in one
 * loopback-only network namespace (libwebrtc gathers on every interface;
 * there it sees only lo). Both roles (libwebrtc's offerer controls), UDP and
 * TCP; for TCP both RFC 6544 directions: when we control we have only an
 * active candidate (port 9, we connect to libwebrtc's passive one); when
 * libwebrtc controls it nominates its own connection to our passive
 * candidate (we offer active and passive: with only a passive one we would
 * have no pair, as libwebrtc signals no active candidates).
 * libwebrtc never signals active candidates and takes our `tcptype active`
 * and `tcptype passive` lines as they are.
 *
 * libwebrtc offers no raw data at the ICE level (its data channel needs
 * DTLS), so each case checks, from getStats(): the pair libwebrtc selected is
 * the 5-tuple our `path` line shows (mirrored), nominated, with its ICE
 * transport connected in the opposite role; and STUN flowed both ways on it
 * (checks and consent requests received and answered on that very pair).
 *
 * Skipped with the reason printed only where network namespaces cannot be
 * made (not root); in CI a missing @roamhq/wrtc is a failure.
 */
import test, { type ExecutionContext } from 'ava';
import { linesOf } from '../cli/helpers.js';
import { LoopbackNamespace, namespacesUnavailable } from './netns.js';
import { mirrors, runWrtcSession, type WrtcSessionResult } from './wrtc-ice-session.js';
import { wrtcUnavailable } from './wrtc-peer.js';

const reason = namespacesUnavailable('io') ?? (process.env.CI === undefined ? wrtcUnavailable() : undefined);
if (reason !== undefined) console.log(`libwebrtc interop skipped: ${reason}`);
const interop = reason === undefined ? test.serial : test.skip;

function explain(r: WrtcSessionResult): string {
  return (
    `ours (exit ${r.ours.code}):\n${r.ours.stdout}\n${r.ours.stderr.slice(-2000)}\n` +
    `libwebrtc selected: ${JSON.stringify(r.wrtcSelected)}\n${r.error ?? ''}\n${r.wrtcStderr.slice(-1500)}`
  );
}

async function session(weControl: boolean, ourArgs: string[]): Promise<WrtcSessionResult> {
  const ns = LoopbackNamespace.create('io');
  try {
    return await runWrtcSession(ns, { weControl, ourArgs });
  } finally {
    await ns.delete();
  }
}

function check(t: ExecutionContext, r: WrtcSessionResult, weControl: boolean, kinds: RegExp): void {
  const why = explain(r);
  t.is(r.error, undefined, why);
  t.is(r.ours.code, 0, why);
  t.deepEqual(linesOf(r.ours.stdout, 'result'), ['result ok'], why);
  t.regex(linesOf(r.ours.stdout, 'selected-types').at(-1) ?? '', kinds, why);
  // Same path: libwebrtc's selected pair is our 5-tuple from the other end.
  t.true(mirrors(r.ourPath, r.wrtcSelected), why);
  const theirs = r.wrtcSelected!;
  t.true(theirs.nominated, why);
  t.is(theirs.state, 'succeeded', why);
  t.is(theirs.iceRole, weControl ? 'controlled' : 'controlling', why);
  t.regex(theirs.iceState ?? '', /^(connected|completed)$/, why);
  // Both ways on that pair: our checks/consent reached libwebrtc, and its checks were answered by us.
  t.true((theirs.requestsReceived ?? 0) > 0, why);
  t.true((theirs.responsesReceived ?? 0) > 0, why);
}

interop('libwebrtc interop: we control over UDP; libwebrtc follows our nomination', async (t) => {
  const r = await session(true, ['--tcp', 'off']);
  check(t, r, true, /^selected-types local=host\/udp remote=host\/udp$/);
});

interop('libwebrtc interop: libwebrtc controls over UDP; we take its nomination', async (t) => {
  const r = await session(false, ['--tcp', 'off']);
  check(t, r, false, /^selected-types local=host\/udp remote=host\/udp$/);
});

interop("libwebrtc interop: we control over TCP from an active candidate to libwebrtc's passive one", async (t) => {
  const r = await session(true, ['--udp', 'off', '--tcptypes', 'active']);
  check(t, r, true, /^selected-types local=\w+\/tcp-active remote=host\/tcp-passive$/);
});

interop('libwebrtc interop: libwebrtc controls over TCP and connects to our passive candidate', async (t) => {
  // Active and passive: with only a passive candidate we would have no pair at all (libwebrtc signals no active
  // candidates, and passive-passive does not pair, RFC 6544 §6.2) and fail before libwebrtc connects.
  const r = await session(false, ['--udp', 'off', '--tcptypes', 'active,passive']);
  check(t, r, false, /^selected-types local=host\/tcp-passive remote=\w+\/tcp-active$/);
});
