// A strict consumer under `moduleResolution: bundler` (what Vite, esbuild and
// webpack users compile with): types only, checked by tsc --noEmit.
import { IceAgent, secureTls, type SecureConnection } from 'ice-tcp';
import type { IceEvent } from 'ice-tcp/core';
import type { StunMessage } from 'ice-tcp/stun';
import type { FramedConnection } from 'ice-tcp/framing';
import type { ReplayResult } from 'ice-tcp/replay';
import type { StunServerStats } from 'ice-tcp/stun-server';

declare const secure: SecureConnection;
declare const framed: FramedConnection;
secure.on('packet', (packet: Buffer) => packet.length);
framed.on('end', () => undefined);
// @ts-expect-error FramedConnection has no 'route' event
framed.on('route', () => undefined);
export type Seen = [IceEvent, StunMessage, ReplayResult, StunServerStats, typeof IceAgent, typeof secureTls];
