/**
 * Consent follows application data over real sockets (RFC 7675 §5.1,
 * `consent.whenIdle: 'suspend'`, the default): a pair idle past the consent
 * expiry keeps its session (no `disconnected`, no `failed`); its route goes
 * `null` while consent is stale, `send()` then queues (returns `false`), the
 * core regains consent with a check and the queued packets leave in order,
 * followed by `'drain'`. Over UDP and over ICE-TCP, on loopback, with the
 * consent timers shortened (expiry 6 s instead of 30 s) so that two idle
 * periods of more than one expiry each take seconds, not minutes.
 */
import test from 'ava';
import { once } from 'node:events';
import type { IceAgent } from '../../lib/net/agent/agent.js';
import type { IceConnection } from '../../lib/net/agent/ice-connection.js';
import { agentPair, wire } from './helpers.js';

// RFC 7675 §5.1 minimum interval (4 s); expiry shortened from 30 s; disconnected between the two.
const consent = { intervalMs: 4000, expiryMs: 6000, disconnectedAfterMs: 5000 };

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

function packet(tag: number, i: number): Buffer {
  const b = Buffer.alloc(16, 0x61);
  b[0] = 0x80; // never STUN (RFC 7983)
  b.writeUInt16BE(tag, 2);
  b.writeUInt32BE(i, 4);
  return b;
}

/** Idles until `from`'s route is withdrawn (stale consent), then sends `count` packets and checks they arrive in order. */
async function idleThenSend(t: import('ava').ExecutionContext, from: IceConnection, to: IceConnection, tag: number, count: number) {
  const transport = from.transport;
  t.true(await waitFor(() => from.route === null, 30_000), 'the route is withdrawn once consent is stale (RFC 7675 §5.1)');
  t.is(from.transport, transport, 'the connection still says which transport it runs on (e.g. for TLS over TCP)');
  const received: number[] = [];
  const onPacket = (p: Buffer): void => {
    if (p.readUInt16BE(2) === tag) received.push(p.readUInt32BE(4));
  };
  to.on('packet', onPacket);
  const drained = once(from, 'drain');
  const accepted: boolean[] = [];
  for (let i = 0; i < count; i++) accepted.push(from.send(packet(tag, i)));
  t.false(accepted[0], 'stale consent: the packet waits (send() returns false)');
  t.true(from.queuedPackets > 0);
  await drained;
  t.not(from.route, null, 'consent regained');
  t.true(await waitFor(() => received.length === count, 10_000), `${received.length} of ${count} arrived`);
  t.deepEqual(received, [...Array(count).keys()], 'all of them, in order');
  t.is(from.droppedPackets, 0);
  to.off('packet', onPacket);
}

for (const transport of ['udp', 'tcp'] as const) {
  test(`an idle ${transport} pair stays usable across idle periods longer than the consent expiry; data waits for consent, then flows in order`, async (t) => {
    const options = transport === 'udp' ? { tcp: false as const } : { udp: false as const };
    const { left, right } = agentPair({ addresses: ['127.0.0.1'], consent, ...options });
    t.teardown(() => Promise.all([left.close(), right.close()]));
    const states: string[] = [];
    const badStates = (agent: IceAgent): void => {
      agent.on('state', (state: string) => {
        if (state === 'disconnected' || state === 'failed') states.push(state);
      });
    };
    badStates(left);
    badStates(right);
    await wire(left, right);
    const [cl, cr] = await Promise.all([left.connect({ timeoutMs: 20_000 }), right.connect({ timeoutMs: 20_000 })]);
    t.is(cl.transport, transport);
    await idleThenSend(t, cl, cr, 1, 20);
    await idleThenSend(t, cr, cl, 2, 20);
    await idleThenSend(t, cl, cr, 3, 5);
    t.deepEqual(states, [], 'never disconnected nor failed by our own silence');
    t.true(left.state === 'connected' || left.state === 'completed');
    t.true(right.state === 'connected' || right.state === 'completed');
  });
}
