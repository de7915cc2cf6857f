import { ipFamily, isLinkLocalAddress } from './ip-address.js';
import type { Candidate } from './model.js';

/**
 * Why two candidates may not form a pair (the result of {@link pairingRejection}):
 *
 * - `component-mismatch`: different component ids (RFC 8445 §6.1.2.2);
 * - `transport-mismatch`: UDP with TCP; TCP pairs only with TCP (RFC 6544 §6.2);
 * - `unresolved-address`: an FQDN or mDNS candidate, or an address that is
 *   not an IP literal (RFC 8839 §5.1: ignore such candidates until resolved);
 * - `address-family-mismatch`: IPv4 with IPv6 (RFC 8445 §6.1.2.2);
 * - `link-local-mismatch`: a link-local address (IPv6 fe80::/10, IPv4
 *   169.254/16) with one that is not (RFC 8445 §6.1.2.2 for IPv6; the same
 *   rule applied to IPv4 link-local here);
 * - `tcptype-missing`: a TCP candidate without tcptype (RFC 6544 §4.5);
 * - `tcptype-mismatch`: a TCP combination other than local active with
 *   remote passive, local passive with remote active, or so with so
 *   (RFC 6544 §6.2); active with active never pairs.
 */
export type PairingRejection =
  | 'component-mismatch'
  | 'transport-mismatch'
  | 'unresolved-address'
  | 'address-family-mismatch'
  | 'link-local-mismatch'
  | 'tcptype-missing'
  | 'tcptype-mismatch';

/**
 * The pairing rule that forbids pairing `local` with `remote`, or `null`
 * when they may pair. Rules are checked in the order listed in
 * {@link PairingRejection}. The function never throws: a candidate with a
 * malformed address is rejected as `unresolved-address`.
 */
export function pairingRejection(local: Candidate, remote: Candidate): PairingRejection | null {
  // RFC 8445 §6.1.2.2: same component
  if (local.component !== remote.component) return 'component-mismatch';
  // RFC 6544 §6.2: TCP candidates pair only with TCP candidates
  if (local.transport !== remote.transport) return 'transport-mismatch';
  // RFC 8839 §5.1: FQDN candidates are not paired
  const localFamily = local.unresolved === true ? null : ipFamily(local.address);
  const remoteFamily = remote.unresolved === true ? null : ipFamily(remote.address);
  if (localFamily === null || remoteFamily === null) return 'unresolved-address';
  // RFC 8445 §6.1.2.2: same IP address family
  if (localFamily !== remoteFamily) return 'address-family-mismatch';
  // RFC 8445 §6.1.2.2: link-local only with link-local
  if (isLinkLocalAddress(local.address) !== isLinkLocalAddress(remote.address)) return 'link-local-mismatch';
  if (local.transport === 'tcp') {
    if (local.tcpType === undefined || remote.tcpType === undefined) return 'tcptype-missing';
    // RFC 6544 §6.2: active-passive, passive-active, so-so
    const compatible =
      (local.tcpType === 'active' && remote.tcpType === 'passive') ||
      (local.tcpType === 'passive' && remote.tcpType === 'active') ||
      (local.tcpType === 'so' && remote.tcpType === 'so');
    if (!compatible) return 'tcptype-mismatch';
  }
  return null;
}

/** Whether `local` and `remote` may form a candidate pair (see {@link pairingRejection}). */
export function canPair(local: Candidate, remote: Candidate): boolean {
  return pairingRejection(local, remote) === null;
}
