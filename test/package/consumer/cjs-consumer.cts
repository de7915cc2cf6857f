// A strict CommonJS consumer of the packed package: imports compile to
// require() and resolve through the `require` branch of `exports`.
import { IceAgent, parseCandidate, type IceConnection } from 'ice-tcp';
import { IceCore, seededRandom } from 'ice-tcp/core';
import { isStun } from 'ice-tcp/stun';
import { encodeFrame } from 'ice-tcp/framing';
import { parseRecording } from 'ice-tcp/replay';
import { answerBindingRequest } from 'ice-tcp/stun-server';

type IsAny<T> = 0 extends 1 & T ? true : false;

const agent = new IceAgent({ controlling: false, udp: true, tcp: false, addresses: ['127.0.0.1'] });
// @ts-expect-error a misspelt event name does not compile
agent.on('selected-piar', () => undefined);
const connection: IceConnection = agent.connection();
connection.on('drop', (error, packet) => {
  const typed: [IsAny<typeof error>, IsAny<typeof packet>] = [false, false];
  void typed;
});
const candidate = parseCandidate('candidate:1 1 TCP 2128609279 192.0.2.1 9 typ host tcptype active');
const core = new IceCore({ controlling: false, random: seededRandom(2) });
if (candidate.tcpType !== 'active' || isStun(encodeFrame(Buffer.alloc(4))) || core.controlling) throw new Error('cjs');
if (typeof parseRecording !== 'function' || typeof answerBindingRequest !== 'function') throw new Error('cjs entries');
void agent.close().then(() => console.log('cjs ok'));
