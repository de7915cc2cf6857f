import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { encodeFrame } from '../../lib/framing/index.js';
import { StunClass, StunMethod, encodeStun } from '../../lib/stun/index.js';
import { runInProcess, runIceTcp } from './helpers.js';

interface Vector {
  name: string;
  hex: string;
  credentials: { username?: string; password: string };
  expected: { transaction_id: string };
}
const fixtures = JSON.parse(readFileSync(new URL('../../../fixtures/rfc5769.json', import.meta.url), 'utf8')) as { vectors: Vector[] };
const [request, ipv4Response, ipv6Response, longTerm] = fixtures.vectors as [Vector, Vector, Vector, Vector];

test('decodes the RFC 5769 §2.1 request and verifies its integrity with --pwd', async (t) => {
  const r = await runIceTcp(['decode', '--pwd', request.credentials.password, '--hex', request.hex]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^message 1 \(108 bytes at offset 0\)$/m);
  t.regex(r.stdout, /^ {2}class: request$/m);
  t.regex(r.stdout, /^ {2}method: Binding \(0x001\)$/m);
  t.regex(r.stdout, new RegExp(`^  transaction-id: ${request.expected.transaction_id}$`, 'm'));
  t.regex(r.stdout, /^ {2}SOFTWARE \(0x8022\), 16 bytes: "STUN test client"$/m);
  t.regex(r.stdout, /^ {2}PRIORITY \(0x0024\), 4 bytes: 1845494271 /m);
  t.regex(r.stdout, /^ {2}ICE-CONTROLLED \(0x8029\), 8 bytes: tie-breaker 0x932ff9b151263b36$/m);
  t.regex(r.stdout, /^ {2}USERNAME \(0x0006\), 9 bytes: "evtj:h6vY"$/m);
  t.regex(r.stdout, /^ {2}integrity: ok \(short-term key from --pwd\)$/m);
  t.regex(r.stdout, /^ {2}fingerprint: ok$/m);
});

test('a wrong --pwd makes the integrity check fail with exit 2', async (t) => {
  const r = await runIceTcp(['decode', '--pwd', 'not-the-password', '--hex', request.hex]);
  t.is(r.code, 2);
  t.regex(r.stdout, /integrity: FAILED/);
  t.regex(r.stdout, /fingerprint: ok/);
});

test('without --pwd the integrity is reported present but not checked', async (t) => {
  const r = await runIceTcp(['decode', '--hex', request.hex]);
  t.is(r.code, 0);
  t.regex(r.stdout, /integrity: present, not checked \(give --pwd\)/);
});

test('decodes the IPv4 and IPv6 responses from stdin, hex text', async (t) => {
  const v4 = await runIceTcp(['decode', '--pwd', ipv4Response.credentials.password, '-'], { input: `${ipv4Response.hex}\n` });
  t.is(v4.code, 0, v4.stderr);
  t.regex(v4.stdout, /class: success response/);
  t.regex(v4.stdout, /XOR-MAPPED-ADDRESS \(0x0020\), 8 bytes: 192\.0\.2\.1:32853/);
  t.regex(v4.stdout, /integrity: ok/);
  const v6 = await runIceTcp(['decode', '--pwd', ipv6Response.credentials.password, '-'], { input: ipv6Response.hex });
  t.is(v6.code, 0, v6.stderr);
  t.regex(v6.stdout, /XOR-MAPPED-ADDRESS \(0x0020\), 20 bytes: \[2001:db8:1234:5678:11:2233:4455:6677\]:32853/);
});

test('the long-term vector verifies with a key from USERNAME and REALM (RFC 5769 §2.4)', async (t) => {
  const r = await runIceTcp(['decode', '--pwd', longTerm.credentials.password, '--hex', longTerm.hex]);
  t.is(r.code, 0, r.stdout);
  t.regex(r.stdout, /REALM \(0x0014\), 11 bytes: "example.org"/);
  t.regex(r.stdout, /integrity: ok \(long-term key, realm "example.org" from --pwd\)/);
  t.regex(r.stdout, /fingerprint: absent/);
});

