// An in-memory connected pair of Duplex streams with real backpressure:
// what one side writes is pushed to the other's readable side, and the
// writer's callback is held while the reader's buffer is full, so its
// writable buffer fills and write() returns false, as with TCP.
import { Duplex } from 'node:stream';

class PairSide extends Duplex {
  peer!: PairSide;
  /** The peer's write callback held until we read again. */
  heldWrite: (() => void) | undefined;

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.peer.destroyed) {
      callback(new Error('peer destroyed'));
      return;
    }
    if (this.peer.push(chunk)) callback();
    else this.peer.heldWrite = () => callback();
  }

  override _read(): void {
    const release = this.heldWrite;
    this.heldWrite = undefined;
    release?.();
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.peer.destroyed) this.peer.push(null); // our FIN
    callback();
  }
}

/** Returns two connected in-memory Duplex streams. */
export function duplexPair(highWaterMark = 16384): [Duplex, Duplex] {
  const a = new PairSide({ highWaterMark });
  const b = new PairSide({ highWaterMark });
  a.peer = b;
  b.peer = a;
  return [a, b];
}
