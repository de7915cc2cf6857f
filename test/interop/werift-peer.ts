/**
 * werift-ice 0.2.3 as a child process speaking the `ice-tcp peer` line
 * protocol (lib/cli/USAGE.md), so that it can be wired stdout→stdin against
 * our `ice-tcp peer` exactly like test/interop/nice-peer.c.
 *
 *   node werift-peer.js --controlling|--controlled [--udp on|off] [--tcp on|off]
 *                       [--echo | --send N] [--chunk B] [--timeout S]
 *
 * Prints ufrag, pwd, a=candidate lines, gathering-done, end-of-candidates,
 * state lines, `selected <local> <remote>` (werift's nominated pair),
 * `path <udp|tcp> <local addr:port> <remote addr:port>` (the real sockets of
 * that pair), with --send a send-result line, then done and result ok|fail.
 * Reads ufrag, pwd, candidates, end-of-candidates and done. Exit status as
 * the peer's: 0 ok, 1 ICE failed, 2 timeout, 3 data problem.
 *
 * Everything is held to 127.0.0.1: werift's own STUN server default (a public
 * host) is removed, only loopback candidates are printed, and pairs whose
 * local candidate is not loopback are filtered out, so nothing leaves the
 * machine. `--udp off` hides and filters werift's UDP candidates (it has no
 * such option itself).
 */
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { DataSender, formatSendResult } from '../../lib/cli/peer-data.js';
import { parsePeerLine } from '../../lib/cli/peer-lines.js';

interface WCandidate {
  host: string;
  port: number;
  transport: string;
  tcptype?: string;
  toSdp(): string;
}
interface WPair {
  localCandidate: WCandidate;
  remoteCandidate: WCandidate;
  remoteAddr: readonly [string, number];
  protocol: {
    sockets?: Map<string, { socket: { localAddress?: string; localPort?: number; remoteAddress?: string; remotePort?: number } }>;
  };
}
interface WEvent<T extends unknown[]> {
  subscribe(cb: (...args: T) => void): void;
}
interface WConnection {
  localUsername: string;
  localPassword: string;
  stunServer?: unknown;
  nominated?: WPair;
  onData: WEvent<[Buffer]>;
  stateChanged: WEvent<[string]>;
  onIceCandidate: WEvent<[WCandidate]>;
  setRemoteParams(p: { iceLite: boolean; usernameFragment: string; password: string }): void;
  gatherCandidates(): Promise<void>;
  addRemoteCandidate(c: WCandidate | undefined): Promise<void>;
  connect(): Promise<void>;
  send(data: Buffer): Promise<void>;
  close(): Promise<void>;
}
interface Werift {
  Connection: new (controlling: boolean, options: Record<string, unknown>) => WConnection;
  Candidate: { fromSdp(sdp: string): WCandidate };
}

const werift = createRequire(import.meta.url)('werift-ice') as Werift;

const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(name);
const value = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const controlling = flag('--controlling');
const udp = value('--udp', 'on') === 'on';
const tcp = value('--tcp', 'on') === 'on';
const echo = flag('--echo');
const sendBytes = Number(value('--send', '0'));
const chunk = Number(value('--chunk', '1200'));
const timeoutMs = Number(value('--timeout', '20')) * 1000;

const out = (line: string): void => void process.stdout.write(`${line}\n`);
const diag = (line: string): void => void process.stderr.write(`werift-peer: ${line}\n`);

const LOOPBACK = '127.0.0.1';
const connection = new werift.Connection(controlling, {
  useTcp: tcp,
  useIpv6: false,
  additionalHostAddresses: [LOOPBACK],
  filterCandidatePair: (pair: WPair) =>
    pair.localCandidate.host === LOOPBACK && (udp || pair.localCandidate.transport.toLowerCase() === 'tcp'),
});
connection.stunServer = undefined; // no public STUN server (werift's default)

let finished = false;
let localDone = false;
let peerDone = false;
let dataProblem: string | undefined;
const finish = (code: number, reason: string): void => {
  if (finished) return;
  finished = true;
  out(code === 0 ? 'result ok' : `result fail ${reason}`);
  if (code !== 0) diag(reason);
  void connection.close().catch(() => undefined);
  setTimeout(() => process.exit(code), 200).unref();
};
const timer = setTimeout(() => finish(2, 'timeout'), timeoutMs);
const markDone = (): void => {
  if (localDone) return;
  localDone = true;
  out('done');
  maybeExit();
};
const maybeExit = (): void => {
  if (!localDone || !peerDone) return;
  clearTimeout(timer);
  if (dataProblem !== undefined) finish(3, dataProblem);
  else finish(0, 'ok');
};

