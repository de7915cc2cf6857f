/**
 * SDP for talking ICE to libwebrtc (@roamhq/wrtc) from a peer that signals
 * bare ICE lines (ufrag, pwd, candidates, like `ice-tcp peer`): one
 * `m=application … webrtc-datachannel` section (BUNDLE mid 0), the ICE
 * credentials and candidates, and the DTLS lines libwebrtc insists on
 * (a=fingerprint always; a=setup, RFC 8842 §5).
 */

/** ICE (and optional DTLS) parameters of one side, as bare values. */
export interface IceSdpParameters {
  ufrag: string;
  pwd: string;
  /** `candidate:…` values (with or without `a=`). */
  candidates: string[];
  /** `a=end-of-candidates` after the candidates (RFC 8840 §8.2). */
  endOfCandidates?: boolean;
  /** `sha-256 AB:CD:…`; a fixed dummy is used when absent (libwebrtc requires one). */
  fingerprint?: string;
  /** `actpass`, `active` or `passive` (default: actpass in an offer, active in an answer). */
  setup?: 'actpass' | 'active' | 'passive';
}

/** A well-formed sha-256 fingerprint for sessions that never run DTLS. */
export const DUMMY_FINGERPRINT = `sha-256 ${Array.from({ length: 32 }, (_, i) => (i * 7 + 3).toString(16).padStart(2, '0').toUpperCase()).join(':')}`;

/** Builds an offer or answer SDP with one data-channel section. */
export function buildSdp(type: 'offer' | 'answer', p: IceSdpParameters): string {
  const setup = p.setup ?? (type === 'offer' ? 'actpass' : 'active');
  const lines = [
    'v=0',
    `o=- ${Date.now()} 2 IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    'a=msid-semantic: WMS',
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
    'c=IN IP4 0.0.0.0',
    `a=ice-ufrag:${p.ufrag}`,
    `a=ice-pwd:${p.pwd}`,
    `a=fingerprint:${p.fingerprint ?? DUMMY_FINGERPRINT}`,
    `a=setup:${setup}`,
    'a=mid:0',
    'a=sctp-port:5000',
    'a=max-message-size:262144',
    ...p.candidates.map((c) => `a=${c.replace(/^a=/, '')}`),
    ...(p.endOfCandidates === true ? ['a=end-of-candidates'] : []),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

/** What an SDP (libwebrtc's) says about ICE and DTLS, first media section. */
export interface ParsedIceSdp {
  ufrag: string;
  pwd: string;
  candidates: string[];
  fingerprint?: string;
  setup?: string;
}

/** Reads the ICE credentials, candidates (as `candidate:…`), fingerprint and setup of an SDP. */
export function parseSdp(sdp: string): ParsedIceSdp {
  let ufrag: string | undefined;
  let pwd: string | undefined;
  let fingerprint: string | undefined;
  let setup: string | undefined;
  const candidates: string[] = [];
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('a=ice-ufrag:')) ufrag ??= line.slice('a=ice-ufrag:'.length);
    else if (line.startsWith('a=ice-pwd:')) pwd ??= line.slice('a=ice-pwd:'.length);
    else if (line.startsWith('a=fingerprint:')) fingerprint ??= line.slice('a=fingerprint:'.length);
    else if (line.startsWith('a=setup:')) setup ??= line.slice('a=setup:'.length);
    else if (line.startsWith('a=candidate:')) candidates.push(line.slice(2));
  }
  if (ufrag === undefined || pwd === undefined) throw new Error(`SDP without ICE credentials:\n${sdp}`);
  return { ufrag, pwd, candidates, ...(fingerprint !== undefined ? { fingerprint } : {}), ...(setup !== undefined ? { setup } : {}) };
}
