// TLS over an ICE-TCP pair of two IceCores on the virtual network (test/ice/
// vnet), in virtual time: consent (RFC 7675) keeps running underneath TLS for
// 60 virtual seconds, its STUN never enters TLS, and the session stays up.
// node:tls runs on the real event loop; the virtual world advances in small
// steps between event-loop turns.
import test from 'ava';
import { EventEmitter } from 'node:events';
import type { PacketConnection } from '../../lib/connection.js';
import { StunClass, decodeStun, isStun } from '../../lib/stun/index.js';
import { secureTls, type SecureConnection } from '../../lib/secure/index.js';
import type { TcpType } from '../../lib/candidate/index.js';
import type { VirtualAgent } from '../ice/vnet/agent.js';
import { bothCompleted, finishGathering, twoAgents, type TwoAgents } from '../ice/vnet/scenario.js';
import { clientCert, fp, serverCert } from './tls-helpers.js';

/** A VirtualAgent's selected pair as a PacketConnection: data out through the core's route, data in from `received`. */
class VirtualPacketConnection extends EventEmitter implements PacketConnection {
  readonly transport = 'tcp' as const;
  closed = false;
  isPaused = false;
  #delivered = 0;

  constructor(private readonly agent: VirtualAgent) {
    super();
  }

  send(packet: Uint8Array): boolean {
    return this.agent.send(Buffer.from(packet));
  }

  close(): void {
    this.closed = true;
    this.emit('close');
  }

  pause(): void {
    this.isPaused = true;
  }

  resume(): void {
    this.isPaused = false;
  }

  /** Emits what the core delivered since the last call (none while paused: they wait in `received`). */
  pump(): void {
    while (!this.isPaused && this.#delivered < this.agent.received.length) this.emit('packet', this.agent.received[this.#delivered++].data);
  }
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Advances virtual time in `stepMs` steps, with event-loop turns between, until `done()` or `ms` elapsed. */
async function drive(
  s: TwoAgents,
  conns: VirtualPacketConnection[],
  ms: number,
  done: () => boolean = () => false,
  stepMs = 10,
): Promise<void> {
  const end = s.world.now + ms;
  while (s.world.now < end && !done()) {
    s.world.runFor(stepMs);
    for (const c of conns) c.pump();
    await turn();
    await turn();
  }
}

/** STUN Binding requests and success responses carried in frames, by receiving host. */
function countStunFrames(s: TwoAgents) {
  const counts = new Map<string, { requests: number; successes: number }>();
  s.world.net.tcp.frameTaps.push((end, frame) => {
    if (!isStun(frame, { requireFingerprint: true })) return;
    const c = counts.get(end.host.name) ?? { requests: 0, successes: 0 };
    const cls = decodeStun(frame).class;
    if (cls === StunClass.Request) c.requests++;
    if (cls === StunClass.SuccessResponse) c.successes++;
    counts.set(end.host.name, c);
  });
  return (host: string) => counts.get(host) ?? { requests: 0, successes: 0 };
}

for (const [title, mine, theirs] of [
  ['active → passive', 'active', 'passive'],
  ['S-O ↔ S-O', 'so', 'so'],
] as Array<[string, TcpType, TcpType]>) {
  test(`consent holds for 60 virtual seconds over TLS on an ICE-TCP pair (${title})`, async (t) => {
    const s = twoAgents({
      seed: 97,
      a: { name: 'alice', controlling: true, udp: false, tcp: [mine] },
      b: { name: 'bob', controlling: false, udp: false, tcp: [theirs] },
    });
    finishGathering(s);
    t.true(
      s.world.runUntil(() => bothCompleted(s), 20000),
      `ICE: ${s.a.core.state} / ${s.b.core.state}`,
    );
    t.is(s.a.selectedPair()!.local.tcpType, mine);
    const stun = countStunFrames(s);
    const a = new VirtualPacketConnection(s.a);
    const b = new VirtualPacketConnection(s.b);

    // The handshake, in virtual time.
    const settled: Array<SecureConnection | Error> = [];
    void secureTls(a, { role: 'server', certificate: serverCert, remoteFingerprints: [fp(clientCert)] }).then(
      (c) => (settled[0] = c),
      (e: Error) => (settled[0] = e),
    );
    void secureTls(b, { role: 'client', certificate: clientCert, remoteFingerprints: [fp(serverCert)] }).then(
      (c) => (settled[1] = c),
      (e: Error) => (settled[1] = e),
    );
    await drive(s, [a, b], 5000, () => settled[0] !== undefined && settled[1] !== undefined);
    t.false(settled[0] instanceof Error, String(settled[0]));
    t.false(settled[1] instanceof Error, String(settled[1]));
    const [server, client] = settled as [SecureConnection, SecureConnection];
    t.is(server.protocol, 'TLSv1.3');

    // 60 virtual seconds: a packet each way every virtual second.
    const start = s.world.now;
    const before = { alice: stun('alice'), bob: stun('bob') };
    const gotByServer: number[] = [];
    const gotByClient: number[] = [];
    server.on('packet', (p: Buffer) => gotByServer.push(p.readUInt32BE(0)));
    client.on('packet', (p: Buffer) => gotByClient.push(p.readUInt32BE(0)));
    for (let second = 0; second < 60; second++) {
      const packet = Buffer.alloc(600);
      packet.writeUInt32BE(second);
      client.send(packet);
      server.send(packet);
      await drive(s, [a, b], 1000);
    }
    t.true(s.world.now - start >= 60_000);
    await drive(s, [a, b], 1000, () => gotByServer.length === 60 && gotByClient.length === 60);
    t.deepEqual(gotByServer, [...Array(60).keys()]);
    t.deepEqual(gotByClient, [...Array(60).keys()]);

    // Consent ran underneath: requests both ways, every one answered, never inside TLS.
    for (const [host, peer] of [
      ['bob', 'alice'],
      ['alice', 'bob'],
    ] as const) {
      const requests = stun(host).requests - before[host].requests;
      const answers = stun(peer).successes - before[peer].successes;
      t.true(requests >= 10, `${requests} consent checks reached ${host} in 60 s (RFC 7675 §5.1: every 5 s ±20%)`);
      t.true(answers >= requests - 1, `${answers} answers for ${requests} checks`);
    }
    t.is(server.stunPacketsSkipped + client.stunPacketsSkipped, 0, 'the core kept its STUN; none reached TLS');
    t.is(s.a.core.state, 'completed');
    t.is(s.b.core.state, 'completed');
    for (const agent of [s.a, s.b]) {
      t.false(agent.stateHistory().includes('disconnected'), `${agent.name} never lost consent`);
      t.false(agent.stateHistory().includes('failed'));
    }
    t.deepEqual([...s.a.anomalies, ...s.b.anomalies], []);
    server.destroy();
    client.destroy();
  });
}
