/**
 * The server's handshake (RFC 5246 §7.3, RFC 6347 §4.2.1): an optional
 * HelloVerifyRequest, then flight 4 (ServerHello, Certificate,
 * ServerKeyExchange, CertificateRequest, ServerHelloDone) and, once the
 * client's flight 5 verifies, flight 6 (ChangeCipherSpec, Finished).
 *
 * @module
 */
import { AlertDescription } from './alert.js';
import { concat, equalBytes } from './bytes.js';
import { SUITES, type SuiteParameters } from './cipher-suites.js';
import { checkCookie, makeCookie } from './cookie.js';
import { DtlsError } from './dtls-error.js';
import { ExtensionType, NamedGroup, encodeEmptyRenegotiationInfo, encodeUseSrtp, parseU16List, parseUseSrtp } from './extensions.js';
import type { FlightEntry } from './flight.js';
import type { HandshakeContext, HandshakeFlow, ReceivedMessage } from './handshake-context.js';
import { HandshakeType } from './handshake-header.js';
import {
  EMPTY_RENEGOTIATION_INFO_SCSV,
  type ClientHello,
  encodeHelloVerifyRequest,
  encodeServerHello,
  parseClientHello,
} from './hello-messages.js';
import { type EphemeralKey, generateEphemeralKey } from './key-exchange.js';
import {
  ECDSA_SIGN,
  encodeCertificate,
  encodeCertificateRequest,
  encodeEcdhParams,
  encodeServerKeyExchange,
  parseCertificate,
  parseClientKeyExchange,
  parseDigitallySigned,
  parseFinished,
} from './key-messages.js';
import { requireEmptyRenegotiationInfo, requireExtendedMasterSecret, unexpected } from './negotiation-checks.js';
import { checkPeerCertificate } from './peer-check.js';
import { extendedMasterSecret, verifyData } from './prf.js';
import { DTLS_1_0, DTLS_1_2 } from './record.js';
import { ACCEPTED_SCHEMES, type PeerCertificate, readPeerCertificate, signWith, verifySignature } from './signatures.js';

type State = 'hello' | 'certificate' | 'key-exchange' | 'verify' | 'finished' | 'connected';

export class ServerFlow implements HandshakeFlow {
  #state: State = 'hello';
  #cookieSecret: Uint8Array | undefined;
  #clientRandom = new Uint8Array(32);
  #random = new Uint8Array(32);
  #suite: SuiteParameters | undefined;
  #group = 0;
  #ephemeral: EphemeralKey | undefined;
  #srtpProfile: number | undefined;
  #peer: PeerCertificate | undefined;
  #masterSecret: Uint8Array | undefined;

  /** True until a ClientHello is accepted: any ClientHello (with or without a cookie) is then taken, whatever its message_seq. */
  get waitingForClientHello(): boolean {
    return this.#state === 'hello';
  }

  start(ctx: HandshakeContext): void {
    if (ctx.options.helloVerify) this.#cookieSecret = Uint8Array.from(ctx.options.random(32));
  }

