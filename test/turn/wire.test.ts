/**
 * TURN URLs and RTCIceServer entries (RFC 7065), ChannelData (RFC 8656
 * §12.4, §12.5) and the TCP stream splitter (RFC 8656 §6.2).
 */
import test from 'ava';
import { decodeChannelData, encodeChannelData } from '../../lib/turn/channel-data.js';
import { parseIceServers, parseTurnUrl } from '../../lib/turn/server-url.js';
import { StreamSplitter } from '../../lib/turn/stream-splitter.js';
import { encodeStun, StunClass } from '../../lib/stun/index.js';
import { IceAgent } from '../../lib/net/agent/agent.js';

test('turn: and turns: URLs: default ports 3478/5349, ?transport, IPv6 literals (RFC 7065 §3)', (t) => {
  t.like(parseTurnUrl('turn:turn.example.org', 'u', 'p'), { host: 'turn.example.org', port: 3478, transport: 'udp' });
  t.like(parseTurnUrl('turn:192.0.2.1:3479?transport=tcp', 'u', 'p'), { host: '192.0.2.1', port: 3479, transport: 'tcp' });
  t.like(parseTurnUrl('turns:[2001:db8::1]', 'u', 'p'), { host: '2001:db8::1', port: 5349, transport: 'tls' });
  t.like(parseTurnUrl('TURNS:h:443?transport=TCP', 'u', 'p'), { port: 443, transport: 'tls' });
  for (const bad of ['turn:', 'turn:h:0', 'turn:h:70000', 'stun:h', 'turn:h?transport=sctp', 'turns:h?transport=udp', 'turn:2001:db8::1']) {
    t.throws(() => parseTurnUrl(bad, 'u', 'p'), { code: 'ERR_TURN_BAD_URL' }, bad);
  }
  t.throws(() => parseTurnUrl('turn:h', '', 'p'), { code: 'ERR_TURN_BAD_OPTION' });
});

test('RTCIceServer entries: stun URLs apart, turn URLs with username/credential', (t) => {
  const { stun, turn } = parseIceServers([
    { urls: 'stun:s.example.org' },
    { urls: ['turn:t.example.org?transport=udp', 'turns:t.example.org:443'], username: 'u', credential: 'p' },
  ]);
  t.deepEqual(stun, ['stun:s.example.org']);
  t.deepEqual(
    turn.map((s) => [s.transport, s.port, s.username, s.password]),
    [
      ['udp', 3478, 'u', 'p'],
      ['tls', 443, 'u', 'p'],
    ],
  );
  t.throws(() => parseIceServers([{ urls: [] }]), { code: 'ERR_TURN_BAD_OPTION' });
  t.throws(() => parseIceServers([{ urls: 'turn:t' }]), { code: 'ERR_TURN_BAD_OPTION' });
});

test('IceAgent options: iceServers errors are ERR_AGENT_BAD_OPTION; relay policy needs a TURN server', (t) => {
  t.throws(() => new IceAgent({ controlling: true, addresses: ['127.0.0.1'], iceServers: [{ urls: 'turn:x' }] }), {
    code: 'ERR_AGENT_BAD_OPTION',
  });
  t.throws(() => new IceAgent({ controlling: true, addresses: ['127.0.0.1'], iceTransportPolicy: 'relay' }), {
    code: 'ERR_AGENT_BAD_OPTION',
  });
  t.throws(() => new IceAgent({ controlling: true, addresses: ['127.0.0.1'], iceTransportPolicy: 'none' as 'relay' }), {
    code: 'ERR_AGENT_BAD_OPTION',
  });
});

test('ChannelData: 4-byte header, padded only on streams, malformed ones refused', (t) => {
  const udp = encodeChannelData(0x4001, Buffer.from('abcde'), false);
  const tcp = encodeChannelData(0x4001, Buffer.from('abcde'), true);
  t.is(udp.length, 9);
  t.is(tcp.length, 12);
  t.deepEqual(decodeChannelData(tcp), { channel: 0x4001, data: Buffer.from('abcde') });
  t.is(decodeChannelData(Buffer.from([0x50, 0, 0, 0])), undefined); // channel 0x5000 is out of range
  t.is(decodeChannelData(Buffer.from([0x40, 0, 0, 8, 1])), undefined); // shorter than its length
});

test('stream splitter: STUN and padded ChannelData split by length across any chunking; garbage is an error', (t) => {
  const stun = encodeStun({
    class: StunClass.SuccessResponse,
    method: 3,
    transactionId: Buffer.alloc(12, 1),
    attributes: { software: 'x' },
  });
  const channel = encodeChannelData(0x4002, Buffer.from('hello'), true);
  const stream = Buffer.concat([stun, channel, stun]);
  for (let size = 1; size <= stream.length; size += 3) {
    const splitter = new StreamSplitter();
    const out: Buffer[] = [];
    for (let i = 0; i < stream.length; i += size) out.push(...splitter.push(stream.subarray(i, i + size)).messages);
    t.deepEqual(out, [stun, channel, stun]);
    t.is(splitter.buffered, 0);
  }
  const bad = new StreamSplitter().push(Buffer.from([0x80, 0, 0, 0]));
  t.truthy(bad.error);
});
