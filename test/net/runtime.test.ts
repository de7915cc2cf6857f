import test from 'ava';
import createDebug from 'debug';
import type { Candidate } from '../../lib/candidate/index.js';
import {
  IceCore,
  seededRandom,
  type ConnectionCommand,
  type IceEvent,
  type LocalCandidateInit,
  type PairInfo,
  type Route,
  type Transmit,
} from '../../lib/ice/index.js';
import type { PacketConnection } from '../../lib/connection.js';
import { IceRuntime, cryptoRandomSource, type RuntimeSink } from '../../lib/net/agent/runtime.js';
import type { GatherContext, TransportHost, TransportPlugin } from '../../lib/net/agent/transport-plugin.js';

/** A plugin whose every operation fails, after reporting what `gather` is given. */
class FailingPlugin implements TransportPlugin {
  host: TransportHost | undefined;
  sends = 0;
  commands = 0;
  constructor(
    readonly protocol: 'udp' | 'tcp',
    private readonly candidates: Candidate[],
  ) {}
  attach(host: TransportHost): void {
    this.host = host;
  }
  async gather(_context: GatherContext): Promise<void> {
    for (const candidate of this.candidates)
      this.host!.onCandidate({ candidate, transportId: `${this.protocol}:fake:${candidate.component}` });
    throw new Error(`${this.protocol} gather exploded`);
  }
  send(): boolean {
    this.sends++;
    throw new Error('send exploded');
  }
  command(): void {
    this.commands++;
    throw new Error('command exploded');
  }
  routeConnection(): PacketConnection | undefined {
    throw new Error('routeConnection exploded');
  }
  setLocalUfrag(): void {
    throw new Error('setLocalUfrag exploded');
  }
  async close(): Promise<void> {
    throw new Error('close exploded');
  }
}

function recordingSink() {
  const errors: Error[] = [];
  const events: IceEvent[] = [];
  const candidates: LocalCandidateInit[] = [];
  const sink: RuntimeSink = {
    onEvent: (e) => void events.push(e),
    onRoute: () => undefined,
    onData: () => undefined,
    onCandidate: (c) => void candidates.push(c),
    onError: (e) => void errors.push(e),
  };
  return { sink, errors, events, candidates };
}

const udpHost: Candidate = {
  foundation: 'a',
  component: 1,
  transport: 'udp',
  priority: 2130706431,
  address: '127.0.0.1',
  port: 40000,
  type: 'host',
  extensions: [],
};
const tcpActive: Candidate = {
  foundation: 'b',
  component: 1,
  transport: 'tcp',
  priority: 2128609279,
  address: '127.0.0.1',
  port: 9,
  type: 'host',
  tcpType: 'active',
  extensions: [],
};
const badComponent: Candidate = { ...udpHost, component: 9, port: 40001 };

test('plugin failures in gather, send, command, routeConnection, setLocalUfrag and close are reported, never thrown', async (t) => {
  const core = new IceCore({ controlling: true, random: seededRandom(1) });
  const udp = new FailingPlugin('udp', [udpHost, badComponent]);
  const tcp = new FailingPlugin('tcp', [tcpActive]);
  const { sink, errors, candidates } = recordingSink();
  const runtime = new IceRuntime(core, [udp, tcp], sink, createDebug('ice-tcp:test'));
  t.true(runtime.now() > 0);
  await runtime.gather({
    addresses: ['127.0.0.1'],
    components: [1],
    stunServers: [],
    priority: {},
    localUfrag: core.localCredentials.ufrag,
  });
  t.deepEqual(
    candidates.map((c) => c.candidate.port),
    [40000, 9],
    'the candidate the core refused is not announced',
  );
  t.true(
    errors.some((e) => (e as { code?: string }).code === 'ERR_ICE_BAD_CANDIDATE'),
    'component 9 of 1 is refused by the core',
  );
  t.true(errors.some((e) => /udp gathering failed: udp gather exploded/.test(e.message)));
  runtime.command((now) => core.setRemoteCredentials(now, { ufrag: 'peer', pwd: 'peerpasswordpeerpassword' }));
  runtime.command((now) => core.addRemoteCandidate(now, { ...udpHost, foundation: 'r', port: 50000 }));
  runtime.command((now) => core.addRemoteCandidate(now, { ...tcpActive, foundation: 's', port: 50001, tcpType: 'passive' }));
  while (udp.sends === 0 || tcp.commands === 0) await new Promise((r) => setTimeout(r, 5));
  t.true(errors.some((e) => /send exploded/.test(e.message)));
  t.true(errors.some((e) => /command exploded/.test(e.message)));
  const route: Route = {
    component: 1,
    transport: 'udp',
    transportId: 'udp:fake:1',
    remote: { address: '127.0.0.1', port: 1 },
    pairId: 'x',
  };
  t.is(runtime.routeConnection(route), undefined);
  t.true(errors.some((e) => /routeConnection exploded/.test(e.message)));
  runtime.localUfragChanged('newufrag');
  t.true(errors.some((e) => /setLocalUfrag exploded/.test(e.message)));
  t.true(
    errors.every((e) => typeof (e as { code?: unknown }).code === 'string'),
    'every report is a typed error',
  );
  await runtime.close();
  t.true(runtime.closed);
  t.true(errors.some((e) => /close exploded/.test(e.message)));
  await runtime.close(); // idempotent
  t.is(core.state, 'closed');
});

