// Many ICE sessions in one process on loopback, for the scale and idle-footprint
// tests: each session is a controlling client agent and a controlled server agent;
// TCP ones reach the server through one shared passive port (active → passive),
// UDP ones use a socket per agent.
import { IceAgent } from '../../lib/net/agent/agent.js';
import { type SharedPassiveListener, TcpTransport } from '../../lib/net/tcp/index.js';

/** The two agents of one session. */
export interface LoopbackSession {
  client: IceAgent;
  server: IceAgent;
}

/** Makes `count` sessions (not gathered yet). */
export function makeSessions(count: number, transport: 'tcp' | 'udp', listener: SharedPassiveListener): LoopbackSession[] {
  const common = { addresses: ['127.0.0.1'], tcp: { active: false, passive: false, so: false, connectTimeoutMs: 60_000 } };
  return Array.from({ length: count }, () =>
    transport === 'udp'
      ? { client: new IceAgent({ ...common, controlling: true }), server: new IceAgent({ ...common, controlling: false }) }
      : {
          client: new IceAgent({ ...common, controlling: true, udp: false, plugins: [new TcpTransport({ passive: false, so: false })] }),
          server: new IceAgent({
            ...common,
            controlling: false,
            udp: false,
            plugins: [new TcpTransport({ listener, active: false, so: false })],
          }),
        },
  );
}

/** Gathers, exchanges parameters and candidates, and connects every session. */
export async function connectAll(sessions: LoopbackSession[]): Promise<void> {
  await Promise.all(sessions.flatMap((s) => [s.client.gather(), s.server.gather()]));
  for (const { client, server } of sessions) {
    client.setRemoteParameters(server.localParameters);
    server.setRemoteParameters(client.localParameters);
    for (const c of server.localCandidates) client.addRemoteCandidate(c.toSdp());
    for (const c of client.localCandidates) server.addRemoteCandidate(c.toSdp());
    client.endOfRemoteCandidates();
    server.endOfRemoteCandidates();
  }
  await Promise.all(sessions.flatMap((s) => [s.client.connect({ timeoutMs: 90_000 }), s.server.connect({ timeoutMs: 90_000 })]));
}
