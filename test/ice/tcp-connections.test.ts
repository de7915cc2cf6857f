import test from 'ava';
import type { Pair } from '../../lib/ice/pair.js';
import {
  fiveTupleKey,
  initiatorOf,
  soRetryDelay,
  survivorOf,
  TcpConnectionTable,
  type ConnectAttempt,
  type TcpConnection,
} from '../../lib/ice/tcp-bookkeeping.js';

const conn = (id: string, lp: number, rp: number, origin: 'connect' | 'accept'): TcpConnection => ({
  id,
  transportId: 'so',
  local: { address: '10.0.0.1', port: lp },
  remote: { address: '10.0.0.2', port: rp },
  origin,
  awaitingFirstFrame: true,
});

test('connections are keyed by 5-tuple: the established one wins a race; other tuples are other connections', (t) => {
  const table = new TcpConnectionTable();
  t.deepEqual(table.register(conn('a', 5000, 6000, 'accept')), {});
  const second = table.register(conn('b', 5000, 6000, 'connect'));
  t.is(second.existing?.id, 'a');
  t.is(table.get('b'), undefined);
  t.deepEqual(table.register(conn('c', 5000, 6001, 'connect')), {});
  t.is(table.size, 2);
  t.is(table.byFiveTuple({ address: '10.0.0.1', port: 5000 }, { address: '10.0.0.2', port: 6000 })?.id, 'a');
  t.is(table.remove('a')?.id, 'a');
  t.is(table.byFiveTuple({ address: '10.0.0.1', port: 5000 }, { address: '10.0.0.2', port: 6000 }), undefined);
  t.is(table.remove('a'), undefined);
  t.is(fiveTupleKey({ address: '::1', port: 1 }, { address: '::2', port: 2 }), '[::1]:1>[::2]:2');
});

test('S-O retry schedule doubles from the initial delay up to the cap', (t) => {
  const options = { initialMs: 20, maxMs: 1000, maxAttempts: 40 };
  t.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 8].map((n) => soRetryDelay(n, options)),
    [20, 40, 80, 160, 320, 640, 1000, 1000],
  );
});

test('outstanding attempts are counted per remote IP, and the earliest deadline is reported', (t) => {
  const table = new TcpConnectionTable();
  const attempt = (address: string, deadline: number, retryAt?: number): ConnectAttempt => ({
    id: table.nextAttemptId(),
    pair: {} as Pair,
    transportId: 'a',
    tcpType: 'active',
    local: { address: '10.0.0.1', port: 0 },
    remote: { address, port: 1 },
    tries: 1,
    deadline,
    retryAt,
    reconnect: false,
  });
  const a1 = attempt('10.0.0.2', 100);
  table.addAttempt(a1);
  table.addAttempt(attempt('10.0.0.2', 50, 30));
  table.addAttempt(attempt('10.0.0.3', 70));
  t.is(table.outstandingTo('10.0.0.2'), 2);
  t.is(table.outstandingTo('10.0.0.3'), 1);
  t.is(table.nextDeadline(), 30);
  table.removeAttempt(a1.id);
  t.is(table.outstandingTo('10.0.0.2'), 1);
  t.not(table.nextAttemptId(), table.nextAttemptId());
});

test('survivorOf picks the same connection on both sides whatever the order', (t) => {
  // Alice (10.0.0.1:5000) opened X; Bob (10.0.0.2:6000) opened Y; same 5-tuple.
  const xAlice = conn('X', 5000, 6000, 'connect');
  const yAlice = conn('Y', 5000, 6000, 'accept');
  const flip = (c: TcpConnection): TcpConnection => ({
    ...c,
    local: c.remote,
    remote: c.local,
    origin: c.origin === 'connect' ? 'accept' : 'connect',
  });
  const xBob = flip(xAlice);
  const yBob = flip(yAlice);
  t.is(survivorOf(xAlice, yAlice).id, 'X');
  t.is(survivorOf(yAlice, xAlice).id, 'X');
  t.is(survivorOf(xBob, yBob).id, 'X');
  t.is(survivorOf(yBob, xBob).id, 'X');
  t.deepEqual(initiatorOf(yBob), { address: '10.0.0.2', port: 6000 });
  const again = conn('Z', 5000, 6000, 'connect');
  t.is(survivorOf(xAlice, again).id, 'X', 'same initiator: the established one stays');
});
