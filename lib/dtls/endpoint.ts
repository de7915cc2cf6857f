/**
 * The sans-IO DTLS 1.2 endpoint (RFC 6347): datagrams and time in,
 * datagrams, events and a timer deadline out. No sockets, no clock, no
 * global randomness: the runtime passes `now` (ms) in and injects `random`.
 *
 * After every input, drain `pollTransmit()` and `pollEvent()` until they
 * return `undefined`, then arm one timer for `pollTimeout()` and call
 * `handleTimeout(now)` when it fires (early or late calls are harmless).
 *
 * @module
 */
import createDebug from 'debug';
import { AlertDescription, AlertLevel, alertName, encodeAlert } from './alert.js';
import { type CipherSuiteName, RecordProtection, type SuiteParameters } from './cipher-suites.js';
import { ClientFlow } from './client-flow.js';
import { DtlsError } from './dtls-error.js';
import { NamedGroup } from './extensions.js';
import { type FlightEntry, encodeFlight } from './flight.js';
import type { HandshakeContext, HandshakeFlow, SessionInfo } from './handshake-context.js';
import { HandshakeType, encodeHandshakeMessage, parseHandshakeFragments } from './handshake-header.js';
import { type DtlsEndpointOptions, type DtlsGroupName, type ResolvedOptions, resolveOptions } from './dtls-options.js';
import { exportKeyingMaterial, keyBlock } from './prf.js';
import { Reassembler } from './reassembler.js';
import { ContentType, DTLS_1_0, DTLS_1_2, MAX_PLAINTEXT } from './record.js';
import { type OpenedRecord, RecordLayer } from './record-layer.js';
import { RetransmitTimer } from './retransmit-timer.js';
import { ServerFlow } from './server-flow.js';
import { type SrtpProfileName, srtpProfileName } from './srtp-profiles.js';
import { Transcript } from './transcript.js';

const debug = createDebug('ice-tcp:dtls');

/** Smallest gap between two retransmissions triggered by the peer's retransmissions, ms (bounds amplification). */
export const MIN_RETRANSMIT_GAP_MS = 100;

/** What the endpoint reports. */
export type DtlsEvent =
  | {
      readonly type: 'connected';
      readonly cipherSuite: CipherSuiteName;
      readonly group: DtlsGroupName;
      /** The peer's certificate, DER (already accepted by `verifyPeerCertificate` when one was given). */
      readonly peerCertificate: Uint8Array | undefined;
      readonly srtpProfile: SrtpProfileName | undefined;
    }
  | { readonly type: 'data'; readonly data: Uint8Array }
  | { readonly type: 'closed'; readonly byPeer: boolean }
  | { readonly type: 'failed'; readonly error: DtlsError };

export type DtlsState = 'new' | 'handshaking' | 'connected' | 'closed' | 'failed';

/** Exporter labels RFC 5705 §4 reserves (they would reproduce the handshake's own secrets). */
const RESERVED_LABELS = ['client finished', 'server finished', 'master secret', 'key expansion', 'extended master secret'];

export class DtlsEndpoint {
  readonly options: ResolvedOptions;
  readonly #transcript = new Transcript();
  readonly #records: RecordLayer;
  readonly #reassembler: Reassembler;
  readonly #flow: HandshakeFlow & { readonly waitingForClientHello?: boolean };
  readonly #timer: RetransmitTimer;
  readonly #transmits: Uint8Array[] = [];
  readonly #events: DtlsEvent[] = [];
  #pending: OpenedRecord[] = [];
  #state: DtlsState = 'new';
  #flight: FlightEntry[] | undefined;
  #lastFlightAt = -Infinity;
  #sendSeq = 0;
  #writeEpoch = 0;
  #session: SessionInfo | undefined;
  readonly #context: HandshakeContext;
  /** Renegotiation attempts refused with no_renegotiation (RFC 5746). */
  renegotiationsRefused = 0;

  /** @throws DtlsError `ERR_DTLS_BAD_OPTION`. */
  constructor(options: DtlsEndpointOptions) {
    this.options = resolveOptions(options);
    this.#records = new RecordLayer(this.options.replayWindow);
    this.#reassembler = new Reassembler(this.options.maxHandshakeMessageSize);
    this.#timer = new RetransmitTimer(this.options.retransmitInitialMs, this.options.retransmitMaxMs, this.options.maxRetransmits);
    this.#flow = this.options.role === 'client' ? new ClientFlow() : new ServerFlow();
    this.#context = this.#makeContext();
  }

  get state(): DtlsState {
    return this.#state;
  }

  /** The negotiated suite, once connected. */
  get cipherSuite(): CipherSuiteName | undefined {
    return this.#session?.suite.name;
  }

