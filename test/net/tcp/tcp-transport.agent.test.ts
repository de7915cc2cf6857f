// Issue 5 acceptance on loopback: two IceAgents with UDP off connect through
// each TCP kind alone (our active → their passive, our passive ← their
// active); with UDP on, UDP is selected by default and TCP when preferred.
import test from 'ava';
import { IceAgent } from '../../../lib/net/agent/agent.js';
import { exchange, signal, tcpAgent } from './agents.js';

const agents: IceAgent[] = [];
test.after.always(() => Promise.all(agents.map((a) => a.close())));

function track<T extends { agent: IceAgent }>(x: T): T {
  agents.push(x.agent);
  return x;
}

for (const [name, ours, theirs] of [
  ['our active → their passive', { active: true, passive: false, so: false }, { active: false, passive: true, so: false }],
  ['our passive ← their active', { active: false, passive: true, so: false }, { active: true, passive: false, so: false }],
] as const) {
  test(`UDP off: ${name} connects and carries packets both ways`, async (t) => {
    const us = track(tcpAgent(true, ours));
    const them = track(tcpAgent(false, theirs));
    await signal(us.agent, them.agent);
    const [mine, peer] = await Promise.all([us.agent.connect({ timeoutMs: 10_000 }), them.agent.connect({ timeoutMs: 10_000 })]);
    t.is(mine.transport, 'tcp');
    t.is(peer.transport, 'tcp');
    const pair = us.agent.selectedPair()!;
    t.is(pair.local.transport, 'tcp');
    const ourKind = ours.active ? 'active' : 'passive';
    const theirKind = ours.active ? 'passive' : 'active';
    t.is(pair.local.tcpType, ourKind, `local ${pair.local.type} ${pair.local.tcpType}`);
    t.is(pair.remote.tcpType, theirKind, `remote ${pair.remote.type} ${pair.remote.tcpType}`);
    t.truthy(pair.connectionId);
    t.deepEqual(await exchange(mine, peer, 200), [...Array(200).keys()]);
    t.deepEqual(await exchange(peer, mine, 200), [...Array(200).keys()]);
    await Promise.all([us.agent.close(), them.agent.close()]);
  });
}

for (const preferTcp of [false, true]) {
  test(`UDP and TCP on: ${preferTcp ? 'TCP is selected when preferred' : 'UDP is selected by default'}`, async (t) => {
    const kinds = { active: true, passive: true, so: false };
    const left = track(tcpAgent(true, kinds, { udp: true, preferTcp }));
    const right = track(tcpAgent(false, kinds, { udp: true, preferTcp }));
    await signal(left.agent, right.agent);
    const [a, b] = await Promise.all([left.agent.connect({ timeoutMs: 10_000 }), right.agent.connect({ timeoutMs: 10_000 })]);
    const expected = preferTcp ? 'tcp' : 'udp';
    t.is(a.transport, expected);
    t.is(b.transport, expected);
    t.is(left.agent.selectedPair()!.local.transport, expected);
    t.is(left.agent.localCandidates.filter((c) => c.transport === 'tcp').length, 2, 'TCP candidates were offered');
    t.deepEqual(await exchange(a, b, 50), [...Array(50).keys()]);
    await Promise.all([left.agent.close(), right.agent.close()]);
  });
}
