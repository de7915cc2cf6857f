/**
 * Stories about a third party who knows the ufrags but not the passwords
 * (RFC 8445 §7.3, RFC 8489 §9.1.3–§9.1.4): forged checks are answered 401
 * and never lead to a pair, a selection or a role change; forged responses
 * are dropped; over TCP a first frame with a bad MESSAGE-INTEGRITY closes
 * the connection (RFC 6544 §7.2).
 */
import test from 'ava';
import type { Address } from '../../lib/ice/types.js';
import { decodeStun, encodeStun, isStun, shortTermKey, StunClass, StunMethod } from '../../lib/stun/index.js';
import type { TcpNetEvent } from './vnet/endpoints.js';
import { Prng } from './vnet/prng.js';
import { bothCompleted, endpoint, finishGathering, twoAgents } from './vnet/scenario.js';
import { Wire } from './vnet/wire.js';

const WRONG_KEY = shortTermKey('not-the-password-at-all-xx');

function forgedRequest(prng: Prng, username: string): Buffer {
  return encodeStun(
    {
      class: StunClass.Request,
      method: StunMethod.Binding,
      transactionId: prng.bytes(12),
      attributes: { username, priority: 0x7effffff, iceControlling: 0xffffffffffffffffn, useCandidate: true },
    },
    { integrityKey: WRONG_KEY, fingerprint: true },
  );
}

test('checks with a bad MESSAGE-INTEGRITY are answered 401 and never become a pair, a selection or a role change', (t) => {
  const s = twoAgents({ seed: 61, a: { name: 'alice', controlling: true }, b: { name: 'bob', controlling: false } });
  const { world, a, b } = s;
  const wire = new Wire(world.net);
  const mallory = world.net.addHost('mallory', ['10.0.0.66']);
  const sock = world.net.bindUdp(mallory, { address: '10.0.0.66', port: 6666 }, { onUdp: () => undefined });
  const prng = new Prng(61);
  const bobAddr: Address = { address: b.localCandidates[0].address, port: b.localCandidates[0].port };
  const username = `${b.core.localCredentials.ufrag}:${a.core.localCredentials.ufrag}`;
  // Mallory floods Bob with nominating, role-grabbing checks, from her own address and spoofing Alice's.
  const aliceAddr: Address = { address: a.localCandidates[0].address, port: a.localCandidates[0].port };
  for (let i = 0; i < 100; i++) {
    world.net.clock.at(i * 10, 'mallory', () => {
      world.net.sendUdp(mallory, sock, bobAddr, forgedRequest(prng, username));
      world.net.sendUdp(mallory, aliceAddr, bobAddr, forgedRequest(prng, username));
    });
  }
  finishGathering(s);
  t.true(world.runUntil(() => bothCompleted(s), 10000));
  world.runFor(1000);
  const toMallory = wire.stun.filter((w) => w.fromHost === 'bob' && w.to.address === '10.0.0.66');
  t.is(toMallory.length, 100, 'every forged check is answered');
  for (const w of toMallory) {
    t.is(w.msg.class, StunClass.ErrorResponse);
    t.is(w.msg.attributes.errorCode?.code, 401);
    t.false(w.msg.hasIntegrity, 'RFC 8489 §9.1.3: a 401 carries no MESSAGE-INTEGRITY');
  }
  t.true(b.core.pairs().every((p) => p.remote.address !== '10.0.0.66'));
  t.true(b.eventsOf('remote-candidate').every((e) => e.candidate.address !== '10.0.0.66'));
  t.false(b.core.controlling, 'an unauthenticated ICE-CONTROLLING does not change the role');
  t.deepEqual(b.eventsOf('role'), []);
  t.is(b.eventsOf('selected-pair').length, 1);
  t.is(endpoint(b.selectedPair()!.remote), endpoint(aliceAddr));
  t.deepEqual([...a.anomalies, ...b.anomalies], []);
});

