/**
 * Input generators of the fuzz targets (fuzz-targets.ts): a seeded PRNG,
 * hostile STUN datagrams (random, structured, mutations of valid messages)
 * and mutations of text lines (candidate lines and other signalling).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StunAttr, StunClass, StunMethod, encodeStun, shortTermKey } from '../../lib/stun/index.js';

/** A small seeded PRNG (xorshift32): the same seed gives the same inputs. */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    let x = this.#s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#s = x >>> 0;
    return this.#s;
  }
  int(n: number): number {
    return this.next() % n;
  }
  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    let i = 0;
    for (; i + 4 <= n; i += 4) b.writeUInt32LE(this.next(), i);
    for (; i < n; i++) b[i] = this.next() & 0xff;
    return b;
  }
}

// ---- byte mutations -------------------------------------------------------------------------

function mutateBytes(rng: Rng, seed: Buffer): Buffer {
  let b = Buffer.from(seed);
  const rounds = 1 + rng.int(4);
  for (let r = 0; r < rounds; r++) {
    switch (rng.int(8)) {
      case 0: // flip a bit
        if (b.length > 0) b[rng.int(b.length)] ^= 1 << rng.int(8);
        break;
      case 1: // set a byte
        if (b.length > 0) b[rng.int(b.length)] = rng.pick([0, 0xff, 0x7f, 0x80, rng.int(256)]);
        break;
      case 2: // truncate
        b = b.subarray(0, rng.int(b.length + 1));
        break;
      case 3: // append junk
        b = Buffer.concat([b, rng.bytes(rng.int(64))]);
        break;
      case 4: // rewrite the STUN length field
        if (b.length >= 4) b.writeUInt16BE(rng.pick([0, 4, b.length - 20, rng.int(0x10000), 0xfffc]) & 0xffff, 2);
        break;
      case 5: // rewrite an attribute length in place
        if (b.length >= 24) {
          const at = 20 + 4 * rng.int(Math.max(1, (b.length - 20) >> 2));
          if (at + 4 <= b.length) b.writeUInt16BE(rng.int(0x10000), at + 2);
        }
        break;
      case 6: // duplicate a slice
        if (b.length > 20) {
          const from = 20 + rng.int(b.length - 20);
          b = Buffer.concat([b, b.subarray(from, from + rng.int(40))]);
        }
        break;
      default: // random type word
        if (b.length >= 2) b.writeUInt16BE(rng.int(0x4000), 0);
    }
  }
  return b;
}

const KNOWN_TYPES = [
  StunAttr.MappedAddress,
  StunAttr.Username,
  StunAttr.MessageIntegrity,
  StunAttr.ErrorCode,
  StunAttr.UnknownAttributes,
  StunAttr.Realm,
  StunAttr.Nonce,
  StunAttr.MessageIntegritySha256,
  StunAttr.XorMappedAddress,
  StunAttr.Priority,
  StunAttr.UseCandidate,
  StunAttr.Software,
  StunAttr.AlternateServer,
  StunAttr.Fingerprint,
  StunAttr.IceControlled,
  StunAttr.IceControlling,
];

/** A header with the magic cookie and random attribute TLVs (known types with wrong lengths, unknown ones). */
function structuredStun(rng: Rng): Buffer {
  const parts: Buffer[] = [];
  const count = rng.int(12);
  for (let i = 0; i < count; i++) {
    const type = rng.chance(0.7) ? rng.pick(KNOWN_TYPES) : rng.int(0x10000);
    const len = rng.pick([0, 1, 2, 4, 8, 12, 20, 32, rng.int(80)]);
    const h = Buffer.alloc(4);
    h.writeUInt16BE(type, 0);
    h.writeUInt16BE(len, 2);
    parts.push(h, rng.bytes(len), Buffer.alloc((4 - (len % 4)) % 4));
  }
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(20);
  header.writeUInt16BE(rng.int(0x4000), 0);
  header.writeUInt16BE(body.length & 0xffff, 2);
  header.writeUInt32BE(0x2112a442, 4);
  rng.bytes(12).copy(header, 8);
  return Buffer.concat([header, body]);
}

/** The key the valid seeds are signed with. */
export const KEY = shortTermKey('fuzzfuzzfuzzfuzzfuzzfuzz');

