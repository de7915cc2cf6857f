/**
 * A scripted TURN server for the sans-IO client tests: decodes what the
 * client sent and builds answers with the project's STUN codec (long-term
 * credentials, RFC 8489 §9.2). No sockets, no clock.
 */
import { decodeStun, encodeStun, longTermKey, StunClass, verifyIntegrity, type StunMessage } from '../../lib/stun/index.js';
import { TurnAttr, TurnMethod } from '../../lib/turn/turn-constants.js';
import { encodeXorAddress, readXorAddress } from '../../lib/turn/peer-address.js';
import { findAttribute } from '../../lib/stun/index.js';

export const USER = 'alice';
export const PASS = 'secret-pass';
export const REALM = 'example.org';
export const KEY = longTermKey(USER, REALM, PASS);

/** A seeded counter source of randomness. */
export function seeded(seed = 1): { bytes(n: number): Uint8Array } {
  let state = seed;
  return {
    bytes: (n) => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        state = (state * 1103515245 + 12345) >>> 0;
        out[i] = state >>> 24;
      }
      return out;
    },
  };
}

export function decode(bytes: Buffer): StunMessage {
  return decodeStun(bytes);
}

/** Whether a request carries valid long-term integrity with KEY. */
export function authenticated(message: StunMessage, key = KEY): boolean {
  return message.hasIntegrity && verifyIntegrity(message, key);
}

export function lifetimeOf(message: StunMessage): number | undefined {
  const v = findAttribute(message, TurnAttr.Lifetime);
  return v === undefined ? undefined : v.readUInt32BE(0);
}

export function peerOf(message: StunMessage) {
  return readXorAddress(message, TurnAttr.XorPeerAddress);
}

export function channelOf(message: StunMessage): number | undefined {
  return findAttribute(message, TurnAttr.ChannelNumber)?.readUInt16BE(0);
}

/** 401/438 with REALM and NONCE. */
export function challenge(request: StunMessage, code: 401 | 438, nonce: string): Buffer {
  return encodeStun({
    class: StunClass.ErrorResponse,
    method: request.method,
    transactionId: request.transactionId,
    attributes: { errorCode: { code, reason: code === 401 ? 'Unauthorized' : 'Stale Nonce' }, realm: REALM, nonce },
  });
}

/** An error answer without challenge. */
export function failure(request: StunMessage, code: number, reason: string): Buffer {
  return encodeStun(
    {
      class: StunClass.ErrorResponse,
      method: request.method,
      transactionId: request.transactionId,
      attributes: { errorCode: { code, reason } },
    },
    { integrityKey: KEY },
  );
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return b;
}

/** A success answer with MESSAGE-INTEGRITY; Allocate gets the relayed and mapped addresses. */
export function success(request: StunMessage, options: { lifetime?: number; connectionId?: number; key?: Buffer } = {}): Buffer {
  const extra = [];
  if (request.method === TurnMethod.Allocate) {
    extra.push({
      type: TurnAttr.XorRelayedAddress,
      value: encodeXorAddress({ address: '198.51.100.1', port: 50000 }, request.transactionId),
    });
  }
  if (options.lifetime !== undefined) extra.push({ type: TurnAttr.Lifetime, value: u32(options.lifetime) });
  if (options.connectionId !== undefined) extra.push({ type: TurnAttr.ConnectionId, value: u32(options.connectionId) });
  return encodeStun(
    {
      class: StunClass.SuccessResponse,
      method: request.method,
      transactionId: request.transactionId,
      attributes: request.method === TurnMethod.Allocate ? { xorMappedAddress: { family: 4, address: '203.0.113.5', port: 40000 } } : {},
      extraAttributes: extra,
    },
    { integrityKey: options.key ?? KEY },
  );
}

/** A Data indication from a peer. */
export function dataIndication(peer: { address: string; port: number }, data: Buffer, tid = Buffer.alloc(12, 9)): Buffer {
  return encodeStun({
    class: StunClass.Indication,
    method: TurnMethod.Data,
    transactionId: tid,
    extraAttributes: [
      { type: TurnAttr.XorPeerAddress, value: encodeXorAddress(peer, tid) },
      { type: TurnAttr.Data, value: data },
    ],
  });
}
