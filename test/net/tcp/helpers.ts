// Shared helpers of the lib/net/tcp tests: a recording TransportHost, STUN
// Binding requests as an ICE peer sends them, and small socket utilities.
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import createDebug from 'debug';
import type { LocalCandidateInit, ConnectionEvent, PacketInput } from '../../../lib/ice/types.js';
import type { TransportHost } from '../../../lib/net/agent/transport-plugin.js';
import { encodeFrame } from '../../../lib/framing/index.js';
import { StunClass, StunMethod, encodeStun, shortTermKey } from '../../../lib/stun/index.js';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A TransportHost that records everything a plugin reports and lets a test wait for it. */
export class RecordingHost implements TransportHost {
  readonly log = createDebug('ice-tcp:test');
  readonly candidates: LocalCandidateInit[] = [];
  readonly packets: PacketInput[] = [];
  readonly events: ConnectionEvent[] = [];
  /** Every report in order, as `kind:detail` strings. */
  readonly order: string[] = [];
  #waiters: Array<() => void> = [];

  onPacket(packet: PacketInput): void {
    // Packets are views into socket chunks: keep a copy.
    this.packets.push({ ...packet, data: Buffer.from(packet.data) });
    this.order.push(`packet:${packet.connectionId}`);
    this.#wake();
  }

  onConnection(event: ConnectionEvent): void {
    this.events.push(event);
    this.order.push(`${event.type}:${'connectionId' in event ? event.connectionId : event.attemptId}`);
    this.#wake();
  }

  onCandidate(init: LocalCandidateInit): void {
    this.candidates.push(init);
    this.#wake();
  }

  /** The gathered candidate of a tcptype (and type), or throws. */
  candidate(tcpType: 'active' | 'passive' | 'so', type = 'host'): LocalCandidateInit {
    const found = this.candidates.find((c) => c.candidate.tcpType === tcpType && c.candidate.type === type);
    if (found === undefined) throw new Error(`no ${type} ${tcpType} candidate`);
    return found;
  }

  /**
   * Resolves with the first value `probe` returns that is not undefined;
   * rejects after `ms`. Probes on every report and every 20 ms (for state
   * that changes outside the host, e.g. worker messages).
   */
  async waitFor<T>(probe: () => T | undefined, ms = 5000, what = 'condition'): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 20));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for a connection event of `type` (matching `filter`). */
  event<K extends ConnectionEvent['type']>(
    type: K,
    filter: (e: Extract<ConnectionEvent, { type: K }>) => boolean = () => true,
    ms = 5000,
  ): Promise<Extract<ConnectionEvent, { type: K }>> {
    return this.waitFor(
      () =>
        this.events.find(
          (e): e is Extract<ConnectionEvent, { type: K }> => e.type === type && filter(e as Extract<ConnectionEvent, { type: K }>),
        ),
      ms,
      `a ${type} event`,
    );
  }

  /** Waits for the `n`-th packet (1-based) on a connection. */
  packet(connectionId: string, n = 1, ms = 5000): Promise<PacketInput> {
    return this.waitFor(() => this.packets.filter((p) => p.connectionId === connectionId)[n - 1], ms, `packet ${n} on ${connectionId}`);
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}

/**
 * A STUN Binding request as an ICE agent sends it to the agent owning
 * `checkedUfrag` (RFC 8445 §7.2.2): USERNAME `checked:checker`, PRIORITY,
 * ICE-CONTROLLING, MESSAGE-INTEGRITY with `pwd`, FINGERPRINT.
 */
export function bindingRequest(checkedUfrag: string, checkerUfrag: string, pwd = 'a-password-of-22+chars'): Buffer {
  return encodeStun(
    {
      class: StunClass.Request,
      method: StunMethod.Binding,
      transactionId: randomBytes(12),
      attributes: { username: `${checkedUfrag}:${checkerUfrag}`, priority: 1853817087, iceControlling: 1n },
    },
    { integrityKey: shortTermKey(pwd), fingerprint: true },
  );
}

/** Opens a raw TCP connection on loopback; resolves once connected. */
export async function rawConnect(port: number, host = '127.0.0.1'): Promise<Socket> {
  const socket = connect({ host, port });
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  return socket;
}

/** Resolves when `socket` is closed (by either side), with the time it took. */
export function whenClosed(socket: Socket): Promise<number> {
  const start = Date.now();
  if (socket.closed) return Promise.resolve(0);
  return new Promise((resolve) => socket.once('close', () => resolve(Date.now() - start)));
}

/** Writes one RFC 4571 frame. */
export function writeFrame(socket: Socket, payload: Uint8Array): void {
  socket.write(encodeFrame(payload));
}

/** A payload of `length` bytes with a recognisable pattern. */
export function pattern(length: number, seed = 1): Buffer {
  const b = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}
