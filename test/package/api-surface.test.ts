/**
 * The public API is what the entry points name, one by one: no `export *`,
 * no runtime internals, and the names the README's quick start uses.
 */
import test from 'ava';
import { readFileSync, readdirSync } from 'node:fs';
import * as main from '../../lib/index.js';
import * as core from '../../lib/api/core-api.js';
import * as framing from '../../lib/api/framing-api.js';
import * as replay from '../../lib/api/replay-api.js';
import * as stun from '../../lib/api/stun-api.js';
import * as stunServer from '../../lib/api/stun-server-api.js';

const entries: Record<string, Record<string, unknown>> = { main, core, framing, replay, stun, stunServer };
const INTERNALS = [
  'IceRuntime',
  'cryptoRandomSource',
  'UdpRoute',
  'UdpTransport',
  'TcpTransport',
  'UdpBindingClient',
  'TlsStartGate',
  'PacketDuplex',
  'PacketByteStream',
  'cutStunSafeFrames',
  'createPacketStream',
  'createTlsByteStream',
  'TlsRecordBoundaries',
  'TlsInbound',
  'classifyFirstFrame',
  'INPUT_CALLS',
  'POLL_CALLS',
  'encodeValue',
  'formPairs',
  'checkIceCredentials',
];

test('no entry point exports a runtime internal', (t) => {
  for (const [entry, names] of Object.entries(entries)) {
    for (const internal of INTERNALS) t.false(internal in names, `${entry} exports ${internal}`);
  }
});

test('the entry points are explicit barrels: no export * in lib/index.ts or lib/api/', (t) => {
  const files = ['lib/index.ts', ...readdirSync('lib/api').map((f) => `lib/api/${f}`)];
  t.true(files.length >= 6);
  for (const file of files) t.notRegex(readFileSync(file, 'utf8'), /^\s*export\s+(type\s+)?\*/m, file);
});

test('the README quick start and TLS snippet names come from the main entry point', (t) => {
  for (const name of [
    'IceAgent',
    'IceConnection',
    'IceCandidate',
    'IceTcpError',
    'IceAgentError',
    'generateCertificate',
    'computeFingerprint',
    'formatFingerprintLine',
    'parseFingerprintLine',
    'secureTls',
    'tlsRoleFor',
    'parseCandidate',
  ]) {
    t.is(typeof main[name as keyof typeof main], 'function', name);
  }
  t.is(typeof core.IceCore, 'function');
  t.is(typeof stun.encodeStun, 'function');
  t.is(typeof framing.FrameDecoder, 'function');
  t.is(typeof replay.replaySession, 'function');
  t.is(typeof stunServer.StunServer, 'function');
});
