/**
 * The project explains itself: every `ARCHITECTURE.md "Section"` a source
 * comment cites is a heading of ARCHITECTURE.md, and every Markdown document a
 * comment names (by a path or a bare file name) is in the repository.
 */
import test from 'ava';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.(c|m)?ts$/.test(name) ? [path] : [];
  });
}

test('every ARCHITECTURE.md section cited in lib/ exists; every document cited in lib/ is in the repository', (t) => {
  const headings = new Set([...readFileSync('ARCHITECTURE.md', 'utf8').matchAll(/^## (.+)$/gm)].map((m) => m[1].trim()));
  let cited = 0;
  for (const file of sources('lib')) {
    // A citation may wrap onto the next comment line.
    const text = readFileSync(file, 'utf8').replace(/\n\s*\*\s?/g, ' ');
    for (const doc of text.matchAll(/([\w./-]*[\w-]+\.md)(?![\w.]*\w)/g)) {
      const name = doc[1];
      // A bare name means a file beside the source or at the repository root.
      const inside = (candidate: string): boolean => !relative('.', resolve(candidate)).startsWith('..');
      const found = [name, join(dirname(file), name)].some((candidate) => inside(candidate) && existsSync(candidate));
      t.true(found, `${file} cites ${name}, which is not in the repository`);
    }
    for (const match of text.matchAll(/ARCHITECTURE\.md "([^"]+)"/g)) {
      cited++;
      t.true(headings.has(match[1]), `${file} cites ARCHITECTURE.md "${match[1]}", which has no such section`);
    }
  }
  t.true(cited >= 4, `only ${cited} citations found`);
});
