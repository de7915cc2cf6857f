// SharedPassiveListener on real loopback sockets: routing by ufrag and every
// limit on unauthenticated connections, each shown to close junk by itself.
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import test from 'ava';
import { encodeFrame } from '../../../lib/framing/index.js';
import {
  SharedPassiveListener,
  TcpTransportError,
  type PassiveRejection,
  type SharedPassiveListenerOptions,
} from '../../../lib/net/tcp/index.js';
import { StunClass, StunMethod, encodeStun, shortTermKey } from '../../../lib/stun/index.js';
import { bindingRequest, rawConnect, sleep, whenClosed, writeFrame } from './helpers.js';

async function listening(options: SharedPassiveListenerOptions = {}) {
  const listener = new SharedPassiveListener({ host: '127.0.0.1', ...options });
  const address = await listener.listen();
  const rejections: PassiveRejection[] = [];
  listener.on('rejected', (r: PassiveRejection) => rejections.push(r));
  const nextRejection = (): Promise<PassiveRejection> =>
    new Promise((resolve) => listener.once('rejected', (r: PassiveRejection) => resolve(r)));
  return { listener, port: address.port, rejections, nextRejection };
}

/** Registers `ufrag` and collects the sockets and first frames routed to it. */
function collect(listener: SharedPassiveListener, ufrag: string) {
  const routed: Array<{ socket: Socket; frame: Buffer }> = [];
  let wake: (() => void) | undefined;
  listener.register(ufrag, (socket, frame) => {
    routed.push({ socket, frame });
    wake?.();
  });
  const next = async (): Promise<{ socket: Socket; frame: Buffer }> => {
    while (routed.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return routed.shift()!;
  };
  return { routed, next };
}

test('every option is validated with a typed error', (t) => {
  const bad: SharedPassiveListenerOptions[] = [
    { host: '' },
    { port: -1 },
    { port: 65536 },
    { port: 1.5 },
    { backlog: 0 },
    { firstFrameTimeoutMs: 0 },
    { firstFrameTimeoutMs: 2 ** 31 },
    { maxFirstFrameSize: 19 },
    { maxFirstFrameSize: 65536 },
    { maxPendingConnections: 0 },
    { maxPendingConnections: 1.5 },
    { maxPendingConnections: '10' as unknown as number },
  ];
  for (const options of bad) {
    const error = t.throws(() => new SharedPassiveListener(options), { instanceOf: TcpTransportError });
    t.is(error?.code, 'ERR_TCP_BAD_OPTION', JSON.stringify(options));
  }
  t.throws(() => new SharedPassiveListener(null as unknown as SharedPassiveListenerOptions), { code: 'ERR_TCP_BAD_OPTION' });
  const fine = new SharedPassiveListener({ firstFrameTimeoutMs: 1, maxFirstFrameSize: 20, maxPendingConnections: 1 });
  t.is(fine.firstFrameTimeoutMs, 1);
  t.is(fine.maxFirstFrameSize, 20);
  t.is(fine.maxPendingConnections, 1);
  const defaults = new SharedPassiveListener();
  t.is(defaults.firstFrameTimeoutMs, 10_000);
  t.is(defaults.maxFirstFrameSize, 1500);
  t.is(defaults.maxPendingConnections, 4096);
});

test('register validates ufrags and refuses a ufrag another agent holds', async (t) => {
  const listener = new SharedPassiveListener({ host: '127.0.0.1' });
  const a = (): void => undefined;
  const b = (): void => undefined;
  t.throws(() => listener.register('', a), { code: 'ERR_TCP_BAD_OPTION' });
  t.throws(() => listener.register('x:y', a), { code: 'ERR_TCP_BAD_OPTION' });
  t.throws(() => listener.register('abcd', 'no' as unknown as () => void), { code: 'ERR_TCP_BAD_OPTION' });
  listener.register('abcd', a);
  listener.register('abcd', a); // same handler again: no-op
  t.throws(() => listener.register('abcd', b), { code: 'ERR_TCP_UFRAG_IN_USE', instanceOf: TcpTransportError });
  t.false(listener.unregister('abcd', b), 'only the owner unregisters');
  t.true(listener.has('abcd'));
  t.is(listener.registeredUfrags, 1);
  t.true(listener.unregister('abcd', a));
  t.false(listener.unregister('abcd'));
  await listener.close();
  await listener.close();
  t.throws(() => listener.register('efgh', a), { code: 'ERR_TCP_STATE' });
  await t.throwsAsync(listener.listen(), { code: 'ERR_TCP_STATE' });
});

test('listening on a port in use is a typed error', async (t) => {
  const { listener, port } = await listening();
  const second = new SharedPassiveListener({ host: '127.0.0.1', port });
  const error = await t.throwsAsync(second.listen(), { instanceOf: TcpTransportError });
  t.is(error?.code, 'ERR_TCP_LISTEN_FAILED');
  t.is(listener.address?.port, port);
  t.false(listener.wildcard);
  t.is(await listener.listen(), listener.address!, 'listen() twice gives the same address');
  await listener.close();
});

test('routes by the first ufrag of USERNAME and hands over the rest of the stream', async (t) => {
  const { listener, port } = await listening();
  const alice = collect(listener, 'alice');
  const bob = collect(listener, 'bob1');
  const c1 = await rawConnect(port);
  const c2 = await rawConnect(port);
  const request = bindingRequest('bob1', 'peer');
  // The first frame and two more in one write, the last split in two.
  const more = Buffer.concat([encodeFrame(Buffer.from('second')), encodeFrame(Buffer.from('third'))]);
  c2.write(Buffer.concat([encodeFrame(request), more.subarray(0, 10)]));
  const routed = await bob.next();
  t.deepEqual(routed.frame, request);
  t.true(routed.socket.isPaused(), 'handed over paused');
  c2.write(more.subarray(10));
  writeFrame(c1, bindingRequest('alice', 'peer'));
  const routedAlice = await alice.next();
  t.is(routedAlice.frame.readUInt16BE(0), 0x0001, 'a Binding request');
  const received: Buffer[] = [];
  routed.socket.on('data', (chunk: Buffer) => received.push(chunk));
  routed.socket.resume();
  await sleep(50);
  t.deepEqual(Buffer.concat(received), more, 'bytes after the first frame are kept, in order');
  t.is(listener.stats.routed, 2);
  t.is(listener.pendingConnections, 0);
  for (const s of [c1, c2, routed.socket, routedAlice.socket]) s.destroy();
  await listener.close();
});

test('junk: random bytes are closed by the frame-size cap or as non-STUN', async (t) => {
  const { listener, port, nextRejection } = await listening();
  collect(listener, 'abcd');
  for (let i = 0; i < 5; i++) {
    const junk = await rawConnect(port);
    const rejected = nextRejection();
    junk.write(randomBytes(4096));
    const { reason } = await rejected;
    t.true(reason === 'frame-too-large' || reason === 'not-stun', reason);
    await whenClosed(junk);
  }
  // A header within the cap followed by random bytes: not STUN.
  const junk = await rawConnect(port);
  const rejected = nextRejection();
  writeFrame(junk, randomBytes(200));
  t.is((await rejected).reason, 'not-stun');
  await whenClosed(junk);
  t.is(listener.stats.routed, 0);
  await listener.close();
});

test('silence is closed by the first-frame timeout', async (t) => {
  const { listener, port, nextRejection } = await listening({ firstFrameTimeoutMs: 300 });
  const silent = await rawConnect(port);
  const start = Date.now();
  const rejection = await nextRejection();
  t.is(rejection.reason, 'timeout');
  t.is(rejection.remote?.port, silent.localPort);
  t.true(Date.now() - start >= 250, 'not before the timeout');
  await whenClosed(silent);
  await listener.close();
});

test('a slow trickle of a small frame is closed by the timeout, not waited for', async (t) => {
  const { listener, port, nextRejection } = await listening({ firstFrameTimeoutMs: 400 });
  collect(listener, 'abcd');
  const slow = await rawConnect(port);
  const frame = encodeFrame(bindingRequest('abcd', 'peer'));
  let sent = 0;
  const trickle = setInterval(() => {
    if (sent < frame.length && !slow.destroyed) slow.write(frame.subarray(sent, ++sent));
  }, 50);
  const start = Date.now();
  const rejection = await nextRejection();
  clearInterval(trickle);
  t.is(rejection.reason, 'timeout');
  t.true(Date.now() - start < 1500);
  t.true(sent < frame.length, 'closed before the frame was complete');
  await whenClosed(slow);
  await listener.close();
});

test('a slow trickle of a 65535-length header is closed as soon as the header is in', async (t) => {
  const { listener, port, nextRejection } = await listening({ firstFrameTimeoutMs: 10_000 });
  const trickler = await rawConnect(port);
  trickler.write(Buffer.from([0xff]));
  await sleep(200);
  t.is(listener.pendingConnections, 1, 'one byte: still waiting');
  const start = Date.now();
  const rejected = nextRejection();
  trickler.write(Buffer.from([0xff]));
  const rejection = await rejected;
  t.is(rejection.reason, 'frame-too-large');
  t.regex(rejection.detail, /65535/);
  t.true(Date.now() - start < 1000, 'closed at once, not after the timeout');
  await whenClosed(trickler);
  await listener.close();
});

test('the first-frame size cap is configurable: a frame at the cap passes, one byte more is refused', async (t) => {
  const request = bindingRequest('abcd', 'peer');
  const { listener, port, nextRejection } = await listening({ maxFirstFrameSize: request.length });
  const routed = collect(listener, 'abcd');
  const ok = await rawConnect(port);
  writeFrame(ok, request);
  t.deepEqual((await routed.next()).frame, request);
  const tooBig = await rawConnect(port);
  const rejected = nextRejection();
  tooBig.write(Buffer.from([0, request.length + 1]));
  t.is((await rejected).reason, 'frame-too-large');
  ok.destroy();
  await listener.close();
});

test('STUN that is not a Binding request with USERNAME and MESSAGE-INTEGRITY is refused', async (t) => {
  const { listener, port, nextRejection } = await listening();
  collect(listener, 'abcd');
  const tid = randomBytes(12);
  const key = shortTermKey('a-password-of-22+chars');
  const frames = [
    encodeStun({ class: StunClass.Indication, method: StunMethod.Binding, transactionId: tid }, { fingerprint: true }),
    encodeStun({ class: StunClass.Request, method: 0x003, transactionId: tid, attributes: { username: 'abcd:x' } }, { integrityKey: key }),
    encodeStun({ class: StunClass.Request, method: StunMethod.Binding, transactionId: tid }, { integrityKey: key }),
    encodeStun(
      { class: StunClass.Request, method: StunMethod.Binding, transactionId: tid, attributes: { username: 'abcd' } },
      { integrityKey: key },
    ),
    encodeStun(
      { class: StunClass.Request, method: StunMethod.Binding, transactionId: tid, attributes: { username: 'abcd:x' } },
      { fingerprint: true },
    ),
  ];
  for (const frame of frames) {
    const socket = await rawConnect(port);
    const rejected = nextRejection();
    writeFrame(socket, frame);
    const rejection = await rejected;
    t.is(rejection.reason, 'not-binding-request', rejection.detail);
    await whenClosed(socket);
  }
  await listener.close();
});

test('an unknown ufrag is refused; an unregistered one too', async (t) => {
  const { listener, port, nextRejection } = await listening();
  const handler = (): void => t.fail('must not be routed');
  listener.register('gone', handler);
  listener.unregister('gone', handler);
  for (const ufrag of ['nobody', 'gone']) {
    const socket = await rawConnect(port);
    const rejected = nextRejection();
    writeFrame(socket, bindingRequest(ufrag, 'peer'));
    const rejection = await rejected;
    t.is(rejection.reason, 'unknown-ufrag');
    t.regex(rejection.detail, new RegExp(ufrag));
    await whenClosed(socket);
  }
  t.is(listener.stats.rejected['unknown-ufrag'], 2);
  await listener.close();
});

test('the pending cap evicts the oldest pending connection', async (t) => {
  const { listener, port, rejections } = await listening({ maxPendingConnections: 3 });
  const routed = collect(listener, 'abcd');
  const silent: Socket[] = [];
  for (let i = 0; i < 3; i++) {
    silent.push(await rawConnect(port));
  }
  while (listener.pendingConnections < 3) await sleep(5);
  const oldestPort = silent[0].localPort;
  const closedFirst = whenClosed(silent[0]);
  const fresh = await rawConnect(port);
  await closedFirst;
  t.deepEqual(
    rejections.map((r) => r.reason),
    ['pending-cap'],
  );
  t.is(rejections[0].remote?.port, oldestPort, 'the oldest one went');
  t.false(silent[1].destroyed);
  writeFrame(fresh, bindingRequest('abcd', 'peer'));
  const got = await routed.next();
  t.truthy(got.socket, 'the newcomer is served');
  t.is(listener.pendingConnections, 2);
  for (const s of [...silent, fresh, got.socket]) s.destroy();
  await listener.close();
});

test('a peer closing before its first frame, and close() with pending connections', async (t) => {
  const { listener, port, nextRejection } = await listening();
  const quitter = await rawConnect(port);
  while (listener.pendingConnections < 1) await sleep(5);
  const rejected = nextRejection();
  quitter.end(Buffer.from([0x00]));
  t.is((await rejected).reason, 'peer-closed');
  const waiting = await rawConnect(port);
  while (listener.pendingConnections < 1) await sleep(5);
  const closing = nextRejection();
  await listener.close();
  t.is((await closing).reason, 'listener-closed');
  await whenClosed(waiting);
  t.is(listener.pendingConnections, 0);
  t.is(listener.stats.accepted, 2);
});

test('a wildcard listener reports itself as such', async (t) => {
  const listener = new SharedPassiveListener({ host: '0.0.0.0' });
  await listener.listen();
  t.true(listener.wildcard);
  t.is(listener.address?.address, '0.0.0.0');
  await listener.close();
});

test('FrameDecoder stops at the first frame’s end: a first frame cut anywhere is routed, and what follows is handed over undecoded', async (t) => {
  const { listener, port } = await listening({ maxFirstFrameSize: 200 });
  const bob = collect(listener, 'bob1');
  const request = bindingRequest('bob1', 'peer');
  t.true(request.length <= 200);
  // After the first frame: a header announcing 65535 bytes, over the first-frame
  // cap. Only the agent's FramedConnection may judge it: the listener must not
  // decode past the first frame.
  const after = Buffer.from([0xff, 0xff, 1, 2, 3]);
  const stream = Buffer.concat([encodeFrame(request), after]);
  for (const cuts of [[1], [2], [3, 10], [1, 2, 3, 4, 5, 6]]) {
    const socket = await rawConnect(port);
    socket.setNoDelay(true);
    let from = 0;
    for (const cut of [...cuts, stream.length]) {
      socket.write(stream.subarray(from, cut));
      from = cut;
      await sleep(20); // separate chunks (the decoder is fed across them)
    }
    const routed = await bob.next();
    t.deepEqual(routed.frame, request, `cut at ${cuts.join(',')}`);
    const received: Buffer[] = [];
    routed.socket.on('data', (chunk: Buffer) => received.push(chunk));
    routed.socket.resume();
    await sleep(50);
    t.deepEqual(Buffer.concat(received), after, 'the rest of the stream, byte for byte');
    socket.destroy();
    routed.socket.destroy();
  }
  t.is(listener.stats.rejected['frame-too-large'], 0);
  await listener.close();
});

test('the first-frame cap holds for a header split across chunks, and a zero-length first frame is not STUN', async (t) => {
  const { listener, port, nextRejection } = await listening({ maxFirstFrameSize: 100 });
  collect(listener, 'abcd');
  const split = await rawConnect(port);
  split.setNoDelay(true);
  split.write(Buffer.from([0x00]));
  await sleep(20);
  const rejected = nextRejection();
  split.write(Buffer.from([101]));
  const rejection = await rejected;
  t.is(rejection.reason, 'frame-too-large');
  t.regex(rejection.detail, /101/);
  const empty = await rawConnect(port);
  const notStun = nextRejection();
  empty.write(Buffer.from([0, 0]));
  t.is((await notStun).reason, 'not-stun');
  await Promise.all([whenClosed(split), whenClosed(empty)]);
  await listener.close();
});
