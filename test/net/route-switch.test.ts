/**
 * The data path across a route switch, driven by a scripted core that
 * keeps the core's contract (lib/ice/types.ts, the 'route' event): the
 * core closes the connection under the route and selects a pair on
 * another one in the same pass, `route` before `selected-pair`, and the
 * application sends from its 'selected-pair' listener. Every packet must
 * reach the peer (on real loopback TCP connections framed with RFC 4571),
 * and none twice. The runtime passes events on in the core's order.
 */
import test from 'ava';
import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import type { Candidate } from '../../lib/candidate/index.js';
import type { PacketConnection } from '../../lib/connection.js';
import { FramedConnection } from '../../lib/framing/index.js';
import type {
  ConnectionCommand,
  DataDisposition,
  IceCoreApi,
  IceCredentials,
  IceEvent,
  IceState,
  PairInfo,
  Route,
  Transmit,
} from '../../lib/ice/types.js';
import { IceAgent } from '../../lib/net/agent/agent.js';
import type { GatherContext, TransportHost, TransportPlugin } from '../../lib/net/agent/transport-plugin.js';

/** A core that, on its next input, emits what the test queued. */
class ScriptedCore implements IceCoreApi {
  readonly localCredentials: IceCredentials = { ufrag: 'left', pwd: 'leftpasswordleftpassword' };
  readonly controlling = true;
  state: IceState = 'checking';
  readonly commands: ConnectionCommand[] = [];
  readonly events: IceEvent[] = [];
  endOfLocalCalls = 0;
  addLocalCandidate(): void {}
  setRemoteCredentials(): void {}
  addRemoteCandidate(): void {}
  endOfRemoteCandidates(): void {}
  endOfLocalCandidates(): void {
    this.endOfLocalCalls++;
  }
  handlePacket(): DataDisposition {
    return { kind: 'data', component: 1 };
  }
  handleConnection(): void {}
  handleTimeout(): void {}
  restart(): IceCredentials {
    return this.localCredentials;
  }
  close(): void {
    this.state = 'closed';
  }
  pollTransmit(): Transmit | undefined {
    return undefined;
  }
  pollConnectionCommand(): ConnectionCommand | undefined {
    return this.commands.shift();
  }
  pollEvent(): IceEvent | undefined {
    return this.events.shift();
  }
  pollTimeout(): number | undefined {
    return undefined;
  }
  pairs(): PairInfo[] {
    return [];
  }
}

/** A TCP plugin over framed loopback connections the test made; `close` commands end them, as TcpConnections does. */
class FramedPlugin implements TransportPlugin {
  readonly protocol = 'tcp' as const;
  readonly connections = new Map<string, FramedConnection>();
  host: TransportHost | undefined;
  attach(host: TransportHost): void {
    this.host = host;
  }
  async gather(_context: GatherContext): Promise<void> {}
  send(): boolean {
    return true;
  }
  command(command: ConnectionCommand): void {
    if (command.type === 'close') this.connections.get(command.connectionId)?.close();
  }
  routeConnection(_transportId: string, _remote: unknown, connectionId?: string): PacketConnection | undefined {
    return connectionId === undefined ? undefined : this.connections.get(connectionId);
  }
  async close(): Promise<void> {
    for (const framed of this.connections.values()) framed.destroy();
  }
}

/** A loopback TCP connection: our framed end and the peer's. */
async function framedPair(): Promise<{ ours: FramedConnection; peer: FramedConnection; close: () => void }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = once(server, 'connection');
  const client = connect({ port: (server.address() as { port: number }).port, host: '127.0.0.1' });
  await once(client, 'connect');
  const [peerSocket] = (await accepted) as [Socket];
  server.close();
  const ours = new FramedConnection(client);
  const peer = new FramedConnection(peerSocket, { allowHalfOpen: true });
  return { ours, peer, close: () => (ours.destroy(), peer.destroy()) };
}

const host: Candidate = {
  foundation: '1',
  component: 1,
  transport: 'tcp',
  priority: 1,
  address: '127.0.0.1',
  port: 9,
  type: 'host',
  tcpType: 'active',
  extensions: [],
};

function pair(id: string, connectionId: string): PairInfo {
  return {
    id,
    component: 1,
    local: host,
    remote: { ...host, tcpType: 'passive' },
    priority: 1n,
    state: 'succeeded',
    nominated: true,
    connectionId,
  };
}

function route(pairId: string, connectionId: string): Route {
  return {
    component: 1,
    transport: 'tcp',
    transportId: 'tcp:a',
    connectionId,
    remote: { address: '127.0.0.1', port: 1 },
    tcpType: 'active',
    pairId,
  };
}