  /** The peer's certificate (DER), once connected. */
  get peerCertificate(): Uint8Array | undefined {
    return this.#session?.peer?.der;
  }

  /** The SRTP profile use_srtp settled on, if any. */
  get srtpProfile(): SrtpProfileName | undefined {
    const id = this.#session?.srtpProfile;
    return id === undefined ? undefined : srtpProfileName(id);
  }

  /** Records dropped by the record layer so far (malformed, replayed, unauthenticated). */
  get recordStats(): { readonly dropped: number; readonly replayed: number; readonly unauthenticated: number } {
    return { ...this.#records.stats };
  }

  /** Starts the handshake: a client sends its ClientHello; a server waits for one. */
  start(now: number): void {
    if (this.#state !== 'new') return;
    this.#state = 'handshaking';
    this.#guard(() => this.#flow.start(this.#context, now));
  }

  /** One datagram from the peer (one UDP datagram, or one RFC 4571 frame, RFC 6544 §7.1). */
  handleDatagram(now: number, datagram: Uint8Array): void {
    if (this.#state === 'new') this.start(now);
    if (this.#state !== 'handshaking' && this.#state !== 'connected') return;
    this.#pending.push(...this.#records.read(datagram));
    let retransmitted = false;
    while (this.#pending.length > 0 && (this.#state === 'handshaking' || this.#state === 'connected')) {
      const record = this.#pending.shift()!;
      this.#guard(() => {
        if (this.#onRecord(now, record) && !retransmitted) retransmitted = this.#retransmitForPeer(now);
      });
    }
    this.#pending = [];
  }

  /** The timer from `pollTimeout()` fired. */
  handleTimeout(now: number): void {
    const deadline = this.#timer.deadline;
    if (this.#state !== 'handshaking' || deadline === undefined || now < deadline) return;
    if (this.#timer.expire(now) === 'give-up') {
      this.#fail(new DtlsError('ERR_DTLS_HANDSHAKE_TIMEOUT', `no answer after ${this.options.maxRetransmits} retransmissions`), false);
      return;
    }
    debug('%s retransmits its flight (%d)', this.options.role, this.#timer.count);
    this.#transmitFlight(now);
  }

  /**
   * Sends one application record (one datagram).
   *
   * @throws DtlsError `ERR_DTLS_NOT_CONNECTED` before the handshake finished
   *   or after close; `ERR_DTLS_MESSAGE_TOO_LARGE` over 16384 bytes.
   */
  send(data: Uint8Array): void {
    if (this.#state !== 'connected') throw new DtlsError('ERR_DTLS_NOT_CONNECTED', `cannot send while ${this.#state}`);
    if (data.length > MAX_PLAINTEXT)
      throw new DtlsError('ERR_DTLS_MESSAGE_TOO_LARGE', `a record carries at most ${MAX_PLAINTEXT} bytes, got ${data.length}`);
    this.#transmits.push(this.#records.write(ContentType.application_data, this.#writeEpoch, data));
  }

  /** Sends close_notify (RFC 5246 §7.2.1) and closes; nothing is delivered afterwards. */
  close(): void {
    if (this.#state !== 'handshaking' && this.#state !== 'connected') return;
    this.#sendAlert(AlertLevel.warning, AlertDescription.close_notify);
    this.#end('closed');
    this.#events.push({ type: 'closed', byPeer: false });
  }

  /**
   * Ends the session with a fatal alert (default bad_certificate: the
   * application's own check of the peer failed, RFC 8122 §6.2). A `'failed'`
   * event follows with `error`.
   */
  abort(error: DtlsError, alert: number = AlertDescription.bad_certificate): void {
    if (this.#state !== 'handshaking' && this.#state !== 'connected') return;
    this.#sendAlert(AlertLevel.fatal, alert);
    this.#fail(error, false);
  }

  /**
   * Keying material exported from the session (RFC 5705 §4); for DTLS-SRTP
   * the label is `EXTRACTOR-dtls_srtp` and no context (RFC 5764 §4.2).
   *
   * @throws DtlsError `ERR_DTLS_NOT_CONNECTED` before the handshake;
   *   `ERR_DTLS_BAD_OPTION` for a reserved label or a bad length.
   */
  exportKeyingMaterial(label: string, length: number, context?: Uint8Array): Uint8Array {
    const s = this.#session;
    if (s === undefined) throw new DtlsError('ERR_DTLS_NOT_CONNECTED', 'no session to export keying material from');
    if (typeof label !== 'string' || RESERVED_LABELS.includes(label))
      throw new DtlsError('ERR_DTLS_BAD_OPTION', `label ${JSON.stringify(label)} is reserved (RFC 5705 §4)`);
    if (!Number.isInteger(length) || length < 1 || length > 16384) throw new DtlsError('ERR_DTLS_BAD_OPTION', 'length must be 1..16384');
    if (context !== undefined && context.length > 0xffff) throw new DtlsError('ERR_DTLS_BAD_OPTION', 'context must be under 64 KiB');
    return exportKeyingMaterial(s.suite.prfHash, s.masterSecret, s.clientRandom, s.serverRandom, label, length, context);
  }

  pollTransmit(): Uint8Array | undefined {
    return this.#transmits.shift();
  }

  pollEvent(): DtlsEvent | undefined {
    return this.#events.shift();
  }

  /** When `handleTimeout` is next due, or `undefined` for never. */
  pollTimeout(): number | undefined {
    return this.#state === 'handshaking' ? this.#timer.deadline : undefined;
  }

  /** Handles one record; returns true when it showed the peer retransmitting (we may answer with our flight). */
  #onRecord(now: number, record: OpenedRecord): boolean {
    switch (record.type) {
      case ContentType.handshake:
        return this.#onHandshakeRecord(now, record);
      case ContentType.change_cipher_spec:
        // The epoch of the Finished record proves the switch (RFC 6347 §4.1); CCS itself carries nothing.
        if (record.body.length !== 1 || record.body[0] !== 1) debug('ignores a malformed ChangeCipherSpec');
        return false;
      case ContentType.alert:
        this.#onAlert(record);
        return false;
      case ContentType.application_data:
        if (this.#state === 'connected' && record.epoch === this.#writeEpoch && record.epoch > 0) {
          this.#events.push({ type: 'data', data: record.body });
        } else {
          debug('drops application data in epoch %d while %s', record.epoch, this.#state);
        }
        return false;
      default:
        debug('drops a record of unknown type %d', record.type);
        return false;
    }
  }

  #onHandshakeRecord(now: number, record: OpenedRecord): boolean {
    let fragments;
    try {
      fragments = parseHandshakeFragments(record.body);
    } catch (error) {
      if (record.epoch > 0) throw error; // authenticated garbage: fatal
      debug('drops a malformed plaintext handshake record: %s', (error as Error).message);
      return false;
    }
    let old = false;
    for (const fragment of fragments) {
      const finished = fragment.msgType === HandshakeType.finished;
      if (this.#state === 'connected') {
        const hello = this.options.role === 'server' ? HandshakeType.client_hello : HandshakeType.hello_request;
        if (record.epoch > 0 && fragment.msgType === hello) {
          // A renegotiation (whatever its message_seq: OpenSSL restarts at 0). RFC 5746 §4.4 / §4.2 (and
          // RFC 5246 §7.2.2): we refuse it with a warning no_renegotiation and keep the session as it is.
          if (fragment.offset === 0) {
            debug('%s refuses renegotiation', this.options.role);
            this.renegotiationsRefused++;
            this.#sendAlert(AlertLevel.warning, AlertDescription.no_renegotiation);
          }
        } else if (fragment.messageSeq < this.#reassembler.nextSeq) {
          debug('an old fragment (type %d, message %d): the peer retransmits', fragment.msgType, fragment.messageSeq);
          old = true;
        } else debug('ignores handshake message %d after the handshake', fragment.msgType);
        continue;
      }
      // RFC 6347 §4.1: Finished is the first message of the new epoch; everything before it is in epoch 0.
      if (finished !== record.epoch > 0) {
        debug('drops handshake message %d in epoch %d', fragment.msgType, record.epoch);
        continue;
      }
      if (
        this.#flow.waitingForClientHello === true &&
        fragment.msgType === HandshakeType.client_hello &&
        fragment.messageSeq !== this.#reassembler.nextSeq
      ) {
        this.#reassembler.reset(fragment.messageSeq);
      }
      if (this.#reassembler.add(fragment) === 'old') old = true;
      for (let m = this.#reassembler.poll(); m !== undefined && this.#state === 'handshaking'; m = this.#reassembler.poll()) {
        this.#flow.handle(this.#context, now, { ...m, epoch: m.msgType === HandshakeType.finished ? 1 : 0 }, record.sequence);
      }
    }
    return old;
  }

  #onAlert(record: OpenedRecord): void {
    if (record.body.length !== 2) {
      debug('drops a malformed alert');
      return;
    }
    if (this.#state === 'connected' && record.epoch === 0) {
      // Once keys are in use, a plaintext alert is unauthenticated: anyone could have sent it.
      debug('ignores a plaintext alert after the handshake');
      return;
    }
    const [level, description] = record.body;
    if (description === AlertDescription.close_notify) {
      debug('%s: the peer sent close_notify', this.options.role);
      this.#sendAlert(AlertLevel.warning, AlertDescription.close_notify);
      this.#end('closed');
      this.#events.push({ type: 'closed', byPeer: true });
      return;
    }
    if (level === AlertLevel.fatal) {
      this.#fail(new DtlsError('ERR_DTLS_ALERT', `the peer sent a fatal ${alertName(description)} alert`), false);
      return;
    }
    debug('ignores a warning %s alert', alertName(description));
  }

  /** Answers the peer's retransmission with our last flight, at most every {@link MIN_RETRANSMIT_GAP_MS}. */
  #retransmitForPeer(now: number): boolean {
    if (this.#flight === undefined || now - this.#lastFlightAt < Math.min(MIN_RETRANSMIT_GAP_MS, this.options.retransmitInitialMs))
      return false;
    debug('%s answers a retransmission with its last flight', this.options.role);
    this.#transmitFlight(now);
    return true;
  }

  #transmitFlight(now: number): void {
    if (this.#flight === undefined) return;
    this.#lastFlightAt = now;
    this.#transmits.push(...encodeFlight(this.#flight, this.#records, this.options.mtu, DTLS_1_2));
  }

  #sendAlert(level: number, description: number): void {
    try {
      this.#transmits.push(this.#records.write(ContentType.alert, this.#writeEpoch, encodeAlert(level, description)));
    } catch (error) {
      debug('cannot send the %s alert: %s', alertName(description), (error as Error).message);
    }
  }

  #guard(action: () => void): void {
    try {
      action();
    } catch (error) {
      if (error instanceof DtlsError) this.#fail(error, true);
      else
        this.#fail(
          new DtlsError('ERR_DTLS_DECODE', `internal failure: ${(error as Error).message}`, {
            cause: error,
            alert: AlertDescription.internal_error,
          }),
          true,
        );
    }
  }

  #fail(error: DtlsError, sendAlert: boolean): void {
    if (this.#state === 'failed' || this.#state === 'closed') return;
    debug('%s fails: %s', this.options.role, error.message);
    if (sendAlert && error.alert !== undefined) this.#sendAlert(AlertLevel.fatal, error.alert);
    this.#end('failed');
    this.#events.push({ type: 'failed', error });
  }

  #end(state: 'closed' | 'failed'): void {
    this.#state = state;
    this.#timer.stop();
    this.#flight = undefined;
  }

  /** The endpoint as seen by the handshake flows. */
  #makeContext(): HandshakeContext {
    return {
      options: this.options,
      transcript: this.#transcript,
      takeSendSeq: () => this.#sendSeq++,
      setSendSeq: (seq) => {
        this.#sendSeq = seq;
      },
      sendFlight: (now, entries, final) => {
        this.#flight = entries;
        if (entries.some((e) => e.kind === 'change-cipher-spec')) this.#writeEpoch = 1;
        this.#transmitFlight(now);
        if (final) this.#timer.stop();
        else this.#timer.start(now);
      },
      sendStateless: (entries, recordSequence) => {
        for (const e of entries) {
          if (e.kind !== 'handshake') continue;
          const fragment = encodeHandshakeMessage(e.msgType, e.messageSeq, e.body);
          this.#transmits.push(this.#records.write(ContentType.handshake, 0, fragment, DTLS_1_0, recordSequence));
        }
      },
      installKeys: (suite, masterSecret, clientRandom, serverRandom) => this.#installKeys(suite, masterSecret, clientRandom, serverRandom),
      complete: (_now, session) => {
        this.#session = session;
        this.#state = 'connected';
        this.#timer.stop();
        if (this.options.role === 'client') this.#flight = undefined;
        debug('%s connected with %s', this.options.role, session.suite.name);
        this.#events.push({
          type: 'connected',
          cipherSuite: session.suite.name,
          group: session.group === NamedGroup.x25519 ? 'x25519' : 'secp256r1',
          peerCertificate: session.peer?.der,
          srtpProfile: session.srtpProfile === undefined ? undefined : srtpProfileName(session.srtpProfile),
        });
      },
    };
  }

  #installKeys(suite: SuiteParameters, masterSecret: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array): void {
    const keys = keyBlock(suite.prfHash, masterSecret, clientRandom, serverRandom, suite.keyLength, suite.ivLength);
    const client = new RecordProtection(suite, keys.clientWriteKey, keys.clientWriteIv);
    const server = new RecordProtection(suite, keys.serverWriteKey, keys.serverWriteIv);
    const [write, read] = this.options.role === 'client' ? [client, server] : [server, client];
    this.#pending.push(...this.#records.install(1, write, read));
  }
}
