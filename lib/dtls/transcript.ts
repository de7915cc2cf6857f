/**
 * The handshake transcript (RFC 5246 §7.4.9 handshake_messages; RFC 6347
 * §4.2.6: each message as if sent unfragmented, with its DTLS header; the
 * first ClientHello and the HelloVerifyRequest left out).
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { encodeHandshakeMessage } from './handshake-header.js';

export class Transcript {
  #messages: Uint8Array[] = [];

  /** Adds a message (body with its header as if unfragmented). */
  add(msgType: number, messageSeq: number, body: Uint8Array): void {
    this.#messages.push(encodeHandshakeMessage(msgType, messageSeq, body));
  }

  /** Everything so far, concatenated (what CertificateVerify signs). */
  bytes(): Buffer {
    return Buffer.concat(this.#messages);
  }

  /** The hash of everything so far. */
  hash(algorithm: 'sha256' | 'sha384'): Buffer {
    const h = createHash(algorithm);
    for (const m of this.#messages) h.update(m);
    return h.digest();
  }

  /** Forgets everything (after a HelloVerifyRequest, RFC 6347 §4.2.6). */
  reset(): void {
    this.#messages = [];
  }
}
