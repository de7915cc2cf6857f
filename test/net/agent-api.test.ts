import test from 'ava';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { CandidateError, parseCandidate, type Candidate } from '../../lib/candidate/index.js';
import { IceCore, type IceCoreApi, type IceCoreOptions, type PacketInput } from '../../lib/ice/index.js';
import { IceAgent } from '../../lib/net/agent/agent.js';
import { IceCandidate } from '../../lib/net/agent/ice-candidate.js';
import { StunServer } from '../../lib/net/stun-server/stun-server.js';
import { agentPair, handleCensus, settleHandles, wire } from './helpers.js';

const REMOTE = { ufrag: 'remote', pwd: 'remotepasswordremotepassword' };

async function closedTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

test('connect() rejects with ERR_CONNECT_TIMEOUT, ERR_CONNECT_ABORTED, ERR_AGENT_CLOSED; a bad timeout is a bad option', async (t) => {
  const agent = new IceAgent({ controlling: true, addresses: ['127.0.0.1'], tcp: false });
  await t.throwsAsync(agent.connect({ timeoutMs: 30 }), { code: 'ERR_CONNECT_TIMEOUT' });
  await t.throwsAsync(agent.connect({ signal: AbortSignal.abort() }), { code: 'ERR_CONNECT_ABORTED' });
  const controller = new AbortController();
  const aborted = agent.connect({ signal: controller.signal });
  controller.abort();
  await t.throwsAsync(aborted, { code: 'ERR_CONNECT_ABORTED' });
  await t.throwsAsync(agent.connect({ timeoutMs: -1 }), { code: 'ERR_AGENT_BAD_OPTION' });
  // Over 2^31-1 ms Node's setTimeout would fire after 1 ms: refused, not a timeout at once.
  await t.throwsAsync(agent.connect({ timeoutMs: 2 ** 31 }), { code: 'ERR_AGENT_BAD_OPTION' });
  await t.throwsAsync(agent.connect({ timeoutMs: '10' as unknown as number }), { code: 'ERR_AGENT_BAD_OPTION' });
  t.is(agent.gatheringState, 'complete', 'connect() started gathering');
  const waiting = agent.connect();
  const closing = agent.close();
  t.is(agent.close(), closing, 'close() is idempotent');
  await t.throwsAsync(waiting, { code: 'ERR_AGENT_CLOSED' });
  await closing;
  t.is(agent.state, 'closed');
  await t.throwsAsync(agent.connect(), { code: 'ERR_AGENT_CLOSED' });
  await t.throwsAsync(agent.gather(), { code: 'ERR_AGENT_CLOSED' });
  t.throws(() => agent.setRemoteParameters(REMOTE), { code: 'ERR_AGENT_CLOSED' });
  t.throws(() => agent.addRemoteCandidate('candidate:1 1 UDP 1 127.0.0.1 1 typ host'), { code: 'ERR_AGENT_CLOSED' });
  t.throws(() => agent.endOfRemoteCandidates(), { code: 'ERR_AGENT_CLOSED' });
  t.throws(() => agent.restart(), { code: 'ERR_AGENT_CLOSED' });
});

test.serial('ICE failure rejects connect() with ERR_ICE_FAILED (a refused TCP connect fails the only pair)', async (t) => {
  const before = handleCensus();
  const agent = new IceAgent({ controlling: true, addresses: ['127.0.0.1'], udp: false, tcp: { active: true, passive: false, so: false } });
  const failedPairs: string[] = [];
  agent.on('pair-state', (pair, _previous, reason) => pair.state === 'failed' && failedPairs.push(reason ?? ''));
  const states: string[] = [];
  agent.on('state', (s) => states.push(s));
  agent.setRemoteParameters(REMOTE);
  t.deepEqual(agent.remoteParameters, { ...REMOTE, lite: false });
  agent.addRemoteCandidate(`candidate:1 1 TCP 2124414975 127.0.0.1 ${await closedTcpPort()} typ host tcptype passive`);
  agent.endOfRemoteCandidates();
  await agent.gather();
  await t.throwsAsync(agent.connect({ timeoutMs: 10_000 }), { code: 'ERR_ICE_FAILED' });
  t.is(agent.state, 'failed');
  t.true(states.includes('failed'));
  t.true(failedPairs.length > 0);
  await t.throwsAsync(agent.connect(), { code: 'ERR_ICE_FAILED' });
  await agent.close();
  t.deepEqual(await settleHandles(before), []);
});

