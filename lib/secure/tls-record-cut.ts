/**
 * Where the TLS byte stream we send may be cut into RFC 4571 frames so that
 * each frame holds whole TLS records.
 *
 * Why whole records (RFC 6544 §10.1 allows any cut):
 * - a frame that starts a record starts with its content type, 20–24
 *   (RFC 8446 §5.1, RFC 6520 for 24), which RFC 7983 §7 puts in the (D)TLS
 *   range, never STUN's 0–3: even a peer that demultiplexes on the first byte
 *   alone reads it as TLS (see lib/packet-stream/stun-safe-cut.ts);
 * - the receiver's TLS gets one complete record per frame, instead of every
 *   record split over two frames, and the frames are no more numerous: TLS
 *   1.3 records carry at most 2^14 + 256 bytes (RFC 8446 §5.2) plus a
 *   5-byte header, which one frame holds (RFC 4571 §2: up to 65535).
 *
 * The tracker follows the record headers through every chunk written, in
 * order (a header may straddle chunks). A byte that cannot start a record
 * (another content type, or a version major other than 3) means we lost
 * track: from then on no boundaries are offered and frames are cut by size
 * alone (still by the STUN-safe rule).
 *
 * @module
 */
import createDebug from 'debug';
import type { PacketBoundaries } from '../packet-stream/packet-stream.js';

const debug = createDebug('ice-tcp:secure');

/** TLS record header: type (1), legacy_record_version (2), length (2) (RFC 8446 §5.1). */
const RECORD_HEADER_SIZE = 5;
/** ContentType change_cipher_spec, the lowest (RFC 8446 §5.1). */
const FIRST_CONTENT_TYPE = 20;
/** ContentType heartbeat, the highest in use (RFC 6520 §3). */
const LAST_CONTENT_TYPE = 24;
/** ProtocolVersion major of every TLS version (RFC 8446 §5.1). */
const VERSION_MAJOR = 3;

/**
 * The largest frame payload that holds any whole TLS 1.3 record: header plus
 * 2^14 + 256 bytes of ciphertext (RFC 8446 §5.2). TLS 1.2 records may carry
 * up to 2^14 + 2048 (RFC 5246 §6.2.3); such a rare record is cut in two.
 */
export const TLS_RECORD_FRAME_SIZE = RECORD_HEADER_SIZE + 2 ** 14 + 256;

/** Record boundaries in the TLS byte stream we write. */
export class TlsRecordBoundaries implements PacketBoundaries {
  /** Bytes of the current record's body still to come. */
  #bodyLeft = 0;
  /** Header bytes of the next record seen so far (0 at a boundary). */
  #headerSeen = 0;
  #lengthHigh = 0;
  #lost = false;
  readonly #found: number[] = [];

  /** `false` once the stream stopped looking like TLS records. */
  get tracking(): boolean {
    return !this.#lost;
  }

  scan(chunk: Buffer): readonly number[] {
    const found = this.#found;
    found.length = 0;
    const size = chunk.length;
    let i = 0;
    while (i < size && !this.#lost) {
      if (this.#bodyLeft > 0) {
        const take = Math.min(this.#bodyLeft, size - i);
        this.#bodyLeft -= take;
        i += take;
        continue;
      }
      const byte = chunk[i];
      switch (this.#headerSeen) {
        case 0:
          if (byte < FIRST_CONTENT_TYPE || byte > LAST_CONTENT_TYPE) {
            this.#lose(`content type ${byte}`);
            continue;
          }
          if (i > 0) found.push(i); // a record starts here
          break;
        case 1:
          if (byte !== VERSION_MAJOR) {
            this.#lose(`version major ${byte}`);
            continue;
          }
          break;
        case 3:
          this.#lengthHigh = byte;
          break;
        case 4:
          this.#bodyLeft = (this.#lengthHigh << 8) | byte;
          break;
        default:
          break;
      }
      i++;
      this.#headerSeen = this.#headerSeen === RECORD_HEADER_SIZE - 1 ? 0 : this.#headerSeen + 1;
    }
    return found;
  }

  #lose(why: string): void {
    this.#lost = true; // the boundaries found before this point stand
    debug('TLS output does not look like records (%s): frames are cut by size from here on', why);
  }
}