async function setup(t: import('ava').ExecutionContext) {
  const core = new ScriptedCore();
  const plugin = new FramedPlugin();
  const agent = new IceAgent({
    controlling: true,
    addresses: ['127.0.0.1'],
    udp: false,
    tcp: false,
    plugins: [plugin],
    testing: { createCore: () => core },
  });
  const [one, two] = await Promise.all([framedPair(), framedPair()]);
  t.teardown(async () => {
    one.close();
    two.close();
    await agent.close();
  });
  for (const [connectionId, ends] of [
    ['c1', one],
    ['c2', two],
  ] as const) {
    plugin.connections.set(connectionId, ends.ours);
    const local = { address: '127.0.0.1', port: (ends.ours.stream as Socket).localPort! };
    plugin.host!.onConnection({ type: 'accepted', connectionId, transportId: 'tcp:a', local, remote: { address: '127.0.0.1', port: 1 } });
  }
  const received = { one: [] as number[], two: [] as number[] };
  one.peer.on('packet', (p: Buffer) => received.one.push(p.readUInt32BE(0)));
  two.peer.on('packet', (p: Buffer) => received.two.push(p.readUInt32BE(0)));
  /** Queues core outputs and feeds an input, so that the runtime drains them in one pass. */
  const pass = (commands: ConnectionCommand[], events: IceEvent[]) => {
    core.commands.push(...commands);
    core.events.push(...events);
    agent.endOfRemoteCandidates();
  };
  return { core, agent, conn: agent.connection(1), received, pass };
}

const packet = (n: number) => {
  const p = Buffer.alloc(100, 0xaa);
  p.writeUInt32BE(n);
  return p;
};

async function until(condition: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}

test('the core closes the route’s connection and selects another in one pass: packets sent from the selected-pair listener all arrive', async (t) => {
  const { agent, conn, received, pass } = await setup(t);
  pass([], [{ type: 'route', component: 1, route: route('p1', 'c1') }]);
  for (let i = 0; i < 5; i++) t.true(conn.send(packet(i)));
  let n = 5;
  const results: boolean[] = [];
  let routeAtSelection: string | undefined;
  agent.on('selected-pair', () => {
    routeAtSelection = conn.route?.pairId;
    for (let i = 0; i < 20; i++) results.push(conn.send(packet(n++)));
  });
  // As the core does it: close the loser (RFC 6544 §9.2); route, then selected-pair.
  pass(
    [{ type: 'close', connectionId: 'c1', transportId: 'tcp:a', reason: 'replaced by the new selected pair' }],
    [
      { type: 'route', component: 1, route: route('p2', 'c2') },
      { type: 'selected-pair', pair: pair('p2', 'c2') },
    ],
  );
  t.is(routeAtSelection, 'p2', 'the route moved before the application heard of the selection');
  t.deepEqual(results, Array(20).fill(true), 'nothing was refused');
  await until(() => received.one.length + received.two.length >= 25);
  t.deepEqual(received.one, [0, 1, 2, 3, 4]);
  t.deepEqual(
    received.two,
    Array.from({ length: 20 }, (_, i) => i + 5),
  );
  t.is(conn.droppedPackets, 0);
});

test('a close command for the route’s connection with a null route in the same pass: sends queue, then leave on the next route', async (t) => {
  const { conn, received, pass } = await setup(t);
  const routes: Array<string | undefined> = [];
  conn.on('route', (r) => routes.push(r?.pairId));
  pass([], [{ type: 'route', component: 1, route: route('p1', 'c1') }]);
  t.true(conn.send(packet(0)));
  pass([{ type: 'close', connectionId: 'c1', transportId: 'tcp:a', reason: 'test' }], [{ type: 'route', component: 1, route: null }]);
  t.false(conn.send(packet(1)), 'queued: the closed connection is not used');
  t.false(conn.send(packet(2)));
  t.is(conn.queuedPackets, 2);
  t.deepEqual(routes, ['p1', undefined], 'each route reached the connection once');
  const drained = once(conn, 'drain');
  pass([], [{ type: 'route', component: 1, route: route('p2', 'c2') }]);
  await drained;
  await until(() => received.two.length >= 2);
  t.deepEqual(received.one, [0]);
  t.deepEqual(received.two, [1, 2]);
});

test('a close command for a connection that carries no route leaves the data path alone', async (t) => {
  const { conn, received, pass } = await setup(t);
  pass([], [{ type: 'route', component: 1, route: route('p1', 'c1') }]);
  pass([{ type: 'close', connectionId: 'c2', transportId: 'tcp:a', reason: 'not selected, RFC 6544 §8' }], []);
  t.true(conn.send(packet(7)));
  await until(() => received.one.length >= 1);
  t.deepEqual(received.one, [7]);
});

test('the runtime tells the core its local candidates are complete once gathering is done', async (t) => {
  const { core, agent } = await setup(t);
  t.is(core.endOfLocalCalls, 0);
  await agent.gather();
  t.is(core.endOfLocalCalls, 1);
});
