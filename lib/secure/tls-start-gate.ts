/**
 * The gate in front of TLS that discards application data a peer sent in the
 * clear before its first TLS record.
 *
 * Over ICE the packets the peer sends before it starts TLS (for example
 * plain data sent as soon as its side saw the pair selected) would be read
 * as the start of the TLS byte stream and break the handshake. Until the
 * peer's first two bytes have been seen, this gate lets through only bytes
 * that can begin a TLS record of a first flight: content type handshake (22)
 * or alert (21), then protocol version major 3 (RFC 8446 §5.1, RFC 5246
 * §6.2.1). A packet that cannot be such a beginning is dropped (with the
 * packets held before it); once two good bytes have been seen the gate stays
 * open and every byte goes to TLS. Gated packets are never delivered as
 * application data.
 *
 * @module
 */
import createDebug from 'debug';

const debug = createDebug('ice-tcp:secure');

/** TLS ContentType alert (RFC 8446 §5.1). */
const CONTENT_ALERT = 21;
/** TLS ContentType handshake (RFC 8446 §5.1). */
const CONTENT_HANDSHAKE = 22;
/** ProtocolVersion major of every TLS version (RFC 8446 §5.1 legacy_record_version 0x0301/0x0303). */
const VERSION_MAJOR = 3;

/** Sans-IO gate: feed packets in order, get the ones TLS should read. */
export class TlsStartGate {
  /** At most one 1-byte packet holding a plausible content type: the gate is still undecided. */
  #held: Buffer[] = [];
  #open = false;
  #dropped = 0;

  /** True once the peer's TLS stream has begun. */
  get isOpen(): boolean {
    return this.#open;
  }

  /** Packets dropped so far because they did not start a TLS record. */
  get droppedPackets(): number {
    return this.#dropped;
  }

  /**
   * Takes one non-STUN packet; calls `pass` for each packet TLS should read
   * now, in order (maybe ones held earlier, maybe none yet).
   */
  push(packet: Buffer, pass: (packet: Buffer) => void): void {
    if (this.#open) {
      pass(packet);
      return;
    }
    if (packet.length === 0) {
      debug('pre-TLS gate: skips an empty packet');
      return;
    }
    if (this.#held.length > 0) {
      // One byte (a content type) is held: this packet's first byte is the version major.
      if (packet[0] === VERSION_MAJOR) {
        this.#openWith(packet, pass);
        return;
      }
      this.#dropHeld(`record version major ${packet[0]} is not TLS`);
      // The packet may still start TLS on its own: judge it afresh.
    }
    const first = packet[0];
    if (first !== CONTENT_HANDSHAKE && first !== CONTENT_ALERT) {
      this.#dropPacket(packet, `content type ${first} cannot start TLS`);
      return;
    }
    if (packet.length === 1) {
      this.#held.push(packet);
      return;
    }
    if (packet[1] !== VERSION_MAJOR) {
      this.#dropPacket(packet, `record version major ${packet[1]} is not TLS`);
      return;
    }
    this.#openWith(packet, pass);
  }

  #openWith(packet: Buffer, pass: (packet: Buffer) => void): void {
    this.#open = true;
    debug('pre-TLS gate: the peer started TLS');
    const held = this.#held;
    this.#held = [];
    for (const h of held) pass(h);
    pass(packet);
  }

  #dropHeld(why: string): void {
    debug('pre-TLS gate: drops %d held 1-byte packet(s) sent before TLS: %s', this.#held.length, why);
    this.#dropped += this.#held.length;
    this.#held = [];
  }

  #dropPacket(packet: Buffer, why: string): void {
    debug('pre-TLS gate: drops a %d-byte packet sent before TLS: %s', packet.length, why);
    this.#dropped += 1;
  }
}