test('addRemoteCandidate takes a line, a Candidate and an RTCIceCandidateInit; ignores stale ufrags and names; rejects garbage', async (t) => {
  const agent = new IceAgent({ controlling: true, addresses: ['127.0.0.1'], tcp: false });
  agent.setRemoteParameters(REMOTE);
  t.true(agent.addRemoteCandidate('a=candidate:1 1 UDP 2130706431 127.0.0.1 40000 typ host'));
  const candidate: Candidate = parseCandidate('candidate:2 1 UDP 2130706430 127.0.0.1 40001 typ host');
  t.true(agent.addRemoteCandidate(candidate));
  t.true(
    agent.addRemoteCandidate({
      candidate: 'candidate:3 1 UDP 2130706429 127.0.0.1 40002 typ host',
      sdpMid: '0',
      usernameFragment: 'remote',
    }),
  );
  t.false(agent.addRemoteCandidate({ candidate: 'candidate:4 1 UDP 2130706428 127.0.0.1 40003 typ host', usernameFragment: 'older' }));
  t.false(agent.addRemoteCandidate('candidate:5 1 UDP 2130706427 peer.example.org 40004 typ host'));
  t.false(agent.addRemoteCandidate({ candidate: '' }), 'end-of-candidates');
  t.throws(() => agent.addRemoteCandidate('candidate:garbage'), { instanceOf: CandidateError });
  t.throws(() => agent.setRemoteParameters({ ufrag: 'x', pwd: 'y' }), { code: 'ERR_AGENT_BAD_REMOTE_PARAMETERS' });
  t.throws(() => agent.setRemoteParameters(null as unknown as typeof REMOTE), { code: 'ERR_AGENT_BAD_REMOTE_PARAMETERS' });
  await agent.gather();
  t.deepEqual(
    [...new Set(agent.pairs().map((p) => p.remote.port))].sort(),
    [40000, 40001, 40002],
    'pairs with exactly the accepted remote candidates',
  );
  await agent.close();
});

test('gather() trickles IceCandidates (toJSON / toSdp), then gathering-done; a second call returns the same promise', async (t) => {
  const agent = new IceAgent({ controlling: true, addresses: ['127.0.0.1', '::1'], tcp: { active: false, so: false } });
  const seen: IceCandidate[] = [];
  agent.on('candidate', (c: IceCandidate) => seen.push(c));
  let done = 0;
  agent.on('gathering-done', () => done++);
  const first = agent.gather();
  t.is(agent.gather(), first);
  t.is(agent.gatheringState, 'gathering');
  const all = await first;
  t.is(done, 1);
  t.is(agent.gatheringState, 'complete');
  t.deepEqual(all, seen);
  t.is(all.length, 4, 'UDP and TCP passive on two addresses');
  for (const c of all) {
    t.true(c instanceof IceCandidate);
    const init = c.toJSON();
    t.is(init.candidate, c.toSdp());
    t.is(init.usernameFragment, agent.localParameters.ufrag);
    t.is(init.sdpMid, '0');
    t.deepEqual(parseCandidate(c.toSdp()), c.toCandidate());
    t.is(String(c), c.toSdp());
    t.deepEqual(JSON.parse(JSON.stringify(c)), init);
  }
  await agent.close();
});

test('server-reflexive candidates from the bundled StunServer appear as srflx with raddr/rport, and agents still connect', async (t) => {
  const server = new StunServer();
  const { udp } = await server.listen({ udpPort: 0, tcpPort: false });
  const common = {
    addresses: ['127.0.0.1'],
    tcp: false as const,
    stunServers: [`stun:127.0.0.1:${udp!.port}`],
    udp: { keepRedundantCandidates: true },
  };
  const { left, right } = agentPair(common);
  t.teardown(() => Promise.all([left.close(), right.close(), server.close()]));
  await wire(left, right);
  const srflx = left.localCandidates.find((c) => c.type === 'srflx');
  const host = left.localCandidates.find((c) => c.type === 'host');
  t.truthy(srflx);
  t.like(srflx!, { address: '127.0.0.1', port: host!.port, relatedAddress: host!.address, relatedPort: host!.port });
  await Promise.all([left.connect({ timeoutMs: 5000 }), right.connect({ timeoutMs: 5000 })]);
  t.is(server.stats.udpAnswered, 2);
});

