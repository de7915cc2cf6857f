// TCP simultaneous open on loopback (RFC 6544 §3, App. B): our S-O base
// connects from its bound port to a peer connecting from its own bound port,
// retrying on RST as the core does, until the SYNs cross. The peer runs in a
// worker thread: one thread can never have both sockets in SYN-SENT at once
// (on loopback the first SYN meets its RST inside the connect() call).
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import test from 'ava';
import { TcpTransport } from '../../../lib/net/tcp/index.js';
import { RecordingHost, sleep } from './helpers.js';

test('S-O connects cross on loopback after retries; frames flow both ways on the one connection', async (t) => {
  const plugin = new TcpTransport({ active: false, passive: false });
  const host = new RecordingHost();
  plugin.attach(host);
  await plugin.gather({ addresses: ['127.0.0.1'], components: [1], stunServers: [], priority: {}, localUfrag: 'sosos' });
  const so = host.candidate('so');
  const worker = new Worker(new URL('./workers/so-peer.js', import.meta.url));
  const frames: Buffer[] = [];
  let peer: { connected: boolean; localPort?: number; remotePort?: number; attempts: number } | undefined;
  let peerClosed = false;
  worker.on('message', (m: { frame?: number[]; connected?: boolean; closed?: boolean }) => {
    if (m.frame) frames.push(Buffer.from(m.frame));
    if (m.connected !== undefined) peer = m as typeof peer;
    if (m.closed) peerClosed = true;
  });
  const [{ port: peerPort }] = (await once(worker, 'message')) as [{ port: number }];
  const deadlineMs = 20_000;
  worker.postMessage({ remotePort: so.candidate.port, deadlineMs });

  // The core's part: one connect command per attempt, again after each RST.
  const start = Date.now();
  let attempts = 0;
  let connectionId: string | undefined;
  const reasons = new Set<string>();
  while (connectionId === undefined && Date.now() - start < deadlineMs) {
    const attemptId = `so-${++attempts}`;
    plugin.command({
      type: 'connect',
      attemptId,
      transportId: so.transportId,
      tcpType: 'so',
      local: { address: '127.0.0.1', port: so.candidate.port },
      remote: { address: '127.0.0.1', port: peerPort },
      timeoutMs: 2000,
    });
    const outcome = await host.waitFor(() => host.events.find((e) => 'attemptId' in e && e.attemptId === attemptId), 3000, attemptId);
    if (outcome.type === 'connected') connectionId = outcome.connectionId;
    else {
      reasons.add((outcome as { reason: string }).reason);
      await sleep(1);
    }
  }
  const elapsed = Date.now() - start;
  t.truthy(connectionId, `crossed within ${deadlineMs} ms (${attempts} attempts)`);
  t.true(
    [...reasons].every((r) => r === 'refused' || r === 'reset'),
    [...reasons].join(),
  );
  const connected = host.events.find((e) => e.type === 'connected')!;
  if (connected.type !== 'connected') throw new Error('unreachable');
  t.deepEqual(connected.local, { address: '127.0.0.1', port: so.candidate.port }, 'from the bound S-O port');
  t.deepEqual(connected.remote, { address: '127.0.0.1', port: peerPort });
  await host.waitFor(() => peer, 5000, 'the peer');
  t.log(`crossed after ${attempts} attempts, ${elapsed} ms; the peer made ${peer!.attempts}`);
  t.true(peer!.connected);
  t.is(peer!.localPort, peerPort);
  t.is(peer!.remotePort, so.candidate.port, 'the peer holds the same 5-tuple');
  t.is(host.events.filter((e) => e.type === 'accepted').length, 0, 'S-O never accepts: one connection');

  t.true(plugin.send({ transportId: so.transportId, connectionId, to: connected.remote, data: Buffer.from('from us') }));
  await host.waitFor(() => (frames.length > 0 ? true : undefined), 5000, 'a frame at the peer');
  t.deepEqual(frames[0], Buffer.from('from us'));
  worker.postMessage({ send: [...Buffer.from('from the peer')] });
  t.deepEqual((await host.packet(connectionId!)).data, Buffer.from('from the peer'));

  plugin.command({ type: 'close', connectionId: connectionId!, transportId: so.transportId, reason: 'test done' });
  t.is((await host.event('closed')).reason, 'local');
  await host.waitFor(() => (peerClosed ? true : undefined), 5000, 'the peer to see the close');
  worker.postMessage('close');
  await once(worker, 'exit');
  await plugin.close();
});
