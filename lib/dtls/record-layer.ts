/**
 * Epochs, sequence numbers and record protection (RFC 6347 §4.1): writes
 * records in a given epoch with the next 48-bit sequence number of that
 * epoch, and reads records: epoch 0 as plaintext, later epochs through
 * their AEAD and the anti-replay window. Records that fail authentication
 * are dropped silently (RFC 6347 §4.1.2.7), with a debug line. Records of
 * the next epoch that arrive before its keys are held (a few).
 *
 * @module
 */
import createDebug from 'debug';
import type { RecordProtection } from './cipher-suites.js';
import { DtlsError } from './dtls-error.js';
import { AlertDescription } from './alert.js';
import { DTLS_1_2, type DtlsRecord, MAX_PLAINTEXT, MAX_SEQUENCE, encodeRecord, isAcceptableRecordVersion, splitRecords } from './record.js';
import { ReplayWindow } from './replay-window.js';

const debug = createDebug('ice-tcp:dtls');

/** Records of a future epoch held until its keys exist. */
export const MAX_EARLY_RECORDS = 16;

/** A record that passed the record layer: its plaintext and where it came from. */
export interface OpenedRecord {
  readonly type: number;
  readonly epoch: number;
  readonly sequence: number;
  readonly body: Uint8Array;
}

interface ReadState {
  readonly protection: RecordProtection;
  readonly window: ReplayWindow;
}

export class RecordLayer {
  readonly #writeSeq = new Map<number, number>([[0, 0]]);
  readonly #writeProtection = new Map<number, RecordProtection>();
  readonly #read = new Map<number, ReadState>();
  #early: DtlsRecord[] = [];
  /** Counters, for tests and debugging. */
  readonly stats = { dropped: 0, replayed: 0, unauthenticated: 0 };

  constructor(private readonly replayWindow: number) {}

  /** Installs the keys of `epoch` (both directions); returns records held for it, now opened. */
  install(epoch: number, write: RecordProtection, read: RecordProtection): OpenedRecord[] {
    this.#writeProtection.set(epoch, write);
    this.#writeSeq.set(epoch, 0);
    this.#read.set(epoch, { protection: read, window: new ReplayWindow(this.replayWindow) });
    const held = this.#early.filter((r) => r.epoch === epoch);
    this.#early = [];
    const out: OpenedRecord[] = [];
    for (const record of held) {
      const opened = this.#open(record);
      if (opened) out.push(opened);
    }
    return out;
  }

  /** True once `epoch`'s read keys are installed. */
  hasReadEpoch(epoch: number): boolean {
    return this.#read.has(epoch);
  }

  /**
   * One record in `epoch`, sealed if the epoch has keys.
   *
   * @throws DtlsError `ERR_DTLS_NOT_CONNECTED` when the epoch's 48-bit
   *   sequence numbers are exhausted (RFC 6347 §4.1: no wrapping).
   */
  write(type: number, epoch: number, body: Uint8Array, version = DTLS_1_2, sequence?: number): Uint8Array {
    const seq = sequence ?? this.#writeSeq.get(epoch) ?? 0;
    if (seq > MAX_SEQUENCE) {
      throw new DtlsError('ERR_DTLS_NOT_CONNECTED', `epoch ${epoch} has used all 2^48 sequence numbers`, {
        alert: AlertDescription.internal_error,
      });
    }
    if (sequence === undefined) this.#writeSeq.set(epoch, seq + 1);
    const protection = this.#writeProtection.get(epoch);
    const fragment = protection ? protection.seal(epoch, seq, type, version, body) : body;
    return encodeRecord(type, version, epoch, seq, fragment);
  }

  /** The records of a datagram that pass version, epoch, replay and authentication checks. */
  read(datagram: Uint8Array): OpenedRecord[] {
    const { records, malformed } = splitRecords(datagram);
    if (malformed) {
      this.stats.dropped++;
      debug('drops the malformed rest of a %d-byte datagram', datagram.length);
    }
    const out: OpenedRecord[] = [];
    for (const record of records) {
      if (!isAcceptableRecordVersion(record.version, record.epoch)) {
        this.stats.dropped++;
        debug('drops a record with version 0x%s in epoch %d', record.version.toString(16), record.epoch);
        continue;
      }
      if (record.epoch === 0) {
        // Epoch 0 is plaintext; duplicates are caught by the handshake layer.
        if (record.fragment.length > MAX_PLAINTEXT) {
          this.stats.dropped++;
          continue;
        }
        out.push({ type: record.type, epoch: 0, sequence: record.sequence, body: record.fragment });
        continue;
      }
      if (!this.#read.has(record.epoch)) {
        if (!this.#read.has(record.epoch - 1) && record.epoch !== 1) {
          this.stats.dropped++;
          debug('drops a record of unknown epoch %d', record.epoch);
        } else if (this.#early.length < MAX_EARLY_RECORDS) {
          this.#early.push(record);
        } else {
          this.stats.dropped++;
          debug('drops a record of epoch %d: too many held before its keys', record.epoch);
        }
        continue;
      }
      const opened = this.#open(record);
      if (opened) out.push(opened);
    }
    return out;
  }

  #open(record: DtlsRecord): OpenedRecord | undefined {
    const state = this.#read.get(record.epoch);
    if (!state) return undefined;
    if (!state.window.check(record.sequence)) {
      this.stats.replayed++;
      debug('drops record %d of epoch %d: replayed or older than the window', record.sequence, record.epoch);
      return undefined;
    }
    const body = state.protection.open(record.epoch, record.sequence, record.type, record.version, record.fragment);
    if (body === undefined || body.length > MAX_PLAINTEXT) {
      // RFC 6347 §4.1.2.7: invalid records SHOULD be silently discarded.
      this.stats.unauthenticated++;
      debug('drops record %d of epoch %d: it does not authenticate', record.sequence, record.epoch);
      return undefined;
    }
    state.window.accept(record.sequence);
    return { type: record.type, epoch: record.epoch, sequence: record.sequence, body };
  }
}
