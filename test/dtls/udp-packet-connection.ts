// A PacketConnection over a real UDP socket on 127.0.0.1 (one datagram per
// packet): used by the DTLS tests and by bench/dtls (so it must not import ava).
import { createSocket, type Socket } from 'node:dgram';
import { EventEmitter, once } from 'node:events';
import type { PacketConnection } from '../../lib/connection.js';

/** UDP to one peer; the peer is given, or learnt from the first datagram (a server). */
export class UdpPacketConnection extends EventEmitter implements PacketConnection {
  readonly transport = 'udp' as const;
  closed = false;
  /** Datagrams that came while paused (a test helper: unbounded). */
  readonly #held: Buffer[] = [];
  #paused = false;
  constructor(
    readonly socket: Socket,
    public remote?: { address: string; port: number },
  ) {
    super();
    socket.on('message', (msg, rinfo) => {
      this.remote ??= { address: rinfo.address, port: rinfo.port };
      if (rinfo.port !== this.remote.port || rinfo.address !== this.remote.address) return;
      if (this.#paused) this.#held.push(msg);
      else this.emit('packet', msg);
    });
  }

  get isPaused(): boolean {
    return this.#paused;
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    while (!this.#paused && this.#held.length > 0) this.emit('packet', this.#held.shift()!);
  }

  static async open(remote?: { address: string; port: number }): Promise<UdpPacketConnection> {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    return new UdpPacketConnection(socket, remote);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(packet: Uint8Array): boolean {
    if (this.closed || !this.remote) return false;
    this.socket.send(packet, this.remote.port, this.remote.address);
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
    this.emit('close');
  }
}

/** A free UDP port on 127.0.0.1 (bound and released; a small race, fine on loopback). */
export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  const port = s.address().port;
  s.close();
  return port;
}
