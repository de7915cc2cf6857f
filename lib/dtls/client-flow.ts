/**
 * The client's handshake (RFC 5246 §7.3, RFC 6347 §4.2.1 with the
 * optional HelloVerifyRequest): flights 1 (3), 5, and the server's 2, 4, 6.
 *
 * @module
 */
import { AlertDescription } from './alert.js';
import { concat, equalBytes } from './bytes.js';
import { SUITES, type SuiteParameters } from './cipher-suites.js';
import { DtlsError } from './dtls-error.js';
import {
  ExtensionType,
  encodeEmptyRenegotiationInfo,
  encodePointFormats,
  encodeU16List,
  encodeUseSrtp,
  parseUseSrtp,
} from './extensions.js';
import type { FlightEntry } from './flight.js';
import type { HandshakeContext, HandshakeFlow, ReceivedMessage } from './handshake-context.js';
import { HandshakeType } from './handshake-header.js';
import { encodeClientHello, parseHelloVerifyRequest, parseServerHello } from './hello-messages.js';
import { type EphemeralKey, generateEphemeralKey } from './key-exchange.js';
import {
  ECDSA_SIGN,
  encodeCertificate,
  encodeClientKeyExchange,
  encodeDigitallySigned,
  parseCertificate,
  parseCertificateRequest,
  parseFinished,
  parseServerKeyExchange,
} from './key-messages.js';
import { requireDtls12, requireEmptyRenegotiationInfo, requireExtendedMasterSecret, unexpected } from './negotiation-checks.js';
import { extendedMasterSecret, verifyData } from './prf.js';
import { DTLS_1_0, DTLS_1_2 } from './record.js';
import { ACCEPTED_SCHEMES, type PeerCertificate, readPeerCertificate, signWith, verifySignature } from './signatures.js';
import { checkPeerCertificate } from './peer-check.js';

/** HelloVerifyRequests answered before giving up (a server should need one). */
const MAX_HELLO_VERIFY = 4;

type State = 'hello' | 'certificate' | 'key-exchange' | 'request-or-done' | 'done' | 'finished' | 'connected';

export class ClientFlow implements HandshakeFlow {
  #state: State = 'hello';
  #random = new Uint8Array(32);
  #helloVerifies = 0;
  #serverRandom = new Uint8Array(32);
  #suite: SuiteParameters | undefined;
  #srtpProfile: number | undefined;
  #peer: PeerCertificate | undefined;
  #serverPublic: Uint8Array | undefined;
  #group = 0;
  #certificateRequested = false;
  #masterSecret: Uint8Array | undefined;

  start(ctx: HandshakeContext, now: number): void {
    this.#random = Uint8Array.from(ctx.options.random(32));
    this.#sendHello(ctx, now, new Uint8Array(0));
  }

