/**
 * Fuzz targets: every parser of the library that takes input from the
 * network or from the peer's signalling, with an input generator (random
 * bytes or text, and mutations of valid seeds) seeded for reproduction.
 * A target passes an input when it returns or throws an `IceTcpError`
 * (a typed error with a stable code); anything else thrown is a finding.
 *
 * Used by test/abuse/decoders.test.ts (a few thousand inputs each, in
 * `npm test`) and scripts/fuzz.mjs (1M each, `npm run fuzz`).
 */
import { candidateFromInit, parseCandidate, serializeCandidate } from '../../lib/candidate/index.js';
import { describeMessage } from '../../lib/cli/stun-format.js';
import { parseHex } from '../../lib/cli/decode-input.js';
import { parsePeerLine } from '../../lib/cli/peer-lines.js';
import { IceTcpError } from '../../lib/errors.js';
import { FrameDecoder, encodeFrame } from '../../lib/framing/index.js';
import { answerBindingRequest } from '../../lib/net/stun-server/binding-responder.js';
import { answerClassicBinding } from '../../lib/net/stun-server/classic-binding.js';
import { parseStunUrl } from '../../lib/net/stun-url.js';
import { classifyFirstFrame } from '../../lib/net/tcp/first-frame.js';
import { parseRecording } from '../../lib/replay/format.js';
import { parseFingerprint, parseSetupRole } from '../../lib/secure/index.js';
import { decodeStun, isStun, verifyFingerprint, verifyIntegrity, verifyIntegritySha256 } from '../../lib/stun/index.js';
import { KEY, Rng, candidateSeeds, mutateText, randomText, stunInput } from './fuzz-inputs.js';

export { Rng, stunInput } from './fuzz-inputs.js';

/** One fuzz target. */
export interface FuzzTarget {
  name: string;
  /** Makes the `i`-th input. */
  input(rng: Rng, i: number): unknown;
  /** Feeds it to the parser (and to what the library does with a parsed result). */
  run(input: unknown): void;
}

/** Whether `error` is one of the library's typed errors. */
export function isTyped(error: unknown): boolean {
  return error instanceof IceTcpError && typeof error.code === 'string' && error.code.startsWith('ERR_');
}

// ---- the targets ----------------------------------------------------------------------------

const FROM = { family: 4 as const, address: '192.0.2.7', port: 4242 };

const seedsOf = (() => {
  let cache: string[] | undefined;
  return () => (cache ??= candidateSeeds());
})();

const FINGERPRINT_SEEDS = [
  `sha-256 ${Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').toUpperCase()).join(':')}`,
  `sha-1 ${Array.from({ length: 20 }, () => 'AB').join(':')}`,
  `sha-512 ${Array.from({ length: 64 }, () => '0F').join(':')}`,
];

const RECORDING_SEED = JSON.stringify({
  format: 'ice-tcp/session-recording',
  version: 1,
  options: { controlling: true },
  constructionDraws: ['AAAA'],
  calls: [
    { call: 'setRemoteCredentials', args: [0, { ufrag: 'abcd', pwd: 'x'.repeat(22) }] },
    { call: 'pollTimeout', result: 5 },
    { call: 'handleTimeout', args: [5] },
  ],
});

