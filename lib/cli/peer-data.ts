/**
 * The `--send` / `--echo` data of `ice-tcp peer` (and of the demo): a
 * pattern every implementation of the line protocol can produce and check.
 *
 * Each packet starts with its byte offset in the stream as a 64-bit
 * big-endian integer, followed by the bytes `(offset + i) & 0xff` for
 * `i = 8 .. length - 1` (i is the index inside the packet). Packets are
 * `chunk` bytes long; the last one is shorter, but at least 9 bytes (so the
 * total sent may exceed the asked size by up to 8 bytes). The echo side
 * returns every packet unchanged; the sender checks each one and keeps at
 * most {@link MAX_UNECHOED} bytes sent but not echoed.
 */

import { PacketSlabs } from './packet-slabs.js';

/** Bytes the sender may have in flight, sent but not echoed (the default window). */
export const MAX_UNECHOED = 64 * 1024;

/** Largest window the `--window` option accepts. */
export const MAX_WINDOW = 16 * 1024 * 1024;

/** Smallest packet: the 8-byte offset and one pattern byte. */
export const MIN_PACKET = 9;

/** Default packet size (fits a 1280-byte IPv6 MTU with UDP and IP headers). */
export const DEFAULT_CHUNK = 1200;

/** Largest packet: an RFC 4571 frame (UDP pairs need at most 65507). */
export const MAX_CHUNK = 65535;

/**
 * `PATTERN[k] = k & 0xff` for every start (0..255) and length (up to
 * {@link MAX_CHUNK}): a packet's pattern bytes are one slice of it, copied
 * and compared natively instead of byte by byte in JavaScript.
 */
const PATTERN = Uint8Array.from({ length: 256 + MAX_CHUNK }, (_, k) => k & 0xff);

/**
 * Views of {@link PATTERN} for one pattern length, by start (0..255): a
 * transfer's packets all have the same length but the last, so the 256
 * views are made once instead of one per packet built and one per echo
 * checked.
 */
let patternLength = -1;
const patternViews: Buffer[] = [];

/** The pattern bytes of a packet whose pattern starts at `start` (0..255) and is `length` bytes long. */
function patternOf(start: number, length: number): Buffer {
  if (length !== patternLength) {
    patternLength = length;
    patternViews.length = 0;
  }
  return (patternViews[start] ??= Buffer.from(PATTERN.buffer, PATTERN.byteOffset + start, length));
}

/**
 * {@link dataPacket}'s packets are carved from slabs of this size: one
 * allocation per ~54 packets of 1200 bytes instead of one per 6 (Node's
 * shared 8 KiB pool), which is less work for the allocator and the garbage
 * collector. A slab is never written twice (the cursor only moves forward),
 * so a packet's bytes stay as they are until it has left, as `send()` asks.
 * (A {@link DataSender}, which sees the echoes, reuses its slabs once their
 * packets came back: packet-slabs.ts.)
 */
const SLAB_SIZE = 65536;
let slab = Buffer.allocUnsafeSlow(0);
let slabUsed = 0;

/** Builds the packet at `offset` of `length` bytes (at least {@link MIN_PACKET}). */
export function dataPacket(offset: number, length: number): Buffer {
  if (slabUsed + length > slab.length) {
    slab = Buffer.allocUnsafeSlow(Math.max(SLAB_SIZE, length));
    slabUsed = 0;
  }
  const packet = slab.subarray(slabUsed, slabUsed + length);
  slabUsed += length;
  return fillDataPacket(packet, offset);
}

/** Writes the offset and the pattern of the packet at `offset` into `packet` (at least {@link MIN_PACKET} bytes). */
function fillDataPacket(packet: Buffer, offset: number): Buffer {
  const length = packet.length;
  // Two 32-bit big-endian halves instead of a BigInt, byte by byte (no allocation, no argument checks per packet).
  const high = Math.floor(offset / 2 ** 32);
  const low = offset >>> 0;
  packet[0] = high >>> 24;
  packet[1] = (high >>> 16) & 0xff;
  packet[2] = (high >>> 8) & 0xff;
  packet[3] = high & 0xff;
  packet[4] = low >>> 24;
  packet[5] = (low >>> 16) & 0xff;
  packet[6] = (low >>> 8) & 0xff;
  packet[7] = low & 0xff;
  packet.set(patternOf((offset + 8) & 0xff, length - 8), 8);
  return packet;
}