  #sendHello(ctx: HandshakeContext, now: number, cookie: Uint8Array): void {
    const o = ctx.options;
    const extensions: Array<readonly [number, Uint8Array]> = [
      [ExtensionType.supported_groups, encodeU16List(o.groups)],
      [ExtensionType.ec_point_formats, encodePointFormats()],
      [ExtensionType.signature_algorithms, encodeU16List(ACCEPTED_SCHEMES)],
    ];
    if (o.srtpProfiles.length > 0) extensions.push([ExtensionType.use_srtp, encodeUseSrtp(o.srtpProfiles)]);
    extensions.push([ExtensionType.extended_master_secret, new Uint8Array(0)]);
    extensions.push([ExtensionType.renegotiation_info, encodeEmptyRenegotiationInfo()]);
    const body = encodeClientHello(
      {
        version: DTLS_1_2,
        random: this.#random,
        sessionId: new Uint8Array(0),
        cookie,
        cipherSuites: [...o.cipherSuites],
        compressionMethods: Uint8Array.of(0),
      },
      extensions,
    );
    const seq = ctx.takeSendSeq();
    ctx.transcript.add(HandshakeType.client_hello, seq, body);
    ctx.sendFlight(now, [{ kind: 'handshake', epoch: 0, msgType: HandshakeType.client_hello, messageSeq: seq, body }], false);
  }

  handle(ctx: HandshakeContext, now: number, m: ReceivedMessage): void {
    if (m.msgType === HandshakeType.hello_verify_request && this.#state === 'hello') return this.#onHelloVerify(ctx, now, m);
    const expected = EXPECTED[this.#state];
    if (!expected.includes(m.msgType)) throw unexpected(`handshake message ${m.msgType} while the client waits for ${expected.join('/')}`);
    if ((m.msgType === HandshakeType.finished) !== m.epoch > 0) throw unexpected(`handshake message ${m.msgType} in epoch ${m.epoch}`);
    if (m.msgType === HandshakeType.finished) return this.#onFinished(ctx, now, m);
    // Every other message enters the transcript before it is acted on.
    ctx.transcript.add(m.msgType, m.messageSeq, m.body);
    switch (m.msgType) {
      case HandshakeType.server_hello:
        return this.#onServerHello(ctx, m.body);
      case HandshakeType.certificate:
        return this.#onCertificate(ctx, m.body);
      case HandshakeType.server_key_exchange:
        return this.#onServerKeyExchange(ctx, m.body);
      case HandshakeType.certificate_request:
        return this.#onCertificateRequest(m.body);
      default:
        return this.#onServerHelloDone(ctx, now, m.body);
    }
  }

  #onHelloVerify(ctx: HandshakeContext, now: number, m: ReceivedMessage): void {
    const hvr = parseHelloVerifyRequest(m.body);
    // RFC 6347 §4.2.1: the server SHOULD say DTLS 1.0 here whatever it negotiates.
    if (hvr.version !== DTLS_1_0 && hvr.version !== DTLS_1_2) requireDtls12(hvr.version, 'HelloVerifyRequest');
    if (++this.#helloVerifies > MAX_HELLO_VERIFY) throw unexpected('too many HelloVerifyRequests');
    // RFC 6347 §4.2.6: the first ClientHello and the HelloVerifyRequest stay out of the transcript.
    ctx.transcript.reset();
    this.#sendHello(ctx, now, hvr.cookie);
  }

  #onServerHello(ctx: HandshakeContext, body: Uint8Array): void {
    const sh = parseServerHello(body);
    requireDtls12(sh.version, 'ServerHello');
    const suite = SUITES.get(sh.cipherSuite);
    if (suite === undefined || !ctx.options.cipherSuites.includes(sh.cipherSuite)) {
      throw new DtlsError('ERR_DTLS_NO_SHARED_SUITE', `the server chose suite 0x${sh.cipherSuite.toString(16)}, which we did not offer`, {
        alert: AlertDescription.illegal_parameter,
      });
    }
    if (sh.compressionMethod !== 0)
      throw new DtlsError('ERR_DTLS_DECODE', 'the server chose compression', { alert: AlertDescription.illegal_parameter });
    // RFC 5246 §7.4.1.4: a server may only answer extensions we sent.
    const sent = [
      ExtensionType.ec_point_formats,
      ExtensionType.extended_master_secret,
      ExtensionType.renegotiation_info,
      ExtensionType.use_srtp,
    ];
    for (const type of sh.extensions.keys()) {
      if (!sent.includes(type as never) || (type === ExtensionType.use_srtp && ctx.options.srtpProfiles.length === 0)) {
        throw new DtlsError('ERR_DTLS_DECODE', `the server sent extension ${type}, which we did not offer`, {
          alert: AlertDescription.unsupported_extension,
        });
      }
    }
    requireExtendedMasterSecret(sh.extensions, 'server');
    requireEmptyRenegotiationInfo(sh.extensions, 'server');
    const srtp = sh.extensions.get(ExtensionType.use_srtp);
    if (srtp !== undefined) {
      const { profiles, mki } = parseUseSrtp(srtp);
      // RFC 5764 §4.1.1: exactly one profile, one we offered; no MKI since we sent none.
      if (profiles.length !== 1 || !ctx.options.srtpProfiles.includes(profiles[0]) || mki.length !== 0) {
        throw new DtlsError('ERR_DTLS_NO_SHARED_SUITE', 'the server chose an SRTP profile we did not offer', {
          alert: AlertDescription.illegal_parameter,
        });
      }
      this.#srtpProfile = profiles[0];
    }
    this.#suite = suite;
    this.#serverRandom = Uint8Array.from(sh.random);
    this.#state = 'certificate';
  }

  #onCertificate(ctx: HandshakeContext, body: Uint8Array): void {
    const chain = parseCertificate(body);
    if (chain.length === 0) {
      throw new DtlsError('ERR_DTLS_NO_PEER_CERTIFICATE', 'the server sent no certificate', { alert: AlertDescription.handshake_failure });
    }
    this.#peer = readPeerCertificate(chain[0]);
    checkPeerCertificate(ctx.options, this.#peer);
    this.#state = 'key-exchange';
  }

  #onServerKeyExchange(ctx: HandshakeContext, body: Uint8Array): void {
    const ske = parseServerKeyExchange(body);
    if (!ctx.options.groups.includes(ske.group)) {
      throw new DtlsError('ERR_DTLS_NO_SHARED_SUITE', `the server chose group ${ske.group}, which we did not offer`, {
        alert: AlertDescription.illegal_parameter,
      });
    }
    // RFC 8422 §5.4: the signature covers client_random + server_random + ServerECDHParams.
    verifySignature(this.#peer!, ske.scheme, concat(this.#random, this.#serverRandom, ske.params), ske.signature, 'ServerKeyExchange');
    this.#group = ske.group;
    this.#serverPublic = Uint8Array.from(ske.publicKey);
    this.#state = 'request-or-done';
  }

  #onCertificateRequest(body: Uint8Array): void {
    const request = parseCertificateRequest(body);
    if (!request.types.includes(ECDSA_SIGN) || !request.schemes.includes(ACCEPTED_SCHEMES[0])) {
      throw new DtlsError('ERR_DTLS_NO_SHARED_SUITE', 'the server asks for a certificate we cannot present (ECDSA P-256 with SHA-256)', {
        alert: AlertDescription.handshake_failure,
      });
    }
    this.#certificateRequested = true;
    this.#state = 'done';
  }

  #onServerHelloDone(ctx: HandshakeContext, now: number, body: Uint8Array): void {
    if (body.length !== 0) throw new DtlsError('ERR_DTLS_DECODE', 'ServerHelloDone is not empty', { alert: AlertDescription.decode_error });
    const suite = this.#suite!;
    const ephemeral: EphemeralKey = generateEphemeralKey(this.#group, ctx.options.random);
    const preMaster = ephemeral.deriveSecret(this.#serverPublic!);
    const entries: FlightEntry[] = [];
    const add = (msgType: number, payload: Uint8Array): void => {
      const seq = ctx.takeSendSeq();
      ctx.transcript.add(msgType, seq, payload);
      entries.push({ kind: 'handshake', epoch: 0, msgType, messageSeq: seq, body: payload });
    };
    if (this.#certificateRequested) add(HandshakeType.certificate, encodeCertificate([ctx.options.certificateDer]));
    add(HandshakeType.client_key_exchange, encodeClientKeyExchange(ephemeral.publicKey));
    // RFC 7627 §4: the session hash covers the messages up to and including ClientKeyExchange.
    const master = extendedMasterSecret(suite.prfHash, preMaster, ctx.transcript.hash(suite.prfHash));
    this.#masterSecret = master;
    if (this.#certificateRequested) {
      // RFC 5246 §7.4.8: the signature covers every handshake message so far.
      const scheme = ACCEPTED_SCHEMES[0];
      add(
        HandshakeType.certificate_verify,
        encodeDigitallySigned(scheme, signWith(ctx.options.privateKey, scheme, ctx.transcript.bytes())),
      );
    }
    ctx.installKeys(suite, master, this.#random, this.#serverRandom);
    entries.push({ kind: 'change-cipher-spec', epoch: 0 });
    const finishedSeq = ctx.takeSendSeq();
    const finished = verifyData(suite.prfHash, master, 'client finished', ctx.transcript.hash(suite.prfHash));
    ctx.transcript.add(HandshakeType.finished, finishedSeq, finished);
    entries.push({ kind: 'handshake', epoch: 1, msgType: HandshakeType.finished, messageSeq: finishedSeq, body: finished });
    ctx.sendFlight(now, entries, false);
    this.#state = 'finished';
  }

  #onFinished(ctx: HandshakeContext, now: number, m: ReceivedMessage): void {
    const suite = this.#suite!;
    const expected = verifyData(suite.prfHash, this.#masterSecret!, 'server finished', ctx.transcript.hash(suite.prfHash));
    if (!equalBytes(parseFinished(m.body), expected)) {
      throw new DtlsError('ERR_DTLS_BAD_FINISHED', "the server's Finished does not match the handshake", {
        alert: AlertDescription.decrypt_error,
      });
    }
    ctx.transcript.add(m.msgType, m.messageSeq, m.body);
    this.#state = 'connected';
    ctx.complete(now, {
      suite,
      group: this.#group,
      masterSecret: this.#masterSecret!,
      clientRandom: this.#random,
      serverRandom: this.#serverRandom,
      peer: this.#peer,
      srtpProfile: this.#srtpProfile,
    });
  }
}

const EXPECTED: Readonly<Record<State, readonly number[]>> = {
  hello: [HandshakeType.server_hello],
  certificate: [HandshakeType.certificate],
  'key-exchange': [HandshakeType.server_key_exchange],
  'request-or-done': [HandshakeType.certificate_request, HandshakeType.server_hello_done],
  done: [HandshakeType.server_hello_done],
  finished: [HandshakeType.finished],
  connected: [],
};
