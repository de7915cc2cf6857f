/**
 * A Writable that cuts what is written into lines and hands each one to a
 * callback: the stdout of a peer session that runs inside the demo.
 */
import { Writable } from 'node:stream';

/** Calls `onLine(line)` for every complete `\n`-terminated line written (without the `\n`). */
export class LineSink extends Writable {
  readonly #onLine: (line: string) => void;
  #partial = '';

  constructor(onLine: (line: string) => void) {
    super({ decodeStrings: false });
    this.#onLine = onLine;
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const parts = (this.#partial + chunk.toString()).split('\n');
    this.#partial = parts.pop()!;
    try {
      for (const line of parts) this.#onLine(line);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.#partial !== '') this.#onLine(this.#partial);
    this.#partial = '';
    callback();
  }
}
