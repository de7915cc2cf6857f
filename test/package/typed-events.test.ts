/**
 * Typed events, checked by the compiler: `npm run build:test` compiles this
 * file, and every `@ts-expect-error` below must still be an error (an unused
 * one fails the build). At run time the listeners really fire, so the maps
 * also match what is emitted.
 */
import test from 'ava';
import { duplexPair } from 'node:stream';
import {
  IceAgent,
  IceTcpError,
  SharedPassiveListener,
  type IceAgentEvents,
  type IceCandidate,
  type IceConnection,
  type IceState,
  type PairInfo,
  type SecureConnection,
} from '../../lib/index.js';
import { BatchingFrameWriter, FramedConnection, encodeFrame } from '../../lib/api/framing-api.js';

type IsAny<T> = 0 extends 1 & T ? true : false;

/** Compiled, never called: listener signatures the compiler must accept or refuse. */
export function typeChecks(agent: IceAgent, connection: IceConnection, secure: SecureConnection, listener: SharedPassiveListener): void {
  agent.on('candidate', (candidate: IceCandidate) => candidate.toSdp());
  agent.on('state', (state: IceState, previous: IceState) => [state, previous]);
  agent.on('selected-pair', (pair: PairInfo) => pair.id);
  agent.on('warning', (warning: IceTcpError) => warning.code);
  agent.on('unusable-address', ({ address, reason }) => `${address}: ${reason}`);
  // @ts-expect-error a misspelt event name does not compile
  agent.on('candidtae', () => undefined);
  // @ts-expect-error the agent has no 'error' event: its reports are 'warning's
  agent.on('error', () => undefined);
  // @ts-expect-error 'state' carries IceState values, not numbers
  agent.on('state', (state: number) => state);
  // @ts-expect-error emitting needs the event's arguments
  agent.emit('selected-pair');

  connection.on('packet', (packet) => {
    const notAny: IsAny<typeof packet> = false;
    const buffer: Buffer = packet;
    return [notAny, buffer];
  });
  // @ts-expect-error 'packet' carries a Buffer
  connection.on('packet', (packet: string) => packet);
  // @ts-expect-error IceConnection has no 'selected-pair' event (the agent has)
  connection.on('selected-pair', () => undefined);

  secure.on('end', () => undefined);
  secure.on('error', (error: Error) => error.message);
  // @ts-expect-error SecureConnection has no 'route' event
  secure.on('route', () => undefined);

  listener.on('rejected', (rejection) => rejection.reason);
  // @ts-expect-error 'routed' gives the ufrag first
  listener.on('routed', (ufrag: number) => ufrag);
}

test('the typed event maps match what is emitted: agent, connection, framed connection, writer', async (t) => {
  const agent = new IceAgent({ controlling: true, udp: true, tcp: false, addresses: ['127.0.0.1'] });
  const seen: Array<keyof IceAgentEvents> = [];
  agent.on('candidate', (candidate) => {
    seen.push('candidate');
    t.is(typeof candidate.toSdp(), 'string');
  });
  agent.on('gathering-done', () => seen.push('gathering-done'));
  agent.on('close', () => seen.push('close'));
  await agent.gather();
  await agent.close();
  t.deepEqual([...new Set(seen)], ['candidate', 'gathering-done', 'close']);

  const [a, b] = duplexPair();
  const left = new FramedConnection(a);
  const right = new FramedConnection(b);
  const packet = new Promise<Buffer>((resolve) => right.once('packet', resolve));
  left.send(Buffer.from('typed'));
  t.is((await packet).toString(), 'typed');
  const writer = new BatchingFrameWriter(a);
  t.true(typeof writer.write === 'function');
  t.is(encodeFrame(Buffer.from('x')).length, 3);
  left.close();
  right.close();
});