  handle(ctx: HandshakeContext, now: number, m: ReceivedMessage, recordSequence: number): void {
    const expected = EXPECTED[this.#state];
    if (!expected.includes(m.msgType)) throw unexpected(`handshake message ${m.msgType} while the server waits for ${expected.join('/')}`);
    if ((m.msgType === HandshakeType.finished) !== m.epoch > 0) throw unexpected(`handshake message ${m.msgType} in epoch ${m.epoch}`);
    switch (m.msgType) {
      case HandshakeType.client_hello:
        return this.#onClientHello(ctx, now, m, recordSequence);
      case HandshakeType.certificate:
        return this.#onCertificate(ctx, m);
      case HandshakeType.client_key_exchange:
        return this.#onClientKeyExchange(ctx, m);
      case HandshakeType.certificate_verify:
        return this.#onCertificateVerify(ctx, m);
      default:
        return this.#onFinished(ctx, now, m);
    }
  }

  #onClientHello(ctx: HandshakeContext, now: number, m: ReceivedMessage, recordSequence: number): void {
    const hello = parseClientHello(m.body);
    const o = ctx.options;
    // RFC 6347 §4.2.1 / RFC 5246 App. E: the client offers its highest version; below 1.2 (a larger number) is refused.
    if (hello.version > DTLS_1_2) {
      throw new DtlsError(
        'ERR_DTLS_PROTOCOL_VERSION',
        `the client offers at most version 0x${hello.version.toString(16)}; DTLS 1.2 is required`,
        {
          alert: AlertDescription.protocol_version,
        },
      );
    }
    if (this.#cookieSecret !== undefined && !checkCookie(this.#cookieSecret, hello)) {
      // RFC 6347 §4.2.1: answer with a cookie, keep no state; the HVR reuses the ClientHello's record sequence number.
      const body = encodeHelloVerifyRequest(DTLS_1_0, makeCookie(this.#cookieSecret, hello));
      ctx.setSendSeq(m.messageSeq);
      const seq = ctx.takeSendSeq();
      ctx.sendStateless(
        [{ kind: 'handshake', epoch: 0, msgType: HandshakeType.hello_verify_request, messageSeq: seq, body }],
        recordSequence,
      );
      return;
    }
    if (!hello.compressionMethods.includes(0))
      throw new DtlsError('ERR_DTLS_DECODE', 'the client offers no null compression', { alert: AlertDescription.illegal_parameter });
    const suiteId = o.cipherSuites.find((id) => hello.cipherSuites.includes(id));
    if (suiteId === undefined) {
      throw new DtlsError('ERR_DTLS_NO_SHARED_SUITE', 'no cipher suite in common', { alert: AlertDescription.handshake_failure });
    }
    const groupsData = hello.extensions.get(ExtensionType.supported_groups);
    // RFC 8422 §4: without supported_groups any group may be used; we pick P-256 then.
    const theirGroups = groupsData === undefined ? [NamedGroup.secp256r1] : parseU16List(groupsData, 'supported_groups');
    const group = o.groups.find((g) => theirGroups.includes(g));
    if (group === undefined)
      throw new DtlsError('ERR_DTLS_NO_SHARED_SUITE', 'no ECDHE group in common', { alert: AlertDescription.handshake_failure });
    const sigData = hello.extensions.get(ExtensionType.signature_algorithms);
    // RFC 5246 §7.4.1.4.1: without the extension the client accepts only SHA-1, which we do not sign with.
    const theirSchemes = sigData === undefined ? [] : parseU16List(sigData, 'signature_algorithms');
    const scheme = ACCEPTED_SCHEMES.find((s) => theirSchemes.includes(s));
    if (scheme === undefined)
      throw new DtlsError('ERR_DTLS_NO_SHARED_SUITE', 'no ECDSA signature algorithm in common', {
        alert: AlertDescription.handshake_failure,
      });
    requireExtendedMasterSecret(hello.extensions, 'client');
    requireEmptyRenegotiationInfo(hello.extensions, 'client', hello.cipherSuites.includes(EMPTY_RENEGOTIATION_INFO_SCSV));
    const srtpData = hello.extensions.get(ExtensionType.use_srtp);
    if (srtpData !== undefined && o.srtpProfiles.length > 0) {
      const { profiles } = parseUseSrtp(srtpData);
      // RFC 5764 §4.1.1: the server picks one of the client's; none in common: no use_srtp in the answer.
      this.#srtpProfile = o.srtpProfiles.find((p) => profiles.includes(p));
    }
    this.#suite = SUITES.get(suiteId)!;
    this.#group = group;
    this.#clientRandom = Uint8Array.from(hello.random);
    this.#random = Uint8Array.from(o.random(32));
    ctx.transcript.add(m.msgType, m.messageSeq, m.body);
    // RFC 6347 §4.2.2: after a HelloVerifyRequest the ServerHello carries the second ClientHello's message_seq.
    ctx.setSendSeq(m.messageSeq);
    this.#sendFlight4(ctx, now, hello, scheme);
    this.#state = o.requireClientCertificate ? 'certificate' : 'key-exchange';
  }

  #sendFlight4(ctx: HandshakeContext, now: number, hello: ClientHello, scheme: number): void {
    const o = ctx.options;
    const extensions: Array<readonly [number, Uint8Array]> = [
      [ExtensionType.extended_master_secret, new Uint8Array(0)],
      [ExtensionType.renegotiation_info, encodeEmptyRenegotiationInfo()],
    ];
    if (this.#srtpProfile !== undefined) extensions.push([ExtensionType.use_srtp, encodeUseSrtp([this.#srtpProfile])]);
    if (hello.extensions.has(ExtensionType.ec_point_formats)) extensions.push([ExtensionType.ec_point_formats, Uint8Array.of(1, 0)]);
    this.#ephemeral = generateEphemeralKey(this.#group, o.random);
    const params = encodeEcdhParams(this.#group, this.#ephemeral.publicKey);
    // RFC 8422 §5.4: sign client_random + server_random + ServerECDHParams.
    const signature = signWith(o.privateKey, scheme, concat(this.#clientRandom, this.#random, params));
    const entries: FlightEntry[] = [];
    const add = (msgType: number, body: Uint8Array): void => {
      const seq = ctx.takeSendSeq();
      ctx.transcript.add(msgType, seq, body);
      entries.push({ kind: 'handshake', epoch: 0, msgType, messageSeq: seq, body });
    };
    add(
      HandshakeType.server_hello,
      encodeServerHello(
        { version: DTLS_1_2, random: this.#random, sessionId: new Uint8Array(0), cipherSuite: this.#suite!.id, compressionMethod: 0 },
        extensions,
      ),
    );
    add(HandshakeType.certificate, encodeCertificate([o.certificateDer]));
    add(HandshakeType.server_key_exchange, encodeServerKeyExchange(params, scheme, signature));
    // RFC 8122 §6.2 (and RFC 5763 §5): the server asks for the client's certificate.
    if (o.requireClientCertificate) add(HandshakeType.certificate_request, encodeCertificateRequest([ECDSA_SIGN], ACCEPTED_SCHEMES));
    add(HandshakeType.server_hello_done, new Uint8Array(0));
    ctx.sendFlight(now, entries, false);
  }

  #onCertificate(ctx: HandshakeContext, m: ReceivedMessage): void {
    const chain = parseCertificate(m.body);
    if (chain.length === 0) {
      throw new DtlsError('ERR_DTLS_NO_PEER_CERTIFICATE', 'the client sent no certificate (RFC 8122 §6.2: both sides must)', {
        alert: AlertDescription.handshake_failure,
      });
    }
    this.#peer = readPeerCertificate(chain[0]);
    checkPeerCertificate(ctx.options, this.#peer);
    ctx.transcript.add(m.msgType, m.messageSeq, m.body);
    this.#state = 'key-exchange';
  }

  #onClientKeyExchange(ctx: HandshakeContext, m: ReceivedMessage): void {
    const suite = this.#suite!;
    const point = parseClientKeyExchange(m.body);
    const preMaster = this.#ephemeral!.deriveSecret(point);
    ctx.transcript.add(m.msgType, m.messageSeq, m.body);
    // RFC 7627 §4: the session hash covers the messages up to and including ClientKeyExchange.
    this.#masterSecret = extendedMasterSecret(suite.prfHash, preMaster, ctx.transcript.hash(suite.prfHash));
    ctx.installKeys(suite, this.#masterSecret, this.#clientRandom, this.#random);
    // RFC 5246 §7.4.8: a client that sent a certificate must prove it holds its key before Finished.
    this.#state = this.#peer !== undefined ? 'verify' : 'finished';
  }

  #onCertificateVerify(ctx: HandshakeContext, m: ReceivedMessage): void {
    const { scheme, signature } = parseDigitallySigned(m.body, 'CertificateVerify');
    verifySignature(this.#peer!, scheme, ctx.transcript.bytes(), signature, 'CertificateVerify');
    ctx.transcript.add(m.msgType, m.messageSeq, m.body);
    this.#state = 'finished';
  }

  #onFinished(ctx: HandshakeContext, now: number, m: ReceivedMessage): void {
    const suite = this.#suite!;
    const master = this.#masterSecret!;
    const expected = verifyData(suite.prfHash, master, 'client finished', ctx.transcript.hash(suite.prfHash));
    if (!equalBytes(parseFinished(m.body), expected)) {
      throw new DtlsError('ERR_DTLS_BAD_FINISHED', "the client's Finished does not match the handshake", {
        alert: AlertDescription.decrypt_error,
      });
    }
    ctx.transcript.add(m.msgType, m.messageSeq, m.body);
    const seq = ctx.takeSendSeq();
    const finished = verifyData(suite.prfHash, master, 'server finished', ctx.transcript.hash(suite.prfHash));
    ctx.transcript.add(HandshakeType.finished, seq, finished);
    ctx.sendFlight(
      now,
      [
        { kind: 'change-cipher-spec', epoch: 0 },
        { kind: 'handshake', epoch: 1, msgType: HandshakeType.finished, messageSeq: seq, body: finished },
      ],
      true,
    );
    this.#state = 'connected';
    ctx.complete(now, {
      suite,
      group: this.#group,
      masterSecret: master,
      clientRandom: this.#clientRandom,
      serverRandom: this.#random,
      peer: this.#peer,
      srtpProfile: this.#srtpProfile,
    });
  }
}

const EXPECTED: Readonly<Record<State, readonly number[]>> = {
  hello: [HandshakeType.client_hello],
  certificate: [HandshakeType.certificate],
  'key-exchange': [HandshakeType.client_key_exchange],
  verify: [HandshakeType.certificate_verify],
  finished: [HandshakeType.finished],
  connected: [],
};
