/**
 * What a packet is, before anything is done with it: the first half of
 * `IceCore.handlePacket` (classify, then dispatch). {@link classifyPacket}
 * reads the agent's state and changes nothing; the dispatch in ice-core.ts
 * acts on the class.
 */
import { decodeStun, isStun, StunClass, StunMethod, type StunMessage } from '../stun/index.js';
import type { DataRouteIndex } from './data-routes.js';
import type { TcpConnection, TcpConnectionTable } from './tcp-bookkeeping.js';
import type { DataDisposition, PacketInput } from './types.js';

/** The class of one packet. */
export type PacketClass =
  /** Application data from a valid pair of `component` (RFC 8445 §12, RFC 7983): the shared {@link dataDisposition}. */
  | DataDisposition
  /** A STUN request for us (its first frame, when `firstFrame`, on `connection`). */
  | { kind: 'request'; message: StunMessage; connection: TcpConnection | undefined; firstFrame: boolean }
  /** A STUN response (to a check or a consent check of ours, or late). */
  | { kind: 'response'; message: StunMessage; connection: TcpConnection | undefined }
  /** A STUN indication (a keepalive, RFC 8445 §11). */
  | { kind: 'indication'; message: StunMessage; connection: TcpConnection | undefined }
  /**
   * Neither: dropped, with the reason. `rejects`: the packet is the first
   * frame of this connection and breaks RFC 6544 §7.1/§7.2's first-frame
   * rule (`firstFrameRule` says how), so the connection goes.
   */
  | { kind: 'junk'; reason: string; rejects?: TcpConnection; firstFrameRule?: string };

/** The parts of the agent's state a classification reads. */
export interface ClassifierView {
  readonly closed: boolean;
  readonly dataRoutes: Pick<DataRouteIndex, 'lookup'>;
  readonly tcp: Pick<TcpConnectionTable, 'get'>;
}

const NOT_STUN_FIRST_FRAME = 'first frame is not STUN';

/**
 * Classifies a packet (RFC 7983 demultiplexing, RFC 8489 §6.3, RFC 6544
 * §7.1/§7.2 for the first frame of a TCP connection). Reads `view` only.
 */
export function classifyPacket(view: ClassifierView, packet: PacketInput): PacketClass {
  const data = packet.data;
  if (data.length === 0) return { kind: 'junk', reason: 'empty packet' };
  // RFC 7983: 0–3 is STUN; anything else is data for a valid pair.
  if (data[0] > 3) {
    const pair = view.dataRoutes.lookup(packet.transportId, packet.connectionId, packet.from);
    if (pair !== undefined) return dataDisposition(pair.component);
    const conn = packet.connectionId === undefined ? undefined : view.tcp.get(packet.connectionId);
    const reason = 'not STUN and not from a valid pair (RFC 7983)';
    // A non-STUN packet from no valid pair: on a new TCP connection, the first-frame rules apply (RFC 6544 §7.1, §7.2).
    if (conn !== undefined && conn.awaitingFirstFrame) return { kind: 'junk', reason, rejects: conn, firstFrameRule: NOT_STUN_FIRST_FRAME };
    return { kind: 'junk', reason };
  }
  if (view.closed) return { kind: 'junk', reason: 'agent closed' };
  let conn: TcpConnection | undefined;
  let firstFrame = false;
  if (packet.connectionId !== undefined) {
    conn = view.tcp.get(packet.connectionId);
    if (conn === undefined) return { kind: 'junk', reason: 'unknown or closed connection' };
    firstFrame = conn.awaitingFirstFrame;
  }
  // RFC 6544 §10.2, RFC 7983: a byte stream cut into frames (TLS over ICE-TCP) starts
  // about one frame in 64 with 0-3; one that fails STUN's header checks (RFC 8489 §6.3)
  // is data from a valid pair, told without a parse that throws.
  if (!firstFrame && !isStun(data)) {
    const pair = view.dataRoutes.lookup(packet.transportId, packet.connectionId, packet.from);
    if (pair !== undefined) return dataDisposition(pair.component);
  }
  let message: StunMessage;
  try {
    message = decodeStun(data);
  } catch (error) {
    // RFC 8489 §6.3 ("try to parse the message as a different protocol"), RFC 6544 §10.2:
    // a first byte of 0-3 that is not STUN after all is application data when it comes
    // from a valid pair (a byte stream cut into packets can start a packet with any byte).
    if (!firstFrame) {
      const pair = view.dataRoutes.lookup(packet.transportId, packet.connectionId, packet.from);
      if (pair !== undefined) return dataDisposition(pair.component);
    }
    const reason = `not STUN (${(error as Error).message})`;
    if (firstFrame) return { kind: 'junk', reason, rejects: conn, firstFrameRule: NOT_STUN_FIRST_FRAME };
    return { kind: 'junk', reason };
  }
  const bindingRequest = message.class === StunClass.Request && message.method === StunMethod.Binding;
  if (firstFrame && conn !== undefined && conn.origin === 'accept' && !bindingRequest) {
    // RFC 6544 §7.2: the first frame on an accepted connection must be a Binding request.
    const rule = 'first frame is not a Binding request';
    return { kind: 'junk', reason: rule, rejects: conn, firstFrameRule: rule };
  }
  switch (message.class) {
    case StunClass.Request:
      return { kind: 'request', message, connection: conn, firstFrame };
    case StunClass.Indication:
      return { kind: 'indication', message, connection: conn };
    default:
      return { kind: 'response', message, connection: conn };
  }
}

const dataDispositions: DataDisposition[] = [];

/** The shared, frozen `{ kind: 'data', component }` disposition of a component (no allocation per packet). */
export function dataDisposition(component: number): DataDisposition {
  return (dataDispositions[component] ??= Object.freeze({ kind: 'data', component }));
}
