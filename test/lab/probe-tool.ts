/**
 * A tiny traffic tool the lab's own tests run inside namespaces (node
 * build/test/lab/probe-tool.js …). Every mode ends within its time limit.
 *
 *   reflect ADDR PORT SECONDS           UDP and TCP: answer with the "ip:port" seen
 *   udp ADDR PORT LOCALPORT TIMEOUTMS   send one datagram, print the answer or "timeout"
 *   tcp ADDR PORT LOCALPORT TIMEOUTMS   connect (0 = any local port), print the answer,
 *                                       "timeout" or "error CODE"
 */
import { createSocket } from 'node:dgram';
import { createServer, connect } from 'node:net';

const [mode, addr, portText, third, fourth] = process.argv.slice(2);
const port = Number(portText);

function finish(text: string): never {
  console.log(text);
  process.exit(0);
}

if (mode === 'reflect') {
  const seconds = Number(third);
  const udp = createSocket('udp4');
  udp.on('message', (_msg, from) => udp.send(`${from.address}:${from.port}`, from.port, from.address));
  udp.bind(port, addr);
  const tcp = createServer((socket) => socket.end(`${socket.remoteAddress}:${socket.remotePort}`));
  tcp.listen(port, addr, () => console.log('ready'));
  setTimeout(() => process.exit(0), seconds * 1000);
} else if (mode === 'udp') {
  const timeoutMs = Number(fourth);
  const socket = createSocket('udp4');
  socket.on('message', (msg) => finish(msg.toString()));
  socket.bind(Number(third), () => socket.send('probe', port, addr));
  setTimeout(() => finish('timeout'), timeoutMs);
} else if (mode === 'tcp') {
  const timeoutMs = Number(fourth);
  const localPort = Number(third);
  const socket = connect({ host: addr, port, ...(localPort ? { localPort } : {}) });
  let text = '';
  socket.on('data', (d) => (text += d.toString()));
  socket.on('end', () => finish(text));
  socket.on('error', (error: NodeJS.ErrnoException) => finish(`error ${error.code}`));
  setTimeout(() => finish('timeout'), timeoutMs);
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(64);
}