/** The offset a packet claims, or `undefined` when it does not follow the pattern. */
export function checkDataPacket(packet: Uint8Array): number | undefined {
  if (packet.length < MIN_PACKET) return undefined;
  const high = ((packet[0] << 24) | (packet[1] << 16) | (packet[2] << 8) | packet[3]) >>> 0;
  // Above 2^53 - 1 (Number.MAX_SAFE_INTEGER) the offset is not exact.
  if (high > 0x1fffff) return undefined;
  const offset = high * 2 ** 32 + (((packet[4] << 24) | (packet[5] << 16) | (packet[6] << 8) | packet[7]) >>> 0);
  // The pattern against the packet from byte 8 on (one native memcmp, one argument checked).
  return patternOf((offset + 8) & 0xff, packet.length - 8).compare(packet, 8) === 0 ? offset : undefined;
}

/** What the sender reports at the end (`send-result` line). */
export interface SendResult {
  sent: number;
  echoed: number;
  corruptChunks: number;
  ms: number;
  /** Megabits per second of sent data over `ms`. */
  mbps: number;
}

/** `send-result sent=N echoed=M corrupt-chunks=K ms=T mbps=X` */
export function formatSendResult(r: SendResult): string {
  return `send-result sent=${r.sent} echoed=${r.echoed} corrupt-chunks=${r.corruptChunks} ms=${Math.round(r.ms)} mbps=${r.mbps.toFixed(2)}`;
}

/**
 * The sending side's bookkeeping: which packet goes next, how much is in
 * flight, how many echoes were wrong. It does no I/O: the caller asks
 * {@link nextPacket} until it returns `undefined`, sends each, and feeds
 * echoes to {@link onEcho}.
 */
export class DataSender {
  /** Bytes to send in total. */
  readonly total: number;
  /** Packet size. */
  readonly chunk: number;
  /** Most bytes in flight. */
  readonly window: number;
  #sent = 0;
  #echoed = 0;
  #corrupt = 0;
  #startedAt: number | undefined;
  #finishedAt: number | undefined;
  /** Where packets are built: slabs reused once all their packets came back (packet-slabs.ts). */
  readonly #slabs: PacketSlabs;

  constructor(total: number, chunk: number = DEFAULT_CHUNK, window: number = MAX_UNECHOED) {
    if (!Number.isSafeInteger(total) || total < 1) throw new RangeError(`total must be a positive integer, got ${total}`);
    if (!Number.isInteger(chunk) || chunk < MIN_PACKET || chunk > MAX_CHUNK) {
      throw new RangeError(`chunk must be ${MIN_PACKET}..${MAX_CHUNK}, got ${chunk}`);
    }
    this.total = total;
    this.chunk = chunk;
    this.window = Math.max(window, chunk);
    this.#slabs = new PacketSlabs(chunk, this.window);
  }

  /** Bytes sent so far. */
  get sent(): number {
    return this.#sent;
  }

  /** Bytes echoed back so far (good or corrupt). */
  get echoed(): number {
    return this.#echoed;
  }

  /** Echoed packets that did not match the pattern. */
  get corruptChunks(): number {
    return this.#corrupt;
  }

  /** Bytes sent and not echoed yet. */
  get inFlight(): number {
    return this.#sent - this.#echoed;
  }

  /** Everything was sent and echoed. */
  get complete(): boolean {
    return this.#sent >= this.total && this.#echoed >= this.#sent;
  }

  /** The next packet to send now, or `undefined` when all is sent or the window is full. */
  nextPacket(now: number): Buffer | undefined {
    if (this.#sent >= this.total) return undefined;
    const length = Math.max(MIN_PACKET, Math.min(this.chunk, this.total - this.#sent));
    if (this.#sent - this.#echoed + length > this.window) return undefined;
    this.#startedAt ??= now;
    const packet = fillDataPacket(this.#slabs.carve(this.#sent, length), this.#sent);
    this.#sent += length;
    return packet;
  }

  /** Counts one echoed packet; returns whether it was intact. */
  onEcho(packet: Uint8Array, now: number): boolean {
    const offset = checkDataPacket(packet);
    const intact = offset !== undefined;
    if (intact) this.#slabs.returned(offset);
    else this.#corrupt++;
    this.#echoed += packet.length;
    if (this.complete) this.#finishedAt ??= now;
    return intact;
  }

  /** The figures so far (the duration runs from the first packet to the last echo, or to `now`). */
  result(now: number): SendResult {
    const start = this.#startedAt ?? now;
    const ms = Math.max(0, (this.#finishedAt ?? now) - start);
    return {
      sent: this.#sent,
      echoed: this.#echoed,
      corruptChunks: this.#corrupt,
      ms,
      mbps: ms > 0 ? (this.#sent * 8) / 1e6 / (ms / 1000) : 0,
    };
  }
}