/** The nominated pair's real 5-tuple. */
function pathOf(pair: WPair): string {
  if (pair.localCandidate.transport.toLowerCase() === 'udp') {
    return `path udp ${pair.localCandidate.host}:${pair.localCandidate.port} ${pair.remoteAddr[0]}:${pair.remoteAddr[1]}`;
  }
  const entry =
    pair.protocol.sockets?.get(`${pair.remoteAddr[0]}:${pair.remoteAddr[1]}`) ??
    [...(pair.protocol.sockets?.values() ?? [])].find(
      (e) => e.socket.remoteAddress === pair.remoteAddr[0] && e.socket.remotePort === pair.remoteAddr[1],
    );
  const s = entry?.socket;
  if (s === undefined) return `path tcp ? ${pair.remoteAddr[0]}:${pair.remoteAddr[1]}`;
  return `path tcp ${s.localAddress}:${s.localPort} ${s.remoteAddress}:${s.remotePort}`;
}

// Echo: listen from the start (werift delivers data only to listeners present when it arrives, and our
// peer may send as soon as it selected the pair, before werift's connect() has resolved); hold what comes
// before werift has a nominated pair to send on.
const early: Buffer[] = [];
let echoing = false;
if (echo) {
  connection.onData.subscribe((data) => {
    if (finished) return;
    if (!echoing) early.push(Buffer.from(data));
    else void connection.send(data).catch((e: unknown) => diag(`echo failed: ${String(e)}`));
  });
}

function startData(): void {
  if (echo) {
    echoing = true;
    for (const data of early.splice(0)) void connection.send(data).catch((e: unknown) => diag(`echo failed: ${String(e)}`));
  }
  if (sendBytes <= 0) {
    markDone();
    return;
  }
  const sender = new DataSender(sendBytes, chunk);
  let lastEcho = performance.now();
  const pump = (): void => {
    for (let p = sender.nextPacket(performance.now()); p !== undefined; p = sender.nextPacket(performance.now())) {
      void connection.send(p).catch((e: unknown) => diag(`send failed: ${String(e)}`));
    }
  };
  connection.onData.subscribe((data) => {
    lastEcho = performance.now();
    sender.onEcho(data, lastEcho);
    if (sender.complete) {
      clearInterval(stall);
      const result = sender.result(performance.now());
      out(formatSendResult(result));
      if (result.corruptChunks > 0) dataProblem = `corrupt data: ${result.corruptChunks} echoed packets differ`;
      markDone();
    } else {
      pump();
    }
  });
  const stall = setInterval(() => {
    if (sender.inFlight > 0 && performance.now() - lastEcho > 5000) {
      clearInterval(stall);
      out(formatSendResult(sender.result(performance.now())));
      finish(3, 'data stalled: no echo for 5 s');
    }
  }, 500);
  pump();
}

connection.stateChanged.subscribe((state) => {
  out(`state ${state}`);
  if (state === 'failed' && !localDone) finish(1, 'ice failed');
});
connection.onIceCandidate.subscribe((c) => {
  // Only loopback candidates leave this process (werift also gathers on the host's interfaces).
  if (c.host !== LOOPBACK) return;
  if (!udp && c.transport.toLowerCase() === 'udp') return;
  out(`a=candidate:${c.toSdp()}`);
});

let remoteUfrag: string | undefined;
let remotePwd: string | undefined;
let remoteEnded = false;
let started = false;
const remoteCandidates: string[] = [];

async function start(): Promise<void> {
  if (started || remoteUfrag === undefined || remotePwd === undefined || !remoteEnded) return;
  started = true;
  connection.setRemoteParams({ iceLite: false, usernameFragment: remoteUfrag, password: remotePwd });
  for (const line of remoteCandidates) {
    try {
      await connection.addRemoteCandidate(werift.Candidate.fromSdp(line.replace(/^candidate:/, '')));
    } catch (e) {
      diag(`ignores a remote candidate (${String(e)}): ${line}`);
    }
  }
  await connection.addRemoteCandidate(undefined);
  try {
    await connection.connect();
  } catch (e) {
    finish(1, `connect failed: ${String(e)}`);
    return;
  }
  const pair = connection.nominated;
  if (pair === undefined) {
    finish(1, 'connected without a nominated pair');
    return;
  }
  out(`selected a=candidate:${pair.localCandidate.toSdp()} a=candidate:${pair.remoteCandidate.toSdp()}`);
  out(pathOf(pair));
  startData();
}

out(`ufrag ${connection.localUsername}`);
out(`pwd ${connection.localPassword}`);
const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on('line', (raw) => {
  if (finished) return;
  const line = parsePeerLine(raw);
  switch (line.kind) {
    case 'ufrag':
      remoteUfrag = line.value;
      break;
    case 'pwd':
      remotePwd = line.value;
      break;
    case 'candidate':
      remoteCandidates.push(line.value);
      break;
    case 'end-of-candidates':
      remoteEnded = true;
      break;
    case 'done':
      peerDone = true;
      maybeExit();
      return;
    default:
      return;
  }
  void start();
});
lines.on('close', () => {
  peerDone = true;
  maybeExit();
});
connection.gatherCandidates().then(
  () => {
    out('gathering-done');
    out('end-of-candidates');
  },
  (e: unknown) => finish(1, `gathering failed: ${String(e)}`),
);
