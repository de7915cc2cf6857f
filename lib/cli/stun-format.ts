/**
 * Human-readable lines for one decoded STUN message (`ice-tcp decode`):
 * class, method, transaction id, each attribute in wire order with its
 * decoded value, and the integrity / fingerprint status.
 */
import {
  StunAttr,
  StunClass,
  isComprehensionRequired,
  longTermKey,
  shortTermKey,
  verifyFingerprint,
  verifyIntegrity,
  verifyIntegritySha256,
  type StunMessage,
  type TransportAddress,
} from '../stun/index.js';

/** Names of attribute types (RFC 8489 §18.3, RFC 8445 §16.1, RFC 5780, RFC 8656, RFC 7635, Google's network info). */
const ATTRIBUTE_NAMES: Record<number, string> = {
  0x0001: 'MAPPED-ADDRESS',
  0x0003: 'CHANGE-REQUEST',
  0x0006: 'USERNAME',
  0x0008: 'MESSAGE-INTEGRITY',
  0x0009: 'ERROR-CODE',
  0x000a: 'UNKNOWN-ATTRIBUTES',
  0x000c: 'CHANNEL-NUMBER',
  0x000d: 'LIFETIME',
  0x0012: 'XOR-PEER-ADDRESS',
  0x0013: 'DATA',
  0x0014: 'REALM',
  0x0015: 'NONCE',
  0x0016: 'XOR-RELAYED-ADDRESS',
  0x0019: 'REQUESTED-TRANSPORT',
  0x001c: 'MESSAGE-INTEGRITY-SHA256',
  0x001d: 'PASSWORD-ALGORITHM',
  0x001e: 'USERHASH',
  0x0020: 'XOR-MAPPED-ADDRESS',
  0x0024: 'PRIORITY',
  0x0025: 'USE-CANDIDATE',
  0x0026: 'PADDING',
  0x0027: 'RESPONSE-PORT',
  0x8002: 'PASSWORD-ALGORITHMS',
  0x8003: 'ALTERNATE-DOMAIN',
  0x8022: 'SOFTWARE',
  0x8023: 'ALTERNATE-SERVER',
  0x8027: 'CACHE-TIMEOUT',
  0x8028: 'FINGERPRINT',
  0x8029: 'ICE-CONTROLLED',
  0x802a: 'ICE-CONTROLLING',
  0x802b: 'RESPONSE-ORIGIN',
  0x802c: 'OTHER-ADDRESS',
  0xc057: 'GOOG-NETWORK-INFO',
};

/** Names of methods (RFC 8489 Binding; RFC 8656 TURN). */
const METHOD_NAMES: Record<number, string> = {
  0x001: 'Binding',
  0x003: 'Allocate',
  0x004: 'Refresh',
  0x006: 'Send',
  0x007: 'Data',
  0x008: 'CreatePermission',
  0x009: 'ChannelBind',
};

const CLASS_NAMES: Record<StunClass, string> = {
  [StunClass.Request]: 'request',
  [StunClass.Indication]: 'indication',
  [StunClass.SuccessResponse]: 'success response',
  [StunClass.ErrorResponse]: 'error response',
};

/** Bytes of an unknown attribute shown before eliding the rest. */
const MAX_HEX_SHOWN = 64;

/** `1 byte`, `2 bytes`. */
export function byteCount(n: number): string {
  return `${n} byte${n === 1 ? '' : 's'}`;
}

function hex16(value: number): string {
  return `0x${value.toString(16).padStart(4, '0')}`;
}

/** `name (0xTTTT)` for an attribute type. */
export function attributeLabel(type: number): string {
  return `${ATTRIBUTE_NAMES[type] ?? 'unknown'} (${hex16(type)})`;
}

/** `Name (0xMMM)` for a method. */
export function methodLabel(method: number): string {
  return `${METHOD_NAMES[method] ?? 'unknown'} (0x${method.toString(16).padStart(3, '0')})`;
}