test('a command’s own error reaches its caller after the outputs were drained', (t) => {
  const core = new IceCore({ controlling: true, random: cryptoRandomSource });
  const { sink } = recordingSink();
  const runtime = new IceRuntime(core, [], sink, createDebug('ice-tcp:test'));
  t.throws(() => runtime.command((now) => core.setRemoteCredentials(now, { ufrag: 'x', pwd: 'y' })), { code: 'ERR_ICE_BAD_CREDENTIALS' });
  t.is(
    runtime.command(() => 42),
    42,
  );
  return runtime.close();
});

/** A core that breaks wherever it is told to, for the runtime's error paths. */
function brittleCore(breaks: Set<string>) {
  const events: IceEvent[] = [];
  const fail = (where: string) => {
    if (breaks.has(where)) throw new Error(`${where} exploded`);
  };
  let timeoutAt: number | undefined = 0;
  const core = {
    localCredentials: { ufrag: 'uuuu', pwd: 'pppppppppppppppppppppp' },
    controlling: true,
    state: 'new' as const,
    events,
    addLocalCandidate: () => undefined,
    setRemoteCredentials: () => undefined,
    addRemoteCandidate: () => undefined,
    endOfRemoteCandidates: () => undefined,
    endOfLocalCandidates: () => fail('endOfLocalCandidates'),
    handlePacket: () => 'dropped' as const,
    handleConnection: () => undefined,
    handleTimeout: () => {
      timeoutAt = undefined;
      fail('handleTimeout');
    },
    restart: () => core.localCredentials,
    close: () => fail('close'),
    pollTransmit: () => undefined,
    pollConnectionCommand: () => undefined,
    pollEvent: () => (fail('pollEvent'), events.shift()),
    pollTimeout: () => (fail('pollTimeout'), timeoutAt),
    pairs: () => [],
  };
  return core;
}

test('a core that throws in its timer, its polls, endOfLocalCandidates or close: reported as typed errors, the runtime goes on', async (t) => {
  const breaks = new Set(['endOfLocalCandidates', 'handleTimeout', 'close']);
  const core = brittleCore(breaks);
  const completed: string[] = [];
  const plugin = new FailingPlugin('tcp', []);
  const withServerConnections = Object.assign(plugin, {
    closeServerConnections: () => {
      completed.push('asked');
      throw new Error('closeServerConnections exploded');
    },
  });
  const { sink, errors, events } = recordingSink();
  const runtime = new IceRuntime(core, [withServerConnections], sink, createDebug('ice-tcp:test'));
  await runtime.gather({ addresses: [], components: [1], stunServers: [], priority: {}, localUfrag: 'uuuu' });
  runtime.command(() => undefined); // arms the timer for pollTimeout() = 0
  while (!errors.some((e) => /handleTimeout exploded/.test(e.message))) await new Promise((r) => setTimeout(r, 2));
  breaks.add('pollTimeout');
  runtime.command(() => undefined);
  breaks.delete('pollTimeout');
  core.events.push({ type: 'state', state: 'completed', previous: 'connected' });
  breaks.add('pollEvent');
  runtime.command(() => undefined);
  breaks.delete('pollEvent');
  runtime.command(() => undefined);
  t.deepEqual(completed, ['asked'], 'ICE completed: the plugins were asked to close their STUN-server connections');
  t.deepEqual(
    events.map((e) => e.type),
    ['state'],
  );
  await runtime.close();
  for (const what of [
    'endOfLocalCandidates',
    'handleTimeout',
    'pollTimeout',
    'draining the core',
    'closeServerConnections',
    'core.close',
  ]) {
    t.true(
      errors.some((e) => e.message.includes(what)),
      `${what} is reported`,
    );
  }
  t.true(errors.every((e) => typeof (e as { code?: unknown }).code === 'string'));
});

