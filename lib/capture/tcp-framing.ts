/**
 * Cuts one reassembled TCP direction into packets. The framing is guessed
 * from the first bytes: RFC 4571 frames (16-bit length, then a STUN message
 * or data: ICE-TCP, RFC 6544 §3), plain STUN over TCP back to back (RFC 8489
 * §6.2.2, no framing), TLS records not inside frames (reported: RFC 6544
 * §10 puts TLS inside the framing), or an unknown byte stream. After a hole
 * (bytes the capture missed) an RFC 4571 stream is resynchronized at the
 * next frame that holds a STUN message.
 */
import { looksLikeStun, looksLikeTlsRecord } from './classify.js';
import type { StreamChunk } from './tcp-reassembly.js';

/** How a TCP direction was framed. */
export type TcpFraming = 'rfc4571' | 'stun-unframed' | 'tls-unframed' | 'unknown';

/** One packet cut out of the stream. */
export interface FramedPacket {
  data: Buffer;
  timeUs: number;
  packetIndex: number;
  /** Offset of the packet (its frame header, for RFC 4571) in the stream. */
  offset: number;
}

/** A problem found in the framing. */
export interface FramingProblem {
  offset: number;
  timeUs: number;
  packetIndex: number;
  message: string;
}

/** Largest byte stream a direction keeps waiting for a frame (a frame is at most 65537 bytes). */
const MAX_PENDING = 70_000;

/** Frames one TCP direction. */
export class TcpFramer {
  framing: TcpFraming | undefined;
  readonly problems: FramingProblem[] = [];
  /** Bytes not yet cut, flat; `#parts` are chunks appended after it, flattened only when a packet is complete. */
  #pending: Buffer = Buffer.alloc(0);
  #parts: Buffer[] = [];
  #partsSize = 0;
  /** Bytes available when a resynchronization last failed (retried after RESYNC_STEP more). */
  #resyncTriedAt = -1;
  #pendingOffset = 0;
  #lastTime = 0;
  #lastIndex = 0;
  #resync = false;
  /** Bytes of an unknown or unframed-TLS stream (not cut into packets). */
  opaqueBytes = 0;

  constructor(private readonly emit: (p: FramedPacket) => void) {}

  push(chunk: StreamChunk): void {
    this.#lastTime = chunk.timeUs;
    this.#lastIndex = chunk.packetIndex;
    // Appending is O(1); bytes are copied once per packet (in #flatten), whatever the segment sizes.
    this.#parts.push(chunk.data);
    this.#partsSize += chunk.data.length;
    this.#cut();
  }

