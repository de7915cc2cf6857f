// Real IceAgents on 127.0.0.1 with TCP candidates only (the lib/net TCP
// plugin), for running TLS over a selected ICE-TCP pair. The signalling and
// the loopback S-O retry schedule are the TCP plugin tests' own.
import { IceAgent } from '../../lib/net/agent/agent.js';
import { TcpTransport } from '../../lib/net/tcp/index.js';
import { LOOPBACK_SO_RETRY, signal } from '../net/tcp/agents.js';

export type TcpKinds = { active: boolean; passive: boolean; so: boolean };

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
export const signalAgents = signal;
