/**
 * Short labels for candidates and pairs in the command's output.
 */
import type { Candidate } from '../candidate/index.js';
import type { RoutePath } from '../net/index.js';

/** `udp`, `tcp-active`, `tcp-passive` or `tcp-so` (RFC 6544 §4.5 tcptypes). */
export function transportKind(c: Candidate): string {
  return c.transport === 'udp' ? 'udp' : `tcp-${c.tcpType ?? 'active'}`;
}

/** `selected-types local=<type>/<kind> remote=<type>/<kind>` (the `peer` line). */
export function selectedTypesLine(pair: { local: Candidate; remote: Candidate }): string {
  return `selected-types local=${pair.local.type}/${transportKind(pair.local)} remote=${pair.remote.type}/${transportKind(pair.remote)}`;
}

/** `host/tcp-so 127.0.0.1:40000` (IPv6 addresses in brackets). */
export function candidateLabel(c: Candidate): string {
  const address = c.address.includes(':') ? `[${c.address}]` : c.address;
  return `${c.type}/${transportKind(c)} ${address}:${c.port}`;
}

/** `path <udp|tcp> <local addr:port> <remote addr:port>`: the real 5-tuple of the data path (the `peer` line). */
export function pathLine(path: RoutePath): string {
  const at = (a: { address: string; port: number }): string => `${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`;
  return `path ${path.transport} ${at(path.local)} ${at(path.remote)}`;
}
