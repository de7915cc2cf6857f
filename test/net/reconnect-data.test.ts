/**
 * RFC 6544 §11.1: the selected TCP connection of an active → passive pair is
 * reset mid-session; the active side reconnects. Data must then flow both
 * ways on the new connection — a stale `'close'` of the old connection must
 * not take the new one off the data path (a regression: the passive side
 * once dropped the new connection when the old one's `'close'` listener
 * fired after the route had moved, and every later `send()` queued forever
 * while both agents reported `completed`).
 *
 * Real sockets on loopback; the reset is a real RST (`resetAndDestroy()`).
 */
import test from 'ava';
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { FramedConnection } from '../../lib/framing/index.js';
import type { Route } from '../../lib/ice/types.js';
import { IceConnection } from '../../lib/net/agent/ice-connection.js';
import { TcpTransport } from '../../lib/net/tcp/index.js';
import { agentPair, wire } from './helpers.js';

const noTcp = { active: false, passive: false, so: false };

/** Resolves with `true` once `cond()` holds, `false` after `ms`. */
async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

/** Sends `count` numbered packets from `from`; the peer echoes; returns the echoes `from` got (tagged). */
function numbered(tag: number, i: number): Buffer {
  const b = Buffer.alloc(8, 0x61);
  b.writeUInt16BE(tag, 0);
  b.writeUInt32BE(i, 2);
  return b;
}

/**
 * `resetSide`: whose socket sends the RST. `passiveLearnsLate`: the passive
 * side is not reading its old connection when the RST comes (its reading is
 * paused behind a full buffer), so it learns of the reset only after the
 * active side's new connection is checked and nominated — the order a RST
 * lost in the network (or one side's slow event loop) produces.
 */
async function resetAndCheck(t: import('ava').ExecutionContext, resetSide: 'active' | 'passive', passiveLearnsLate = false): Promise<void> {
  const activePlugin = new TcpTransport({ active: true, passive: false, so: false });
  const passivePlugin = new TcpTransport({ active: false, passive: true, so: false });
  const { left, right } = agentPair(
    { addresses: ['127.0.0.1'], udp: false },
    { tcp: noTcp, plugins: [activePlugin] },
    { tcp: noTcp, plugins: [passivePlugin] },
  );
  t.teardown(() => Promise.all([left.close(), right.close()]));
  await wire(left, right);
  const [cl, cr] = await Promise.all([left.connect({ timeoutMs: 10_000 }), right.connect({ timeoutMs: 10_000 })]);
  t.is(cl.selectedPair?.local.tcpType, 'active');
  t.is(cr.selectedPair?.local.tcpType, 'passive');

  // Both sides echo what they did not send themselves; each side counts the echoes of its own packets.
  const echoes = { left: new Set<number>(), right: new Set<number>() };
  const echo = (self: IceConnection, mine: number, got: Set<number>) => (p: Buffer) => {
    if (p.length !== 8) return;
    const tag = p.readUInt16BE(0);
    if (tag === mine) got.add(p.readUInt32BE(2));
    else self.send(p);
  };
  cl.on('packet', echo(cl, 1, echoes.left));
  cr.on('packet', echo(cr, 2, echoes.right));
  for (let i = 0; i < 20; i++) cl.send(numbered(1, i));
  for (let i = 0; i < 20; i++) cr.send(numbered(2, i));
  t.true(await waitFor(() => echoes.left.size === 20 && echoes.right.size === 20, 10_000), 'data flows both ways before the reset');

  const firstLeft = cl.route!;
  const firstRight = cr.route!;
  const movedLeft = new Promise<void>((resolve) =>
    cl.on('route', (r: Route | null) => r !== null && r.connectionId !== firstLeft.connectionId && resolve()),
  );
  const movedRight = new Promise<void>((resolve) =>
    cr.on('route', (r: Route | null) => r !== null && r.connectionId !== firstRight.connectionId && resolve()),
  );
  // The passive side's old connection, paused at the framing level only (the new one reads normally).
  const oldPassive = passivePlugin.routeConnection(firstRight.transportId, firstRight.remote, firstRight.connectionId) as FramedConnection;
  if (passiveLearnsLate) {
    oldPassive.pause();
    // Fill its stream buffer so that the socket stops reading (it then cannot see the RST).
    for (let i = 0; i < 96; i++) cl.send(Buffer.alloc(1000, 0x62));
    await new Promise((r) => setTimeout(r, 200));
  }
  const framed = (
    resetSide === 'active'
      ? activePlugin.routeConnection(firstLeft.transportId, firstLeft.remote, firstLeft.connectionId)
      : passivePlugin.routeConnection(firstRight.transportId, firstRight.remote, firstRight.connectionId)
  ) as FramedConnection;
  (framed.stream as Socket).resetAndDestroy(); // a real RST
  if (passiveLearnsLate) {
    await movedLeft; // the active side reconnected and its nomination succeeded: the passive side answered it
    await new Promise((r) => setTimeout(r, 100));
    oldPassive.resume(); // now it reads the old socket to its end: the RST
  }
  await Promise.all([movedLeft, movedRight]);
  // Let every event of the old connection (its late 'close') run out.
  await new Promise((r) => setTimeout(r, 200));

  for (let i = 100; i < 200; i++) cl.send(numbered(1, i));
  for (let i = 100; i < 200; i++) cr.send(numbered(2, i));
  const flowed = await waitFor(() => echoes.left.size === 120 && echoes.right.size === 120, 10_000);
  t.true(
    flowed,
    `after the reset, echoes: active side ${echoes.left.size - 20}/100, passive side ${echoes.right.size - 20}/100; queued: active ${cl.queuedPackets}, passive ${cr.queuedPackets}`,
  );
  t.is(cl.queuedPackets, 0);
  t.is(cr.queuedPackets, 0);
  t.is(left.state, 'completed');
  t.is(right.state, 'completed');
}

