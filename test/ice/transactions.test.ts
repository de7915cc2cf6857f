import test from 'ava';
import { nextRetransmitAt, RC, RM, TransactionTable, udpTransactionTimeout, type Transaction } from '../../lib/ice/check-transactions.js';

test('RFC 8489 §6.2.1 schedule: sends at 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s, timeout at 39.5 s', (t) => {
  t.is(RC, 7);
  t.is(RM, 16);
  const sends = [0];
  let at = 0;
  for (let n = 1; ; n++) {
    const next = nextRetransmitAt(at, n, 500);
    if (next === undefined) break;
    sends.push(next);
    at = next;
  }
  t.deepEqual(sends, [0, 500, 1500, 3500, 7500, 15500, 31500]);
  t.is(udpTransactionTimeout(500), 39500);
  t.is(udpTransactionTimeout(1000), 79000);
});

test('the table reports the earliest deadline and forgets deleted transactions', (t) => {
  const table = new TransactionTable();
  const tx = (key: string, retransmitAt: number | undefined, expiresAt: number) => ({ key, retransmitAt, expiresAt }) as Transaction;
  t.is(table.nextDeadline(), undefined);
  table.add(tx('a', 500, 39500));
  table.add(tx('b', undefined, 300));
  t.is(table.nextDeadline(), 300);
  table.delete('b');
  t.is(table.nextDeadline(), 500);
  t.is(table.size, 1);
  t.is(table.get('a')?.key, 'a');
  t.deepEqual(table.filter((x) => x.key === 'a').length, 1);
});
