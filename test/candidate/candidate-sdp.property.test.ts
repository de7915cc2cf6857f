/**
 * Property tests of the a=candidate parser and printer (fast-check).
 *
 * FC_RUNS sets the number of mutated lines (default 100,000, the issue's
 * figure); the round-trip and garbage properties run a tenth of that, at
 * least 1,000. Failures print fast-check's seed for replay.
 */
import { deepStrictEqual } from 'node:assert/strict';
import test from 'ava';
import fc from 'fast-check';
import { CandidateError, normalizeIpAddress, parseCandidate, serializeCandidate, type Candidate } from '../../lib/candidate/index.js';

const RUNS = Math.max(1, Number(process.env.FC_RUNS ?? 100_000));
const SMALL_RUNS = Math.max(1000, Math.floor(RUNS / 10));

const ICE_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const TOKEN_CHARS = `${ICE_CHARS.slice(0, 62)}-.!%*_+\`'~`;
const VCHARS = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).join('');
const KNOWN = new Set(['raddr', 'rport', 'tcptype', 'generation', 'ufrag', 'network-id', 'network-cost']);

const chars = (alphabet: string, minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength, maxLength });

const hostName = fc.oneof(
  fc.domain(),
  fc.uuid().map((id) => `${id}.local`),
);
const ipAddress = fc.oneof(fc.ipV4(), fc.ipV6());
const u32 = fc.integer({ min: 0, max: 4294967295 });

const candidateArb: fc.Arbitrary<Candidate> = fc
  .record(
    {
      foundation: chars(ICE_CHARS, 1, 32),
      component: fc.integer({ min: 1, max: 256 }),
      transport: fc.constantFrom('udp' as const, 'tcp' as const),
      priority: fc.integer({ min: 1, max: 4294967295 }),
      address: fc.oneof({ weight: 4, arbitrary: ipAddress }, { weight: 1, arbitrary: hostName }),
      port: fc.integer({ min: 0, max: 65535 }),
      type: fc.constantFrom('host' as const, 'srflx' as const, 'prflx' as const, 'relay' as const),
      relatedAddress: ipAddress,
      relatedPort: fc.integer({ min: 0, max: 65535 }),
      tcpType: fc.constantFrom('active' as const, 'passive' as const, 'so' as const),
      generation: u32,
      ufrag: chars(VCHARS, 1, 32),
      networkId: u32,
      networkCost: u32,
      extensions: fc.array(
        fc.tuple(
          chars(TOKEN_CHARS, 1, 12).filter((name) => !KNOWN.has(name)),
          chars(VCHARS, 1, 16),
        ),
        { maxLength: 4 },
      ),
    },
    { requiredKeys: ['foundation', 'component', 'transport', 'priority', 'address', 'port', 'type', 'extensions'] },
  )
  .map((c) => {
    const out: Candidate = { ...c };
    if (c.transport === 'tcp') out.tcpType = c.tcpType ?? 'passive';
    else delete out.tcpType;
    if (normalizeIpAddress(c.address) === null) out.unresolved = true;
    return out;
  });

/** What parse(serialize(c)) must give: canonical addresses, active TCP on port 9 (except prflx, never signalled). */
function canonical(c: Candidate): Candidate {
  const out: Candidate = { ...c, address: normalizeIpAddress(c.address) ?? c.address };
  if (c.relatedAddress !== undefined) out.relatedAddress = normalizeIpAddress(c.relatedAddress) ?? c.relatedAddress;
  if (c.tcpType === 'active' && c.type !== 'prflx') out.port = 9;
  return out;
}

test('serialize(parse(x)) is stable for random valid candidates', (t) => {
  fc.assert(
    fc.property(candidateArb, fc.boolean(), (c, prefix) => {
      const line = serializeCandidate(c, { prefix });
      const parsed = parseCandidate(line);
      deepStrictEqual(parsed, canonical(c));
      return serializeCandidate(parsed, { prefix }) === line;
    }),
    { numRuns: SMALL_RUNS },
  );
  t.pass();
});

/** Runs the parser and printer, returning false if anything but a CandidateError escapes. */
function onlyCandidateErrors(line: string): boolean {
  try {
    const c = parseCandidate(line);
    serializeCandidate(c);
    return true;
  } catch (error) {
    if (error instanceof CandidateError) return true;
    throw error;
  }
}

