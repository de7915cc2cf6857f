/**
 * Child process that drives one libwebrtc RTCPeerConnection (@roamhq/wrtc)
 * over a JSON-lines protocol on stdin/stdout; started by WrtcPeer
 * (wrtc-peer.ts), normally inside a loopback-only namespace (netns.ts).
 *
 * In (stdin), one JSON object a line: `{ "id": N, "op": NAME, ...args }` with
 * NAME one of createOffer, createAnswer, setLocalDescription {description?},
 * setRemoteDescription {description}, localDescription, addIceCandidate {candidate},
 * getStats, selectedPair, createDataChannel {label, options?},
 * send {label, base64}, close.
 * Out (stdout): replies `{ "id": N, "ok": true, "result": … }` or
 * `{ "id": N, "ok": false, "error": "…" }`, and events `{ "event": NAME, … }`:
 * icecandidate {candidate|null}, icegatheringstatechange, iceconnectionstatechange,
 * connectionstatechange, signalingstatechange {state}, datachannel {label},
 * channelopen / channelclose {label}, channelmessage {label, base64}.
 *
 * The RTCConfiguration comes as JSON in argv[2] (default {}). The child exits
 * when stdin ends, after closing the connection.
 */
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

interface Description {
  type: string;
  sdp?: string;
}
interface Channel {
  label: string;
  readyState: string;
  binaryType: string;
  onopen: (() => void) | null;
  onclose: (() => void) | null;
  onmessage: ((e: { data: ArrayBuffer | string }) => void) | null;
  send(data: ArrayBuffer | Uint8Array | string): void;
}
interface StatsReport {
  forEach(cb: (value: Record<string, unknown>) => void): void;
}
interface PeerConnection {
  localDescription: Description | null;
  iceConnectionState: string;
  connectionState: string;
  iceGatheringState: string;
  signalingState: string;
  onicecandidate: ((e: { candidate: { candidate: string; sdpMid: string | null; sdpMLineIndex: number | null } | null }) => void) | null;
  onicegatheringstatechange: (() => void) | null;
  oniceconnectionstatechange: (() => void) | null;
  onconnectionstatechange: (() => void) | null;
  onsignalingstatechange: (() => void) | null;
  ondatachannel: ((e: { channel: Channel }) => void) | null;
  createOffer(): Promise<Description>;
  createAnswer(): Promise<Description>;
  setLocalDescription(d?: Description): Promise<void>;
  setRemoteDescription(d: Description): Promise<void>;
  addIceCandidate(c: unknown): Promise<void>;
  createDataChannel(label: string, options?: unknown): Channel;
  getStats(): Promise<StatsReport>;
  close(): void;
}

const require = createRequire(import.meta.url);
const wrtc = require('@roamhq/wrtc') as { RTCPeerConnection: new (config?: unknown) => PeerConnection };

const config: unknown = process.argv[2] !== undefined ? JSON.parse(process.argv[2]) : {};
const pc = new wrtc.RTCPeerConnection(config);
const channels = new Map<string, Channel>();

