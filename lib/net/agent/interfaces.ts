/**
 * Interface discovery: which local addresses an agent gathers host candidates
 * on (RFC 8445 §5.1.1.1).
 *
 * By default every non-internal address from `os.networkInterfaces()`, IPv4
 * and IPv6, with these exclusions:
 * - internal (loopback) interfaces, unless `includeInternal` (RFC 8445
 *   §5.1.1.1: loopback addresses MUST NOT be candidates on a real network;
 *   tests on one host opt in explicitly);
 * - IPv6 link-local addresses (fe80::/10): binding and sending on them needs a
 *   scope id (`fe80::1%eth0`), which an `a=candidate` line cannot carry, and
 *   RFC 8445 §5.1.1.1 forbids them beside privacy addresses anyway. They are
 *   skipped, with a debug line;
 * - IPv6 site-local (fec0::/10), IPv4-compatible (::/96) and IPv4-mapped
 *   (::ffff:0:0/96) addresses (RFC 8445 §5.1.1.1).
 *
 * An explicit address list (the agent's `addresses` option) overrides
 * discovery: each entry must be an IP literal; link-local IPv6 is refused for
 * the reason above.
 */
import { isIP } from 'node:net';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import createDebug from 'debug';
import { normalizeIpAddress, parseIPv6 } from '../../candidate/index.js';
import { IceAgentError } from '../net-errors.js';

const debug = createDebug('ice-tcp:net');

/** Options of {@link listInterfaceAddresses}. */
export interface InterfaceAddressOptions {
  /** Also return addresses of internal (loopback) interfaces (default `false`). */
  includeInternal?: boolean;
  /** IP versions to return (default both, `[4, 6]`). */
  families?: ReadonlyArray<4 | 6>;
}

/**
 * Why an address may not carry host candidates, or `null` when it may
 * (RFC 8445 §5.1.1.1). Expects an IP literal.
 */
export function addressExclusion(address: string): string | null {
  if (address === '0.0.0.0' || address === '::') return 'is the unspecified address: name an interface address';
  if (isIP(address) !== 6) return null;
  if (address.includes('%')) return 'has a scope id (link-local), which a candidate cannot carry';
  const groups = parseIPv6(address);
  if (groups === null) return 'is not an IPv6 literal';
  if ((groups[0] & 0xffc0) === 0xfe80) return 'is IPv6 link-local (fe80::/10): it needs a scope id';
  if ((groups[0] & 0xffc0) === 0xfec0) return 'is IPv6 site-local (fec0::/10), RFC 8445 §5.1.1.1';
  const upperZero = groups.slice(0, 5).every((g) => g === 0);
  if (upperZero && groups[5] === 0xffff) return 'is IPv4-mapped (::ffff:0:0/96), RFC 8445 §5.1.1.1';
  if (upperZero && groups[5] === 0 && (groups[6] !== 0 || groups[7] > 1)) {
    return 'is IPv4-compatible (::/96), deprecated, RFC 8445 §5.1.1.1';
  }
  return null;
}

/**
 * Addresses to gather on, from `os.networkInterfaces()` (or the given table,
 * for tests): canonical text, each once, IPv4 before IPv6 in interface order.
 */
export function listInterfaceAddresses(
  options: InterfaceAddressOptions = {},
  table: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces(),
): string[] {
  const families = options.families ?? [4, 6];
  const v4: string[] = [];
  const v6: string[] = [];
  for (const [name, infos] of Object.entries(table)) {
    for (const info of infos ?? []) {
      if (info.internal && options.includeInternal !== true) continue;
      const family = info.family === 'IPv4' || (info.family as unknown) === 4 ? 4 : 6;
      if (!families.includes(family)) continue;
      const address = normalizeIpAddress(info.address);
      if (address === null) {
        debug('interface %s: skips %s: not an IP literal', name, info.address);
        continue;
      }
      const exclusion = addressExclusion(address);
      if (exclusion !== null) {
        debug('interface %s: skips %s: %s', name, address, exclusion);
        continue;
      }
      const list = family === 4 ? v4 : v6;
      if (!list.includes(address)) list.push(address);
    }
  }
  return [...v4, ...v6];
}

/**
 * Validates an explicit address list: IP literals only, no link-local IPv6
 * (see the module notes). Returns canonical text, each address once.
 *
 * @throws IceAgentError `ERR_AGENT_BAD_OPTION`
 */
export function normalizeAddressList(addresses: unknown, optionName = 'addresses'): string[] {
  if (!Array.isArray(addresses)) {
    throw new IceAgentError('ERR_AGENT_BAD_OPTION', `${optionName} must be an array of IP addresses`);
  }
  const out: string[] = [];
  for (const entry of addresses) {
    if (typeof entry !== 'string' || isIP(entry) === 0 || entry.includes('%')) {
      throw new IceAgentError('ERR_AGENT_BAD_OPTION', `${optionName}: ${JSON.stringify(entry)} is not an IP address`);
    }
    const address = normalizeIpAddress(entry);
    if (address === null) {
      throw new IceAgentError('ERR_AGENT_BAD_OPTION', `${optionName}: ${JSON.stringify(entry)} is not an IP address`);
    }
    const exclusion = addressExclusion(address);
    if (exclusion !== null) throw new IceAgentError('ERR_AGENT_BAD_OPTION', `${optionName}: ${address} ${exclusion}`);
    if (!out.includes(address)) out.push(address);
  }
  return out;
}
