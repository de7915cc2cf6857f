// Helpers for the IceAgent-level tests of the TCP plugin: agents whose TCP
// comes from a TcpTransport given as a plugin, and in-process signalling.
import { IceAgent } from '../../../lib/net/agent/agent.js';
import type { IceAgentOptions } from '../../../lib/net/agent/agent-options.js';
import type { IceConnection } from '../../../lib/net/agent/ice-connection.js';
import { TcpTransport, type TcpTransportOptions } from '../../../lib/net/tcp/index.js';

/** The core's S-O retry schedule for loopback, where SYNs only cross after many RSTs. */
export const LOOPBACK_SO_RETRY = { initialMs: 1, maxMs: 1, maxAttempts: 100_000 };

/**
 * An IceAgent whose TCP candidates come from a {@link TcpTransport} with
 * `tcp` options (the agent's own TCP switches stay off, so the plugin is
 * the only TCP transport), and the core's TCP timers from `coreTcp`.
 */
export function tcpAgent(
  controlling: boolean,
  tcp: TcpTransportOptions,
  options: Partial<IceAgentOptions> & { coreTcp?: { soRetry?: typeof LOOPBACK_SO_RETRY; connectTimeoutMs?: number } } = {},
): { agent: IceAgent; plugin: TcpTransport } {
  const plugin = new TcpTransport(tcp);
  const { coreTcp, ...rest } = options;
  const agent = new IceAgent({
    addresses: ['127.0.0.1'],
    udp: false,
    ...rest,
    controlling,
    tcp: { active: false, passive: false, so: false, ...coreTcp },
    plugins: [plugin, ...(rest.plugins ?? [])],
  });
  return { agent, plugin };
}

/** Exchanges parameters and trickled candidates, then end-of-candidates once both have gathered. */
export async function signal(left: IceAgent, right: IceAgent): Promise<void> {
  left.setRemoteParameters(right.localParameters);
  right.setRemoteParameters(left.localParameters);
  left.on('candidate', (c) => right.addRemoteCandidate(c.toSdp()));
  right.on('candidate', (c) => left.addRemoteCandidate(c.toSdp()));
  await Promise.all([left.gather(), right.gather()]);
  left.endOfRemoteCandidates();
  right.endOfRemoteCandidates();
}

/** Sends `count` numbered packets one way and resolves with what arrived (in order). */
export async function exchange(from: IceConnection, to: IceConnection, count: number, size = 1200): Promise<number[]> {
  const got: number[] = [];
  const done = new Promise<void>((resolve) => {
    const onPacket = (packet: Buffer): void => {
      got.push(packet.readUInt32BE(0));
      if (packet.length !== size) got.push(-packet.length);
      if (got.length >= count) {
        to.off('packet', onPacket);
        resolve();
      }
    };
    to.on('packet', onPacket);
  });
  for (let i = 0; i < count; i++) {
    const packet = Buffer.alloc(size, i & 0xff);
    packet.writeUInt32BE(i, 0);
    if (!from.send(packet)) await new Promise<void>((resolve) => from.once('drain', resolve));
  }
  await done;
  return got;
}
