/**
 * Which transport plugins an agent runs, from its options: the UDP plugin
 * (RFC 8445) and the TCP plugin (RFC 6544) of lib/net/tcp.
 */
import { IceAgentError } from './errors.js';
import type { ResolvedAgentOptions } from './agent-options.js';
import type { TransportPlugin } from './transport-plugin.js';
import { UdpTransport } from './udp-plugin.js';

/**
 * The plugins for the resolved options.
 *
 * @throws IceAgentError `ERR_AGENT_BAD_OPTION` for a transport this build cannot run
 */
export function createTransportPlugins(options: ResolvedAgentOptions): TransportPlugin[] {
  const plugins: TransportPlugin[] = [];
  if (options.udp !== false) plugins.push(new UdpTransport(options.udp));
  if (options.tcp !== false && (options.tcp.active || options.tcp.passive || options.tcp.so)) {
    throw new IceAgentError('ERR_AGENT_BAD_OPTION', 'TCP candidates need the TCP transport plugin, which is not available yet');
  }
  return plugins;
}
