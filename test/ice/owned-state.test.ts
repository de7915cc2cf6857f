/**
 * lib/ice is organised around owned state: the pacer, the role, TCP
 * reconnects and credential generations are objects whose state changes
 * only through their methods (issue 12). Their behaviour here; the
 * structure (no module writes another's fields) in the last test.
 */
import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { Checklist } from '../../lib/ice/checklist.js';
import { Generations } from '../../lib/ice/generations.js';
import { Pacer } from '../../lib/ice/pacing.js';
import type { Pair } from '../../lib/ice/pair.js';
import { AgentRole } from '../../lib/ice/role.js';
import { seededRandom } from '../../lib/ice/index.js';
import { TcpReconnects } from '../../lib/ice/tcp-reconnect.js';

test('Pacer: idle until woken, one check per Ta, idle when nothing is left; restart and halt', (t) => {
  const pacer = new Pacer(50, false);
  t.is(pacer.deadline(), undefined);
  pacer.wake(100);
  t.is(pacer.deadline(), 100, 'the first check at once');
  const list = new Checklist(1);
  const pair = { state: 'waiting', foundation: 'f' } as unknown as Pair;
  list.pairs.push(pair);
  t.is(
    pacer.tick(
      99,
      [list],
      () => true,
      () => undefined,
    ),
    undefined,
    'not due yet',
  );
  t.is(
    pacer.tick(
      100,
      [list],
      () => true,
      () => undefined,
    ),
    pair,
  );
  t.is(pacer.firstCheckAt, 100);
  t.is(pacer.deadline(), 150, 'the next tick one Ta later');
  (pair as { state: string }).state = 'in-progress';
  t.is(
    pacer.tick(
      150,
      [list],
      () => true,
      () => undefined,
    ),
    undefined,
  );
  t.is(pacer.deadline(), undefined, 'idle: nothing to check');
  pacer.wake(160);
  t.is(pacer.deadline(), 160, 'woken after Ta has passed since the last check: at once');
  pacer.restart();
  t.is(pacer.deadline(), undefined);
  pacer.wake(120);
  t.is(pacer.deadline(), 150, 'a restart keeps the spacing from the last check');
  pacer.halt();
  t.is(pacer.deadline(), undefined);
  pacer.wake(1000);
  t.is(pacer.deadline(), undefined, 'a halted pacer stays halted');
  const lite = new Pacer(50, true);
  lite.wake(0);
  t.is(lite.deadline(), undefined, 'an ICE-lite agent never checks (RFC 8445 §2.5)');
});

test('AgentRole: the RFC 8445 §7.3.1.1 decision, switches, and a 487 (§7.2.5.1)', (t) => {
  const role = new AgentRole(true, 10n, seededRandom(1));
  t.is(role.conflictWith({ iceControlling: 11n }), 'switch');
  t.is(role.conflictWith({ iceControlling: 10n }), 'reject');
  t.is(role.conflictWith({ iceControlled: 11n }), 'none');
  t.false(role.switchTo(true), 'no change');
  t.true(role.mustSwitchAfter487(true), 'a 487 to a check sent as controlling');
  t.true(role.switchTo(false));
  t.false(role.controlling);
  t.false(role.mustSwitchAfter487(true), 'already switched since that check went out');
  role.renewTieBreaker();
  t.not(role.tieBreaker, 10n);
});