test('random garbage gives a Candidate or a CandidateError, never another exception', (t) => {
  const garbage = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.string({ maxLength: 200 }).map((s) => `candidate:${s}`),
    fc
      .array(
        fc.oneof(
          fc.constantFrom(
            'candidate:1',
            'a=candidate:x',
            '1',
            'UDP',
            'TCP',
            'typ',
            'host',
            'raddr',
            'rport',
            'tcptype',
            'active',
            '::',
            '0.0.0.0',
            'generation',
            '99999999999',
            '-1',
            '',
          ),
          fc.string({ maxLength: 8 }),
        ),
        { maxLength: 20 },
      )
      .map((parts) => parts.join(' ')),
  );
  fc.assert(fc.property(garbage, onlyCandidateErrors), { numRuns: SMALL_RUNS });
  t.pass();
});

const seedLines = [
  'a=candidate:1 1 TCP 2128609279 10.0.1.1 9 typ host tcptype active',
  'candidate:4 1 TCP 1688207359 192.0.2.3 9 typ srflx raddr 10.0.1.1 rport 9 tcptype active',
  'candidate:842163049 1 udp 1677729535 198.51.100.77 51234 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag Xq3b network-id 1 network-cost 999',
  'candidate:1936487310 1 udp 2122262783 2001:db8:85a3::8a2e:370:7334 56144 typ host generation 0 ufrag Xq3b network-id 2 network-cost 10',
  'candidate:3183727455 1 udp 2113937151 9f3c2b1e-4d5a-4e6f-8a7b-1c2d3e4f5a6b.local 51234 typ host generation 0',
  'a=candidate:9 2 TCP 843056126 203.0.113.7 57523 typ srflx raddr 127.0.0.1 rport 57523 tcptype passive',
  'candidate:6 1 TCP 1692401663 ::ffff:192.0.2.3 45687 typ srflx raddr fe80::1 rport 8999 tcptype so x-ext v',
];

/** One random edit of a line: replace, insert, delete a character, or drop, duplicate, swap or replace a token. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), char: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    char: fc.constantFrom(' ', ':', '.', '0', '9', 'a', 'Z', '/', '+', '-', '\t', '%', '\u00ff'),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('dropToken' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('dupToken' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swapTokens' as const), at: fc.nat(), other: fc.nat() }),
  fc.record({
    kind: fc.constant('setToken' as const),
    at: fc.nat(),
    value: fc.constantFrom(
      '',
      '0',
      '65536',
      '4294967296',
      '257',
      'TCP',
      'tcp',
      'tls',
      'typ',
      'relay',
      'nat',
      'active',
      'tcptype',
      'raddr',
      '::',
      ':::',
      '1.2.3',
      'a.local',
      '-x-',
      '9'.repeat(11),
    ),
  }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function mutate(line: string, edits: Mutation[]): string {
  let text = line;
  for (const edit of edits) {
    const tokens = text.split(' ');
    switch (edit.kind) {
      case 'replace':
        text =
          text.length === 0 ? edit.char : `${text.slice(0, edit.at % text.length)}${edit.char}${text.slice((edit.at % text.length) + 1)}`;
        break;
      case 'insert': {
        const at = edit.at % (text.length + 1);
        text = `${text.slice(0, at)}${edit.char}${text.slice(at)}`;
        break;
      }
      case 'delete':
        if (text.length > 0) text = `${text.slice(0, edit.at % text.length)}${text.slice((edit.at % text.length) + 1)}`;
        break;
      case 'dropToken':
        tokens.splice(edit.at % tokens.length, 1);
        text = tokens.join(' ');
        break;
      case 'dupToken':
        tokens.splice(edit.at % tokens.length, 0, tokens[edit.at % tokens.length]);
        text = tokens.join(' ');
        break;
      case 'swapTokens': {
        const a = edit.at % tokens.length;
        const b = edit.other % tokens.length;
        [tokens[a], tokens[b]] = [tokens[b], tokens[a]];
        text = tokens.join(' ');
        break;
      }
      case 'setToken':
        tokens[edit.at % tokens.length] = edit.value;
        text = tokens.join(' ');
        break;
    }
  }
  return text;
}

test(`${RUNS} mutated lines give only a Candidate or a CandidateError`, (t) => {
  let parsedOk = 0;
  let rejected = 0;
  fc.assert(
    fc.property(fc.constantFrom(...seedLines), fc.array(mutation, { minLength: 1, maxLength: 4 }), (line, edits) => {
      const mutated = mutate(line, edits);
      try {
        const c = parseCandidate(mutated);
        parsedOk++;
        // Whatever parses must print, and print stably.
        const printed = serializeCandidate(c);
        return serializeCandidate(parseCandidate(printed)) === printed;
      } catch (error) {
        if (!(error instanceof CandidateError)) throw error;
        rejected++;
        return true;
      }
    }),
    { numRuns: RUNS },
  );
  t.is(parsedOk + rejected, RUNS);
  // Both outcomes must occur, or the mutations are not exercising the parser.
  t.true(parsedOk > 0 && rejected > 0, `parsed ${parsedOk}, rejected ${rejected}`);
});
