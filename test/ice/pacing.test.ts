import test from 'ava';
import type { Candidate } from '../../lib/candidate/index.js';
import { LocalCandidateSet } from '../../lib/ice/candidates.js';
import { Checklist } from '../../lib/ice/checklist.js';
import { CredentialGeneration } from '../../lib/ice/ice-credentials.js';
import { checkRto, foundationBusy, pickNextCheck, unfreezeInitial } from '../../lib/ice/pacing.js';
import { Pair } from '../../lib/ice/pair.js';
import type { PairState } from '../../lib/ice/types.js';

const gen = new CredentialGeneration({ ufrag: 'aaaa', pwd: 'pppppppppppppppppppppp' }, 0);
const locals = new LocalCandidateSet();

function cand(address: string, component: number, foundation: string, priority: number): Candidate {
  return { foundation, component, transport: 'udp', priority, address, port: 1000, type: 'host', extensions: [] };
}

let counter = 0;
function pair(component: number, localFoundation: string, remoteAddress: string, priority: number): Pair {
  counter++;
  const local = locals.add(cand(`10.0.${Math.floor(counter / 250)}.${counter % 250}`, component, localFoundation, 1000), `t${counter}`);
  return new Pair(component, local, cand(remoteAddress, component, 'r', priority), true, gen);
}

const setState = (p: Pair, s: PairState): void => {
  p.moveTo(s);
};

function lists(...groups: Pair[][]): Checklist[] {
  return groups.map((g, i) => {
    const l = new Checklist(i + 1);
    for (const p of g) l.add(p);
    return l;
  });
}

test('initial unfreezing: one pair per foundation, lowest component first, then highest priority', (t) => {
  const p1 = pair(1, 'A', '10.9.0.1', 100);
  const p2 = pair(1, 'A', '10.9.0.2', 200);
  const p3 = pair(1, 'B', '10.9.0.3', 50);
  const q1 = pair(2, 'A', '10.9.0.1', 900);
  const q2 = pair(2, 'C', '10.9.0.4', 10);
  const cls = lists([p1, p2, p3], [q1, q2]);
  unfreezeInitial(cls, setState);
  t.is(p2.state, 'waiting', 'highest priority of foundation A in component 1');
  t.is(p1.state, 'frozen');
  t.is(p3.state, 'waiting');
  t.is(q1.state, 'frozen', 'foundation A already has a waiting pair in component 1');
  t.is(q2.state, 'waiting');
  t.true(foundationBusy(cls, p1.foundation));
});

test('pacing order: triggered FIFO first, then the highest-priority waiting pair, round-robin across checklists', (t) => {
  const a = pair(1, 'A', '10.9.0.1', 100);
  const b = pair(1, 'B', '10.9.0.2', 300);
  const c = pair(1, 'C', '10.9.0.3', 200);
  const d = pair(2, 'D', '10.9.0.4', 100);
  const cls = lists([a, b, c], [d]);
  unfreezeInitial(cls, setState);
  cls[0].enqueueTriggered(a);
  cls[0].enqueueTriggered(c);
  const order: Pair[] = [];
  let index = 0;
  for (let i = 0; i < 5; i++) {
    const next = pickNextCheck(cls, index, () => true, setState);
    if (next === undefined) break;
    index = next.nextIndex;
    next.pair.moveTo('in-progress');
    order.push(next.pair);
  }
  t.deepEqual(order, [a, d, c, b]);
  t.is(
    pickNextCheck(cls, index, () => true, setState),
    undefined,
    'nothing left: the pacer goes idle',
  );
});

test('an empty checklist is skipped without waiting for Ta (step 4); failed checklists are skipped', (t) => {
  const a = pair(2, 'A', '10.9.0.1', 100);
  const cls = lists([], [a]);
  unfreezeInitial(cls, setState);
  const next = pickNextCheck(cls, 0, () => true, setState);
  t.is(next?.pair, a);
  t.is(next?.nextIndex, 0);
  a.moveTo('waiting');
  cls[1].fail();
  t.is(
    pickNextCheck(cls, 0, () => true, setState),
    undefined,
  );
});

test('step 2 unfreezes frozen pairs whose foundation has nothing waiting or in progress', (t) => {
  const a = pair(1, 'A', '10.9.0.1', 100);
  const b = pair(1, 'A', '10.9.0.2', 90);
  const cls = lists([a, b]);
  unfreezeInitial(cls, setState);
  a.moveTo('in-progress');
  t.is(
    pickNextCheck(cls, 0, () => true, setState),
    undefined,
    'foundation busy: b stays frozen',
  );
  t.is(b.state, 'frozen');
  a.moveTo('failed');
  t.is(pickNextCheck(cls, 0, () => true, setState)?.pair, b);
});

test('ineligible pairs (connect limit) are passed over, triggered ones too', (t) => {
  const a = pair(1, 'A', '10.9.0.1', 300);
  const b = pair(1, 'B', '10.9.0.2', 200);
  const cls = lists([a, b]);
  unfreezeInitial(cls, setState);
  cls[0].enqueueTriggered(a);
  const next = pickNextCheck(cls, 0, (p) => p !== a, setState);
  t.is(next?.pair, b);
  t.true(a.triggered, 'a stays queued');
  t.deepEqual(cls[0].triggered, [a]);
});

test('check RTO: max(500, Ta * N * (waiting + in-progress))', (t) => {
  const ps = Array.from({ length: 12 }, (_, i) => pair(1, `F${i}`, `10.9.1.${i}`, 100 - i));
  const cls = lists(ps);
  t.is(checkRto(50, cls), 500);
  unfreezeInitial(cls, setState);
  t.is(checkRto(50, cls), 600);
  ps[0].moveTo('succeeded');
  t.is(checkRto(50, cls), 550);
  t.is(checkRto(50, lists(ps.slice(0, 6), ps.slice(6))), 1100, 'two checklists double N');
});
