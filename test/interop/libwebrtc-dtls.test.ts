/**
 * DTLS interop with libwebrtc (@roamhq/wrtc: Chromium's WebRTC, BoringSSL's
 * DTLS) over ICE: our `ice-tcp peer --dtls` and an RTCPeerConnection in one
 * loopback-only network namespace reach libwebrtc connectionState
 * 'connected' (ICE and DTLS, each side's certificate checked against the
 * other's a=fingerprint), over UDP and over ICE-TCP, in both ICE roles and
 * both DTLS roles (a=setup decides: RFC 5763 §5; `--setup` picks ours).
 *
 * Skipped with the reason printed only where network namespaces cannot be
 * made (not root); in CI a missing @roamhq/wrtc is a failure.
 */
import test from 'ava';
import { collect, LineLog, linesOf, MAIN } from '../cli/helpers.js';
import { LoopbackNamespace, namespacesUnavailable } from './netns.js';
import { WrtcPeer, wrtcUnavailable } from './wrtc-peer.js';
import { buildSdp, parseSdp } from './wrtc-sdp.js';

const reason = namespacesUnavailable('dt') ?? (process.env.CI === undefined ? wrtcUnavailable() : undefined);
if (reason !== undefined) console.log(`libwebrtc DTLS interop skipped: ${reason}`);
const interop = reason === undefined ? test.serial : test.skip;

interface Case {
  weControl: boolean;
  /** Our DTLS role. */
  weAre: 'client' | 'server';
  transport: 'udp' | 'tcp';
  /** Give libwebrtc a fingerprint that is not our certificate's. */
  wrongFingerprint?: boolean;
}

/** One session; resolves with what each side reported. */
async function session(c: Case): Promise<{ ours: string; wrtcState: string; error?: string; wrtcStderr: string }> {
  const ns = LoopbackNamespace.create('dt');
  let wrtc: WrtcPeer | undefined;
  try {
    // Setup values: in an offer ours is actpass unless we must be the client while offering (then active:
    // libwebrtc answers passive); in an answer active makes us the client, passive the server.
    const ourSetup: 'actpass' | 'active' | 'passive' = c.weControl
      ? c.weAre === 'client'
        ? 'active'
        : 'actpass'
      : c.weAre === 'client'
        ? 'active'
        : 'passive';
    const transportArgs =
      c.transport === 'udp' ? ['--tcp', 'off'] : ['--udp', 'off', '--tcptypes', c.weControl ? 'active' : 'active,passive'];
    const ours = ns.spawn(
      process.execPath,
      [MAIN, 'peer', c.weControl ? '--controlling' : '--controlled', '--timeout', '30', '--dtls', '--setup', ourSetup, ...transportArgs],
      {
        env: { ...process.env, DEBUG: process.env.IO_DEBUG ?? '' },
      },
    );
    const log = new LineLog(ours);
    const finished = collect(ours, 45_000);
    wrtc = WrtcPeer.start(ns, {});
    const tell = (line: string): void => {
      if (ours.stdin!.writable) ours.stdin!.write(`${line}\n`);
    };
    let error: string | undefined;
    let wrtcState = '';
    try {
      await log.wait(/^end-of-candidates$/, 15_000);
      const ufrag = (await log.wait(/^ufrag (\S+)$/))[1];
      const pwd = (await log.wait(/^pwd (\S+)$/))[1];
      const real = (await log.wait(/^fingerprint (.+)$/))[1];
      const fingerprint = c.wrongFingerprint === true ? real.replace(/[0-9A-F]{2}$/, (h) => (h === 'AA' ? 'BB' : 'AA')) : real;
      const ourSide = {
        ufrag,
        pwd,
        candidates: log.lines.filter((l) => l.startsWith('a=candidate:')),
        endOfCandidates: true,
        fingerprint,
        setup: ourSetup,
      };
      if (c.weControl) {
        await wrtc.setRemoteDescription({ type: 'offer', sdp: buildSdp('offer', ourSide) });
        await wrtc.setLocalDescription(await wrtc.createAnswer());
      } else {
        await wrtc.createDataChannel('dtls');
        await wrtc.setLocalDescription(await wrtc.createOffer());
      }
      await wrtc.gathered();
      const theirs = parseSdp((await wrtc.localDescription())?.sdp ?? '');
      tell(`ufrag ${theirs.ufrag}`);
      tell(`pwd ${theirs.pwd}`);
      tell(`fingerprint ${theirs.fingerprint}`);
      tell(`setup ${theirs.setup}`);
      for (const cand of new Set([...theirs.candidates, ...wrtc.candidates])) tell(`a=${cand}`);
      tell('end-of-candidates');
      if (!c.weControl) await wrtc.setRemoteDescription({ type: 'answer', sdp: buildSdp('answer', ourSide) });
      wrtcState = await wrtc.peerState(c.wrongFingerprint === true ? ['failed'] : ['connected'], 30_000).catch((e: Error) => e.message);
      if (c.wrongFingerprint !== true) await log.wait(/^dtls /, 15_000);
      else await log.wait(/^result /, 15_000);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    } finally {
      tell('done');
      ours.stdin!.end();
    }
    const result = await finished;
    return {
      ours: `${result.stdout}\n${result.stderr.slice(-2000)}`,
      wrtcState,
      wrtcStderr: wrtc.stderr.slice(-1500),
      ...(error !== undefined ? { error } : {}),
    };
  } finally {
    await wrtc?.close();
    await ns.delete();
  }
}

for (const transport of ['udp', 'tcp'] as const) {
  for (const weControl of [true, false]) {
    for (const weAre of ['client', 'server'] as const) {
      interop(
        `libwebrtc DTLS over ${transport.toUpperCase()}: ${weControl ? 'we control' : 'libwebrtc controls'}, we are the DTLS ${weAre}; connectionState connected`,
        async (t) => {
          const r = await session({ weControl, weAre, transport });
          const why = `${r.error ?? ''}\n${r.ours}\n${r.wrtcStderr}`;
          t.is(r.error, undefined, why);
          t.is(r.wrtcState, 'connected', why);
          const line = linesOf(r.ours, 'dtls')[0] ?? '';
          t.regex(line, new RegExp(`^dtls role=${weAre} version=DTLSv1\\.2 cipher=TLS_ECDHE_ECDSA_\\S+ transport=${transport}$`), why);
          t.deepEqual(linesOf(r.ours, 'result'), ['result ok'], why);
        },
      );
    }
  }
}

interop('libwebrtc refuses our certificate when the signalled fingerprint is not its (and nothing connects)', async (t) => {
  const r = await session({ weControl: true, weAre: 'server', transport: 'udp', wrongFingerprint: true });
  const why = `${r.error ?? ''}\n${r.ours}\n${r.wrtcStderr}`;
  t.not(r.wrtcState, 'connected', why);
  t.deepEqual(linesOf(r.ours, 'dtls'), [], why);
  t.regex(linesOf(r.ours, 'result')[0] ?? '', /^result fail dtls failed: /, why);
});
