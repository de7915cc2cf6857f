// fast-check properties over the record and handshake parsers: arbitrary
// bytes never crash them (only typed DtlsErrors), and encode → parse
// round-trips. Runs: DTLS_FC_RUNS (default 12500 per unit: 8.04 units, about 100k inputs in all).
import test from 'ava';
import fc from 'fast-check';
import { DtlsError } from '../../lib/dtls/index.js';
import { splitRecords, encodeRecord } from '../../lib/dtls/record.js';
import { parseHandshakeFragments, encodeHandshakeFragment } from '../../lib/dtls/handshake-header.js';
import { parseClientHello, parseServerHello, parseHelloVerifyRequest, encodeClientHello } from '../../lib/dtls/hello-messages.js';
import {
  parseCertificate,
  parseServerKeyExchange,
  parseCertificateRequest,
  parseClientKeyExchange,
  parseDigitallySigned,
} from '../../lib/dtls/key-messages.js';
import { Reassembler } from '../../lib/dtls/reassembler.js';
import { makePair } from './helpers.js';

const RUNS = Number(process.env.DTLS_FC_RUNS ?? 12_500) || 12_500;
const bytes = fc.uint8Array({ maxLength: 600 });

function onlyTyped(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (error) {
    return error instanceof DtlsError;
  }
}

test('splitRecords never throws and returns records whose fragments fit the datagram', (t) => {
  fc.assert(
    fc.property(bytes, (d) => {
      const { records } = splitRecords(d);
      return records.reduce((n, r) => n + 13 + r.fragment.length, 0) <= d.length;
    }),
    { numRuns: RUNS * 2 },
  );
  t.pass();
});

test('records round-trip through encodeRecord / splitRecords', (t) => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          type: fc.integer({ min: 0, max: 255 }),
          epoch: fc.integer({ min: 0, max: 0xffff }),
          seq: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
          body: fc.uint8Array({ maxLength: 200 }),
        }),
        { maxLength: 5 },
      ),
      (list) => {
        const d = Buffer.concat(list.map((r) => encodeRecord(r.type, 0xfefd, r.epoch, r.seq, r.body)));
        const { records, malformed } = splitRecords(d);
        return (
          !malformed &&
          records.length === list.length &&
          records.every(
            (r, i) => r.sequence === list[i].seq && r.epoch === list[i].epoch && Buffer.from(r.fragment).equals(Buffer.from(list[i].body)),
          )
        );
      },
    ),
    { numRuns: RUNS },
  );
  t.pass();
});

test('handshake fragment and message parsers only ever throw DtlsErrors', (t) => {
  const parsers = [
    parseHandshakeFragments,
    parseClientHello,
    parseServerHello,
    parseHelloVerifyRequest,
    parseCertificate,
    parseServerKeyExchange,
    parseCertificateRequest,
    parseClientKeyExchange,
    (b: Uint8Array) => parseDigitallySigned(b, 'x'),
  ];
  fc.assert(
    fc.property(fc.integer({ min: 0, max: parsers.length - 1 }), bytes, (i, b) => onlyTyped(() => parsers[i](b))),
    { numRuns: RUNS * 3 },
  );
  t.pass();
});

test('fragments round-trip and reassemble in any order', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 400 }), fc.integer({ min: 1, max: 100 }), fc.integer(), (body, size, seed) => {
      const frags: Uint8Array[] = [];
      for (let o = 0; o < body.length; o += size) frags.push(encodeHandshakeFragment(11, body.length, 0, o, body.subarray(o, o + size)));
      const order = frags.map((_, i) => i).sort((a, b) => ((a * 7919 + seed) % 13) - ((b * 7919 + seed) % 13));
      const r = new Reassembler(1000);
      for (const i of order) for (const f of parseHandshakeFragments(frags[i])) r.add(f);
      const m = r.poll();
      return m !== undefined && Buffer.from(m.body).equals(Buffer.from(body));
    }),
    { numRuns: RUNS },
  );
  t.pass();
});

test('mutated ClientHellos never crash a server endpoint (it answers or fails with a typed error)', (t) => {
  const { client } = makePair();
  client.start(0);
  const hello = client.pollTransmit()!;
  const { server } = makePair();
  void server;
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(hello.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (edits) => {
      const d = Uint8Array.from(hello);
      for (const [i, v] of edits) d[i] = v;
      const { server: s } = makePair();
      s.handleDatagram(0, d);
      for (let e = s.pollEvent(); e; e = s.pollEvent()) if (e.type === 'failed' && !(e.error instanceof DtlsError)) return false;
      return s.state === 'handshaking' || s.state === 'failed';
    }),
    { numRuns: Math.max(100, Math.floor(RUNS / 25)) },
  );
  t.pass();
});

test('ClientHello encode → parse round-trips', (t) => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.uint8Array({ maxLength: 32 }),
      fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 20 }),
      (random, cookie, suites) => {
        const h = parseClientHello(
          encodeClientHello(
            { version: 0xfefd, random, sessionId: new Uint8Array(0), cookie, cipherSuites: suites, compressionMethods: Uint8Array.of(0) },
            [[23, new Uint8Array(0)]],
          ),
        );
        return Buffer.from(h.cookie).equals(Buffer.from(cookie)) && h.cipherSuites.join() === suites.join() && h.extensions.has(23);
      },
    ),
    { numRuns: RUNS },
  );
  t.pass();
});
