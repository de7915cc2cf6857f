/**
 * One ICE session between our `ice-tcp peer` and libwebrtc (@roamhq/wrtc),
 * both inside the same loopback-only namespace: our peer's signalling lines
 * become an SDP offer or answer for libwebrtc, and libwebrtc's description and
 * trickled candidates become lines on our peer's stdin.
 *
 * libwebrtc's offerer is the controlling agent (RFC 8445 §6.1.1 as JSEP maps
 * it), so "we control" means we offer. Our SDP carries a dummy fingerprint
 * and `a=setup:active` as offerer (`active` as answerer too), which makes
 * libwebrtc the DTLS server: it waits for a ClientHello that never comes and
 * sends nothing but STUN, so the session stays at the ICE level.
 */
import { collect, LineLog, linesOf, MAIN, type RunResult } from '../cli/helpers.js';
import type { LoopbackNamespace } from './netns.js';
import { WrtcPeer, type SelectedPair } from './wrtc-peer.js';
import { buildSdp, parseSdp } from './wrtc-sdp.js';

/** A candidate's address, port and transport as a comparable string. */
export interface Endpoint {
  protocol: 'udp' | 'tcp';
  address: string;
  port: number;
}

export interface WrtcSessionOptions {
  /** We are controlling (we offer) or controlled (libwebrtc offers). */
  weControl: boolean;
  /** More `ice-tcp peer` arguments (transport choice, --tcptypes). */
  ourArgs: string[];
  /** RTCConfiguration for libwebrtc. */
  wrtcConfig?: Record<string, unknown>;
  /** Whole-session bound (default 40 s). */
  timeoutMs?: number;
}

export interface WrtcSessionResult {
  ours: RunResult;
  /** libwebrtc's selected pair (getStats) once it matched ours, or the last one seen. */
  wrtcSelected: SelectedPair | null;
  /** libwebrtc's peer-level iceConnectionState at the end (may lag: see WrtcPeer.selectedPair). */
  wrtcIceState: string;
  /** Our last `path` line's local and remote endpoints. */
  ourPath?: { local: Endpoint; remote: Endpoint };
  wrtcStderr: string;
  /** What went wrong on the way (a wait that timed out, libwebrtc refusing a description). */
  error?: string;
  /** Both sides' ICE credentials as signalled (for decoding a capture of the session). */
  credentials?: { ours: { ufrag: string; pwd: string }; wrtc: { ufrag: string; pwd: string } };
}

/** Parses `path <udp|tcp> <local addr:port> <remote addr:port>`. */
export function parsePathLine(line: string): { local: Endpoint; remote: Endpoint } | undefined {
  const m = /^path (udp|tcp) (\S+):(\d+) (\S+):(\d+)$/.exec(line);
  if (m === null) return undefined;
  const strip = (a: string): string => a.replace(/^\[|\]$/g, '');
  const protocol = m[1] as 'udp' | 'tcp';
  return {
    local: { protocol, address: strip(m[2]), port: Number(m[3]) },
    remote: { protocol, address: strip(m[4]), port: Number(m[5]) },
  };
}

/**
 * Whether libwebrtc's selected pair is our path seen from the other end.
 * libwebrtc's stats redact a peer-reflexive remote candidate's address (an
 * empty string, W3C webrtc-stats §8.1 privacy rule): there the port and
 * transport must match and the address is not compared.
 */
export function mirrors(path: { local: Endpoint; remote: Endpoint } | undefined, theirs: SelectedPair | null): boolean {
  if (path === undefined || theirs === null) return false;
  const same = (a: Endpoint, b: SelectedPair['local']): boolean =>
    a.protocol === b.protocol && (a.address === b.address || (b.address === '' && b.candidateType === 'prflx')) && a.port === b.port;
  return same(path.local, theirs.remote) && same(path.remote, theirs.local);
}

/**
 * libwebrtc's pair has settled: nominated, succeeded (its stats say
 * in-progress while a check of a writable pair is outstanding), and STUN
 * has gone both ways on it.
 */
export function settled(pair: SelectedPair | null): boolean {
  return (
    pair !== null && pair.nominated && pair.state === 'succeeded' && (pair.requestsReceived ?? 0) > 0 && (pair.responsesReceived ?? 0) > 0
  );
}

