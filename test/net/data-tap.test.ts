// The selected route's application data goes straight from the route
// connection (framed TCP connection, UDP socket) to the IceConnection; what is
// or may be STUN still reaches the core (RFC 7983, RFC 8489 §6.3, RFC 6544
// §10.1). Observed through a core wrapper that counts handlePacket calls by
// what the core made of each packet.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { IceCore } from '../../lib/ice/ice-core.js';
import type { IceCoreApi, IceCoreOptions, PacketDisposition, PacketInput } from '../../lib/ice/types.js';
import type { IceAgentOptions } from '../../lib/net/agent/agent-options.js';
import type { IceConnection } from '../../lib/net/agent/ice-connection.js';
import { encodeStun, StunClass, StunMethod } from '../../lib/stun/index.js';
import { agentPair, wire } from './helpers.js';

/** What the core was handed, by its verdict. */
interface CoreTally {
  data: number;
  stun: number;
  /** Binding indications among `stun` (message type 0x0011). */
  indications: number;
  other: number;
}

/** A core that counts what `handlePacket` said about each packet (the rest passes through). */
function countingCore(tally: CoreTally): (options: IceCoreOptions) => IceCoreApi {
  return (options) => {
    const core = new IceCore(options);
    const handlePacket = core.handlePacket.bind(core);
    core.handlePacket = (now: number, packet: PacketInput): PacketDisposition => {
      const verdict = handlePacket(now, packet);
      if (typeof verdict === 'object') tally.data++;
      else if (verdict === 'stun') {
        tally.stun++;
        if (packet.data.length >= 2 && packet.data.readUInt16BE(0) === 0x0011) tally.indications++;
      } else tally.other++;
      return verdict;
    };
    return core;
  };
}

/** A STUN Binding indication (a keepalive, RFC 8445 §11): well-formed STUN, first byte 0. */
function bindingIndication(): Buffer {
  return encodeStun({ class: StunClass.Indication, method: StunMethod.Binding, transactionId: randomBytes(12) }, { fingerprint: true });
}

/**
 * Passes `isStun` (cookie, length) but cannot be decoded (an attribute runs
 * past the end): the core classifies it as data from the valid pair
 * (RFC 8489 §6.3), so it must still be delivered, in order.
 */
function stunLookalike(): Buffer {
  const b = Buffer.alloc(24);
  b.writeUInt16BE(0x0001, 0);
  b.writeUInt16BE(4, 2);
  b.writeUInt32BE(0x2112a442, 4);
  randomBytes(12).copy(b, 8);
  b.writeUInt16BE(0x0001, 20); // MAPPED-ADDRESS …
  b.writeUInt16BE(16, 22); // … announcing 16 bytes that are not there
  return b;
}

async function connectedPair(
  transport: 'udp' | 'tcp',
  tally: CoreTally,
): Promise<{ sender: IceConnection; receiver: IceConnection; close: () => Promise<void> }> {
  const only: Partial<IceAgentOptions> =
    transport === 'tcp'
      ? { udp: false, tcp: { active: true, passive: false, so: false } }
      : { udp: true, tcp: { active: false, passive: false, so: false } };
  const other: Partial<IceAgentOptions> = transport === 'tcp' ? { udp: false, tcp: { active: false, passive: true, so: false } } : only;
  const { left, right } = agentPair({ addresses: ['127.0.0.1'] }, { ...only, testing: { createCore: countingCore(tally) } }, other);
  await wire(left, right);
  const [receiver, sender] = await Promise.all([left.connect({ timeoutMs: 10_000 }), right.connect({ timeoutMs: 10_000 })]);
  return { sender, receiver, close: () => Promise.all([left.close(), right.close()]).then(() => undefined) };
}

for (const transport of ['tcp', 'udp'] as const) {
  test.serial(`${transport}: data of the selected route bypasses the core; STUN on it still reaches the core`, async (t) => {
    const tally: CoreTally = { data: 0, stun: 0, indications: 0, other: 0 };
    const { sender, receiver, close } = await connectedPair(transport, tally);
    t.teardown(close);
    t.is(receiver.transport, transport);
    const received: Buffer[] = [];
    receiver.on('packet', (p: Buffer) => received.push(Buffer.from(p)));
    // Settle: the first packets may still race the peer's selection.
    sender.send(Buffer.from('warm-up'));
    await waitFor(() => received.length === 1);
    received.length = 0;
    const before = { ...tally };

    const data = [
      Buffer.from('plain data'),
      Buffer.from([0, 1, 2, 3, 4, 5, 6, 7]), // first byte 0-3, not STUN (RFC 6544 §10.1)
      ...Array.from({ length: 50 }, (_, i) => Buffer.alloc(1200, 0x80 + (i % 64))),
    ];
    for (const p of data) sender.send(p);
    await waitFor(() => received.length >= data.length);
    t.deepEqual(received, data);
    t.is(tally.data, before.data, 'no data packet of the selected route went through the core');

    // A well-formed STUN message on the data path is the core's, not the application's.
    sender.send(bindingIndication());
    // A STUN look-alike the core cannot decode is data from the valid pair (RFC 8489 §6.3): delivered, after the core saw it.
    const lookalike = stunLookalike();
    sender.send(lookalike);
    const last = Buffer.from('after');
    sender.send(last);
    await waitFor(() => received.length >= data.length + 2);
    t.deepEqual(received.slice(data.length), [lookalike, last], 'the indication was not delivered; the rest in order');
    t.is(tally.indications, before.indications + 1, 'the indication reached the core');
    t.is(tally.data, before.data + 1, 'only the look-alike went through the core as data');
  });
}

async function waitFor(condition: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
