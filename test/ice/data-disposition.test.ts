/**
 * The contract the runtime's data path relies on (types.ts, PacketDisposition):
 * classifying a packet as application data changes nothing in the core — no
 * transmit, command or event to poll, and the same next timeout — so the
 * runtime may skip draining after it.
 */
import test from 'ava';
import type { Candidate } from '../../lib/candidate/index.js';
import { IceCore, seededRandom, type Address } from '../../lib/ice/index.js';

const hostA: Candidate = {
  foundation: 'a',
  component: 1,
  transport: 'udp',
  priority: 2130706431,
  address: '10.0.0.1',
  port: 1000,
  type: 'host',
  extensions: [],
};
const hostB: Candidate = { ...hostA, foundation: 'b', address: '10.0.0.2', port: 2000 };
const fromA: Address = { address: '10.0.0.1', port: 1000 };
const fromB: Address = { address: '10.0.0.2', port: 2000 };

test("a packet classified 'data' leaves nothing to poll and the timeout unchanged", (t) => {
  let now = 0;
  const a = new IceCore({ controlling: true, random: seededRandom(3) });
  const b = new IceCore({ controlling: false, random: seededRandom(4) });
  a.addLocalCandidate(now, { candidate: hostA, transportId: 'A' });
  b.addLocalCandidate(now, { candidate: hostB, transportId: 'B' });
  a.setRemoteCredentials(now, b.localCredentials);
  b.setRemoteCredentials(now, a.localCredentials);
  a.addRemoteCandidate(now, hostB);
  b.addRemoteCandidate(now, hostA);
  const pump = (): void => {
    for (let moved = true; moved;) {
      moved = false;
      for (let tx = a.pollTransmit(); tx !== undefined; tx = a.pollTransmit(), moved = true)
        b.handlePacket(now, { transportId: 'B', from: fromA, data: tx.data });
      for (let tx = b.pollTransmit(); tx !== undefined; tx = b.pollTransmit(), moved = true)
        a.handlePacket(now, { transportId: 'A', from: fromB, data: tx.data });
      while (a.pollEvent() !== undefined || b.pollEvent() !== undefined) moved = true;
    }
  };
  for (let i = 0; i < 100 && a.state !== 'completed'; i++) {
    now += 50;
    a.handleTimeout(now);
    b.handleTimeout(now);
    pump();
  }
  t.is(a.state, 'completed');
  const timeout = a.pollTimeout();
  now += 1;
  for (const first of [0x80, 0x17, 0x00]) {
    // RTP-like, TLS-like, and a first byte of 0 that is not STUN: all data from the valid pair.
    const packet = Buffer.alloc(64, 0xab);
    packet[0] = first;
    t.deepEqual(a.handlePacket(now, { transportId: 'A', from: fromB, data: packet }), { kind: 'data', component: 1 });
    t.is(a.pollTransmit(), undefined);
    t.is(a.pollConnectionCommand(), undefined);
    t.is(a.pollEvent(), undefined);
    t.is(a.pollTimeout(), timeout);
  }
});
