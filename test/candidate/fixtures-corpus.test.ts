import test from 'ava';
import { readFileSync, readdirSync } from 'node:fs';
import { parseCandidate, serializeCandidate, type Candidate } from '../../lib/candidate/index.js';

const dir = new URL('../../../fixtures/candidates/', import.meta.url);
const files = readdirSync(dir).filter((name) => name.endsWith('.txt'));

interface FixtureLine {
  file: string;
  lineNumber: number;
  line: string;
  note: string;
}

function readCorpus(): FixtureLine[] {
  const out: FixtureLine[] = [];
  for (const file of files) {
    for (const [index, raw] of readFileSync(new URL(file, dir), 'utf8').split('\n').entries()) {
      if (raw.trim() === '' || raw.startsWith('#')) continue;
      const at = raw.indexOf('  # ');
      out.push({ file, lineNumber: index + 1, line: at === -1 ? raw : raw.slice(0, at), note: at === -1 ? '' : raw.slice(at + 4) });
    }
  }
  return out;
}

const corpus = readCorpus();

test('the corpus covers Chrome, Firefox, libnice, pion, werift and the RFCs, each line with its source noted', (t) => {
  t.deepEqual([...files].sort(), ['chrome.txt', 'firefox.txt', 'libnice.txt', 'pion.txt', 'rfc.txt', 'werift.txt']);
  t.true(corpus.length >= 60);
  for (const { file, note } of corpus) t.not(note, '', `a line of ${file} has no source note`);
});

/** What our printer is expected to make of a line: transport upper-case, active TCP on port 9 (prflx keeps its port). */
function expectedText(line: string, c: Candidate): string {
  const tokens = line.split(' ');
  tokens[2] = tokens[2].toUpperCase();
  if (c.tcpType === 'active' && c.type !== 'prflx') tokens[5] = '9';
  return tokens.join(' ');
}

for (const { file, lineNumber, line, note } of corpus) {
  test(`${file}:${lineNumber} ${note}`, (t) => {
    const c = parseCandidate(line);
    const prefix = line.startsWith('a=');
    const printed = serializeCandidate(c, { prefix });
    t.is(printed, expectedText(line, c));
    const again = parseCandidate(printed);
    // Round-trip: identical except the advertised port of an active candidate, printed as 9.
    t.deepEqual(again, c.tcpType === 'active' ? { ...c, port: 9 } : c);
    t.is(serializeCandidate(again, { prefix }), printed);
  });
}

test('corpus details: mDNS lines are unresolved, TCP lines carry tcptype, IPv6 stays canonical', (t) => {
  const parsed = corpus.map(({ line }) => parseCandidate(line));
  const mdns = parsed.filter((c) => c.address.endsWith('.local'));
  t.true(mdns.length >= 4);
  for (const c of mdns) t.true(c.unresolved);
  for (const c of parsed.filter((c) => c.transport === 'tcp')) t.not(c.tcpType, undefined);
  const ipv6 = parsed.filter((c) => c.address.includes(':'));
  t.true(ipv6.length >= 6);
  t.true(parsed.some((c) => c.tcpType === 'so'));
  t.true(parsed.some((c) => c.type === 'relay'));
  t.true(parsed.some((c) => c.component === 2));
  t.true(
    parsed.some((c) => c.tcpType === 'active' && c.port === 0),
    'old Chrome active TCP with port 0',
  );
});
