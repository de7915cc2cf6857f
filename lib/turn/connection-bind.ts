/**
 * ConnectionBind on a data connection (RFC 6062 §4.3, §4.4): the request
 * carries the CONNECTION-ID and the control connection's credentials; a 438
 * brings a fresh nonce to retry with once. Sans-IO: bytes in, bytes out.
 *
 * @module
 */
import type { RandomSource } from '../ice/types.js';
import { decodeStun, isStun, StunClass } from '../stun/index.js';
import type { LongTermAuth } from './auth.js';
import { TurnErrorCode, TurnMethod } from './turn-constants.js';
import { TurnError } from './turn-errors.js';
import { connectionBind } from './turn-requests.js';

/** The ConnectionBind exchange of one data connection. */
export class ConnectionBinder {
  #tid: Buffer;
  #retried = false;

  constructor(
    readonly connectionId: number,
    readonly auth: LongTermAuth,
    readonly random: RandomSource,
    readonly software?: string,
  ) {
    this.#tid = Buffer.from(random.bytes(12));
  }

  /** The request to send first on the new connection. */
  request(): Buffer {
    return this.auth.encode(connectionBind(this.#tid, this.connectionId, this.software));
  }

  /**
   * The server's answer: `'bound'` (the connection now carries the peer's
   * bytes, RFC 6062 §4.5), a new request to send (after 438), or a thrown
   * {@link TurnError}.
   */
  answer(bytes: Buffer): 'bound' | Buffer {
    if (!isStun(bytes)) throw new TurnError('ERR_TURN_CONNECTION', 'the answer to ConnectionBind is not STUN');
    const message = decodeStun(bytes);
    if (message.method !== TurnMethod.ConnectionBind || !message.transactionId.equals(this.#tid)) {
      throw new TurnError('ERR_TURN_CONNECTION', 'an answer to another request on a data connection');
    }
    if (message.class === StunClass.SuccessResponse) {
      if (!this.auth.verify(message)) throw new TurnError('ERR_TURN_CONNECTION', 'ConnectionBind success fails its integrity check');
      return 'bound';
    }
    const code = message.attributes.errorCode?.code ?? 0;
    if (code === TurnErrorCode.StaleNonce && !this.#retried && this.auth.learn(message)) {
      this.#retried = true;
      this.#tid = Buffer.from(this.random.bytes(12));
      return this.request();
    }
    throw new TurnError(
      code === TurnErrorCode.Unauthorized ? 'ERR_TURN_UNAUTHORIZED' : 'ERR_TURN_REJECTED',
      `ConnectionBind refused: ${code} ${message.attributes.errorCode?.reason ?? ''}`,
      { stunCode: code },
    );
  }
}