/** A plugin that records what the runtime hands it, with one candidate on its own transport id. */
class RecordingPlugin implements TransportPlugin {
  host: TransportHost | undefined;
  readonly commands: string[] = [];
  readonly sends: string[] = [];
  readonly routeCalls: string[] = [];
  constructor(
    readonly protocol: 'udp' | 'tcp',
    readonly transportId: string,
  ) {}
  attach(host: TransportHost): void {
    this.host = host;
  }
  async gather(): Promise<void> {
    this.host!.onCandidate({ candidate: { ...tcpActive, port: 9 }, transportId: this.transportId });
  }
  send(transmit: { transportId: string }): boolean {
    this.sends.push(transmit.transportId);
    return true;
  }
  command(command: { type: string; transportId: string }): void {
    this.commands.push(`${command.type} ${command.transportId}`);
  }
  routeConnection(transportId: string): PacketConnection | undefined {
    this.routeCalls.push(transportId);
    return undefined;
  }
  async close(): Promise<void> {}
}

test('plugin ownership is explicit: commands, transmits and routes go to the plugin that reported the transport id, whatever the protocol; a route reaches the sink once', async (t) => {
  const core = brittleCore(new Set());
  const queued: { commands: ConnectionCommand[]; transmits: Transmit[] } = { commands: [], transmits: [] };
  Object.assign(core, {
    pollConnectionCommand: () => queued.commands.shift(),
    pollTransmit: () => queued.transmits.shift(),
  });
  // Two plugins of one protocol (the TCP plugin and a TURN TCP relay): the protocol cannot tell them apart.
  const first = new RecordingPlugin('tcp', 'tcp:first');
  const second = new RecordingPlugin('tcp', 'tcp:second');
  const routes: Array<Route | null> = [];
  const { sink, events } = recordingSink();
  sink.onRoute = (_component, route) => void routes.push(route);
  const runtime = new IceRuntime(core, [first, second], sink, createDebug('ice-tcp:test'));
  await runtime.gather({ addresses: [], components: [1], stunServers: [], priority: {}, localUfrag: 'uuuu' });
  queued.commands.push({ type: 'close', connectionId: 'k1', transportId: 'tcp:second', reason: 'test' });
  queued.transmits.push({ transportId: 'tcp:second', connectionId: 'k1', to: { address: '127.0.0.1', port: 1 }, data: Buffer.alloc(1) });
  queued.commands.push({ type: 'close', connectionId: 'k9', transportId: 'tcp:nobody', reason: 'no owner: dropped with a log line' });
  const route: Route = {
    component: 1,
    transport: 'tcp',
    transportId: 'tcp:second',
    remote: { address: '127.0.0.1', port: 1 },
    pairId: 'p',
  };
  core.events.push({ type: 'route', component: 1, route }, { type: 'selected-pair', pair: {} as PairInfo });
  runtime.command(() => undefined);
  t.deepEqual(first.commands, []);
  t.deepEqual(second.commands, ['close tcp:second']);
  t.deepEqual(first.sends, []);
  t.deepEqual(second.sends, ['tcp:second']);
  t.deepEqual(second.routeCalls, ['tcp:second']);
  t.deepEqual(first.routeCalls, []);
  t.deepEqual(routes, [route], 'onRoute once');
  t.deepEqual(
    events.map((e) => e.type),
    ['selected-pair'],
    'the route is not passed to onEvent as well',
  );
  await runtime.close();
});