// Several rounds each: the failure depended on the order of events of the old and the new connection.
for (let round = 1; round <= 3; round++) {
  test.serial(`RST by the active side (round ${round}): after the reconnect data flows both ways`, (t) => resetAndCheck(t, 'active'));
  test.serial(`RST by the passive side (round ${round}): after the reconnect data flows both ways`, (t) => resetAndCheck(t, 'passive'));
  test.serial(`RST seen by the passive side only after the new connection was nominated (round ${round}): data flows both ways`, (t) =>
    resetAndCheck(t, 'active', true),
  );
}

/** A connected loopback TCP socket pair. */
async function socketPair(): Promise<[Socket, Socket]> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = connect((server.address() as { port: number }).port, '127.0.0.1');
  const [[near]] = await Promise.all([accepted, once(client, 'connect')]);
  server.close();
  return [near, client];
}

test.serial(
  'the route moves to a new connection inside the old one’s close: the new one carries data (the stale listener is ignored)',
  async (t) => {
    // What the runtime does on a reconnect (RFC 6544 §11.1): its own 'close' listener, registered first, reports
    // the close to the core, whose replacement route comes back synchronously, while Node is still calling the
    // listeners the old connection had when 'close' began — IceConnection's among them.
    const [oldNear, oldFar] = await socketPair();
    const [newNear, newFar] = await socketPair();
    t.teardown(() => [oldNear, oldFar, newNear, newFar].forEach((s) => s.destroy()));
    const oldConn = new FramedConnection(oldNear);
    const newConn = new FramedConnection(newNear);
    const farEnd = new FramedConnection(newFar);
    const ice = new IceConnection(1);
    const base = { component: 1, transport: 'tcp' as const, transportId: 't', remote: { address: '127.0.0.1', port: 9 }, pairId: 'p' };
    oldConn.on('close', () => ice.setRoute({ ...base, connectionId: 'new' }, newConn)); // first listener
    ice.setRoute({ ...base, connectionId: 'old' }, oldConn);
    oldConn.on('error', () => undefined); // ECONNRESET: expected
    const closed = new Promise((r) => oldConn.once('close', r));
    oldFar.resetAndDestroy(); // RST
    await closed;
    const got = once(farEnd, 'packet') as Promise<[Buffer]>;
    t.true(ice.send(Buffer.from('after the reconnect')), `queued ${ice.queuedPackets}`);
    t.is(String((await got)[0]), 'after the reconnect');
    t.is(ice.queuedPackets, 0);
  },
);
