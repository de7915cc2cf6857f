/**
 * One TCP connection to the STUN server. Two wire formats share the port, told
 * apart by the first bytes (the magic cookie's offset):
 * - plain STUN over TCP (RFC 8489 §6.2.2): messages back to back, each
 *   delimited by its header's length field; the cookie is at bytes 4–7;
 * - RFC 4571 framing (as ICE-TCP agents speak, RFC 6544 §3): a 2-byte length
 *   before each message; the cookie is at bytes 6–9.
 * Answers go back in the format the client used. Anything that is neither
 * closes the connection (a byte stream cannot be resynchronised), with a
 * debug line.
 *
 * Bounds per connection (the server's slots are few, see `stun-tcp-slots.ts`):
 * - deadlines counted from the last *answered* request, not the last byte:
 *   `firstRequestTimeoutMs` after the accept, `idleTimeoutMs` after each
 *   answer; a trickle of bytes that never completes a request does not
 *   extend them;
 * - a budget of ignored messages (`maxIgnoredMessages` since the last
 *   answered request): frames shorter than a STUN header (an empty frame
 *   included) are dropped without decoding, anything else that is not a
 *   Binding request is decoded and ignored; past the budget the connection
 *   is closed. Each drop has a debug line.
 */
import type { Socket } from 'node:net';
import type { DebugLog } from '../../debug-log.js';
import { FrameDecoder, FramingError, encodeFrame } from '../../framing/index.js';
import { MAGIC_COOKIE, STUN_HEADER_SIZE, type TransportAddress } from '../../stun/index.js';
import type { BindingAnswer } from './binding-responder.js';

/** The wire format of a STUN-over-TCP connection. */
export type StunTcpFormat = 'plain' | 'framed';

/** Options of a {@link StunTcpSession}. */
export interface StunTcpSessionOptions {
  /** Largest STUN message accepted, header included (bounds what a connection buffers). */
  maxMessageSize: number;
  /** Close the connection when no request was answered for this long after the previous answer (ms). */
  idleTimeoutMs: number;
  /** Close the connection when it has not completed a request this long after its accept (ms). */
  firstRequestTimeoutMs: number;
  /** Close the connection after this many ignored messages in a row (not answered). */
  maxIgnoredMessages: number;
  /** Computes the answer to one message. */
  answer: (message: Buffer, from: TransportAddress) => BindingAnswer;
  /** Called once per message handled, for statistics. */
  onHandled: (answer: BindingAnswer, format: StunTcpFormat) => void;
  /** Called when the connection is closed for bad input, a deadline or eviction. */
  onRejected: (reason: string) => void;
  /** Called once when the socket has closed (for any reason). */
  onClosed?: () => void;
  log: DebugLog;
}

/** Bytes needed to tell the formats apart: a frame header plus a STUN header's first 8 bytes. */
const SNIFF_BYTES = 10;
/** Stop reading while this much of our answers waits in the socket. */
const MAX_PENDING_WRITE = 64 * 1024;

function cookieAt(buf: Buffer, offset: number): boolean {
  return buf.length >= offset + 4 && buf.readUInt32BE(offset) === MAGIC_COOKIE;
}

/** Reads STUN messages from one accepted socket and writes the answers. */
export class StunTcpSession {
  readonly #socket: Socket;
  readonly #options: StunTcpSessionOptions;
  readonly #from: TransportAddress;
  #format: StunTcpFormat | undefined;
  /** Plain format (and sniffing): bytes of an incomplete message. */
  #pending: Buffer = Buffer.alloc(0);
  #decoder: FrameDecoder | undefined;
  #closed = false;
  /** The deadline: first request, then the next one after each answer. */
  #deadline: NodeJS.Timeout;
  #answered = 0;
  #ignoredInARow = 0;
  #lastActive = performance.now();

  /** Takes over an accepted socket from `from`: reads, answers, and closes it on bad input or a deadline. */
  constructor(socket: Socket, from: TransportAddress, options: StunTcpSessionOptions) {
    this.#socket = socket;
    this.#from = from;
    this.#options = options;
    socket.setNoDelay(true);
    this.#deadline = setTimeout(() => this.#onDeadline(), options.firstRequestTimeoutMs);
    this.#deadline.unref();
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => socket.resume());
    socket.on('error', (error) => options.log('tcp %s:%d: %s', from.address, from.port, error.message));
    socket.on('close', () => {
      this.#closed = true;
      clearTimeout(this.#deadline);
      options.onClosed?.();
    });
  }

  /** The format detected from the first bytes, once known. */
  get format(): StunTcpFormat | undefined {
    return this.#format;
  }

  /** The client's IP address. */
  get source(): string {
    return this.#from.address;
  }

  /** When a request was last answered (the accept time before the first), `performance.now()` ms. */
  get lastActive(): number {
    return this.#lastActive;
  }

  /** Requests answered on this connection. */
  get answered(): number {
    return this.#answered;
  }

