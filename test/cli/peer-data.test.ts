import test from 'ava';
import { DataSender, MAX_UNECHOED, checkDataPacket, dataPacket, formatSendResult } from '../../lib/cli/peer-data.js';
import { parsePeerLine } from '../../lib/cli/peer-lines.js';

test('a data packet carries its offset and the byte pattern', (t) => {
  const packet = dataPacket(300, 12);
  t.deepEqual([...packet], [0, 0, 0, 0, 0, 0, 1, 44, (300 + 8) & 0xff, (300 + 9) & 0xff, (300 + 10) & 0xff, (300 + 11) & 0xff]);
  t.is(checkDataPacket(packet), 300);
  // Offsets past 2^32 keep the pattern (the low byte of offset + i).
  const far = 2 ** 40 + 255;
  t.is(checkDataPacket(dataPacket(far, 1200)), far);
  const corrupt = Buffer.from(packet);
  corrupt[10] ^= 1;
  t.is(checkDataPacket(corrupt), undefined);
  t.is(checkDataPacket(packet.subarray(0, 8)), undefined);
  const huge = Buffer.alloc(9, 0xff);
  t.is(checkDataPacket(huge), undefined, 'an offset beyond 2^53 is not ours');
  // A plain Uint8Array is checked as well as a Buffer; the last byte counts; lengths may alternate.
  const plain = Uint8Array.from(dataPacket(5000, 1200));
  t.is(checkDataPacket(plain), 5000);
  plain[1199] ^= 0x10;
  t.is(checkDataPacket(plain), undefined);
  for (const [offset, length] of [
    [7, 1200],
    [9, 700],
    [1207, 1200],
    [1909, 9],
  ]) {
    t.is(checkDataPacket(dataPacket(offset, length)), offset);
  }
});

test('the sender keeps at most 64 KiB unechoed and ends with a packet of at least 9 bytes', (t) => {
  const sender = new DataSender(100_003, 1200);
  let now = 0;
  const inFlight: Buffer[] = [];
  const drain = (): void => {
    for (let p = sender.nextPacket(now); p !== undefined; p = sender.nextPacket(now)) inFlight.push(p);
  };
  drain();
  t.true(sender.inFlight <= MAX_UNECHOED);
  t.true(sender.inFlight > MAX_UNECHOED - 1200);
  while (inFlight.length > 0) {
    now += 1;
    t.true(sender.onEcho(inFlight.shift()!, now));
    drain();
    t.true(sender.inFlight <= MAX_UNECHOED);
  }
  t.true(sender.complete);
  // 100003 = 83 * 1200 + 403: the last packet is 403 bytes.
  t.is(sender.sent, 100_003);
  const result = sender.result(now);
  t.is(result.echoed, 100_003);
  t.is(result.corruptChunks, 0);
  t.true(result.ms > 0);
  t.regex(formatSendResult(result), /^send-result sent=100003 echoed=100003 corrupt-chunks=0 ms=\d+ mbps=\d+\.\d\d$/);

  const tiny = new DataSender(1204, 1200);
  t.is(tiny.nextPacket(0)!.length, 1200);
  t.is(tiny.nextPacket(0)!.length, 9, 'a short tail is padded to 9 bytes');
  t.is(tiny.sent, 1209);
});

test('corrupt echoes are counted', (t) => {
  const sender = new DataSender(2400, 1200);
  const a = sender.nextPacket(0)!;
  const b = Buffer.from(sender.nextPacket(0)!);
  b[100] ^= 0xff;
  t.true(sender.onEcho(a, 1));
  t.false(sender.onEcho(b, 2));
  t.true(sender.complete);
  t.is(sender.corruptChunks, 1);
  t.throws(() => new DataSender(0));
  t.throws(() => new DataSender(10, 8));
});

test('signalling lines are recognised and anything else ignored', (t) => {
  t.deepEqual(parsePeerLine('ufrag abcd'), { kind: 'ufrag', value: 'abcd' });
  t.deepEqual(parsePeerLine('a=ice-ufrag:abcd\r'), { kind: 'ufrag', value: 'abcd' });
  t.deepEqual(parsePeerLine('pwd 0123456789012345678901'), { kind: 'pwd', value: '0123456789012345678901' });
  t.deepEqual(parsePeerLine('a=ice-pwd:xyz'), { kind: 'pwd', value: 'xyz' });
  const line = 'candidate:1 1 TCP 2128609279 127.0.0.1 9 typ host tcptype active';
  t.deepEqual(parsePeerLine(`a=${line}`), { kind: 'candidate', value: line });
  t.deepEqual(parsePeerLine(line), { kind: 'candidate', value: line });
  t.deepEqual(parsePeerLine('end-of-candidates'), { kind: 'end-of-candidates' });
  t.deepEqual(parsePeerLine('a=end-of-candidates'), { kind: 'end-of-candidates' });
  t.deepEqual(parsePeerLine('  done  '), { kind: 'done' });
  t.deepEqual(parsePeerLine('fingerprint sha-256 AB:CD'), { kind: 'fingerprint', value: 'sha-256 AB:CD' });
  t.deepEqual(parsePeerLine('a=fingerprint:SHA-256 AB:CD'), { kind: 'fingerprint', value: 'SHA-256 AB:CD' });
  t.deepEqual(parsePeerLine('setup actpass'), { kind: 'setup', value: 'actpass' });
  t.deepEqual(parsePeerLine('a=setup:active'), { kind: 'setup', value: 'active' });
  for (const other of [
    `selected a=${line} a=${line}`,
    'selected-types local=host/tcp-so remote=host/tcp-so',
    'state connected',
    'result ok',
    'done!',
    'gathering-done',
    '',
    'send-result sent=1 echoed=1 corrupt-chunks=0 ms=1 mbps=1.00',
    'tls role=client version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384',
  ]) {
    t.deepEqual(parsePeerLine(other), { kind: 'ignored' }, other);
  }
});

test('the sender reuses a slab only once every packet of it came back intact, each counted once', (t) => {
  const sender = new DataSender(2_000_000, 1200);
  const inFlight: Buffer[] = [];
  const memory = new Set<ArrayBufferLike>();
  let handedOut = 0;
  const pump = (): void => {
    for (let p = sender.nextPacket(0); p !== undefined; p = sender.nextPacket(0)) {
      inFlight.push(p);
      memory.add(p.buffer);
      handedOut++;
    }
  };
  const echo = (p: Buffer): void => void t.true(sender.onEcho(Buffer.from(p), 1));
  pump();
  const first = inFlight.splice(0, inFlight.length);
  // The peer returns everything but the first packet (lost), and one packet twice (a duplicate).
  for (const p of first.slice(1)) echo(p);
  echo(first[5]);
  pump();
  const kept = Buffer.from(first[0]);
  // Many more rounds: slabs holding only returned packets are reused …
  for (let round = 0; round < 20; round++) {
    const batch = inFlight.splice(0, inFlight.length);
    for (const p of batch) echo(p);
    pump();
  }
  // … but never the one whose packet never came back: its bytes are still those that were sent.
  t.true(first[0].equals(kept), 'the lost packet’s bytes were not overwritten');
  t.is(checkDataPacket(first[0]), 0);
  // Every packet handed out is intact while it is in flight (no slab reused under a packet not back yet).
  for (const p of inFlight) t.not(checkDataPacket(p), undefined);
  t.is(sender.corruptChunks, 0);
  t.true(handedOut > 1000);
  t.true(memory.size <= 5, `${handedOut} packets from ${memory.size} slabs: slabs were reused`);
});
