// Fails when any import cycle exists among the workspace's own TypeScript modules (files and packages).
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(import.meta.dirname, '..');
const roots = ['apps', 'libs'].map((d) => join(root, d));
const SKIP = new Set(['node_modules', 'dist', 'test-results', 'playwright-report']);

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (/\.(ts|tsx)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield full;
  }
}

const workspacePackages = new Map();
for (const dir of ['libs', 'apps']) {
  for (const name of readdirSync(join(root, dir))) {
    const pkg = join(root, dir, name, 'package.json');
    if (existsSync(pkg)) {
      const index = join(root, dir, name, 'src', 'index.ts');
      if (existsSync(index)) workspacePackages.set(JSON.parse(readFileSync(pkg, 'utf8')).name, index);
    }
  }
}

function resolveImport(from, spec) {
  if (workspacePackages.has(spec)) return workspacePackages.get(spec);
  if (!spec.startsWith('.')) return null;
  const base = resolve(dirname(from), spec).replace(/\.js$/, '');
  for (const candidate of [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

const graph = new Map();
for (const r of roots) {
  if (!existsSync(r)) continue;
  for (const file of walk(r)) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const edges = info.importedFiles.map((f) => resolveImport(file, f.fileName)).filter(Boolean);
    graph.set(file, edges);
  }
}

// Tarjan's strongly connected components; any component larger than one file (or a self-import) is a cycle.
let index = 0;
const stack = [];
const meta = new Map();
const cycles = [];
function strongConnect(v) {
  meta.set(v, { index, low: index, onStack: true });
  index++;
  stack.push(v);
  for (const w of graph.get(v) ?? []) {
    if (!graph.has(w)) continue;
    if (!meta.has(w)) {
      strongConnect(w);
      meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).low);
    } else if (meta.get(w).onStack) {
      meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).index);
    }
  }
  if (meta.get(v).low === meta.get(v).index) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      meta.get(w).onStack = false;
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component);
  }
}
for (const v of graph.keys()) if (!meta.has(v)) strongConnect(v);

if (cycles.length > 0) {
  console.error(`Import cycles found (${cycles.length}):`);
  for (const c of cycles) console.error('  ' + c.map((f) => relative(root, f)).join(' <-> '));
  process.exit(1);
}
console.log(`No import cycles among ${graph.size} modules.`);
