import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { agentPair, handleCensus, settleHandles, wire } from './helpers.js';

test('two agents on 127.0.0.1 connect over UDP and exchange packets', async (t) => {
  const before = handleCensus();
  const { left, right } = agentPair({ addresses: ['127.0.0.1'] });
  await wire(left, right);
  const [cl, cr] = await Promise.all([left.connect({ timeoutMs: 5000 }), right.connect({ timeoutMs: 5000 })]);
  t.is(cl.transport, 'udp');
  const got = new Promise<Buffer>((resolve) => cr.once('packet', resolve));
  cl.send(Buffer.from('hello over ICE'));
  t.is((await got).toString(), 'hello over ICE');
  await Promise.all([left.close(), right.close()]);
  t.deepEqual(await settleHandles(before), []);
});

/** Receives `total` bytes from a stream, hashing them; `received()` tells the sender how far it got. */
function sink(stream: NodeJS.ReadableStream, total: number) {
  const hash = createHash('sha256');
  let received = 0;
  const done = new Promise<string>((resolve, reject) => {
    stream.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      received += chunk.length;
      if (received >= total) resolve(hash.digest('hex'));
    });
    stream.on('error', reject);
  });
  return { done, received: () => received };
}

/**
 * Writes `data` to the stream, at most `window` bytes ahead of what the peer
 * has received. UDP is lossy: on loopback a datagram is lost only when the
 * receiver's socket buffer overflows, which the window prevents (both agents
 * run in this process, so the window is read from the receiving side).
 */
async function source(stream: NodeJS.WritableStream, data: Buffer, peerReceived: () => number, window: number): Promise<void> {
  for (let offset = 0; offset < data.length;) {
    while (offset - peerReceived() > window) await new Promise((r) => setImmediate(r));
    const chunk = data.subarray(offset, Math.min(offset + 16384, data.length));
    offset += chunk.length;
    if (!stream.write(chunk)) await new Promise((r) => stream.once('drain', r));
  }
}

async function transfer10MB(t: import('ava').ExecutionContext, address: string): Promise<void> {
  const before = handleCensus();
  const size = 10 * 1024 * 1024;
  const { left, right } = agentPair({ addresses: [address] });
  await wire(left, right);
  const [cl, cr] = await Promise.all([left.connect({ timeoutMs: 5000 }), right.connect({ timeoutMs: 5000 })]);
  t.is(cl.selectedPair?.local.address, address);
  const sl = cl.stream();
  const sr = cr.stream();
  const dataLR = randomBytes(size);
  const dataRL = randomBytes(size);
  const atRight = sink(sr, size);
  const atLeft = sink(sl, size);
  await Promise.all([source(sl, dataLR, atRight.received, 256 * 1024), source(sr, dataRL, atLeft.received, 256 * 1024)]);
  const [hashAtRight, hashAtLeft] = await Promise.all([atRight.done, atLeft.done]);
  t.is(hashAtRight, createHash('sha256').update(dataLR).digest('hex'));
  t.is(hashAtLeft, createHash('sha256').update(dataRL).digest('hex'));
  await Promise.all([left.close(), right.close()]);
  t.is(left.state, 'closed');
  t.deepEqual(await settleHandles(before), []);
}

test.serial('10 MB each way through the Duplex over UDP on 127.0.0.1: equal sha256, no handles left', (t) => transfer10MB(t, '127.0.0.1'));
test.serial('10 MB each way through the Duplex over UDP on ::1: equal sha256, no handles left', (t) => transfer10MB(t, '::1'));

test('two components: each IceConnection carries its own component’s packets', async (t) => {
  const { left, right } = agentPair({ addresses: ['127.0.0.1'], tcp: false, components: 2 });
  t.teardown(() => Promise.all([left.close(), right.close()]));
  await wire(left, right);
  t.is(left.localCandidates.length, 2);
  await Promise.all([left.connect({ timeoutMs: 5000 }), right.connect({ timeoutMs: 5000 })]);
  const rtcp = right.connection(2);
  while (rtcp.route === null || left.connection(2).route === null) await new Promise((r) => setTimeout(r, 10));
  const onOne: string[] = [];
  right.connection(1).on('packet', (p: Buffer) => onOne.push(String(p)));
  const got = new Promise<Buffer>((resolve) => rtcp.once('packet', resolve));
  left.connection(2).send(Buffer.from('rtcp'));
  t.is(String(await got), 'rtcp');
  t.deepEqual(onOne, []);
});

test('a UDP-only agent facing a TCP-only one fails soon after both finished gathering (RFC 8838 §8), instead of checking forever', async (t) => {
  const { left, right } = agentPair({ addresses: ['127.0.0.1'] }, { tcp: false }, { udp: false });
  t.teardown(() => Promise.all([left.close(), right.close()]));
  const started = Date.now();
  await wire(left, right);
  const outcomes = await Promise.allSettled([left.connect({ timeoutMs: 5000 }), right.connect({ timeoutMs: 5000 })]);
  for (const outcome of outcomes) {
    t.is(outcome.status, 'rejected');
    t.is((outcome as PromiseRejectedResult).reason.code, 'ERR_ICE_FAILED');
  }
  t.is(left.state, 'failed');
  t.true(Date.now() - started < 4000, `failed after ${Date.now() - started} ms`);
});
