import { randomBytes } from 'node:crypto';
import { connect, isIP, type Socket } from 'node:net';
import createDebug from 'debug';
import { FrameDecoder, FramingError, encodeFrame } from '../../framing/index.js';
import type { Address } from '../../ice/types.js';
import { STUN_HEADER_SIZE, StunClass, StunError, StunMethod, decodeStun, encodeStun } from '../../stun/index.js';
import { formatEndpoint } from './socket-address.js';
import { TcpTransportError } from './tcp-error.js';

const debug = createDebug('ice-tcp:tcp');

/**
 * How STUN messages are delimited on a TCP connection to a STUN server:
 * `'rfc4571'` puts a 2-byte length before each message (RFC 4571, as on
 * ICE-TCP connections, RFC 6544 §3); `'plain'` sends bare messages, each
 * delimited by its header's length field (RFC 8489 §6.2.2, RFC 5389 §7.2.2,
 * what third-party STUN servers such as coturn expect over TCP).
 */
export type StunTcpFraming = 'rfc4571' | 'plain';

/** A request for the server-reflexive mapping of a bound TCP port. */
export interface TcpMappingRequest {
  /** The STUN server. */
  server: { host: string; port: number };
  /** The local address and port to connect from (the S-O base). */
  local: Address;
  /** Give up after this long (connect and answer), ms. */
  timeoutMs: number;
  /** Message delimiting on the connection. */
  framing: StunTcpFraming;
  /** Aborts the request. */
  signal?: AbortSignal;
}

/** The answer: the mapped address and the server connection, left open. */
export interface TcpMapping {
  /** XOR-MAPPED-ADDRESS (or MAPPED-ADDRESS) of the success response. */
  mapped: Address;
  /**
   * The connection to the server, still open: RFC 6544 §4.1 keeps server
   * connections open until ICE completes, which keeps the NAT mapping alive.
   * Anything the server sends later is discarded with a debug line.
   */
  socket: Socket;
}

/** Largest answer accepted from a STUN server (bytes). */
const MAX_ANSWER_SIZE = 1500;

/**
 * Sends one STUN Binding request (with FINGERPRINT, no authentication) over a
 * new TCP connection from `local` to the server, and resolves with the
 * mapped address of the success response (RFC 6544 §5.2, RFC 8489 §6.2.2).
 * Never retransmits (TCP, RFC 8489 §6.2.2).
 *
 * @throws TcpTransportError `ERR_TCP_STUN_FAILED` (rejection) on a connect
 *   error, a timeout, an abort, an error response, a malformed or oversized
 *   answer, or a success response without a mapped address.
 */
export function requestTcpMapping(request: TcpMappingRequest): Promise<TcpMapping> {
  const { server, local, timeoutMs, framing, signal } = request;
  const where = `${formatEndpoint(local)} -> ${server.host}:${server.port}`;
  return new Promise((resolve, reject) => {
    const transactionId = randomBytes(12);
    let settled = false;
    const reader = answerReader(framing);
    let socket: Socket | undefined;
    const fail = (message: string, cause?: unknown): void => {
      if (settled) return;
      settled = true;
      cleanup();
      socket?.destroy();
      debug('STUN over TCP %s failed: %s', where, message);
      reject(new TcpTransportError('ERR_TCP_STUN_FAILED', `STUN Binding over TCP ${where}: ${message}`, { cause }));
    };
    const onAbort = (): void => fail('aborted');
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket?.off('data', onData);
    };
    const onData = (chunk: Buffer): void => {
      const message = reader(chunk);
      if (message === 'oversized') return fail(`answer larger than ${MAX_ANSWER_SIZE} bytes`);
      if (message === undefined) return;
      let decoded;
      try {
        decoded = decodeStun(message);
      } catch (error) {
        if (error instanceof StunError) return fail(`malformed answer: ${error.message}`, error);
        throw error;
      }
      if (decoded.method !== StunMethod.Binding || !decoded.transactionId.equals(transactionId)) {
        return fail('answer does not match the request (method or transaction id)');
      }
      if (decoded.class === StunClass.ErrorResponse) {
        const code = decoded.attributes.errorCode;
        return fail(`error response ${code ? `${code.code} ${code.reason}` : '(no ERROR-CODE)'}`);
      }
      const mapped = decoded.attributes.xorMappedAddress ?? decoded.attributes.mappedAddress;
      if (decoded.class !== StunClass.SuccessResponse || mapped === undefined) {
        return fail('answer is not a success response with a mapped address');
      }
      settled = true;
      cleanup();
      const open = socket!;
      open.on('data', (extra: Buffer) => debug('STUN server connection %s: discards %d unexpected bytes', where, extra.length));
      debug('STUN over TCP %s: mapped %s:%d', where, mapped.address, mapped.port);
      resolve({ mapped: { address: mapped.address, port: mapped.port }, socket: open });
    };
    if (signal?.aborted) return fail('aborted');
    signal?.addEventListener('abort', onAbort, { once: true });
    let opened: Socket;
    try {
      opened = connect({
        host: server.host,
        port: server.port,
        localAddress: local.address,
        localPort: local.port,
        family: isIP(local.address) === 6 ? 6 : 4,
        noDelay: true,
      });
    } catch (error) {
      return fail(error instanceof Error ? error.message : String(error), error);
    }
    socket = opened;
    opened.on('error', (error) => {
      if (!settled) fail(error.message, error);
      else debug('STUN server connection %s: %s', where, error.message);
    });
    opened.on('close', () => fail('connection closed before an answer'));
    opened.on('data', onData);
    opened.once('connect', () => {
      const bytes = encodeStun({ class: StunClass.Request, method: StunMethod.Binding, transactionId }, { fingerprint: true });
      opened.write(framing === 'rfc4571' ? encodeFrame(bytes) : bytes);
    });
  });
}

/**
 * Reads the server's answer chunk by chunk: each call returns the first
 * complete STUN message once it is in, `undefined` while more bytes are
 * needed, `'oversized'` when it announces more than we accept.
 */
type AnswerReader = (chunk: Buffer) => Buffer | 'oversized' | undefined;

/** The reader for `framing`: RFC 4571 frames through a {@link FrameDecoder}, or bare STUN messages. */
export function answerReader(framing: StunTcpFraming): AnswerReader {
  if (framing === 'rfc4571') {
    // RFC 4571 §2, capped at MAX_ANSWER_SIZE as soon as the header is in.
    const decoder = new FrameDecoder({ maxFrameSize: MAX_ANSWER_SIZE });
    let answer: Buffer | undefined;
    return (chunk) => {
      if (answer !== undefined) return answer;
      try {
        decoder.push(chunk, (frame) => (answer ??= frame));
      } catch (error) {
        if (error instanceof FramingError) return 'oversized';
        throw error;
      }
      return answer;
    };
  }
  let buffer: Buffer = Buffer.alloc(0);
  return (chunk) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    if (buffer.length < 4) return undefined;
    // RFC 8489 §5: the length field (bytes 2-3) excludes the 20-byte header.
    const total = STUN_HEADER_SIZE + buffer.readUInt16BE(2);
    if (total > MAX_ANSWER_SIZE) return 'oversized';
    return buffer.length >= total ? buffer.subarray(0, total) : undefined;
  };
}
