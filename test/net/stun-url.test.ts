import test from 'ava';
import { DEFAULT_STUN_PORT, parseStunUrl } from '../../lib/net/stun-url.js';
import { IceAgentError } from '../../lib/net/net-errors.js';

test('stun: URLs (RFC 7064) with host, port and ?transport', (t) => {
  t.deepEqual(parseStunUrl('stun:127.0.0.1:3479'), { host: '127.0.0.1', port: 3479 });
  t.deepEqual(parseStunUrl('stun:stun.example.org'), { host: 'stun.example.org', port: DEFAULT_STUN_PORT });
  t.deepEqual(parseStunUrl('STUN:[0:0::1]:19302?transport=TCP'), { host: '::1', port: 19302, transport: 'tcp' });
  t.deepEqual(parseStunUrl(' stun:[2001:db8::1] '), { host: '2001:db8::1', port: 3478 });
  t.deepEqual(parseStunUrl('stun:host-1.example:1?transport=udp'), { host: 'host-1.example', port: 1, transport: 'udp' });
});

test('malformed stun: URLs are ERR_AGENT_BAD_STUN_URL', (t) => {
  for (const bad of [
    'stuns:example.org',
    'turn:example.org',
    'stun:',
    'stun:::1',
    'stun:[::g]:3478',
    'stun:[1.2.3.4]',
    'stun:example.org:0',
    'stun:example.org:65536',
    'stun:example.org:123456',
    'stun:example.org?transport=sctp',
    'stun://example.org',
    'stun:user@example.org',
    42 as unknown as string,
  ]) {
    const error = t.throws(() => parseStunUrl(bad), { instanceOf: IceAgentError }, String(bad));
    t.is(error?.code, 'ERR_AGENT_BAD_STUN_URL');
  }
});
