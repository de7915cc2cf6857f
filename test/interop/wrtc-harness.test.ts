/**
 * The libwebrtc harness on its own: two @roamhq/wrtc peer connections in one
 * loopback-only namespace reach connectionState 'connected' (ICE, DTLS with
 * a=fingerprint/a=setup, SCTP) and carry a data-channel message each way.
 * Shows that the namespace, the child protocol and the package work before
 * any interop test blames our agent.
 *
 * Skipped, with the reason printed, only where namespaces cannot be made
 * (not root); a missing or broken @roamhq/wrtc fails in CI.
 */
import test from 'ava';
import { LoopbackNamespace, namespacesUnavailable } from './netns.js';
import { WrtcPeer, wrtcUnavailable } from './wrtc-peer.js';
import { parseSdp } from './wrtc-sdp.js';

const reason = namespacesUnavailable('io') ?? (process.env.CI === undefined ? wrtcUnavailable() : undefined);
if (reason !== undefined) console.log(`libwebrtc harness test skipped: ${reason}`);
const run = reason === undefined ? test.serial : test.skip;

run('libwebrtc harness: two wrtc peers in a loopback-only namespace connect and exchange data-channel messages', async (t) => {
  const ns = LoopbackNamespace.create('io');
  try {
    t.deepEqual(
      ns
        .run('ip', ['-o', 'link', 'show', 'up'])
        .trim()
        .split('\n')
        .map((l) => l.split(':')[1].trim()),
      ['lo'],
      'only lo is up in the namespace',
    );
    const a = WrtcPeer.start(ns);
    const b = WrtcPeer.start(ns);
    a.on('candidate', (c: string | null) => void (c !== null && b.addIceCandidate(c)));
    b.on('candidate', (c: string | null) => void (c !== null && a.addIceCandidate(c)));
    const opened = new Promise<void>((resolve) => a.once('channelopen', () => resolve()));
    await a.createDataChannel('chat');
    const offer = await a.createOffer();
    const sdp = parseSdp(offer.sdp);
    t.regex(sdp.fingerprint ?? '', /^sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    t.is(sdp.setup, 'actpass');
    await a.setLocalDescription(offer);
    await b.setRemoteDescription(offer);
    const answer = await b.createAnswer();
    await b.setLocalDescription(answer);
    await a.setRemoteDescription(answer);
    const gotB = new Promise<Buffer>((resolve) => b.once('message', (_label: string, data: Buffer) => resolve(data)));
    const gotA = new Promise<Buffer>((resolve) => a.once('message', (_label: string, data: Buffer) => resolve(data)));
    await Promise.all([a.peerState(['connected']), b.peerState(['connected'])]);
    await opened;
    await a.send('chat', Buffer.from('ping'));
    t.is((await gotB).toString(), 'ping');
    await b.send('chat', Buffer.from('pong'));
    t.is((await gotA).toString(), 'pong');
    const pairA = await a.selectedPair();
    const pairB = await b.selectedPair();
    t.truthy(pairA);
    t.truthy(pairB);
    t.is(pairA!.local.port, pairB!.remote.port);
    t.is(pairA!.remote.port, pairB!.local.port);
    t.true(['127.0.0.1', '::1'].includes(pairA!.local.address), `gathered only loopback: ${JSON.stringify(pairA)}`);
    await Promise.all([a.close(), b.close()]);
  } finally {
    await ns.delete();
  }
});
