/**
 * Which transport plugins an agent runs, from its options: the UDP plugin
 * (RFC 8445) and the TCP plugin (RFC 6544, lib/net/tcp).
 */
import type { ResolvedAgentOptions } from './agent-options.js';
import { TcpTransport, type TcpTransportOptions } from '../tcp/index.js';
import type { TransportPlugin } from './transport-plugin.js';
import { UdpTransport } from '../udp/udp-plugin.js';
import { TurnTransport } from '../turn/plugin.js';

/** The TCP plugin's own options out of the agent's `tcp` options (the rest are the core's timers). */
function tcpPluginOptions(tcp: Exclude<ResolvedAgentOptions['tcp'], false>): TcpTransportOptions {
  const { transactionTimeoutMs: _ti, maxConnectsPerRemoteIp: _max, soRetry: _so, reconnectAttempts: _re, ...plugin } = tcp;
  return plugin;
}

/**
 * The plugins for the resolved options.
 *
 * @throws IceAgentError / TcpTransportError `ERR_*_BAD_OPTION` for invalid transport options
 */
export function createTransportPlugins(options: ResolvedAgentOptions): TransportPlugin[] {
  const plugins: TransportPlugin[] = [];
  // iceTransportPolicy 'relay': no host or server-reflexive candidates at all.
  if (options.udp !== false && !options.relayOnly) plugins.push(new UdpTransport(options.udp));
  if (options.tcp !== false && !options.relayOnly && (options.tcp.active || options.tcp.passive || options.tcp.so)) {
    plugins.push(new TcpTransport(tcpPluginOptions(options.tcp)));
  }
  const turn = options.turn;
  for (const server of options.turnServers) {
    const common = {
      server,
      ...(turn.tls !== undefined ? { tls: turn.tls } : {}),
      ...(turn.lifetimeS !== undefined ? { lifetimeS: turn.lifetimeS } : {}),
      ...(turn.timeoutMs !== undefined ? { timeoutMs: turn.timeoutMs } : {}),
    };
    if (options.udp !== false) plugins.push(new TurnTransport(common));
    if (turn.tcpRelays === true && server.transport !== 'udp' && options.tcp !== false) {
      plugins.push(new TurnTransport({ ...common, relayProtocol: 'tcp' }));
    }
  }
  return plugins;
}
