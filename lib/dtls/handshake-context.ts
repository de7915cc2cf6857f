/**
 * What the client and server handshake flows need from the endpoint, so
 * that the flows and the endpoint do not import each other.
 *
 * @module
 */
import type { SuiteParameters } from './cipher-suites.js';
import type { FlightEntry } from './flight.js';
import type { ResolvedOptions } from './dtls-options.js';
import type { PeerCertificate } from './signatures.js';
import type { Transcript } from './transcript.js';

/** A complete handshake message handed to a flow, with the epoch it came in. */
export interface ReceivedMessage {
  readonly msgType: number;
  readonly messageSeq: number;
  readonly body: Uint8Array;
  readonly epoch: number;
}

/** What a finished handshake established. */
export interface SessionInfo {
  readonly suite: SuiteParameters;
  readonly group: number;
  readonly masterSecret: Uint8Array;
  readonly clientRandom: Uint8Array;
  readonly serverRandom: Uint8Array;
  /** The peer's certificate; `undefined` only for a client a server did not ask for one (never for ours). */
  readonly peer: PeerCertificate | undefined;
  readonly srtpProfile: number | undefined;
}

export interface HandshakeContext {
  readonly options: ResolvedOptions;
  readonly transcript: Transcript;
  /** Takes the next message_seq we send. */
  takeSendSeq(): number;
  /** Sets the message_seq we send next (a server answering a ClientHello after a HelloVerifyRequest). */
  setSendSeq(seq: number): void;
  /** Sends a new flight; only non-final flights are retransmitted on the timer (RFC 6347 §4.2.4). */
  sendFlight(now: number, entries: FlightEntry[], final: boolean): void;
  /** Sends one datagram of handshake records outside any flight (a HelloVerifyRequest: the server keeps no state). */
  sendStateless(entries: FlightEntry[], recordSequence: number): void;
  /** Installs epoch 1's keys. */
  installKeys(suite: SuiteParameters, masterSecret: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array): void;
  /** The handshake is done. */
  complete(now: number, session: SessionInfo): void;
}

/** A role's handshake logic. */
export interface HandshakeFlow {
  start(ctx: HandshakeContext, now: number): void;
  /** Handles one in-order message; throws a DtlsError to fail the handshake. `recordSequence` is that of its first record. */
  handle(ctx: HandshakeContext, now: number, message: ReceivedMessage, recordSequence: number): void;
}