test('forged success responses with a bad MESSAGE-INTEGRITY are dropped: no false mapped address, no early success', (t) => {
  const s = twoAgents({ seed: 62, a: { name: 'alice', controlling: true }, b: { name: 'bob', controlling: false } });
  const { world, a, b } = s;
  const mallory = world.net.addHost('mallory', ['10.0.0.66'], { latencyMs: 0 });
  let forged = 0;
  world.net.udpTaps.push((trace) => {
    if (trace.fromHost !== 'alice' || trace.fate !== 'sent' || !isStun(trace.data)) return;
    const request = decodeStun(trace.data);
    if (request.class !== StunClass.Request) return;
    // Mallory sees the check and races Bob's answer with a forged one (arrives first: she is closer).
    const response = encodeStun(
      {
        class: StunClass.SuccessResponse,
        method: StunMethod.Binding,
        transactionId: request.transactionId,
        attributes: { xorMappedAddress: { family: 4, address: '6.6.6.6', port: 666 } },
      },
      { integrityKey: WRONG_KEY, fingerprint: true },
    );
    forged++;
    world.net.clock.after(0, 'forge', () => world.net.sendUdp(mallory, trace.to, trace.from, response));
  });
  finishGathering(s);
  t.true(world.runUntil(() => bothCompleted(s), 10000));
  t.true(forged > 0);
  t.true(
    a.eventsOf('local-candidate').every((e) => e.candidate.address !== '6.6.6.6'),
    'no prflx from a forged mapping',
  );
  t.true(a.core.pairs().every((p) => p.local.address !== '6.6.6.6'));
  t.is(endpoint(a.selectedPair()!.remote), endpoint(b.selectedPair()!.local));
  t.deepEqual([...a.anomalies, ...b.anomalies], []);
});

test('over TCP, a first frame with a wrong MESSAGE-INTEGRITY gets the connection closed and never a success', (t) => {
  const s = twoAgents({
    seed: 63,
    a: { name: 'alice', controlling: true, udp: false, tcp: ['active'] },
    b: { name: 'bob', controlling: false, udp: false, tcp: ['passive'] },
  });
  const { world, a, b } = s;
  const mallory = world.net.addHost('mallory', ['10.0.0.66']);
  const seen: TcpNetEvent[] = [];
  const prng = new Prng(63);
  const passive = b.localCandidates.find((c) => c.tcpType === 'passive')!;
  const username = `${b.core.localCredentials.ufrag}:${a.core.localCredentials.ufrag}`;
  world.net.tcp.connect(
    mallory,
    { tag: 'mallory', local: { address: '10.0.0.66', port: 0 }, remote: { address: passive.address, port: passive.port }, timeoutMs: 5000 },
    {
      onTcp: (_now, e) => {
        seen.push(e);
        if (e.type === 'connected') world.net.tcp.send(e.connectionId, forgedRequest(prng, username));
      },
    },
  );
  finishGathering(s);
  t.true(
    world.runUntil(() => bothCompleted(s), 10000),
    `states: ${a.core.state} / ${b.core.state}`,
  );
  world.runFor(1000);
  t.truthy(
    seen.find((e) => e.type === 'connected'),
    'Mallory got in',
  );
  const replies = seen.filter((e): e is Extract<TcpNetEvent, { type: 'frame' }> => e.type === 'frame').map((e) => decodeStun(e.data));
  t.true(
    replies.every((r) => r.class === StunClass.ErrorResponse && r.attributes.errorCode?.code === 401),
    'at most a 401',
  );
  t.truthy(
    seen.find((e) => e.type === 'closed'),
    'Bob closed the connection (RFC 6544 §7.2)',
  );
  t.true(b.core.pairs().every((p) => p.remote.address !== '10.0.0.66'));
  t.true(b.eventsOf('remote-candidate').every((e) => e.candidate.address !== '10.0.0.66'));
  t.is(b.selectedPair()!.local.tcpType, 'passive');
  t.deepEqual([...a.anomalies, ...b.anomalies], []);
});
