/**
 * The core owns the route lifecycle (lib/ice/types.ts, the 'route' event):
 * a new route comes before its 'selected-pair'; the close of a route's
 * connection changes the route in the same drain; data carries its
 * component; the connection-command poll returns connects and closes.
 */
import test from 'ava';
import type { ConnectionCommand, IceCore, IceEvent } from '../../lib/ice/index.js';
import { Loop, eventsOf, type LoopAgent } from './support/loop.js';

/** What one drain of a core yields (the runtime's loop, without acting on it). */
function drainOnce(core: IceCore): { commands: ConnectionCommand[]; events: IceEvent[] } {
  const commands: ConnectionCommand[] = [];
  const events: IceEvent[] = [];
  for (let busy = true; busy;) {
    busy = false;
    while (core.pollTransmit() !== undefined) busy = true;
    for (let c = core.pollConnectionCommand(); c !== undefined; c = core.pollConnectionCommand()) {
      busy = true;
      commands.push(c);
    }
    for (let e = core.pollEvent(); e !== undefined; e = core.pollEvent()) {
      busy = true;
      events.push(e);
    }
  }
  return { commands, events };
}

/** Alice (controlling, preferTcp) and bob with UDP and TCP host candidates: UDP is valid first, TCP gets selected. */
function udpThenTcp(): { loop: Loop; a: LoopAgent; b: LoopAgent } {
  const loop = new Loop();
  const a = loop.agent('a', { controlling: true, priority: { preferTcp: true } }, 21);
  const b = loop.agent('b', { controlling: false }, 22);
  const ca = [loop.addUdpHost(a, '10.0.0.1', 5000), loop.addTcpHost(a, '10.0.0.1', 5001, 'active')];
  const cb = [loop.addUdpHost(b, '10.0.0.2', 6000), loop.addTcpHost(b, '10.0.0.2', 6001, 'passive')];
  loop.signal(a, b, ca, cb);
  loop.run(5000);
  return { loop, a, b };
}

function tcpPair(): { loop: Loop; a: LoopAgent; b: LoopAgent } {
  const loop = new Loop();
  const a = loop.agent('a', { controlling: true }, 11);
  const b = loop.agent('b', { controlling: false }, 12);
  const ca = loop.addTcpHost(a, '10.0.0.1', 5000, 'active');
  const cb = loop.addTcpHost(b, '10.0.0.2', 6000, 'passive');
  loop.signal(a, b, [ca], [cb]);
  loop.run(5000);
  return { loop, a, b };
}

test('a selection that moves the route emits route, then selected-pair, next to each other', (t) => {
  const { a, b } = udpThenTcp();
  t.is(a.core.state, 'completed');
  const routes = eventsOf(a, 'route').map((e) => e.route?.transport);
  t.deepEqual(routes.slice(0, 2), ['udp', 'tcp'], 'the first valid pair (UDP) carried data until TCP was selected');
  for (const agent of [a, b]) {
    const i = agent.events.findIndex((e) => e.type === 'selected-pair');
    const selected = agent.events[i] as Extract<IceEvent, { type: 'selected-pair' }>;
    const before = agent.events[i - 1];
    t.is(before?.type, 'route', `${agent.name}: the event just before selected-pair`);
    if (before?.type === 'route') t.is(before.route?.pairId, selected.pair.id);
  }
});

test('the close of the route’s connection, reported to the core, yields the route event in the same drain', (t) => {
  const { loop, a } = tcpPair();
  const route = loop.route(a);
  t.truthy(route?.connectionId);
  a.core.handleConnection(loop.now + 1, { type: 'closed', connectionId: route!.connectionId!, reason: 'reset' });
  const { events } = drainOnce(a.core);
  t.deepEqual(
    events.filter((e) => e.type === 'route'),
    [{ type: 'route', component: 1, route: null }],
  );
});

test('the core’s own close of the route’s connection comes with the route event in the same drain', (t) => {
  const { loop, a } = tcpPair();
  const route = loop.route(a)!;
  a.core.close(loop.now + 1);
  const { commands, events } = drainOnce(a.core);
  const close = commands.find((c) => c.type === 'close' && c.connectionId === route.connectionId);
  t.truthy(close, 'the route’s connection is closed');
  t.is(close?.type === 'close' ? close.transportId : undefined, route.transportId, 'the close names the transport the connection is on');
  t.deepEqual(
    events.filter((e) => e.type === 'route'),
    [{ type: 'route', component: 1, route: null }],
  );
});

test('data carries its component, as one shared object per component', (t) => {
  const loop = new Loop();
  const a = loop.agent('a', { controlling: true, components: 2 }, 1);
  const b = loop.agent('b', { controlling: false, components: 2 }, 2);
  const ca = [loop.addUdpHost(a, '10.0.0.1', 5000, 1), loop.addUdpHost(a, '10.0.0.1', 5001, 2)];
  const cb = [loop.addUdpHost(b, '10.0.0.2', 6000, 1), loop.addUdpHost(b, '10.0.0.2', 6001, 2)];
  loop.signal(a, b, ca, cb);
  loop.run(5000);
  const data = Buffer.from([0x80, 1, 2, 3]);
  const one = b.core.handlePacket(loop.now, { transportId: 'b/udp/10.0.0.2:6000', from: { address: '10.0.0.1', port: 5000 }, data });
  const two = b.core.handlePacket(loop.now, { transportId: 'b/udp/10.0.0.2:6001', from: { address: '10.0.0.1', port: 5001 }, data });
  t.deepEqual(one, { kind: 'data', component: 1 });
  t.deepEqual(two, { kind: 'data', component: 2 });
  const again = b.core.handlePacket(loop.now, { transportId: 'b/udp/10.0.0.2:6001', from: { address: '10.0.0.1', port: 5001 }, data });
  t.is(again, two, 'no allocation per packet');
  t.true(Object.isFrozen(two));
});

test('pollConnectionCommand returns the connects and the closes (pollConnect is gone)', (t) => {
  const loop = new Loop();
  loop.onConnect = () => undefined; // the test looks at the commands only
  const a = loop.agent('a', { controlling: true }, 11);
  const b = loop.agent('b', { controlling: false }, 12);
  const ca = loop.addTcpHost(a, '10.0.0.1', 5000, 'active');
  const cb = loop.addTcpHost(b, '10.0.0.2', 6000, 'passive');
  loop.signal(a, b, [ca], [cb]);
  loop.run(100);
  const connect = a.commands.find((c) => c.type === 'connect');
  t.is(connect?.type, 'connect');
  t.false('pollConnect' in a.core);
  // A connection the core did not ask for, on a base that cannot accept: closed, naming its transport.
  a.core.handleConnection(loop.now, {
    type: 'accepted',
    connectionId: 'stray',
    transportId: 'a/tcp-active/10.0.0.1',
    local: { address: '10.0.0.1', port: 5555 },
    remote: { address: '10.0.0.9', port: 1 },
  });
  t.deepEqual(a.core.pollConnectionCommand(), {
    type: 'close',
    connectionId: 'stray',
    transportId: 'a/tcp-active/10.0.0.1',
    reason: 'accepted on a base that is not a passive or S-O candidate (RFC 6544 §7.2)',
  });
});
