/**
 * The stateless heart of the STUN server: one datagram or one TCP message in,
 * one Binding response (or nothing, with the reason) out. RFC 8489 §6.3,
 * §6.3.1: the Binding method is idempotent, so retransmissions are answered
 * by recomputing the response; nothing is remembered per client.
 */
import {
  StunClass,
  StunError,
  StunMethod,
  decodeStun,
  encodeStun,
  stunErrorReason,
  verifyFingerprint,
  type TransportAddress,
} from '../../stun/index.js';

/** Options of {@link answerBindingRequest}. */
export interface BindingResponderOptions {
  /** SOFTWARE attribute in responses (RFC 8489 §14.14; absent when empty). */
  software?: string;
  /** Also send MAPPED-ADDRESS beside XOR-MAPPED-ADDRESS, for RFC 3489 clients (default `true`). */
  mappedAddress?: boolean;
}

/** What {@link answerBindingRequest} made of an input. */
export type BindingAnswer = { response: Buffer; kind: 'success' | 'error' } | { response?: undefined; kind: 'ignored'; reason: string };

/**
 * Why `data` cannot be a STUN message of any version (RFC 8489 §6.3: a
 * 20-byte header whose two top bits are zero, a length that is a multiple
 * of 4), or `undefined`. A cheap test before decoding, so that floods of
 * empty or random datagrams cost no exception each.
 */
function cannotBeStun(data: Uint8Array): string | undefined {
  if (data.length < 20) return `${data.length} bytes is shorter than a STUN header`;
  if ((data[0] & 0xc0) !== 0) return 'the two top bits are not zero: not STUN';
  if ((data.length & 3) !== 0) return `${data.length} bytes is not a multiple of 4: not STUN`;
  return undefined;
}

/**
 * Answers one STUN message received from `from`:
 * - a Binding request: a success response with XOR-MAPPED-ADDRESS (and
 *   MAPPED-ADDRESS) = `from` (RFC 8489 §14.2, §14.1), SOFTWARE, FINGERPRINT;
 * - a Binding request with unknown comprehension-required attributes: a 420
 *   error with UNKNOWN-ATTRIBUTES (RFC 8489 §6.3.1);
 * - anything else (not STUN, malformed, a bad FINGERPRINT, an indication or
 *   response, another method) is ignored with the reason (RFC 8489 §6.3:
 *   silently discarded). Never throws on any input.
 */
export function answerBindingRequest(data: Uint8Array, from: TransportAddress, options: BindingResponderOptions = {}): BindingAnswer {
  const notStun = cannotBeStun(data);
  if (notStun !== undefined) return { kind: 'ignored', reason: notStun };
  let request;
  try {
    request = decodeStun(data);
  } catch (error) {
    if (error instanceof StunError) return { kind: 'ignored', reason: `${error.code}: ${error.message}` };
    throw error;
  }
  if (request.method !== StunMethod.Binding) {
    return { kind: 'ignored', reason: `method 0x${request.method.toString(16)} is not supported (RFC 8489 §6.3)` };
  }
  if (request.class !== StunClass.Request) {
    return { kind: 'ignored', reason: `a Binding ${StunClass[request.class]} needs no answer` };
  }
  if (request.hasFingerprint && !verifyFingerprint(request)) {
    return { kind: 'ignored', reason: 'FINGERPRINT does not verify (RFC 8489 §6.3)' };
  }
  const software = options.software ?? '';
  if (request.unknownRequired.length > 0) {
    // RFC 8489 §6.3.1: 420 listing the unknown comprehension-required attributes.
    const response = encodeStun(
      {
        class: StunClass.ErrorResponse,
        method: StunMethod.Binding,
        transactionId: request.transactionId,
        attributes: {
          errorCode: { code: 420, reason: stunErrorReason(420) },
          unknownAttributes: request.unknownRequired,
          ...(software !== '' ? { software } : {}),
        },
      },
      { fingerprint: true },
    );
    return { response, kind: 'error' };
  }
  const response = encodeStun(
    {
      class: StunClass.SuccessResponse,
      method: StunMethod.Binding,
      transactionId: request.transactionId,
      attributes: {
        xorMappedAddress: from,
        ...(options.mappedAddress !== false ? { mappedAddress: from } : {}),
        ...(software !== '' ? { software } : {}),
      },
    },
    { fingerprint: true },
  );
  return { response, kind: 'success' };
}