test('several messages back to back and an RFC 4571 stream from files', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ice-tcp-decode-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const a = Buffer.from(request.hex, 'hex');
  const b = Buffer.from(ipv4Response.hex, 'hex');
  writeFileSync(join(dir, 'plain.bin'), Buffer.concat([a, b]));
  const plain = await runIceTcp(['decode', join(dir, 'plain.bin')]);
  t.is(plain.code, 0, plain.stderr);
  t.regex(plain.stdout, /^message 2 \(80 bytes at offset 108\)$/m);

  const data = Buffer.from([0x80, 0x60, 0x00, 0x01]);
  writeFileSync(join(dir, 'framed.bin'), Buffer.concat([encodeFrame(a), encodeFrame(data), encodeFrame(b)]));
  const framed = await runIceTcp(['decode', '--framed', join(dir, 'framed.bin')]);
  t.is(framed.code, 0, framed.stderr);
  t.regex(framed.stdout, /^frame 1 \(108 bytes at offset 0\): STUN$/m);
  t.regex(framed.stdout, /^frame 2 \(4 bytes at offset 110\): not STUN \(first byte 0x80\): application data$/m);
  t.regex(framed.stdout, /^frame 3 \(80 bytes at offset 116\): STUN$/m);

  // Without --framed, the same bytes are not STUN, and the command says what they look like.
  const unframed = await runIceTcp(['decode', join(dir, 'framed.bin')]);
  t.is(unframed.code, 1);
  t.regex(unframed.stdout, /hint: this looks like an RFC 4571 framed stream: try --framed/);
});

test('a stream that ends inside a frame is an error', async (t) => {
  const r = await runIceTcp(['decode', '--framed', '--hex', `${encodeFrame(Buffer.from(request.hex, 'hex')).toString('hex')}0032aa`]);
  t.is(r.code, 1);
  t.regex(r.stdout, /^frame 1 .*: STUN$/m);
  t.regex(r.stderr, /ERR_FRAME_TRUNCATED: the stream ends inside a frame \(3 bytes at offset 110/);
});

test('malformed input gives a clear message and exit 1, never a stack trace', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['decode', '--hex', '0001000'], /--hex: odd number of hex digits/],
    [['decode', '--hex', 'zz'], /--hex: "z" is not a hex digit/],
    [['decode', '--hex', '00010004'], /ERR_STUN_TRUNCATED/],
    [['decode', '--hex', '0001000021120000000000000000000000000000'], /ERR_STUN_BAD_COOKIE/],
    [['decode', '--hex', 'c001000021120000000000000000000000000000'], /ERR_STUN_NOT_STUN/],
    // A length that runs past the end of the input.
    [['decode', '--hex', '000100082112a442000000000000000000000000'], /ERR_STUN_TRUNCATED/],
    // An attribute that overruns the message.
    [['decode', '--hex', '000100082112a4420000000000000000000000000006000a61626364'], /ERR_STUN_ATTR_OVERRUN/],
    [['decode', '/nonexistent/ice-tcp-input'], /\/nonexistent\/ice-tcp-input: no such file/],
  ];
  // The first one through a real process, the rest in this one (same dispatcher, faster).
  const spawned = await runIceTcp(cases[0][0]);
  t.is(spawned.code, 1);
  t.regex(spawned.stderr, cases[0][1]);
  for (const [args, pattern] of cases) {
    const r = await runInProcess(args);
    t.is(r.code, 1, args.join(' '));
    t.regex(r.stderr, pattern, args.join(' '));
    t.notRegex(r.stderr, /\n\s+at /, 'no stack trace');
  }
  const empty = await runInProcess(['decode', '-'], '');
  t.is(empty.code, 1);
  t.regex(empty.stderr, /stdin: no bytes to decode/);
});

test('unknown and repeated attributes are shown raw', async (t) => {
  const message = encodeStun(
    {
      class: StunClass.Indication,
      method: StunMethod.Binding,
      transactionId: Buffer.alloc(12, 7),
      attributes: { software: 'x' },
      extraAttributes: [
        { type: 0x7777, value: Buffer.from('abcd', 'hex') },
        { type: 0x8022, value: Buffer.from('y') },
      ],
    },
    { fingerprint: true },
  );
  const r = await runIceTcp(['decode', '--hex', message.toString('hex')]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /class: indication/);
  t.regex(r.stdout, /unknown \(0x7777\), 2 bytes: abcd \(comprehension-required, not understood\)/);
  t.regex(r.stdout, /SOFTWARE \(0x8022\), 1 byte: 79 \(repeated: ignored, RFC 8489 §14\)/);
});

test('decode usage errors exit 64', async (t) => {
  for (const args of [
    ['decode'],
    ['decode', '--hex'],
    ['decode', '--hex', '00', 'file'],
    ['decode', 'a', 'b'],
    ['decode', '--framed=yes', '-'],
  ]) {
    const r = await runInProcess(args);
    t.is(r.code, 64, args.join(' '));
    t.regex(r.stderr, /^ice-tcp decode: .+\n\(see 'ice-tcp decode --help'\)/, args.join(' '));
  }
});
