// FramedConnection over real TCP sockets on 127.0.0.1 (loopback only).
import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import test from 'ava';
import { FramedConnection, FramingError, encodeFrame, prng } from './helpers.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A connected TCP socket pair on loopback; the listener is closed once accepted. */
async function socketPair(): Promise<[Socket, Socket]> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = connect(port, '127.0.0.1');
  await once(client, 'connect');
  const [serverSide] = await accepted;
  server.close();
  return [client, serverSide];
}

async function connectionPair(options?: ConstructorParameters<typeof FramedConnection>[1]) {
  const [x, y] = await socketPair();
  return { a: new FramedConnection(x, options), b: new FramedConnection(y, options), x, y };
}

function collect(conn: FramedConnection) {
  const packets: Buffer[] = [];
  const events: string[] = [];
  conn.on('packet', (p: Buffer) => packets.push(Buffer.from(p)));
  conn.on('end', () => events.push('end'));
  conn.on('error', (e: Error & { code?: string }) => events.push(`error:${e.code}`));
  const closed = new Promise<Error | undefined>((resolve) =>
    conn.on('close', (e?: Error) => {
      events.push('close');
      resolve(e);
    }),
  );
  return { packets, events, closed };
}

function randomPayloads(count: number, seed: number): Buffer[] {
  const rnd = prng(seed);
  return Array.from({ length: count }, (_, i) => {
    const r = rnd();
    const length = r < 0.05 ? 0 : r < 0.1 ? 65535 : Math.floor(rnd() * 3000);
    const p = Buffer.allocUnsafe(length);
    for (let k = 0; k < length; k += 997) p[k] = (i + k) & 0xff;
    p.fill(i & 0xff, 0, Math.min(length, 8));
    return p;
  });
}

async function sendAll(conn: FramedConnection, payloads: Buffer[]): Promise<void> {
  for (const p of payloads) {
    if (!conn.send(p)) await once(conn, 'drain');
  }
}

test('large transfers both ways over TCP arrive intact and in order, then a clean close', async (t) => {
  const { a, b } = await connectionPair();
  const ra = collect(a);
  const rb = collect(b);
  const toB = randomPayloads(3000, 1);
  const toA = randomPayloads(3000, 2);
  await Promise.all([sendAll(a, toB), sendAll(b, toA)]);
  a.close();
  const [ea, eb] = await Promise.all([ra.closed, rb.closed]);
  t.is(ea, undefined);
  t.is(eb, undefined);
  t.is(rb.packets.length, toB.length);
  t.is(ra.packets.length, toA.length);
  t.true(rb.packets.every((p, i) => p.equals(toB[i])));
  t.true(ra.packets.every((p, i) => p.equals(toA[i])));
  t.deepEqual(rb.events, ['end', 'close']);
  t.deepEqual(ra.events, ['end', 'close']);
});

test('pause() pushes back through TCP flow control until the sender stalls; resume() delivers all', async (t) => {
  const { a, b, y } = await connectionPair();
  const rb = collect(b);
  b.pause();
  const payload = Buffer.alloc(60000, 7);
  let sent = 0;
  // Send until no 'drain' comes for 300 ms: the kernel buffers are full and
  // nothing is read on the paused side. Loopback buffers may take tens of MB.
  for (;;) {
    sent++;
    if (!a.send(payload)) {
      const drained = await Promise.race([once(a, 'drain').then(() => true), sleep(300).then(() => false)]);
      if (!drained) break;
    }
    if (sent > 5000) break; // 300 MB: flow control is not working
  }
  t.true(sent < 5000, `the sender stalled after ${sent} packets`);
  t.is(rb.packets.length, 0);
  t.true(y.isPaused());
  t.true(b.bufferedPackets <= 1024);
  const drained = once(a, 'drain');
  b.resume();
  await drained;
  a.close();
  await rb.closed;
  t.is(rb.packets.length, sent);
  t.true(rb.packets.every((p) => p.equals(payload)));
});

test('a peer ending mid-frame gives ERR_FRAME_TRUNCATED then close', async (t) => {
  const [x, y] = await socketPair();
  const b = new FramedConnection(y);
  const rb = collect(b);
  x.end(encodeFrame(Buffer.from('truncated frame')).subarray(0, 7));
  const error = await rb.closed;
  t.true(error instanceof FramingError);
  t.deepEqual(rb.events, ['error:ERR_FRAME_TRUNCATED', 'close']);
  x.destroy();
});

test('a peer announcing a frame over maxFrameSize is cut off; the peer sees the connection go', async (t) => {
  const { a, b } = await connectionPair({ maxFrameSize: 1200 });
  const ra = collect(a);
  const rb = collect(b);
  a.send(Buffer.alloc(1200));
  a.send(Buffer.alloc(1201));
  t.is(((await rb.closed) as FramingError).code, 'ERR_FRAME_TOO_LARGE');
  t.is(rb.packets.length, 1);
  await ra.closed; // end or reset, either way it closes
  t.true(a.closed);
});

test('a peer reset (RST) gives the socket error, then close with it', async (t) => {
  const { b, x } = await connectionPair();
  const rb = collect(b);
  x.resetAndDestroy();
  const error = (await rb.closed) as Error & { code?: string };
  t.is(error.code, 'ECONNRESET');
  t.deepEqual(rb.events, ['error:ECONNRESET', 'close']);
});