  #available(): number {
    return this.#pending.length + this.#partsSize;
  }

  #flatten(): void {
    if (this.#parts.length === 0) return;
    this.#pending = Buffer.concat([this.#pending, ...this.#parts]);
    this.#parts = [];
    this.#partsSize = 0;
  }

  /** Bytes at `offset` were never captured. */
  gap(offset: number, length: number, timeUs: number, packetIndex: number): void {
    const lost = this.#available();
    this.problems.push({
      offset,
      timeUs,
      packetIndex,
      message: `${length} bytes missing from the capture at stream offset ${offset}${lost > 0 ? ` (a ${lost}-byte partial packet before them is dropped)` : ''}`,
    });
    this.#pending = Buffer.alloc(0);
    this.#parts = [];
    this.#partsSize = 0;
    this.#pendingOffset = offset + length;
    if (this.framing === 'rfc4571' || this.framing === 'stun-unframed') {
      this.#resync = true;
      this.#resyncTriedAt = -1;
    }
  }

  /** End of the stream: a partial packet left is a framing problem. */
  finish(): void {
    this.#flatten();
    if (this.#resync && this.#pending.length > 0 && this.#resynchronize()) this.#cut();
    this.#flatten();
    if (this.#pending.length === 0) return;
    if (this.framing === 'rfc4571' && this.#pending.length >= 2) {
      const need = this.#pending.readUInt16BE(0);
      this.#problem(`the capture ends inside a frame: ${this.#pending.length - 2} of its ${need} bytes (RFC 4571 §2)`);
    } else if (this.framing === 'stun-unframed' || this.framing === 'rfc4571') {
      this.#problem(`the capture ends inside a packet: ${this.#pending.length} bytes left over`);
    } else {
      this.opaqueBytes += this.#pending.length;
    }
    this.#pending = Buffer.alloc(0);
  }

  #problem(message: string): void {
    this.problems.push({ offset: this.#pendingOffset, timeUs: this.#lastTime, packetIndex: this.#lastIndex, message });
  }

  #take(n: number): Buffer {
    const out = this.#pending.subarray(0, n);
    this.#pending = this.#pending.subarray(n);
    this.#pendingOffset += n;
    return out;
  }

  #cut(): void {
    if (this.framing === undefined) {
      if (this.#available() < 10) return;
      this.#flatten();
      const p = this.#pending;
      if (looksLikeStun(p.subarray(2)) && p.readUInt16BE(0) === p.readUInt16BE(4) + 20) this.framing = 'rfc4571';
      else if (looksLikeStun(p)) this.framing = 'stun-unframed';
      else if (looksLikeTlsRecord(p)) this.framing = 'tls-unframed';
      else if (p.readUInt16BE(0) > 0 && p.readUInt16BE(0) + 2 <= MAX_PENDING) this.framing = 'rfc4571';
      else this.framing = 'unknown';
    }
    if (this.#resync) {
      // Scanning is O(bytes held): retry only after RESYNC_STEP more bytes came.
      if (this.#resyncTriedAt >= 0 && this.#available() < this.#resyncTriedAt + RESYNC_STEP) return;
      this.#flatten();
      if (!this.#resynchronize()) {
        this.#resyncTriedAt = this.#available();
        return;
      }
    }
    switch (this.framing) {
      case 'rfc4571':
        while (this.#available() >= 2) {
          if (this.#pending.length < 2) this.#flatten();
          const len = this.#pending.readUInt16BE(0);
          if (this.#available() < 2 + len) return;
          if (this.#pending.length < 2 + len) this.#flatten();
          const offset = this.#pendingOffset;
          const frame = this.#take(2 + len).subarray(2);
          this.emit({ data: frame, timeUs: this.#lastTime, packetIndex: this.#lastIndex, offset });
        }
        return;
      case 'stun-unframed':
        while (this.#available() >= 20) {
          if (this.#pending.length < 20) this.#flatten();
          if (!looksLikeStun(this.#pending)) {
            this.#problem('plain STUN over TCP: bytes that are not a STUN header; the rest of the stream is not cut');
            this.framing = 'unknown';
            this.#flatten();
            this.opaqueBytes += this.#take(this.#pending.length).length;
            return;
          }
          const len = 20 + this.#pending.readUInt16BE(2);
          if (this.#available() < len) return;
          if (this.#pending.length < len) this.#flatten();
          const offset = this.#pendingOffset;
          this.emit({ data: this.#take(len), timeUs: this.#lastTime, packetIndex: this.#lastIndex, offset });
        }
        return;
      default:
        // Not cut into packets: counted, not kept.
        this.opaqueBytes += this.#available();
        this.#pendingOffset += this.#available();
        this.#pending = Buffer.alloc(0);
        this.#parts = [];
        this.#partsSize = 0;
    }
  }

  /**
   * After a hole: finds where packets start again and drops what is before:
   * a STUN message (framed or not), or for RFC 4571 a run of
   * {@link RESYNC_CHAIN} frame headers whose lengths chain exactly.
   */
  #resynchronize(): boolean {
    const p = this.#pending;
    const framed = this.framing === 'rfc4571';
    const head = framed ? 2 : 0;
    for (let i = 0; i + head + 1 <= p.length; i++) {
      const stun = p.subarray(i + head);
      const isStun = looksLikeStun(stun) && (!framed || p.readUInt16BE(i) === stun.readUInt16BE(2) + 20);
      if (!isStun && !(framed && chains(p, i))) continue;
      if (i > 0)
        this.#problem(
          `${i} bytes after the hole skipped to resynchronize on ${isStun ? `a STUN ${framed ? 'frame' : 'message'}` : `${RESYNC_CHAIN} chained frames`}`,
        );
      this.#take(i);
      this.#resync = false;
      return true;
    }
    // Keep only what could still start a frame (a STUN header, or a frame chain).
    const keep = Math.min(p.length, framed ? RESYNC_WINDOW : head + 19);
    if (p.length > keep) this.#take(p.length - keep);
    return false;
  }
}

/** Bytes to wait for between two failed resynchronization attempts. */
const RESYNC_STEP = 4096;

/** Frame headers that must chain for a resynchronization on data frames. */
const RESYNC_CHAIN = 4;
/** Bytes kept while looking for a chain. */
const RESYNC_WINDOW = 4 * 65_537;

/** True when RESYNC_CHAIN non-empty RFC 4571 frames start at `i` and follow each other exactly within `p`. */
function chains(p: Buffer, i: number): boolean {
  let at = i;
  for (let n = 0; n < RESYNC_CHAIN; n++) {
    if (at + 2 > p.length) return false;
    const len = p.readUInt16BE(at);
    if (len === 0) return false;
    at += 2 + len;
  }
  return at <= p.length;
}
