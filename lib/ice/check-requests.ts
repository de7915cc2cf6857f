/**
 * Encoding of the agent's STUN messages: connectivity-check and consent
 * requests (RFC 8445 §7.1, §7.2.2; RFC 7675 §5.1) and the answers to checks
 * (RFC 8445 §7.3, RFC 8489 §9.1.3).
 */
import { encodeStun, StunClass, StunMethod, stunErrorReason, type StunAttributes } from '../stun/index.js';
import { addressFamily } from './address-keys.js';
import type { Address } from './types.js';

/** What goes into a check. */
export interface CheckRequestInit {
  transactionId: Uint8Array;
  /** `remoteUfrag:localUfrag` (RFC 8445 §7.2.2). */
  username: string;
  /** The local candidate's priority computed with the prflx type preference (RFC 8445 §7.1.1). */
  priority: number;
  controlling: boolean;
  tieBreaker: bigint;
  /** Only from the controlling agent (RFC 8445 §7.1.2). */
  useCandidate: boolean;
  /** HMAC key: the remote password (RFC 8445 §7.2.2). */
  integrityKey: Uint8Array;
  software?: string | undefined;
}

/**
 * A connectivity-check (or consent) Binding request: USERNAME, PRIORITY,
 * ICE-CONTROLLING or ICE-CONTROLLED, USE-CANDIDATE when nominating,
 * MESSAGE-INTEGRITY and FINGERPRINT (RFC 8445 §7.1, §7.2.4).
 */
export function encodeCheckRequest(init: CheckRequestInit): Buffer {
  const attributes: StunAttributes = { username: init.username, priority: init.priority };
  // RFC 8445 §7.1.3
  if (init.controlling) attributes.iceControlling = init.tieBreaker;
  else attributes.iceControlled = init.tieBreaker;
  // RFC 8445 §7.1.2: the controlled agent never includes USE-CANDIDATE.
  if (init.useCandidate && init.controlling) attributes.useCandidate = true;
  if (init.software !== undefined) attributes.software = init.software;
  return encodeStun(
    { class: StunClass.Request, method: StunMethod.Binding, transactionId: init.transactionId, attributes },
    { integrityKey: init.integrityKey, fingerprint: true },
  );
}

/**
 * A success response to a check: XOR-MAPPED-ADDRESS = the request's source,
 * MESSAGE-INTEGRITY with the local password, FINGERPRINT; no USERNAME
 * (RFC 8445 §7.3, RFC 8489 §9.1.3).
 */
export function encodeSuccessResponse(transactionId: Uint8Array, source: Address, integrityKey: Uint8Array, software?: string): Buffer {
  const attributes: StunAttributes = {
    xorMappedAddress: { family: addressFamily(source.address), address: source.address, port: source.port },
  };
  if (software !== undefined) attributes.software = software;
  return encodeStun(
    { class: StunClass.SuccessResponse, method: StunMethod.Binding, transactionId, attributes },
    { integrityKey, fingerprint: true },
  );
}

/** What goes into an error response. */
export interface ErrorResponseInit {
  transactionId: Uint8Array;
  method: number;
  code: number;
  /** For a 420: the unknown comprehension-required types (RFC 8489 §14.13). */
  unknownAttributes?: number[];
  /**
   * MESSAGE-INTEGRITY key, when the request authenticated (420, 487);
   * absent for 400 and 401, which are sent without MI (RFC 8489 §9.1.3).
   */
  integrityKey?: Uint8Array | undefined;
  software?: string | undefined;
}

/** An error response with ERROR-CODE (and UNKNOWN-ATTRIBUTES for 420), always with FINGERPRINT. */
export function encodeErrorResponse(init: ErrorResponseInit): Buffer {
  const attributes: StunAttributes = { errorCode: { code: init.code, reason: stunErrorReason(init.code) } };
  if (init.unknownAttributes !== undefined && init.unknownAttributes.length > 0) attributes.unknownAttributes = init.unknownAttributes;
  if (init.software !== undefined) attributes.software = init.software;
  const options: { integrityKey?: Uint8Array; fingerprint: boolean } = { fingerprint: true };
  if (init.integrityKey !== undefined) options.integrityKey = init.integrityKey;
  return encodeStun({ class: StunClass.ErrorResponse, method: init.method, transactionId: init.transactionId, attributes }, options);
}
