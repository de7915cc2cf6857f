import { Socket } from 'node:net';

/**
 * Whether `stream` is a plain `net.Socket` (not a `tls.TLSSocket` or another
 * subclass): such a socket is done with a written chunk once its write
 * called back (libuv handed the bytes to the kernel), so the framing layer
 * may reuse that memory (`FramedConnectionOptions.freesWrittenChunks`).
 */
export function isPlainSocket(stream: object): boolean {
  return Object.getPrototypeOf(stream) === Socket.prototype;
}