function emit(message: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

function watchChannel(channel: Channel): void {
  channels.set(channel.label, channel);
  channel.binaryType = 'arraybuffer';
  channel.onopen = () => emit({ event: 'channelopen', label: channel.label });
  channel.onclose = () => emit({ event: 'channelclose', label: channel.label });
  channel.onmessage = (e) => {
    const bytes = typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : Buffer.from(e.data);
    emit({ event: 'channelmessage', label: channel.label, base64: bytes.toString('base64'), text: typeof e.data === 'string' });
  };
}

pc.onicecandidate = (e) =>
  emit({
    event: 'icecandidate',
    candidate:
      e.candidate === null
        ? null
        : { candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid, sdpMLineIndex: e.candidate.sdpMLineIndex },
  });
pc.onicegatheringstatechange = () => emit({ event: 'icegatheringstatechange', state: pc.iceGatheringState });
pc.oniceconnectionstatechange = () => emit({ event: 'iceconnectionstatechange', state: pc.iceConnectionState });
pc.onconnectionstatechange = () => emit({ event: 'connectionstatechange', state: pc.connectionState });
pc.onsignalingstatechange = () => emit({ event: 'signalingstatechange', state: pc.signalingState });
pc.ondatachannel = (e) => {
  watchChannel(e.channel);
  emit({ event: 'datachannel', label: e.channel.label });
};

/** The standard stats as plain objects. */
async function allStats(): Promise<Record<string, unknown>[]> {
  const report = await pc.getStats();
  const out: Record<string, unknown>[] = [];
  report.forEach((value) => out.push({ ...value }));
  return out;
}

/**
 * The transport's selected candidate pair with both candidates (address,
 * port, protocol, candidateType, tcpType), or null before one is selected.
 */
async function selectedPair(): Promise<unknown> {
  const stats = await allStats();
  const byId = new Map(stats.map((s) => [s.id as string, s]));
  const transport = stats.find((s) => s.type === 'transport' && typeof s.selectedCandidatePairId === 'string');
  const pair =
    transport !== undefined
      ? byId.get(transport.selectedCandidatePairId as string)
      : stats.find((s) => s.type === 'candidate-pair' && s.selected === true);
  if (pair === undefined) return null;
  const pick = (id: unknown): unknown => {
    const c = byId.get(id as string);
    if (c === undefined) return null;
    return {
      address: c.address ?? c.ip,
      port: c.port,
      protocol: c.protocol,
      candidateType: c.candidateType,
      tcpType: c.tcpType,
      priority: c.priority,
    };
  };
  return {
    state: pair.state,
    nominated: pair.nominated,
    local: pick(pair.localCandidateId),
    remote: pick(pair.remoteCandidateId),
    requestsReceived: pair.requestsReceived,
    responsesReceived: pair.responsesReceived,
    iceState: transport?.iceState,
    iceRole: transport?.iceRole,
    dtlsState: transport?.dtlsState,
  };
}

async function handle(request: Record<string, unknown>): Promise<unknown> {
  switch (request.op) {
    case 'createOffer':
      return pc.createOffer();
    case 'createAnswer':
      return pc.createAnswer();
    case 'setLocalDescription':
      await (request.description === undefined ? pc.setLocalDescription() : pc.setLocalDescription(request.description as Description));
      return pc.localDescription;
    case 'setRemoteDescription':
      await pc.setRemoteDescription(request.description as Description);
      return null;
    case 'addIceCandidate':
      await pc.addIceCandidate(request.candidate);
      return null;
    case 'localDescription':
      return pc.localDescription;
    case 'getStats':
      return allStats();
    case 'selectedPair':
      return selectedPair();
    case 'createDataChannel': {
      const channel = pc.createDataChannel(String(request.label), request.options);
      watchChannel(channel);
      return null;
    }
    case 'send': {
      const channel = channels.get(String(request.label));
      if (channel === undefined) throw new Error(`no data channel ${String(request.label)}`);
      channel.send(new Uint8Array(Buffer.from(String(request.base64), 'base64')));
      return null;
    }
    case 'close':
      pc.close();
      return null;
    default:
      throw new Error(`unknown op ${JSON.stringify(request.op)}`);
  }
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() === '') return;
  let request: Record<string, unknown>;
  try {
    request = JSON.parse(line) as Record<string, unknown>;
  } catch {
    emit({ event: 'error', error: `not JSON: ${line.slice(0, 200)}` });
    return;
  }
  handle(request).then(
    (result) => emit({ id: request.id, ok: true, result: result ?? null }),
    (error: unknown) => emit({ id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});
lines.on('close', () => {
  pc.close();
  // libwebrtc's threads may keep the process alive after close
  setTimeout(() => process.exit(0), 100).unref();
  setImmediate(() => process.exit(0));
});
