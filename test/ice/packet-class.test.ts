/**
 * classifyPacket (lib/ice/packet-class.ts): every kind of packet, with its
 * reason, from a view of the agent's state; the view is never changed.
 */
import test from 'ava';
import { classifyPacket, type ClassifierView } from '../../lib/ice/packet-class.js';
import type { TcpConnection } from '../../lib/ice/tcp-bookkeeping.js';
import type { Pair } from '../../lib/ice/pair.js';
import type { Address, PacketInput } from '../../lib/ice/types.js';
import { encodeStun, StunClass, StunMethod } from '../../lib/stun/index.js';

const peer: Address = { address: '10.0.0.2', port: 6000 };
const stranger: Address = { address: '10.0.0.9', port: 1 };

/** A view with one valid pair (component 2) from `peer` on transport T (and on connection `routed`). */
function view(options: { closed?: boolean; connections?: TcpConnection[] } = {}): ClassifierView {
  const pair = { component: 2 } as Pair;
  const connections = new Map((options.connections ?? []).map((c) => [c.id, c]));
  return {
    closed: options.closed ?? false,
    dataRoutes: {
      lookup: (transportId: string, connectionId: string | undefined, from: Address) =>
        transportId === 'T' &&
        (connectionId === undefined || connectionId === 'routed') &&
        from.address === peer.address &&
        from.port === peer.port
          ? pair
          : undefined,
    },
    tcp: { get: (id: string) => connections.get(id) },
  };
}

function connection(id: string, origin: 'accept' | 'connect', awaitingFirstFrame: boolean): TcpConnection {
  return { id, transportId: 'T', local: { address: '10.0.0.1', port: 5000 }, remote: peer, origin, awaitingFirstFrame };
}

const packet = (data: Buffer, from = peer, connectionId?: string): PacketInput =>
  connectionId === undefined ? { transportId: 'T', from, data } : { transportId: 'T', connectionId, from, data };

const stun = (cls: StunClass, method: number = StunMethod.Binding): Buffer =>
  encodeStun({ class: cls, method, transactionId: Buffer.alloc(12, 7), attributes: {} });

test('an empty packet is junk', (t) => {
  t.deepEqual(classifyPacket(view(), packet(Buffer.alloc(0))), { kind: 'junk', reason: 'empty packet' });
});

test('a first byte above 3 from a valid pair is data of its component (RFC 7983)', (t) => {
  t.deepEqual(classifyPacket(view(), packet(Buffer.from([0x80, 1]))), { kind: 'data', component: 2 });
  t.deepEqual(
    classifyPacket(view({ closed: true }), packet(Buffer.from([0x17, 1]))),
    { kind: 'data', component: 2 },
    'before the closed check',
  );
});

test('a first byte above 3 from no valid pair is junk; as the first frame of a connection it breaks RFC 6544 §7.1/§7.2', (t) => {
  t.deepEqual(classifyPacket(view(), packet(Buffer.from([0x80]), stranger)), {
    kind: 'junk',
    reason: 'not STUN and not from a valid pair (RFC 7983)',
  });
  const fresh = connection('new', 'accept', true);
  t.deepEqual(classifyPacket(view({ connections: [fresh] }), packet(Buffer.from([0x80]), peer, 'new')), {
    kind: 'junk',
    reason: 'not STUN and not from a valid pair (RFC 7983)',
    rejects: fresh,
    firstFrameRule: 'first frame is not STUN',
  });
  t.true(fresh.awaitingFirstFrame, 'the view is not changed');
});

test('STUN-range bytes on a closed agent, or on an unknown connection, are junk', (t) => {
  t.deepEqual(classifyPacket(view({ closed: true }), packet(stun(StunClass.Request))), { kind: 'junk', reason: 'agent closed' });
  t.deepEqual(classifyPacket(view(), packet(stun(StunClass.Request), peer, 'gone')), {
    kind: 'junk',
    reason: 'unknown or closed connection',
  });
});

test('0-3 bytes that are not STUN: data from a valid pair (RFC 8489 §6.3), junk otherwise, a first-frame violation on a new connection', (t) => {
  const notStun = Buffer.from([0, 1, 2]);
  t.deepEqual(classifyPacket(view(), packet(notStun)), { kind: 'data', component: 2 });
  const junk = classifyPacket(view(), packet(notStun, stranger));
  t.is(junk.kind, 'junk');
  t.regex(junk.kind === 'junk' ? junk.reason : '', /^not STUN \(/);
  // STUN's header checks pass, the body is broken: data from the valid pair all the same.
  const headerOnly = Buffer.from('000100082112a442000102030405060708090a0b00080010aabbccdd', 'hex');
  t.deepEqual(classifyPacket(view(), packet(headerOnly)), { kind: 'data', component: 2 });
  const fresh = connection('routed', 'connect', true);
  const first = classifyPacket(view({ connections: [fresh] }), packet(notStun, peer, 'routed'));
  t.like(first, { kind: 'junk', rejects: fresh, firstFrameRule: 'first frame is not STUN' }, 'a first frame is never data');
});

test('STUN requests, responses and indications are told apart, with their connection and first-frame flag', (t) => {
  const request = classifyPacket(view(), packet(stun(StunClass.Request)));
  t.like(request, { kind: 'request', connection: undefined, firstFrame: false });
  t.is(request.kind === 'request' ? request.message.method : undefined, StunMethod.Binding);
  t.like(classifyPacket(view(), packet(stun(StunClass.SuccessResponse))), { kind: 'response' });
  t.like(classifyPacket(view(), packet(stun(StunClass.ErrorResponse))), { kind: 'response' });
  t.like(classifyPacket(view(), packet(stun(StunClass.Indication))), { kind: 'indication' });
  const fresh = connection('new', 'accept', true);
  t.like(classifyPacket(view({ connections: [fresh] }), packet(stun(StunClass.Request), peer, 'new')), {
    kind: 'request',
    connection: fresh,
    firstFrame: true,
  });
  const ours = connection('ours', 'connect', true);
  t.like(classifyPacket(view({ connections: [ours] }), packet(stun(StunClass.SuccessResponse), peer, 'ours')), {
    kind: 'response',
    connection: ours,
  });
});

test('the first frame on an accepted connection must be a Binding request (RFC 6544 §7.2)', (t) => {
  for (const data of [stun(StunClass.Indication), stun(StunClass.SuccessResponse), stun(StunClass.Request, 0x003)]) {
    const fresh = connection('new', 'accept', true);
    t.deepEqual(classifyPacket(view({ connections: [fresh] }), packet(data, peer, 'new')), {
      kind: 'junk',
      reason: 'first frame is not a Binding request',
      rejects: fresh,
      firstFrameRule: 'first frame is not a Binding request',
    });
  }
});
