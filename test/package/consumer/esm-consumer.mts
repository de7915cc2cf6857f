// A strict ESM consumer of the packed package (scripts/smoke-pack.mjs
// compiles it with skipLibCheck off and runs it). Every entry point, and the
// typed events: each @ts-expect-error must stay an error.
import { IceAgent, IceAgentError, IceTcpError, generateCertificate, type IceCandidate, type IceConnection, type IceState } from 'ice-tcp';
import { IceCore, seededRandom, type IceCoreOptions } from 'ice-tcp/core';
import { StunClass, StunMethod, decodeStun, encodeStun } from 'ice-tcp/stun';
import { FrameDecoder, encodeFrame } from 'ice-tcp/framing';
import { RECORDING_FORMAT, type SessionRecording } from 'ice-tcp/replay';
import { StunServer } from 'ice-tcp/stun-server';

type IsAny<T> = 0 extends 1 & T ? true : false;

const agent = new IceAgent({ controlling: true, udp: false, tcp: true, addresses: ['127.0.0.1'] });
agent.on('candidate', (candidate: IceCandidate) => console.log(candidate.toSdp()));
agent.on('state', (state, previous) => {
  const both: [IceState, IceState] = [state, previous];
  void both;
});
agent.on('warning', (warning) => console.log(warning.code));
agent.on('unusable-address', ({ address, reason }) => console.log(address, reason));
// @ts-expect-error a misspelt event name does not compile
agent.on('candidtae', () => undefined);
// @ts-expect-error the agent reports through 'warning'; it has no 'error' event
agent.on('error', () => undefined);
const connection: IceConnection = agent.connection();
connection.on('packet', (packet) => {
  const typed: IsAny<typeof packet> = false;
  const buffer: Buffer = packet;
  void typed;
  void buffer;
});
// @ts-expect-error 'packet' carries a Buffer
connection.on('packet', (packet: string) => packet);

const options: IceCoreOptions = { controlling: true, random: seededRandom(1) };
const core = new IceCore(options);
const request = encodeStun({ class: StunClass.Request, method: StunMethod.Binding, transactionId: Buffer.alloc(12, 1) });
const decoded = decodeStun(request);
const frames: Buffer[] = [];
new FrameDecoder().push(encodeFrame(request), (frame) => frames.push(frame));
const recording: Pick<SessionRecording, 'format'> = { format: RECORDING_FORMAT };
const server = new StunServer();
const certificate = generateCertificate();

if (!(new IceAgentError('ERR_AGENT_CLOSED', 'x') instanceof IceTcpError)) throw new Error('error classes');
if (decoded.method !== StunMethod.Binding || frames.length !== 1 || core.controlling !== true) throw new Error('lower layers');
if (certificate.keyType !== 'ecdsa-p256' || recording.format !== RECORDING_FORMAT) throw new Error('certificate or replay');
await server.close();
await agent.close();
console.log('esm ok');
