/**
 * Reassembly of fragmented handshake messages (RFC 6347 §4.2.3) with bounds:
 * a message may not exceed `maxMessageSize`, only a few messages ahead of the
 * next expected one are held, and overlapping fragments must agree byte for
 * byte (a conflicting overlap drops the fragment: RFC 6347 lets fragments
 * overlap on retransmission, never differ).
 *
 * @module
 */
import createDebug from 'debug';
import { DtlsError } from './dtls-error.js';
import { AlertDescription } from './alert.js';
import type { HandshakeFragment } from './handshake-header.js';

const debug = createDebug('ice-tcp:dtls');

/** Default largest handshake message (our certificates are well under 1 KiB; chains under 16 KiB). */
export const DEFAULT_MAX_HANDSHAKE_MESSAGE = 16384;
/** How many messages beyond the next expected one are held. */
export const MAX_MESSAGES_AHEAD = 8;

/** A complete handshake message. */
export interface HandshakeMessage {
  readonly msgType: number;
  readonly messageSeq: number;
  readonly body: Uint8Array;
}

interface Partial {
  readonly msgType: number;
  readonly body: Uint8Array;
  readonly have: Uint8Array; // 1 per received byte
  received: number;
}

export class Reassembler {
  #next = 0;
  readonly #partials = new Map<number, Partial>();
  readonly #maxMessageSize: number;

  constructor(maxMessageSize = DEFAULT_MAX_HANDSHAKE_MESSAGE) {
    this.#maxMessageSize = maxMessageSize;
  }

  /** The message_seq expected next. */
  get nextSeq(): number {
    return this.#next;
  }

  /** Restarts at `seq`, dropping everything held (after a HelloVerifyRequest, or on a new ClientHello). */
  reset(seq: number): void {
    this.#next = seq;
    this.#partials.clear();
  }

  /**
   * Takes one fragment. Returns `'old'` for a fragment of an already
   * delivered message (the peer retransmits: RFC 6347 §4.2.4 lets us answer
   * with our last flight), `'ignored'` for one too far ahead or conflicting,
   * `'held'` otherwise.
   *
   * @throws DtlsError `ERR_DTLS_HANDSHAKE_TOO_LARGE` for a message over the
   *   bound; `ERR_DTLS_DECODE` when fragments disagree on type or length.
   */
  add(fragment: HandshakeFragment): 'old' | 'ignored' | 'held' {
    const { messageSeq, msgType, length, offset, body } = fragment;
    if (messageSeq < this.#next) return 'old';
    if (messageSeq > this.#next + MAX_MESSAGES_AHEAD) {
      debug('ignores a fragment of message %d: too far ahead of %d', messageSeq, this.#next);
      return 'ignored';
    }
    if (length > this.#maxMessageSize) {
      throw new DtlsError('ERR_DTLS_HANDSHAKE_TOO_LARGE', `a ${length}-byte handshake message exceeds ${this.#maxMessageSize}`, {
        alert: AlertDescription.handshake_failure,
      });
    }
    let partial = this.#partials.get(messageSeq);
    if (partial === undefined) {
      partial = { msgType, body: new Uint8Array(length), have: new Uint8Array(length), received: 0 };
      this.#partials.set(messageSeq, partial);
    } else if (partial.msgType !== msgType || partial.body.length !== length) {
      throw new DtlsError('ERR_DTLS_DECODE', `fragments of message ${messageSeq} disagree on type or length`, {
        alert: AlertDescription.decode_error,
      });
    }
    for (let i = 0; i < body.length; i++) {
      if (partial.have[offset + i] === 1 && partial.body[offset + i] !== body[i]) {
        debug('drops a fragment of message %d that conflicts with bytes already held', messageSeq);
        return 'ignored';
      }
    }
    for (let i = 0; i < body.length; i++) {
      if (partial.have[offset + i] === 0) {
        partial.have[offset + i] = 1;
        partial.body[offset + i] = body[i];
        partial.received++;
      }
    }
    return 'held';
  }

  /** The next complete message in order, if there is one. */
  poll(): HandshakeMessage | undefined {
    const partial = this.#partials.get(this.#next);
    if (partial === undefined || partial.received !== partial.body.length) return undefined;
    this.#partials.delete(this.#next);
    const message = { msgType: partial.msgType, messageSeq: this.#next, body: partial.body };
    this.#next++;
    return message;
  }
}