test('restart(): new credentials, a new selected pair, and the same IceConnection keeps carrying data', async (t) => {
  const { left, right } = agentPair({ addresses: ['127.0.0.1'], tcp: false });
  t.teardown(() => Promise.all([left.close(), right.close()]));
  await wire(left, right);
  const [cl, cr] = await Promise.all([left.connect({ timeoutMs: 5000 }), right.connect({ timeoutMs: 5000 })]);
  const oldUfrag = left.localParameters.ufrag;
  const selected = once(left, 'selected-pair');
  const l = left.restart();
  const r = right.restart({ ufrag: 'newufrag', pwd: 'newpasswordnewpassword' });
  t.not(l.ufrag, oldUfrag);
  t.is(r.ufrag, 'newufrag');
  t.is(left.remoteParameters, undefined);
  left.setRemoteParameters(r);
  right.setRemoteParameters(l);
  for (const c of left.localCandidates) right.addRemoteCandidate(c.toSdp());
  for (const c of right.localCandidates) left.addRemoteCandidate(c.toSdp());
  left.endOfRemoteCandidates();
  right.endOfRemoteCandidates();
  await selected;
  t.is(await left.connect(), cl, 'the same connection object');
  const got = once(cr, 'packet');
  cl.send(Buffer.from('after restart'));
  t.is(String((await got)[0]), 'after restart');
  t.throws(() => left.restart({ ufrag: 'x', pwd: 'y' }), { code: 'ERR_AGENT_BAD_OPTION' });
});

test.serial('garbage datagrams and a core that throws on one packet never crash the agent; the error is reported', async (t) => {
  const before = handleCensus();
  let throwOnce = true;
  const createCore = (options: IceCoreOptions): IceCoreApi => {
    const core = new IceCore(options);
    const handlePacket = core.handlePacket.bind(core);
    core.handlePacket = (now: number, packet: PacketInput) => {
      if (throwOnce && packet.data.toString() === 'poison') {
        throwOnce = false;
        throw new TypeError('poisoned packet');
      }
      return handlePacket(now, packet);
    };
    return core;
  };
  const { left, right } = agentPair({ addresses: ['127.0.0.1'], tcp: false }, {}, { testing: { createCore } });
  const errors: Array<{ code: string; message: string }> = [];
  right.on('warning', (e) => errors.push(e));
  await right.gather();
  const port = right.localCandidates[0].port;
  const junk = createSocket('udp4');
  for (const data of [Buffer.alloc(0), Buffer.from([0, 1, 0, 0]), Buffer.alloc(3000, 0xff), Buffer.from('poison')]) {
    junk.send(data, port, '127.0.0.1');
  }
  await new Promise((r) => setTimeout(r, 50));
  junk.close();
  t.deepEqual(
    errors.map((e) => e.code),
    ['ERR_RUNTIME'],
  );
  t.regex(errors[0].message, /poisoned packet/);
  // right gathered already: its candidates go to left by hand (wire() forwards later ones only).
  for (const c of right.localCandidates) left.addRemoteCandidate(c.toSdp());
  await wire(left, right);
  const [cl, cr] = await Promise.all([left.connect({ timeoutMs: 5000 }), right.connect({ timeoutMs: 5000 })]);
  const got = once(cr, 'packet');
  cl.send(Buffer.from('still fine'));
  t.is(String((await got)[0]), 'still fine');
  await Promise.all([left.close(), right.close()]);
  t.deepEqual(await settleHandles(before), []);
});

test('stun:…?transport=tcp servers reach the TCP plugin; the bundled StunServer answers its framed and plain Binding requests', async (t) => {
  const server = new StunServer();
  const { tcp } = await server.listen({ udpPort: false, tcpPort: 0 });
  t.teardown(() => server.close());
  for (const stunFraming of ['rfc4571', 'plain'] as const) {
    const agent = new IceAgent({
      controlling: true,
      addresses: ['127.0.0.1'],
      stunServers: [`stun:127.0.0.1:${tcp!.port}?transport=tcp`],
      tcp: { active: false, passive: false, so: true, stunFraming },
    });
    const candidates = await agent.gather();
    // On loopback the mapping equals the S-O base: the srflx is redundant and eliminated (RFC 8445 §5.1.3).
    t.deepEqual(candidates.map((c) => `${c.transport}/${c.type}/${c.tcpType ?? ''}`).sort(), ['tcp/host/so', 'udp/host/']);
    await agent.close();
  }
  t.like(server.stats, { tcpAnswered: 2, tcpFramed: 1, tcpPlain: 1, udpAnswered: 0 });
});

test.serial('close() during gathering releases every handle; the gather promise settles', async (t) => {
  const before = handleCensus();
  const silent = createSocket('udp4'); // a STUN server that never answers keeps the srflx transaction open
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
  const agent = new IceAgent({
    controlling: true,
    addresses: ['127.0.0.1', '::1'],
    stunServers: [`stun:127.0.0.1:${silent.address().port}`],
  });
  const gathering = agent.gather();
  await new Promise((r) => setTimeout(r, 20));
  await agent.close();
  const candidates = await gathering;
  t.true(Array.isArray(candidates));
  t.is(agent.state, 'closed');
  silent.close();
  t.deepEqual(await settleHandles(before), []);
});
