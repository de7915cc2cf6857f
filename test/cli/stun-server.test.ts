import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import test from 'ava';
import { encodeFrame, FrameDecoder } from '../../lib/framing/index.js';
import { StunClass, StunMethod, decodeStun, encodeStun, verifyFingerprint, type StunMessage } from '../../lib/stun/index.js';
import { LineLog, collect, runIceTcp, startIceTcp } from './helpers.js';

function bindingRequest(): { bytes: Buffer; transactionId: Buffer } {
  const transactionId = randomBytes(12);
  const bytes = encodeStun({ class: StunClass.Request, method: StunMethod.Binding, transactionId }, { fingerprint: true });
  return { bytes, transactionId };
}

function udpBinding(port: number): Promise<{ response: StunMessage; localPort: number; transactionId: Buffer }> {
  const socket = createSocket('udp4');
  const { bytes, transactionId } = bindingRequest();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error('no UDP answer'));
    }, 5000);
    socket.on('message', (data) => {
      clearTimeout(timer);
      const localPort = socket.address().port;
      socket.close();
      resolve({ response: decodeStun(Buffer.from(data)), localPort, transactionId });
    });
    socket.bind(0, '127.0.0.1', () => socket.send(bytes, port, '127.0.0.1'));
  });
}

function framedTcpBinding(port: number): Promise<{ response: StunMessage; localPort: number; transactionId: Buffer }> {
  const { bytes, transactionId } = bindingRequest();
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(encodeFrame(bytes)));
    const decoder = new FrameDecoder();
    socket.on('error', reject);
    socket.on('data', (chunk) =>
      decoder.push(chunk, (frame) => {
        const localPort = socket.localPort!;
        socket.destroy();
        resolve({ response: decodeStun(Buffer.from(frame)), localPort, transactionId });
      }),
    );
  });
}

test('stun-server answers a Binding request over UDP and framed TCP on loopback, then closes on SIGTERM', async (t) => {
  const child = startIceTcp(['stun-server', '--udp', '0', '--tcp', '0', '--bind', '127.0.0.1']);
  const result = collect(child);
  const log = new LineLog(child);
  const udpLine = log.wait(/^listening udp 127\.0\.0\.1:(\d+)$/);
  const tcpLine = log.wait(/^listening tcp 127\.0\.0\.1:(\d+)$/);
  await log.wait(/^ready$/);
  const udpPort = Number((await udpLine)[1]);
  const tcpPort = Number((await tcpLine)[1]);

  const udp = await udpBinding(udpPort);
  t.is(udp.response.class, StunClass.SuccessResponse);
  t.deepEqual(udp.response.transactionId, udp.transactionId);
  t.deepEqual(udp.response.attributes.xorMappedAddress, { family: 4, address: '127.0.0.1', port: udp.localPort });
  t.true(verifyFingerprint(udp.response));

  const tcp = await framedTcpBinding(tcpPort);
  t.is(tcp.response.class, StunClass.SuccessResponse);
  t.deepEqual(tcp.response.attributes.xorMappedAddress, { family: 4, address: '127.0.0.1', port: tcp.localPort });

  child.kill('SIGTERM');
  const r = await result;
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /stun-server: SIGTERM: closed; answered udp=1 tcp=1 \(plain=0 framed=1\)/);
});

test('stun-server with UDP only, and usage errors', async (t) => {
  const child = startIceTcp(['stun-server', '--udp', '0', '--tcp', 'off']);
  const result = collect(child);
  const log = new LineLog(child);
  const line = await log.wait(/^listening udp 127\.0\.0\.1:(\d+)$/);
  await log.wait(/^ready$/);
  const udp = await udpBinding(Number(line[1]));
  t.is(udp.response.class, StunClass.SuccessResponse);
  child.kill('SIGINT');
  const r = await result;
  t.is(r.code, 0);
  t.notRegex(r.stdout, /listening tcp/);

  for (const args of [['--udp', 'off', '--tcp', 'off'], ['--udp', '70000'], ['--bind', 'localhost'], ['--udp'], ['extra']]) {
    const u = await runIceTcp(['stun-server', ...args]);
    t.is(u.code, 64, args.join(' '));
    t.regex(u.stderr, /^ice-tcp stun-server: /, args.join(' '));
  }
});

test('stun-server reports a port it cannot bind with exit 1', async (t) => {
  const child = startIceTcp(['stun-server', '--udp', 'off', '--tcp', '0']);
  const result = collect(child);
  const log = new LineLog(child);
  const port = (await log.wait(/^listening tcp 127\.0\.0\.1:(\d+)$/))[1];
  const second = await runIceTcp(['stun-server', '--udp', 'off', '--tcp', port]);
  t.is(second.code, 1);
  t.regex(second.stderr, /ERR_STUN_SERVER_LISTEN/);
  child.kill('SIGTERM');
  t.is((await result).code, 0);
});
