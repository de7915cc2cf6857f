/**
 * `ice-tcp peer --tcp-port PORT` and `--announced-address IP`: usage errors,
 * and a real pair of peers connecting through the chosen passive port.
 */
import test from 'ava';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { collect, runIceTcp, startIceTcp } from './helpers.js';

test('--tcp-port and --announced-address usage errors exit 64', async (t) => {
  for (const args of [
    ['--tcp-port', '0'],
    ['--tcp-port', '70000'],
    ['--tcp-port', '443', '--tcp', 'off'],
    ['--tcp-port', '443', '--tcptypes', 'active,so'],
    ['--announced-address', 'example.org'],
  ]) {
    const r = await runIceTcp(['peer', '--controlled', ...args]);
    t.is(r.code, 64, `${args.join(' ')}: ${r.stderr}`);
  }
});

test('a passive candidate on the chosen port carries the session (our active → their passive on that port)', async (t) => {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  const a = startIceTcp(['peer', '--controlling', '--udp', 'off', '--tcptypes', 'active', '--send', '100000', '--timeout', '30']);
  const b = startIceTcp([
    'peer',
    '--controlled',
    '--udp',
    'off',
    '--tcptypes',
    'passive',
    '--tcp-port',
    String(port),
    '--echo',
    '--timeout',
    '30',
  ]);
  for (const c of [a, b]) c.stdin!.on('error', () => undefined);
  a.stdout!.pipe(b.stdin!);
  b.stdout!.pipe(a.stdin!);
  const [ra, rb] = await Promise.all([collect(a, 45_000), collect(b, 45_000)]);
  t.is(ra.code, 0, ra.stderr);
  t.is(rb.code, 0, rb.stderr);
  t.regex(rb.stdout, new RegExp(`^a=candidate:\\S+ 1 TCP \\d+ 127\\.0\\.0\\.1 ${port} typ host tcptype passive$`, 'm'));
  t.regex(rb.stdout, /^selected-types local=host\/tcp-passive remote=/m);
  t.regex(ra.stdout, /^send-result sent=100000 echoed=100000 corrupt-chunks=0/m);
});
