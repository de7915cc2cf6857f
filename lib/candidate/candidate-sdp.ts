/**
 * `a=candidate` parsing and printing, side by side: RFC 8839 §5.1 grammar
 * with the RFC 6544 §4.5 `tcptype` extension and the WebRTC extensions
 * `generation`, `ufrag`, `network-id`, `network-cost`.
 */
import { CandidateError } from './candidate-errors.js';
import { isHostName, normalizeIpAddress } from './ip-address.js';
import { ACTIVE_TCP_PORT, type Candidate, type CandidateType, type TcpType, type TransportProtocol } from './model.js';

/** Longest line {@link parseCandidate} reads; real lines are under 300 characters. */
export const MAX_CANDIDATE_LINE_LENGTH = 4096;
/** Largest priority accepted on parse and serialize: 2^32-1, the STUN PRIORITY attribute's range. */
export const MAX_WIRE_PRIORITY = 4294967295;

/** Options of {@link serializeCandidate}. */
export interface SerializeCandidateOptions {
  /** Start the line with `a=` (an SDP attribute line) instead of bare `candidate:`. */
  prefix?: boolean;
}

const ICE_CHARS = /^[A-Za-z0-9+/]+$/;
// RFC 3261 token
const TOKEN = /^[A-Za-z0-9\-.!%*_+`'~]+$/;
const VCHAR = /^[\x21-\x7e]+$/;
const PRINTABLE_LINE = /^[\x20-\x7e\t]*$/;
const DIGITS = /^[0-9]+$/;

/** Extension names with a typed field in {@link Candidate}; never kept in `extensions`. */
const KNOWN_EXTENSIONS = new Set(['raddr', 'rport', 'tcptype', 'generation', 'ufrag', 'network-id', 'network-cost']);

function fail(code: 'ERR_CANDIDATE_SYNTAX' | 'ERR_CANDIDATE_BAD_VALUE' | 'ERR_CANDIDATE_UNSUPPORTED', message: string): never {
  throw new CandidateError(code, message);
}

/** Quotes a bounded part of untrusted input for an error message. */
function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}

function parseUnsigned(name: string, text: string, maxDigits: number, min: number, max: number): number {
  if (!DIGITS.test(text) || text.length > maxDigits) fail('ERR_CANDIDATE_SYNTAX', `${name} must be digits, got ${quote(text)}`);
  const value = Number(text);
  if (value < min || value > max) fail('ERR_CANDIDATE_BAD_VALUE', `${name} ${value} is outside ${min}..${max}`);
  return value;
}

function checkUnsigned(name: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail('ERR_CANDIDATE_BAD_VALUE', `${name} must be an integer in ${min}..${max}, got ${String(value)}`);
  }
}

const CANDIDATE_TYPES: readonly CandidateType[] = ['host', 'srflx', 'prflx', 'relay'];
const TCP_TYPES: readonly TcpType[] = ['active', 'passive', 'so'];

function parseTransport(text: string): TransportProtocol {
  // RFC 8839 §5.1: transport is a token, compared case-insensitively.
  // The literals, not the parsed text: one shared string instead of a copy per candidate kept for the session.
  const lower = text.toLowerCase();
  if (lower === 'udp') return 'udp';
  if (lower === 'tcp') return 'tcp';
  if (TOKEN.test(text)) fail('ERR_CANDIDATE_UNSUPPORTED', `unsupported transport ${quote(text)}`);
  return fail('ERR_CANDIDATE_SYNTAX', `bad transport ${quote(text)}`);
}

function parseType(text: string): CandidateType {
  const known = CANDIDATE_TYPES.find((type) => type === text); // the literal, shared (see parseTransport)
  if (known !== undefined) return known;
  if (TOKEN.test(text)) fail('ERR_CANDIDATE_UNSUPPORTED', `unsupported candidate type ${quote(text)}`);
  return fail('ERR_CANDIDATE_SYNTAX', `bad candidate type ${quote(text)}`);
}

function parseTcpType(text: string): TcpType {
  // RFC 6544 §4.5: tcp-type = "active" / "passive" / "so"
  const lower = text.toLowerCase();
  const known = TCP_TYPES.find((type) => type === lower); // the literal, shared (see parseTransport)
  if (known !== undefined) return known;
  return fail('ERR_CANDIDATE_BAD_VALUE', `bad tcptype ${quote(text)}`);
}

/** An IP literal in canonical form, or a host name kept as written. */
function parseAddress(name: string, text: string): { address: string; unresolved: boolean } {
  const ip = normalizeIpAddress(text);
  if (ip !== null) return { address: ip, unresolved: false };
  // RFC 8839 §5.1: connection-address may be an FQDN; mDNS names end in .local.
  if (isHostName(text)) return { address: text, unresolved: true };
  return fail('ERR_CANDIDATE_BAD_VALUE', `${name} ${quote(text)} is neither an IP address nor a host name`);
}

/** Strips leading blanks and trailing blanks / line endings, in linear time. */
function trimLine(line: string): string {
  let start = 0;
  let end = line.length;
  while (start < end && (line[start] === ' ' || line[start] === '\t')) start++;
  while (end > start && (line[end - 1] === ' ' || line[end - 1] === '\t' || line[end - 1] === '\r' || line[end - 1] === '\n')) end--;
  return line.slice(start, end);
}

/**
 * Parses one candidate line, `candidate:...` or `a=candidate:...`
 * (RFC 8839 §5.1, RFC 6544 §4.5). Surrounding white space and a line ending
 * are ignored; fields may be separated by several spaces or tabs.
 *
 * Decisions beyond the grammar, made for real-world lines:
 * - priority: 1..2^32-1 accepted (the grammar allows 10 digits and the STUN
 *   PRIORITY attribute holds 32 bits); RFC 8839 §5.1 says at most 2^31-1, and
 *   {@link candidatePriority} never produces more, but some stacks do;
 * - addresses: IPv6 is rewritten to the canonical form `node:net` prints;
 *   an FQDN or mDNS (`.local`) name is kept and flagged `unresolved: true`
 *   (RFC 8839 §5.1 tells ICE agents to ignore such candidates until resolved);
 * - an active TCP candidate should carry port 9 (RFC 6544 §4.5); any port is
 *   accepted and recorded in `port`, but {@link serializeCandidate} prints 9;
 * - `raddr`, `rport` and `tcptype` are accepted anywhere after `typ` (pion
 *   prints `tcptype` before `raddr`); a missing `raddr` on a reflexive
 *   candidate is tolerated (pion leaves it out when the port is 0);
 * - `generation`, `ufrag`, `network-id`, `network-cost` go to typed fields;
 *   every other extension is kept, in order, in `extensions`.
 *
 * @throws CandidateError `ERR_CANDIDATE_SYNTAX` (grammar),
 *   `ERR_CANDIDATE_MISSING_TCPTYPE` (TCP without tcptype, RFC 6544 §4.5),
 *   `ERR_CANDIDATE_BAD_VALUE` (out-of-range field),
 *   `ERR_CANDIDATE_UNSUPPORTED` (a transport or type other than those modelled)
 */
export function parseCandidate(line: string): Candidate {
  if (typeof line !== 'string') fail('ERR_CANDIDATE_SYNTAX', 'a candidate line must be a string');
  if (line.length > MAX_CANDIDATE_LINE_LENGTH)
    fail('ERR_CANDIDATE_SYNTAX', `candidate line longer than ${MAX_CANDIDATE_LINE_LENGTH} characters`);
  let text = trimLine(line);
  if (!PRINTABLE_LINE.test(text)) fail('ERR_CANDIDATE_SYNTAX', 'candidate line holds a character outside printable ASCII');
  if (text.startsWith('a=')) text = text.slice(2);
  if (!text.startsWith('candidate:')) fail('ERR_CANDIDATE_SYNTAX', `expected "candidate:", got ${quote(text)}`);
  const fields = text.slice('candidate:'.length).split(/[ \t]+/);
  if (fields.length < 8) fail('ERR_CANDIDATE_SYNTAX', `a candidate has at least 8 fields, got ${fields.length}`);
  const [foundation, componentText, transportText, priorityText, addressText, portText, typKeyword, typeText] = fields;
  // RFC 8839 §5.1: foundation = 1*32ice-char
  if (foundation.length > 32 || !ICE_CHARS.test(foundation)) fail('ERR_CANDIDATE_SYNTAX', `bad foundation ${quote(foundation)}`);
  const component = parseUnsigned('component', componentText, 3, 1, 256);
  const transport = parseTransport(transportText);
  const priority = parseUnsigned('priority', priorityText, 10, 1, MAX_WIRE_PRIORITY);
  const { address, unresolved } = parseAddress('address', addressText);
  const port = parseUnsigned('port', portText, 5, 0, 65535);
  if (typKeyword !== 'typ') fail('ERR_CANDIDATE_SYNTAX', `expected "typ", got ${quote(typKeyword)}`);
  const type = parseType(typeText);
  const candidate: Candidate = { foundation, component, transport, priority, address, port, type, extensions: [] };
  if (unresolved) candidate.unresolved = true;
  const seen = new Set<string>();
  for (let i = 8; i < fields.length; i += 2) {
    const name = fields[i];
    const value = fields[i + 1];
    if (value === undefined) fail('ERR_CANDIDATE_SYNTAX', `extension ${quote(name)} has no value`);
    if (!TOKEN.test(name)) fail('ERR_CANDIDATE_SYNTAX', `bad extension name ${quote(name)}`);
    if (KNOWN_EXTENSIONS.has(name)) {
      if (seen.has(name)) fail('ERR_CANDIDATE_SYNTAX', `duplicate ${quote(name)}`);
      seen.add(name);
    }
    switch (name) {
      case 'raddr':
        candidate.relatedAddress = parseAddress('raddr', value).address;
        break;
      case 'rport':
        candidate.relatedPort = parseUnsigned('rport', value, 5, 0, 65535);
        break;
      case 'tcptype':
        candidate.tcpType = parseTcpType(value);
        break;
      case 'generation':
        candidate.generation = parseUnsigned('generation', value, 10, 0, MAX_WIRE_PRIORITY);
        break;
      case 'ufrag':
        candidate.ufrag = value;
        break;
      case 'network-id':
        candidate.networkId = parseUnsigned('network-id', value, 10, 0, MAX_WIRE_PRIORITY);
        break;
      case 'network-cost':
        candidate.networkCost = parseUnsigned('network-cost', value, 10, 0, MAX_WIRE_PRIORITY);
        break;
      default:
        // RFC 8839 §5.1: unknown name/value pairs are ignored by ICE, kept here to round-trip.
        candidate.extensions.push([name, value]);
    }
  }
  checkTcpType(candidate.transport, candidate.tcpType);
  return candidate;
}

function checkTcpType(transport: TransportProtocol, tcpType: TcpType | undefined): void {
  // RFC 6544 §4.5: TCP candidates carry tcp-type-ext.
  if (transport === 'tcp' && tcpType === undefined) {
    throw new CandidateError('ERR_CANDIDATE_MISSING_TCPTYPE', 'a TCP candidate must carry "tcptype" (RFC 6544 §4.5)');
  }
  if (transport === 'udp' && tcpType !== undefined) fail('ERR_CANDIDATE_BAD_VALUE', 'a UDP candidate cannot carry "tcptype"');
}

function formatAddress(name: string, address: unknown): string {
  if (typeof address !== 'string') return fail('ERR_CANDIDATE_BAD_VALUE', `${name} must be a string`);
  const ip = normalizeIpAddress(address);
  if (ip !== null) return ip;
  if (isHostName(address)) return address;
  return fail('ERR_CANDIDATE_BAD_VALUE', `${name} ${quote(address)} is neither an IP address nor a host name`);
}

/**
 * Prints a candidate as `candidate:...` (or `a=candidate:...` with
 * `prefix: true`), in the field order RFC 8839 §5.1 gives and the order
 * Chrome uses for the extensions: `raddr`, `rport`, `tcptype`, `generation`,
 * `ufrag`, `network-id`, `network-cost`, then the unknown extensions in
 * their order. Transport is printed upper-case (`UDP`, `TCP`), IP addresses
 * in canonical form, and the port of an active TCP candidate as 9
 * (RFC 6544 §4.5).
 *
 * @throws CandidateError `ERR_CANDIDATE_BAD_VALUE` (a field out of range or
 *   not printable, an unknown extension named like a known one),
 *   `ERR_CANDIDATE_MISSING_TCPTYPE` (TCP without tcpType)
 */
export function serializeCandidate(c: Candidate, options: SerializeCandidateOptions = {}): string {
  if (typeof c !== 'object' || c === null) fail('ERR_CANDIDATE_BAD_VALUE', 'candidate must be an object');
  if (typeof c.foundation !== 'string' || c.foundation.length < 1 || c.foundation.length > 32 || !ICE_CHARS.test(c.foundation)) {
    fail('ERR_CANDIDATE_BAD_VALUE', `foundation must be 1-32 ice-chars, got ${quote(String(c.foundation))}`);
  }
  checkUnsigned('component', c.component, 1, 256);
  if (c.transport !== 'udp' && c.transport !== 'tcp') fail('ERR_CANDIDATE_BAD_VALUE', `unknown transport ${quote(String(c.transport))}`);
  checkUnsigned('priority', c.priority, 1, MAX_WIRE_PRIORITY);
  const address = formatAddress('address', c.address);
  checkUnsigned('port', c.port, 0, 65535);
  if (c.type !== 'host' && c.type !== 'srflx' && c.type !== 'prflx' && c.type !== 'relay') {
    fail('ERR_CANDIDATE_BAD_VALUE', `unknown candidate type ${quote(String(c.type))}`);
  }
  if (c.tcpType !== undefined && c.tcpType !== 'active' && c.tcpType !== 'passive' && c.tcpType !== 'so') {
    fail('ERR_CANDIDATE_BAD_VALUE', `unknown tcptype ${quote(String(c.tcpType))}`);
  }
  checkTcpType(c.transport, c.tcpType);
  // RFC 6544 §4.5: active candidates advertise port 9. A peer-reflexive one
  // is never signalled (RFC 8445 §7.2.5.3.1): printing it (diagnostics, the
  // `selected` line) keeps the real port its connection came from.
  const port = c.tcpType === 'active' && c.type !== 'prflx' ? ACTIVE_TCP_PORT : c.port;
  const parts = [
    `${options.prefix === true ? 'a=' : ''}candidate:${c.foundation}`,
    String(c.component),
    c.transport.toUpperCase(),
    String(c.priority),
    address,
    String(port),
    'typ',
    c.type,
  ];
  if (c.relatedAddress !== undefined) parts.push('raddr', formatAddress('raddr', c.relatedAddress));
  if (c.relatedPort !== undefined) {
    checkUnsigned('rport', c.relatedPort, 0, 65535);
    parts.push('rport', String(c.relatedPort));
  }
  if (c.tcpType !== undefined) parts.push('tcptype', c.tcpType);
  if (c.generation !== undefined) {
    checkUnsigned('generation', c.generation, 0, MAX_WIRE_PRIORITY);
    parts.push('generation', String(c.generation));
  }
  if (c.ufrag !== undefined) {
    if (typeof c.ufrag !== 'string' || !VCHAR.test(c.ufrag))
      fail('ERR_CANDIDATE_BAD_VALUE', 'ufrag must be printable ASCII without spaces');
    parts.push('ufrag', c.ufrag);
  }
  if (c.networkId !== undefined) {
    checkUnsigned('network-id', c.networkId, 0, MAX_WIRE_PRIORITY);
    parts.push('network-id', String(c.networkId));
  }
  if (c.networkCost !== undefined) {
    checkUnsigned('network-cost', c.networkCost, 0, MAX_WIRE_PRIORITY);
    parts.push('network-cost', String(c.networkCost));
  }
  if (!Array.isArray(c.extensions)) fail('ERR_CANDIDATE_BAD_VALUE', 'extensions must be an array');
  for (const entry of c.extensions) {
    const [name, value] = Array.isArray(entry) ? entry : [undefined, undefined];
    if (typeof name !== 'string' || !TOKEN.test(name) || KNOWN_EXTENSIONS.has(name)) {
      fail('ERR_CANDIDATE_BAD_VALUE', `bad extension name ${quote(String(name))}`);
    }
    if (typeof value !== 'string' || !VCHAR.test(value)) fail('ERR_CANDIDATE_BAD_VALUE', `bad value of extension ${quote(name)}`);
    parts.push(name, value);
  }
  const line = parts.join(' ');
  if (line.length > MAX_CANDIDATE_LINE_LENGTH)
    fail('ERR_CANDIDATE_BAD_VALUE', `candidate line longer than ${MAX_CANDIDATE_LINE_LENGTH} characters`);
  return line;
}
