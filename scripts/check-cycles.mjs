#!/usr/bin/env node
// Fails on an import cycle among the compiled library's modules (dist/, the
// ES module build, by default; or the folder given as the argument). Only
// static `import`/`export … from` count: type-only imports are erased by the
// compiler (they cannot make a load-order cycle), and dynamic `import()` is
// a deliberate lazy load. `npm test` runs it (`npm run check:cycles`).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const base = resolve(process.argv[2] ?? join(root, 'dist'));

function modules(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      // The CommonJS build mirrors the ES one: checking one is enough.
      if (path !== join(base, 'cjs')) out.push(...modules(path));
    } else if (/\.(m|c)?js$/.test(name)) out.push(path);
  }
  return out;
}

// `import … from '…'`, `export … from '…'` (also over several lines) and bare `import '…'`.
const STATIC = /(?:^|[\n;])\s*(?:import|export)\s+(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]/g;

const files = modules(base);
const graph = new Map();
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const deps = [];
  for (const match of text.matchAll(STATIC)) {
    const spec = match[1];
    if (spec.startsWith('.')) deps.push(resolve(dirname(file), spec));
  }
  graph.set(
    file,
    deps.filter((dep) => graph.has(dep) || files.includes(dep)),
  );
}

// Tarjan's strongly connected components: any component of more than one
// module, or a module importing itself, is a cycle.
let index = 0;
const stack = [];
const state = new Map();
const cycles = [];
function visit(node) {
  state.set(node, { index, low: index, onStack: true });
  index++;
  stack.push(node);
  for (const dep of graph.get(node) ?? []) {
    if (!state.has(dep)) {
      visit(dep);
      state.get(node).low = Math.min(state.get(node).low, state.get(dep).low);
    } else if (state.get(dep).onStack) {
      state.get(node).low = Math.min(state.get(node).low, state.get(dep).index);
    }
  }
  if (state.get(node).low === state.get(node).index) {
    const component = [];
    let member;
    do {
      member = stack.pop();
      state.get(member).onStack = false;
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component);
  }
}
for (const file of files) if (!state.has(file)) visit(file);

if (files.length === 0) {
  console.error(`check-cycles: no modules under ${base} (build first)`);
  process.exit(2);
}
if (cycles.length > 0) {
  for (const component of cycles) {
    console.error(
      `check-cycles: import cycle among ${component.length} modules:\n  ${component
        .map((f) => relative(base, f))
        .sort()
        .join('\n  ')}`,
    );
  }
  process.exit(1);
}
console.log(`check-cycles: ${files.length} modules, no import cycle`);