/** Runs one session to the end (our peer exits); libwebrtc is closed afterwards. */
export async function runWrtcSession(ns: LoopbackNamespace, o: WrtcSessionOptions): Promise<WrtcSessionResult> {
  const timeoutMs = o.timeoutMs ?? 40_000;
  const ours = ns.spawn(
    process.execPath,
    [MAIN, 'peer', o.weControl ? '--controlling' : '--controlled', '--timeout', String(Math.ceil(timeoutMs / 1000)), ...o.ourArgs],
    {
      env: { ...process.env, DEBUG: process.env.IO_DEBUG ?? '' },
    },
  );
  const log = new LineLog(ours);
  const finished = collect(ours, timeoutMs + 10_000);
  const wrtc = WrtcPeer.start(ns, o.wrtcConfig ?? {});
  const tell = (line: string): void => {
    if (ours.stdin!.writable) ours.stdin!.write(`${line}\n`);
  };
  let wrtcSelected: SelectedPair | null = null;
  let ourPath: { local: Endpoint; remote: Endpoint } | undefined;
  let error: string | undefined;
  let credentials: WrtcSessionResult['credentials'];
  try {
    await log.wait(/^end-of-candidates$/, 15_000);
    const ufrag = (await log.wait(/^ufrag (\S+)$/))[1];
    const pwd = (await log.wait(/^pwd (\S+)$/))[1];
    const ourCandidates = log.lines.filter((l) => l.startsWith('a=candidate:'));
    const ourSide = { ufrag, pwd, candidates: ourCandidates, endOfCandidates: true, setup: 'active' as const };
    if (o.weControl) {
      await wrtc.setRemoteDescription({ type: 'offer', sdp: buildSdp('offer', ourSide) });
      const answer = await wrtc.createAnswer();
      await wrtc.setLocalDescription(answer);
    } else {
      await wrtc.createDataChannel('ice');
      const offer = await wrtc.createOffer();
      await wrtc.setLocalDescription(offer);
    }
    await wrtc.gathered();
    const local = await wrtc.localDescription();
    const theirs = parseSdp(local?.sdp ?? '');
    credentials = { ours: { ufrag, pwd }, wrtc: { ufrag: theirs.ufrag, pwd: theirs.pwd } };
    tell(`ufrag ${theirs.ufrag}`);
    tell(`pwd ${theirs.pwd}`);
    for (const c of new Set([...theirs.candidates, ...wrtc.candidates])) tell(`a=${c}`);
    tell('end-of-candidates');
    if (!o.weControl) await wrtc.setRemoteDescription({ type: 'answer', sdp: buildSdp('answer', ourSide) });

    await log.wait(/^done$/, timeoutMs);
    // libwebrtc's controlled side follows the nomination; its stats lag a little.
    const deadline = Date.now() + 15_000;
    for (;;) {
      ourPath = parsePathLine(log.lines.filter((l) => l.startsWith('path ')).at(-1) ?? '');
      wrtcSelected = await wrtc.selectedPair();
      if ((mirrors(ourPath, wrtcSelected) && settled(wrtcSelected)) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
    if (process.env.IO_DEBUG !== undefined) {
      const stats = await wrtc.getStats().catch(() => []);
      error += `\n${stats
        .filter((s) => s.type === 'candidate-pair' || s.type === 'transport' || String(s.type).endsWith('candidate'))
        .map((s) => JSON.stringify(s))
        .join('\n')}`;
    }
  } finally {
    tell('done');
    ours.stdin!.end();
  }
  const result = await finished;
  const wrtcIceState = wrtc.iceConnectionState;
  await wrtc.close();
  ourPath = parsePathLine(linesOf(result.stdout, 'path').at(-1) ?? '') ?? ourPath;
  return {
    ours: result,
    wrtcSelected,
    wrtcIceState,
    ...(ourPath !== undefined ? { ourPath } : {}),
    wrtcStderr: wrtc.stderr,
    ...(error !== undefined ? { error } : {}),
    ...(credentials !== undefined ? { credentials } : {}),
  };
}
