import test from 'ava';
import { IceAgent } from '../../lib/net/agent/agent.js';
import type { IceAgentOptions } from '../../lib/net/agent/agent-options.js';
import { IceAgentError } from '../../lib/net/net-errors.js';
import { IceError } from '../../lib/ice/index.js';
import { TcpTransportError } from '../../lib/net/tcp/index.js';

const base: IceAgentOptions = { controlling: true, addresses: ['127.0.0.1'] };

test('bad agent options are IceAgentError ERR_AGENT_BAD_OPTION naming the option', (t) => {
  const cases: Array<[Partial<IceAgentOptions> | null, RegExp]> = [
    [null, /options must be an object/],
    [{ controlling: 'yes' as unknown as boolean }, /controlling/],
    [{ udp: 'on' as unknown as boolean }, /udp/],
    [{ tcp: 5 as unknown as boolean }, /tcp/],
    [{ tcp: { active: 'x' as unknown as boolean } }, /tcp\.active/],
    [{ udp: false, tcp: false }, /every transport is switched off/],
    [{ udp: false, tcp: { active: false, passive: false, so: false } }, /every transport/],
    [{ stunServers: 'stun:x' as unknown as string[] }, /stunServers/],
    [{ addresses: [] }, /at least one/],
    [{ addresses: ['localhost'] }, /not an IP address/],
    [{ components: 0 }, /components/],
    [{ components: 257 }, /components/],
    [{ components: 1.5 }, /components/],
    [{ ufrag: 'abcd' }, /pwd/],
    [{ ufrag: 'ab', pwd: 'p'.repeat(22) }, /ufrag/],
    [{ ufrag: 'abcd', pwd: 'short' }, /pwd/],
    [{ ufrag: 'ab:d', pwd: 'p'.repeat(22) }, /ufrag/],
    [{ testing: { createCore: 5 as unknown as NonNullable<IceAgentOptions['testing']>['createCore'] } }, /testing\.createCore/],
    [{ testing: { random: {} as NonNullable<IceAgentOptions['testing']>['random'] } }, /testing\.random/],
    [{ testing: 3 as unknown as IceAgentOptions['testing'] }, /testing/],
    [{ plugins: {} as IceAgentOptions['plugins'] }, /plugins/],
    [{ preferTcp: 1 as unknown as boolean }, /preferTcp/],
    [{ udp: { receiveBufferSize: -1 } }, /receiveBufferSize/],
    [{ maxQueuedPackets: -2 }, /maxQueuedPackets/],
    [{ maxHeldBytes: 1000 }, /maxHeldBytes/],
  ];
  for (const [options, message] of cases) {
    const error = t.throws(() => new IceAgent(options === null ? (null as unknown as IceAgentOptions) : { ...base, ...options }), {
      instanceOf: IceAgentError,
    });
    t.is(error?.code, 'ERR_AGENT_BAD_OPTION', String(message));
    t.regex(error.message, message);
  }
});

test("bad stun: URLs, core timers and TCP plugin limits are ERR_AGENT_BAD_OPTION too, with the layer's error as cause", (t) => {
  const cases: Array<[Partial<IceAgentOptions>, new (...args: never[]) => Error, string]> = [
    [{ stunServers: ['turn:127.0.0.1'] }, IceAgentError, 'ERR_AGENT_BAD_STUN_URL'],
    [{ ta: -1 }, IceError, 'ERR_ICE_BAD_OPTION'],
    [{ tcp: { maxFrameSize: 70000 } }, TcpTransportError, 'ERR_TCP_BAD_OPTION'],
  ];
  for (const [options, layer, code] of cases) {
    const error = t.throws(() => new IceAgent({ ...base, ...options }), { instanceOf: IceAgentError, code: 'ERR_AGENT_BAD_OPTION' });
    t.true(error?.cause instanceof layer, code);
    t.is((error?.cause as { code?: string }).code, code);
    t.is(error?.message, (error?.cause as Error).message);
  }
});

test('defaults: generated credentials, role, states; given credentials and lite are used', async (t) => {
  const agent = new IceAgent({ controlling: false });
  t.is(agent.gatheringState, 'new');
  t.is(agent.state, 'new');
  t.false(agent.controlling);
  t.regex(agent.localParameters.ufrag, /^[A-Za-z0-9+/]{4,}$/);
  t.true(agent.localParameters.pwd.length >= 22);
  t.is(agent.localParameters.lite, undefined);
  t.is(agent.remoteParameters, undefined);
  await agent.close();
  const given = new IceAgent({ ...base, ufrag: 'abcd', pwd: 'p'.repeat(22), lite: true });
  t.deepEqual(given.localParameters, { ufrag: 'abcd', pwd: 'p'.repeat(22), lite: true });
  t.throws(() => given.connection(2), { code: 'ERR_AGENT_BAD_OPTION' });
  t.is(given.connection(1).component, 1);
  await given.close();
});
