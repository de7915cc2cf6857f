// Real IceAgents on 127.0.0.1 with TCP candidates only (the lib/net TCP
// plugin), for running TLS over a selected ICE-TCP pair.
import { IceAgent } from '../../lib/net/agent.js';
import { TcpTransport } from '../../lib/net/tcp/index.js';

export type TcpKinds = { active: boolean; passive: boolean; so: boolean };

/** On loopback, S-O SYNs only cross after many RSTs: retry connects at once, many times. */
export const LOOPBACK_SO_RETRY = { initialMs: 1, maxMs: 1, maxAttempts: 100_000 };

/** An agent whose only transport is a TcpTransport plugin gathering `kinds`. */
export function tcpOnlyAgent(controlling: boolean, kinds: TcpKinds): IceAgent {
  return new IceAgent({
    addresses: ['127.0.0.1'],
    udp: false,
    controlling,
    tcp: { active: false, passive: false, so: false, ...(kinds.so ? { soRetry: LOOPBACK_SO_RETRY } : {}) },
    plugins: [new TcpTransport(kinds)],
  });
}

/** In-process signalling: parameters, trickled candidates, end-of-candidates. */
export async function signalAgents(left: IceAgent, right: IceAgent): Promise<void> {
  left.setRemoteParameters(right.localParameters);
  right.setRemoteParameters(left.localParameters);
  left.on('candidate', (c) => right.addRemoteCandidate(c.toSdp()));
  right.on('candidate', (c) => left.addRemoteCandidate(c.toSdp()));
  await Promise.all([left.gather(), right.gather()]);
  left.endOfRemoteCandidates();
  right.endOfRemoteCandidates();
}