  /** Tears the connection down. */
  destroy(): void {
    this.#closed = true;
    clearTimeout(this.#deadline);
    this.#socket.destroy();
  }

  /** Closes it to make room for another (a debug line says why). */
  evict(reason: string): void {
    this.#reject(reason);
  }

  #onDeadline(): void {
    this.#reject(
      this.#answered === 0
        ? `no request completed within ${this.#options.firstRequestTimeoutMs} ms of the accept`
        : `no request completed within ${this.#options.idleTimeoutMs} ms of the previous answer`,
    );
  }

  #onData(chunk: Buffer): void {
    if (this.#closed) return;
    if (this.#format === 'framed') {
      this.#onFramed(chunk);
      return;
    }
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const format = this.#format ?? this.#sniff();
    if (format === undefined) return;
    if (format === 'framed') {
      const bytes = this.#pending;
      this.#pending = Buffer.alloc(0);
      this.#onFramed(bytes);
    } else {
      this.#onPlain();
    }
  }

  /** Decides the format once enough bytes are in; `undefined` while undecided (or rejected). */
  #sniff(): StunTcpFormat | undefined {
    const buf = this.#pending;
    if (cookieAt(buf, 4) && (buf[0] & 0xc0) === 0) {
      this.#format = 'plain'; // RFC 8489 §5: the cookie at bytes 4-7 of the header
    } else if (buf.length >= SNIFF_BYTES && cookieAt(buf, 6) && (buf[2] & 0xc0) === 0) {
      this.#format = 'framed'; // RFC 4571 §2 header, then the STUN header
      this.#decoder = new FrameDecoder({ maxFrameSize: Math.min(65535, this.#options.maxMessageSize) });
    } else if (buf.length >= SNIFF_BYTES) {
      this.#reject(`first bytes ${buf.subarray(0, SNIFF_BYTES).toString('hex')} are neither STUN nor an RFC 4571 frame of STUN`);
      return undefined;
    } else {
      return undefined;
    }
    this.#options.log('tcp %s:%d speaks %s STUN', this.#from.address, this.#from.port, this.#format);
    return this.#format;
  }

  /** Plain STUN over TCP: cut messages by their length field (RFC 8489 §5). */
  #onPlain(): void {
    let buf = this.#pending;
    while (buf.length >= STUN_HEADER_SIZE) {
      if ((buf[0] & 0xc0) !== 0 || !cookieAt(buf, 4)) {
        this.#reject('a message header without the magic cookie: the stream is out of step');
        return;
      }
      const size = STUN_HEADER_SIZE + buf.readUInt16BE(2);
      if (size > this.#options.maxMessageSize) {
        this.#reject(`a ${size}-byte message is over the ${this.#options.maxMessageSize}-byte limit`);
        return;
      }
      if (buf.length < size) break;
      this.#handle(buf.subarray(0, size), 'plain');
      if (this.#closed) return;
      buf = buf.subarray(size);
    }
    // Keep only the incomplete tail, copied so that it does not pin a large chunk.
    this.#pending = buf.length === 0 ? Buffer.alloc(0) : Buffer.from(buf);
  }

  /** RFC 4571 frames: one STUN message per frame. */
  #onFramed(chunk: Buffer): void {
    try {
      this.#decoder!.push(chunk, (frame) => {
        if (!this.#closed) this.#handle(frame, 'framed');
      });
    } catch (error) {
      if (!(error instanceof FramingError)) throw error;
      this.#reject(`${error.code}: ${error.message}`);
    }
  }

  #handle(message: Buffer, format: StunTcpFormat): void {
    // A frame shorter than a STUN header (an empty one included) cannot be a
    // request: dropped without decoding (RFC 8489 §6.3: silently discarded).
    const answer: BindingAnswer =
      message.length < STUN_HEADER_SIZE
        ? { kind: 'ignored', reason: `${message.length} bytes is shorter than a STUN header` }
        : this.#options.answer(message, this.#from);
    this.#options.onHandled(answer, format);
    if (answer.response === undefined) {
      this.#options.log('tcp %s:%d ignores a %d-byte message: %s', this.#from.address, this.#from.port, message.length, answer.reason);
      if (++this.#ignoredInARow > this.#options.maxIgnoredMessages) {
        this.#reject(`${this.#ignoredInARow} messages in a row ignored (over the budget of ${this.#options.maxIgnoredMessages})`);
      }
      return;
    }
    this.#ignoredInARow = 0;
    this.#answered++;
    this.#lastActive = performance.now();
    if (this.#answered === 1) {
      // From now on the idle deadline, counted from each answer.
      clearTimeout(this.#deadline);
      this.#deadline = setTimeout(() => this.#onDeadline(), this.#options.idleTimeoutMs);
      this.#deadline.unref();
    } else {
      this.#deadline.refresh();
    }
    const ok = this.#socket.write(format === 'framed' ? encodeFrame(answer.response) : answer.response);
    // A client that sends without reading: stop reading until it catches up (bounded memory).
    if (!ok && this.#socket.writableLength >= MAX_PENDING_WRITE) this.#socket.pause();
  }

  #reject(reason: string): void {
    if (this.#closed) return;
    this.#options.log('tcp %s:%d closed: %s', this.#from.address, this.#from.port, reason);
    this.#options.onRejected(reason);
    this.destroy();
  }
}