test('TcpReconnects: begin, retries with backoff, giving up, due retries, replacement (RFC 6544 §11.1)', (t) => {
  const base = {};
  const lost = { component: 1, tcp: true, local: { base }, remote: { address: '10.0.0.2' }, connectionId: 'k1' } as unknown as Pair;
  const opener = { component: 1 } as unknown as Pair;
  const reconnects = new TcpReconnects(2);
  t.is(reconnects.of(1), undefined);
  t.is(
    reconnects.tryFailed(1, 0, 3, () => 10),
    undefined,
    'nothing to fail',
  );
  reconnects.begin(lost);
  t.like(reconnects.of(1), { lost, pair: undefined, failures: 0 });
  t.is(
    reconnects.tryFailed(1, 0, 3, () => 10),
    'give-up',
    'the passive side has no opener: nothing to retry',
  );
  reconnects.begin(lost);
  reconnects.reconnectWith(opener);
  t.is(
    reconnects.tryFailed(1, 100, 3, (n) => n * 20),
    'retry',
  );
  t.is(reconnects.deadline(), 120);
  t.deepEqual(reconnects.dueRetries(119), []);
  t.deepEqual(reconnects.dueRetries(120), [opener]);
  t.deepEqual(reconnects.dueRetries(121), [], 'each retry once');
  t.is(
    reconnects.tryFailed(1, 200, 3, (n) => n * 20),
    'retry',
  );
  t.is(
    reconnects.tryFailed(1, 300, 3, (n) => n * 20),
    'give-up',
    'after 3 failures',
  );
  t.is(reconnects.deadline(), undefined);
  const samePath = { ...lost, connectionId: 'k2' } as Pair;
  const otherBase = { ...lost, connectionId: 'k2', local: { base: {} } } as unknown as Pair;
  t.true(
    reconnects.replacedBy(samePath, () => true),
    'a new connection on the same path',
  );
  t.false(reconnects.replacedBy(otherBase, () => true));
  t.true(
    reconnects.replacedBy(lost, (id) => id === 'k1'),
    'S-O: the lost pair over a new open connection',
  );
  t.false(reconnects.replacedBy(lost, () => false));
  t.deepEqual(reconnects.pairsInUse(), [lost, opener]);
  reconnects.end(1);
  t.is(reconnects.of(1), undefined);
  reconnects.begin(lost);
  reconnects.endAll();
  t.deepEqual(reconnects.pairsInUse(), []);
});

test('Generations: a restart keeps the newest generation that still carries data; completion retires it (RFC 8445 §9)', (t) => {
  const g = new Generations({ ufrag: 'aaaa', pwd: 'aaaaaaaaaaaaaaaaaaaaaaaa' });
  const first = g.current;
  t.deepEqual(g.live(), [first]);
  const second = g.next({ ufrag: 'bbbb', pwd: 'bbbbbbbbbbbbbbbbbbbbbbbb' }, (x) => x === first);
  t.is(g.previous, first, 'its selected pairs still carry data');
  t.deepEqual(g.live(), [second, first]);
  g.next({ ufrag: 'cccc', pwd: 'cccccccccccccccccccccccc' }, (x) => x === first);
  t.is(g.previous, first, 'the second never carried data: the first stays');
  t.is(g.current.index, 2);
  t.is(g.retirePrevious(), first);
  t.deepEqual(g.live(), [g.current]);
});

/**
 * The structure: outside the module that owns it, nobody assigns a field
 * of the agent context (`ctx.x = …`), of a component's route status, of a
 * checklist's state, of a pair, of a transaction, or of a TCP connection
 * record.
 */
test('lib/ice modules change another module’s state only through its methods', (t) => {
  const rules: Array<{ pattern: RegExp; owners: string[] }> = [
    { pattern: /\bctx\.[A-Za-z]+\s*(?:=(?!=)|\+\+|\?\?=|\+=)/, owners: [] },
    { pattern: /\b(?:status|s)\.(?:route|health|consent|emittedRoute)\s*=(?!=)/, owners: ['routes.ts'] },
    { pattern: /\blist\.(?:state|selected|firstValidAt)\s*=(?!=)/, owners: [] },
    { pattern: /\btx\.(?:sends|retransmitAt|cancelled)\s*(?:=(?!=)|\+\+)/, owners: [] },
    { pattern: /\.awaitingFirstFrame\s*=(?!=)/, owners: ['tcp-bookkeeping.ts'] },
    { pattern: /\.reconnect\s*=(?!=)/, owners: [] },
    {
      pattern:
        /\.(?:state|valid|nominated|nominating|nominateOnSuccess|validPair|generatedBy|transactionKey|triggered|attemptId|removed|firstCheckAt|failureReason)\s*(?:=(?!=)|\?\?=)/,
      owners: ['pair.ts'],
    },
    { pattern: /\b(?:pair|valid|p|opener)\.connectionId\s*=(?!=)/, owners: ['pair.ts'] },
  ];
  const dir = new URL('../../../lib/ice/', import.meta.url);
  const offenders: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const lines = readFileSync(new URL(file, dir), 'utf8').split('\n');
    lines.forEach((line, i) => {
      for (const { pattern, owners } of rules)
        if (!owners.includes(file) && pattern.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
    });
  }
  t.deepEqual(offenders, []);
});
