/**
 * The byte-stream view of an {@link IceConnection} (`IceConnection.stream()`):
 * the library's one {@link PacketStream}, raising the agent's error codes.
 *
 * @module
 */
import type { PacketConnection } from '../../connection.js';
import { createPacketStream, PacketStream, type PacketStreamErrors, type PacketStreamOptions } from '../../packet-stream/packet-stream.js';
import { IceAgentError } from '../net-errors.js';
import type { IceConnection } from './ice-connection.js';

/** The errors of an ICE connection's stream: the agent's codes. */
const ICE_STREAM_ERRORS: PacketStreamErrors = {
  badOption: (message) => new IceAgentError('ERR_AGENT_BAD_OPTION', message),
  closed: (message) => new IceAgentError('ERR_CONNECTION_CLOSED', message),
  overflow: (message) => new IceAgentError('ERR_CONNECTION_QUEUE_FULL', message),
};

/**
 * Makes the Duplex view of an ICE connection: writes are cut into packets
 * (`maxPacketSize` on UDP, `maxFrameSize` on TCP, none that looks like
 * STUN), read packets become bytes; ending our side sends nothing (ICE has
 * no half-close) and destroying the view leaves the connection open.
 *
 * @throws IceAgentError `ERR_AGENT_BAD_OPTION`
 */
export function createIceConnectionStream(connection: PacketConnection, options?: PacketStreamOptions): PacketStream {
  return createPacketStream(connection, {
    maxPacketSize: options?.maxPacketSize,
    maxFrameSize: options?.maxFrameSize,
    highWaterMark: options?.highWaterMark,
    errors: ICE_STREAM_ERRORS,
  });
}

/** @deprecated Use {@link PacketStreamOptions} (the same options). */
export type IceConnectionStreamOptions = PacketStreamOptions;

/**
 * @deprecated `IceConnection.stream()` returns a {@link PacketStream}; this
 * subclass only keeps `new IceConnectionStream(connection, options)` working.
 */
export class IceConnectionStream extends PacketStream {
  /** @throws IceAgentError `ERR_AGENT_BAD_OPTION` */
  constructor(connection: IceConnection, options: PacketStreamOptions = {}) {
    super(connection, {
      maxPacketSize: options.maxPacketSize,
      maxFrameSize: options.maxFrameSize,
      highWaterMark: options.highWaterMark,
      errors: ICE_STREAM_ERRORS,
    });
  }
}
