// A strict consumer under the old `moduleResolution: node` (node10), which
// knows no `exports`: `main`/`types` serve `ice-tcp`, `typesVersions` the
// subpaths. Types only, checked by tsc --noEmit.
import { IceAgent, type IceConnection } from 'ice-tcp';
import { IceCore } from 'ice-tcp/core';
import { decodeStun } from 'ice-tcp/stun';
import { FrameDecoder } from 'ice-tcp/framing';
import { replaySession } from 'ice-tcp/replay';
import { StunServer } from 'ice-tcp/stun-server';

declare const connection: IceConnection;
connection.on('packet', (packet: Buffer) => packet.length);
// @ts-expect-error a misspelt event name does not compile
connection.on('pakcet', () => undefined);
export type Seen = [typeof IceAgent, typeof IceCore, typeof decodeStun, typeof FrameDecoder, typeof replaySession, typeof StunServer];