/** Valid messages of every shape the library sends: the seeds of mutation. */
function validStun(rng: Rng): Buffer {
  const klass = rng.pick([StunClass.Request, StunClass.Indication, StunClass.SuccessResponse, StunClass.ErrorResponse]);
  return encodeStun(
    {
      class: klass,
      method: rng.chance(0.8) ? StunMethod.Binding : rng.int(0x1000),
      transactionId: rng.bytes(12),
      attributes: {
        ...(rng.chance(0.7) ? { username: `u${rng.int(1e6)}:v${rng.int(1e6)}` } : {}),
        ...(rng.chance(0.5) ? { priority: rng.next() } : {}),
        ...(rng.chance(0.3) ? { iceControlling: BigInt(rng.next()) } : {}),
        ...(rng.chance(0.2) ? { useCandidate: true } : {}),
        ...(rng.chance(0.3) ? { xorMappedAddress: { family: 4 as const, address: '192.0.2.1', port: rng.int(65536) } } : {}),
        ...(rng.chance(0.2) ? { xorMappedAddress: { family: 6 as const, address: '2001:db8::1', port: rng.int(65536) } } : {}),
        ...(klass === StunClass.ErrorResponse ? { errorCode: { code: rng.pick([400, 401, 420, 487, 500]), reason: 'x' } } : {}),
        ...(rng.chance(0.1) ? { unknownAttributes: [rng.int(0x8000)] } : {}),
        ...(rng.chance(0.2) ? { software: 'fuzz' } : {}),
      },
      ...(rng.chance(0.2) ? { extraAttributes: [{ type: rng.int(0x10000), value: rng.bytes(rng.int(16)) }] } : {}),
    },
    {
      integrityKey: rng.chance(0.6) ? KEY : undefined,
      integritySha256Key: rng.chance(0.1) ? KEY : undefined,
      fingerprint: rng.chance(0.7),
    },
  );
}

/** 512 valid messages made once (encoding with HMAC is the slow part), mutated per input. */
const VALID_POOL: Buffer[] = (() => {
  const rng = new Rng(0x5eed);
  return Array.from({ length: 512 }, () => validStun(rng));
})();

/** A hostile STUN-ish datagram: random bytes, a structured message, or a mutated valid one (or a valid one). */
export function stunInput(rng: Rng): Buffer {
  switch (rng.int(8)) {
    case 0:
      return rng.bytes(rng.int(120));
    case 1:
    case 2:
      return structuredStun(rng);
    case 3:
      return rng.pick(VALID_POOL);
    default:
      return mutateBytes(rng, rng.pick(VALID_POOL));
  }
}

// ---- text mutations -------------------------------------------------------------------------

const here = fileURLToPath(new URL('.', import.meta.url));
/** Candidate lines of real stacks (fixtures/candidates), the seeds of the candidate targets. */
export function candidateSeeds(): string[] {
  // build/test/abuse → the repository's fixtures
  for (const root of [join(here, '../../../fixtures/candidates'), join(here, '../../fixtures/candidates')]) {
    try {
      const lines: string[] = [];
      for (const f of readdirSync(root)) {
        if (!f.endsWith('.txt')) continue;
        for (const line of readFileSync(join(root, f), 'utf8').split('\n')) {
          const l = line.replace(/\s+#.*$/, '').trim(); // the fixtures comment their lines
          if (l.startsWith('candidate:') || l.startsWith('a=candidate:')) lines.push(l);
        }
      }
      if (lines.length > 0) return lines;
    } catch {
      // try the next root
    }
  }
  return ['candidate:1 1 UDP 2130706431 192.0.2.1 5000 typ host', 'candidate:2 1 TCP 2105524479 192.0.2.1 9 typ host tcptype active'];
}

const ODD = [
  '',
  ' ',
  '\t',
  '\u0000',
  '\u001b[31m',
  '\r',
  '\n',
  '\u00e9',
  '\u202e',
  '\ud83d\ude00',
  '\ud800',
  '-1',
  '0',
  '4294967296',
  '99999999999999999999',
  'NaN',
  '::',
  '[',
  ']',
  ':',
  '..',
  '%',
  'typ',
  'raddr',
  'tcptype',
  'so',
  'host',
  'x'.repeat(300),
];

export function mutateText(rng: Rng, seed: string): string {
  if (rng.chance(0.1)) return seed; // the valid path too
  let tokens = seed.split(' ');
  const rounds = 1 + rng.int(4);
  for (let r = 0; r < rounds; r++) {
    const at = rng.int(Math.max(1, tokens.length));
    switch (rng.int(7)) {
      case 0:
        tokens.splice(at, 1);
        break;
      case 1:
        tokens.splice(at, 0, rng.pick(ODD));
        break;
      case 2:
        tokens[at] = rng.pick(ODD);
        break;
      case 3:
        tokens = tokens.slice(0, at);
        break;
      case 4: {
        const t = tokens[at] ?? '';
        const p = rng.int(t.length + 1);
        tokens[at] = t.slice(0, p) + String.fromCharCode(rng.int(0x10000)) + t.slice(p + 1);
        break;
      }
      case 5:
        tokens.push(...tokens.slice(0, rng.int(tokens.length + 1)));
        break;
      default:
        tokens[at] = String(rng.pick([0, 1, 65535, 65536, -1, 2 ** 31, 2 ** 32, 2 ** 53]));
    }
  }
  return tokens.join(rng.chance(0.9) ? ' ' : rng.pick(['  ', '\t', ' \u0000']));
}

export function randomText(rng: Rng, max: number): string {
  let s = '';
  const n = rng.int(max);
  for (let i = 0; i < n; i++) s += String.fromCharCode(rng.chance(0.8) ? 0x20 + rng.int(0x5f) : rng.int(0x10000));
  return s;
}