export const FUZZ_TARGETS: readonly FuzzTarget[] = [
  {
    name: 'stun decode (+ integrity, fingerprint)',
    input: (rng) => stunInput(rng),
    run: (input) => {
      const m = decodeStun(input as Buffer);
      verifyIntegrity(m, KEY);
      verifyIntegritySha256(m, KEY);
      verifyFingerprint(m);
    },
  },
  { name: 'stun isStun', input: (rng) => stunInput(rng), run: (input) => void isStun(input as Buffer, { requireFingerprint: true }) },
  { name: 'stun-server responder', input: (rng) => stunInput(rng), run: (input) => void answerBindingRequest(input as Buffer, FROM) },
  {
    name: 'classic (RFC 3489) binding responder',
    // Classic requests have no magic cookie: mutate valid messages with their cookie wiped too.
    input: (rng) => {
      const b = Buffer.from(stunInput(rng));
      if (b.length >= 8 && rng.chance(0.5)) b.writeUInt32BE(rng.next(), 4);
      return b;
    },
    run: (input) => void answerClassicBinding(input as Buffer, FROM),
  },
  { name: 'passive first-frame classifier', input: (rng) => stunInput(rng), run: (input) => void classifyFirstFrame(input as Buffer) },
  {
    name: 'cli decode formatter',
    input: (rng) => stunInput(rng),
    run: (input) => {
      const m = decodeStun(input as Buffer);
      describeMessage(m, 'fuzzfuzzfuzzfuzzfuzzfuzz');
    },
  },
  {
    name: 'rfc4571 frame decoder (random cuts)',
    input: (rng) => {
      // A stream of frames (STUN, data, empty) and junk, cut into random chunks.
      const parts: Buffer[] = [];
      for (let n = rng.int(6); n >= 0; n--) {
        parts.push(rng.chance(0.8) ? encodeFrame(rng.chance(0.5) ? stunInput(rng) : rng.bytes(rng.int(200))) : rng.bytes(rng.int(8)));
      }
      const stream = Buffer.concat(parts);
      const cuts: Buffer[] = [];
      for (let at = 0; at < stream.length;) {
        const size = 1 + rng.int(Math.min(rng.chance(0.5) ? 8 : 400, stream.length - at));
        cuts.push(stream.subarray(at, at + size));
        at += size;
      }
      return { cuts, max: rng.pick([0, 20, 100, 1500, 65535]) };
    },
    run: (input) => {
      const { cuts, max } = input as { cuts: Buffer[]; max: number };
      const decoder = new FrameDecoder({ maxFrameSize: max });
      for (const chunk of cuts) {
        try {
          decoder.push(chunk, (frame) => void frame.length);
        } catch (error) {
          if (!isTyped(error)) throw error;
          decoder.reset();
        }
      }
    },
  },
  {
    name: 'candidate line parser (+ serialize)',
    input: (rng) => (rng.chance(0.85) ? mutateText(rng, rng.pick(seedsOf())) : randomText(rng, 200)),
    run: (input) => void serializeCandidate(parseCandidate(input as string)),
  },
  {
    name: 'RTCIceCandidateInit reader',
    input: (rng) => ({
      candidate: rng.chance(0.9) ? mutateText(rng, rng.pick(seedsOf()).replace(/^a=/, '')) : rng.pick([1, null, {}, '']),
      sdpMid: rng.pick(['0', null, undefined, 5, '', {}]),
      sdpMLineIndex: rng.pick([0, 1, null, undefined, -1, 1.5, 70000, '0']),
      usernameFragment: rng.pick(['abcd', null, undefined, 7]),
    }),
    run: (input) => void candidateFromInit(input as never),
  },
  {
    name: 'stun URL parser',
    input: (rng) =>
      mutateText(
        rng,
        rng.pick(['stun:192.0.2.1:3478', 'stun:[2001:db8::1]:3478?transport=tcp', 'stun:example.org', 'stuns:h:1?transport=udp']),
      ).replace(/ /g, rng.pick(['', ':', '?'])),
    run: (input) => void parseStunUrl(input as string),
  },
  {
    name: 'peer signalling line parser',
    input: (rng) =>
      rng.chance(0.7)
        ? mutateText(
            rng,
            rng.pick([
              'ufrag abcd',
              'pwd abcdefghijklmnopqrstuv',
              'a=fingerprint:sha-256 AB:CD',
              'setup active',
              'done',
              'result fail ice failed',
              ...seedsOf().slice(0, 5),
            ]),
          )
        : randomText(rng, 300),
    run: (input) => void parsePeerLine(input as string),
  },
  {
    name: 'fingerprint and setup parsers',
    input: (rng) =>
      rng.chance(0.5)
        ? { fingerprint: mutateText(rng, rng.pick(FINGERPRINT_SEEDS)).replace(/ +/g, rng.pick([' ', ' ', ''])) }
        : { setup: mutateText(rng, rng.pick(['actpass', 'active', 'passive', 'holdconn'])) },
    run: (input) => {
      const i = input as { fingerprint?: string; setup?: string };
      if (i.fingerprint !== undefined) parseFingerprint(i.fingerprint);
      else parseSetupRole(i.setup!);
    },
  },
  {
    name: 'hex input (cli decode)',
    input: (rng) =>
      mutateText(
        rng,
        rng
          .bytes(1 + rng.int(40))
          .toString('hex')
          .replace(/(..)/g, '$1 ')
          .trim(),
      ),
    run: (input) => void parseHex(input as string, 'fuzz'),
  },
  {
    name: 'session recording reader',
    input: (rng) => {
      const text = RECORDING_SEED;
      let out = '';
      for (let i = 0; i < text.length; i++) {
        if (rng.chance(0.02))
          out += rng.pick(['', '"', '{', '}', '[', ']', ',', ':', '0', 'null', '1e999', String.fromCharCode(rng.int(0x80))]);
        else out += text[i];
      }
      return out;
    },
    run: (input) => void parseRecording(input),
  },
];

/** Runs `count` inputs of `target`; returns the count of typed rejections and the untyped errors seen (up to 5, with the input). */
export function fuzz(
  target: FuzzTarget,
  count: number,
  seed: number,
): { accepted: number; typed: number; untyped: Array<{ error: unknown; input: unknown }>; ms: number } {
  const rng = new Rng(seed);
  let accepted = 0;
  let typed = 0;
  const untyped: Array<{ error: unknown; input: unknown }> = [];
  let untypedCount = 0;
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const input = target.input(rng, i);
    try {
      target.run(input);
      accepted++;
    } catch (error) {
      if (isTyped(error)) typed++;
      else if (untypedCount++ < 5) untyped.push({ error, input });
    }
  }
  return { accepted, typed, untyped, ms: performance.now() - start };
}