/** `a.b.c.d:port` or `[v6]:port`. */
export function formatAddress(address: TransportAddress): string {
  return address.family === 6 ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`;
}

function hexBytes(value: Uint8Array): string {
  const shown = Buffer.from(value.subarray(0, MAX_HEX_SHOWN)).toString('hex');
  return value.length > MAX_HEX_SHOWN ? `${shown}… (${value.length} bytes)` : shown || '(empty)';
}

/** RFC 8445 §5.1.2.1: priority = 2^24 type pref + 2^8 local pref + (256 - component). */
function formatPriority(priority: number): string {
  const typePreference = priority >>> 24;
  const localPreference = (priority >>> 8) & 0xffff;
  const component = 256 - (priority & 0xff);
  return `${priority} (type preference ${typePreference}, local preference ${localPreference}, component ${component})`;
}

/** The decoded value of the first attribute of a type the codec understands. */
function knownValue(msg: StunMessage, type: number, value: Uint8Array): string | undefined {
  const a = msg.attributes;
  switch (type) {
    case StunAttr.MappedAddress:
      return a.mappedAddress && formatAddress(a.mappedAddress);
    case StunAttr.XorMappedAddress:
      return a.xorMappedAddress && formatAddress(a.xorMappedAddress);
    case StunAttr.AlternateServer:
      return a.alternateServer && formatAddress(a.alternateServer);
    case StunAttr.Username:
      return a.username === undefined ? undefined : JSON.stringify(a.username);
    case StunAttr.Realm:
      return a.realm === undefined ? undefined : JSON.stringify(a.realm);
    case StunAttr.Nonce:
      return a.nonce === undefined ? undefined : JSON.stringify(a.nonce);
    case StunAttr.Software:
      return a.software === undefined ? undefined : JSON.stringify(a.software);
    case StunAttr.ErrorCode:
      return a.errorCode && `${a.errorCode.code} ${JSON.stringify(a.errorCode.reason)}`;
    case StunAttr.UnknownAttributes:
      return a.unknownAttributes && (a.unknownAttributes.map(hex16).join(' ') || '(none)');
    case StunAttr.Priority:
      return a.priority === undefined ? undefined : formatPriority(a.priority);
    case StunAttr.UseCandidate:
      return a.useCandidate ? '(flag)' : undefined;
    case StunAttr.IceControlling:
      return a.iceControlling === undefined ? undefined : `tie-breaker 0x${a.iceControlling.toString(16).padStart(16, '0')}`;
    case StunAttr.IceControlled:
      return a.iceControlled === undefined ? undefined : `tie-breaker 0x${a.iceControlled.toString(16).padStart(16, '0')}`;
    case StunAttr.Fingerprint:
      return `0x${Buffer.from(value).toString('hex')}`;
    case StunAttr.MessageIntegrity:
    case StunAttr.MessageIntegritySha256:
      return Buffer.from(value).toString('hex');
    default:
      return undefined;
  }
}

/** One attribute as it sits in the message. */
interface AttributeView {
  type: number;
  value: Buffer;
}

/** The attributes of a validated message, in wire order. */
function attributesOf(msg: StunMessage): AttributeView[] {
  const raw = msg.raw;
  const list: AttributeView[] = [];
  let pos = 20;
  while (pos + 4 <= raw.length) {
    const type = raw.readUInt16BE(pos);
    const length = raw.readUInt16BE(pos + 2);
    list.push({ type, value: raw.subarray(pos + 4, pos + 4 + length) });
    pos += 4 + ((length + 3) & ~3); // RFC 8489 §14: values padded to 4 bytes
  }
  return list;
}

/** Result of the integrity / fingerprint checks of one message. */
export interface CheckResult {
  /** Status lines (`integrity: ok ...`, `fingerprint: ok`). */
  lines: string[];
  /** A check that was made failed. */
  failed: boolean;
}

/**
 * Checks MESSAGE-INTEGRITY(-SHA256) with a key from `password` (short-term,
 * RFC 8489 §9.1.1; long-term when the message carries REALM and USERNAME,
 * §9.2.2) and FINGERPRINT (§14.7, needs no key).
 */
export function checkMessage(msg: StunMessage, password: string | undefined): CheckResult {
  const lines: string[] = [];
  let failed = false;
  const { username, realm } = msg.attributes;
  const longTerm = realm !== undefined && username !== undefined;
  const key = password === undefined ? undefined : longTerm ? longTermKey(username, realm, password) : shortTermKey(password);
  const keyLabel = longTerm ? `long-term key, realm ${JSON.stringify(realm)}` : 'short-term key';
  const integrity = (name: string, present: boolean, verify: (k: Uint8Array) => boolean): void => {
    if (!present) return;
    if (key === undefined) {
      lines.push(`${name}: present, not checked (give --pwd)`);
      return;
    }
    const ok = verify(key);
    if (!ok) failed = true;
    lines.push(`${name}: ${ok ? 'ok' : 'FAILED'} (${keyLabel} from --pwd)`);
  };
  integrity('integrity', msg.hasIntegrity, (k) => verifyIntegrity(msg, k));
  integrity('integrity-sha256', msg.hasIntegritySha256, (k) => verifyIntegritySha256(msg, k));
  if (key !== undefined && !msg.hasIntegrity && !msg.hasIntegritySha256) lines.push('integrity: absent');
  if (msg.hasFingerprint) {
    const ok = verifyFingerprint(msg);
    if (!ok) failed = true;
    lines.push(`fingerprint: ${ok ? 'ok' : 'FAILED'}`);
  } else {
    lines.push('fingerprint: absent');
  }
  return { lines, failed };
}

/**
 * The description lines of a decoded message (without its heading), each
 * indented by two spaces, and whether a check failed.
 */
export function describeMessage(msg: StunMessage, password: string | undefined): CheckResult {
  const lines = [
    `  class: ${CLASS_NAMES[msg.class]}`,
    `  method: ${methodLabel(msg.method)}`,
    `  transaction-id: ${msg.transactionId.toString('hex')}`,
  ];
  const seen = new Set<number>();
  const unknownRequired = new Set(msg.unknownRequired);
  for (const { type, value } of attributesOf(msg)) {
    const label = `  ${attributeLabel(type)}, ${byteCount(value.length)}`;
    if (seen.has(type)) {
      lines.push(`${label}: ${hexBytes(value)} (repeated: ignored, RFC 8489 §14)`);
      continue;
    }
    seen.add(type);
    const decoded = knownValue(msg, type, value);
    if (decoded !== undefined) {
      lines.push(`${label}: ${decoded}`);
    } else {
      const note =
        unknownRequired.has(type) || (isComprehensionRequired(type) && ATTRIBUTE_NAMES[type] === undefined)
          ? ' (comprehension-required, not understood)'
          : '';
      lines.push(`${label}: ${hexBytes(value)}${note}`);
    }
  }
  const checks = checkMessage(msg, password);
  for (const line of checks.lines) lines.push(`  ${line}`);
  return { lines, failed: checks.failed };
}
