// The layers of src/ point down (docs/architecture-and-contributing.md,
// "Layers"): a module imports only from its own folder and the folders below
// it. Read from the sources' import statements, static and dynamic, so a new
// arrow upward fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HLIST_MEMBERS, INTERVAL_MEMBERS } from '../src/model/ops.js';

/** What each folder may import from, besides itself. */
const ALLOWED: Record<string, readonly string[]> = {
  // the model imports nothing of ours; the IR only itself
  model: [],
  ir: [],
  // the path engine and its checkers walk lowered functions: no syntax tree
  path: ['ir'],
  parser: ['ir', 'path'],
  input: ['ir', 'model'],
  // rules read IR facts and the model, never syntax or input
  rules: ['ir', 'model'],
  engine: ['ir', 'model', 'path', 'parser', 'input', 'rules'],
  report: ['ir', 'model', 'path', 'parser', 'input', 'rules', 'engine'],
  app: ['ir', 'model', 'path', 'parser', 'input', 'rules', 'engine', 'report'],
  cli: ['ir', 'model', 'path', 'parser', 'input', 'rules', 'engine', 'report', 'app'],
  action: ['ir', 'model', 'path', 'parser', 'input', 'rules', 'engine', 'report', 'app'],
};

/** Packages one folder owns: tree-sitter nodes never leave the parser. */
const OWNED: Record<string, string> = { 'web-tree-sitter': 'parser', 'tree-sitter-c': 'parser' };

const SRC = join(import.meta.dirname, '..', 'src');

function sources(): Array<{ folder: string; file: string; text: string }> {
  // every .ts under src/, nested folders too (path/engine, path/checkers): the layer is the top folder
  const walk = (rel: string): string[] => readdirSync(join(SRC, rel), { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(`${rel}/${d.name}`) : d.name.endsWith('.ts') ? [`${rel}/${d.name}`] : []));
  return readdirSync(SRC, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => walk(d.name).map((file) => ({ folder: d.name, file, text: readFileSync(join(SRC, file), 'utf8') })));
}

/** Every module a source names: `from '...'` and `import('...')`. */
function importsOf(text: string): string[] {
  return [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*)'([^']+)'/g)].map((m) => m[1]!);
}

/** The top folder of src/ a relative import lands in, or undefined for a package or a file of src/ itself. */
function layerOf(file: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const parts = file.split('/').slice(0, -1);
  for (const p of spec.split('/')) {
    if (p === '..') parts.pop();
    else if (p !== '.') parts.push(p);
  }
  return parts.length > 1 ? parts[0] : undefined;
}

/** The arrows of one source that break the layer order, as `file -> module`. */
function layerViolations(folder: string, file: string, text: string): string[] {
  const out: string[] = [];
  for (const spec of importsOf(text)) {
    const up = layerOf(file, spec);
    if (up !== undefined && up !== folder && !(ALLOWED[folder] ?? []).includes(up)) out.push(`${file} -> ${spec}`);
    const pkg = spec.startsWith('.') ? undefined : spec.split('/')[0];
    if (pkg && OWNED[pkg] !== undefined && OWNED[pkg] !== folder) out.push(`${file} -> ${spec} (only ${OWNED[pkg]}/ may use it)`);
  }
  return out;
}

/** Kernel names a source spells out instead of taking them from a module of ir/kernel-api/. */
const TYPE_NAMES = new Set(['mmu_notifier', 'mmu_interval_notifier', 'mmu_notifier_ops', 'mmu_interval_notifier_ops', 'mmu_notifier_range']);
function kernelNamesOutsideHome(file: string, text: string): string[] {
  if (file.startsWith('ir/kernel-api/')) return [];
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  return [...code.matchAll(/'((?:__)?(?:mmu|mn|hmm|interval_tree)_[a-z_]+)'/g)]
    .map((m) => m[1]!)
    .filter((n) => !TYPE_NAMES.has(n))
    .map((n) => `${file}: '${n}'`);
}

/** Lists of ops-member names (array literals, type unions) a source spells out instead of taking them from model/ops.ts. */
const MEMBERS = new Set<string>([...INTERVAL_MEMBERS, ...HLIST_MEMBERS]);
function memberListsOutsideHome(file: string, text: string): string[] {
  if (file === 'model/ops.ts') return [];
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const members = (s: string): string[] => [...s.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]!).filter((n) => MEMBERS.has(n));
  const out: string[] = [];
  // a list: an array literal of string literals (and spreads), not an expression naming members in passing
  for (const m of code.matchAll(/\[([^[\]]*)\]/g)) {
    const rest = m[1]!
      .replace(/'[^']*'/g, '')
      .replace(/\.\.\.[\w.]+/g, '')
      .replace(/[\s,]/g, '');
    if (rest === '' && members(m[1]!).length >= 2) out.push(`${file}: [${members(m[1]!).join(', ')}]`);
  }
  for (const m of code.matchAll(/'[a-z_]+'(?:\s*\|\s*'[a-z_]+')+/g)) if (members(m[0]).length >= 2) out.push(`${file}: ${members(m[0]).join(' | ')}`);
  return out;
}

/**
 * Atoms taken apart or put together by their prefix (`'ret:'`, `startsWith('param:')`,
 * `/^(ret:|trylock:)/`, `indexOf('@')`) outside ir/atoms.ts, the one home of their encoding.
 */
function atomPrefixesOutsideHome(file: string, text: string): string[] {
  if (file === 'ir/atoms.ts') return [];
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const prefixes = [...code.matchAll(/(?:['"`|]|\/\^?\(?)(?:ret|param|trylock|alloc|event):/g)].map((m) => m[0]);
  const at = [...code.matchAll(/\.indexOf\(\s*['"`]@['"`]\s*\)/g)].map((m) => m[0]);
  return [...prefixes, ...at].map((m) => `${file}: ${m}`);
}

describe('layers', () => {
  const files = sources();

  it('every folder of src/ has a place in the order', () => {
    expect([...new Set(files.map((f) => f.folder))].filter((f) => !(f in ALLOWED))).toEqual([]);
  });

  it('no import points up or sideways', () => {
    expect(files.flatMap((f) => layerViolations(f.folder, f.file, f.text))).toEqual([]);
  });

  it('kernel API names have one home, ir/kernel-api/', () => {
    expect(files.flatMap((f) => kernelNamesOutsideHome(f.file, f.text))).toEqual([]);
    expect(kernelNamesOutsideHome('rules/x.ts', "if (c.name === 'mmu_notifier_put') return; // 'mmu_notifier_get'")).toEqual(["rules/x.ts: 'mmu_notifier_put'"]);
    // the folder is the home, not a file beside it nor another module of ir/
    expect(kernelNamesOutsideHome('ir/kernel-api/notifier.ts', "export const PUT = 'mmu_notifier_put';")).toEqual([]);
    expect(kernelNamesOutsideHome('ir/kernel-api.ts', "export const PUT = 'mmu_notifier_put';")).toEqual(["ir/kernel-api.ts: 'mmu_notifier_put'"]);
    expect(kernelNamesOutsideHome('ir/summary.ts', "export const PUT = 'mmu_notifier_put';")).toEqual(["ir/summary.ts: 'mmu_notifier_put'"]);
  });

  it('ops-member names have one home, model/ops.ts', () => {
    expect(files.flatMap((f) => memberListsOutsideHome(f.file, f.text))).toEqual([]);
    expect(memberListsOutsideHome('rules/x.ts', "for (const f of ['invalidate', 'invalidate_start']) check(f);")).toEqual(['rules/x.ts: [invalidate, invalidate_start]']);
    expect(memberListsOutsideHome('model/core.ts', "type C = 'release' | 'clear_young';")).toEqual(['model/core.ts: release | clear_young']);
    // one member named where a rule asks for its callback is not a list
    expect(memberListsOutsideHome('rules/x.ts', "ctx.callback(table, 'invalidate_start'); // ['release', 'test_young']")).toEqual([]);
  });

  it('the encoding of atoms has one home, ir/atoms.ts', () => {
    expect(files.flatMap((f) => atomPrefixesOutsideHome(f.file, f.text))).toEqual([]);
    expect(atomPrefixesOutsideHome('ir/x.ts', "if (a.startsWith('ret:')) return; // 'param:x'")).toEqual(["ir/x.ts: 'ret:"]);
    expect(atomPrefixesOutsideHome('rules/x.ts', 'const k = `trylock:` + lock; /* `alloc:VAR` */')).toEqual(['rules/x.ts: `trylock:']);
    expect(atomPrefixesOutsideHome('path/engine/x.ts', "if (/^(ret:|alloc:|retry$)/.test(a)) return a.slice(0, a.indexOf('@'));")).toEqual([
      'path/engine/x.ts: /^(ret:',
      'path/engine/x.ts: |alloc:',
      "path/engine/x.ts: .indexOf('@')",
    ]);
    expect(atomPrefixesOutsideHome('ir/summary.ts', "const drop = k.includes('/ret:') || 'event:MIGRATE' in when;")).toHaveLength(2);
    // the home itself, and an object key or a message naming a word, are not a prefix test
    expect(atomPrefixesOutsideHome('ir/atoms.ts', "return a.startsWith('ret:');")).toEqual([]);
    expect(atomPrefixesOutsideHome('rules/x.ts', "const o = { event: e, ret: 1 }; note('the event is gone');")).toEqual([]);
  });

  it('catches an arrow upward, a dynamic one, and tree-sitter outside the parser', () => {
    expect(layerViolations('engine', 'engine/x.ts', "import { emailReplies } from '../report/email.js';")).toEqual(['engine/x.ts -> ../report/email.js']);
    expect(layerViolations('input', 'input/x.ts', "const { RULES } = await import('../rules/index.js');")).toEqual(['input/x.ts -> ../rules/index.js']);
    expect(layerViolations('rules', 'rules/x.ts', "import type { Node } from 'web-tree-sitter';")).toHaveLength(1);
    expect(layerViolations('cli', 'cli/x.ts', "import { x } from '../action/main.js';")).toHaveLength(1);
    expect(layerViolations('cli', 'cli/x.ts', "import { x } from '../app/watch.js';")).toEqual([]);
    // a nested folder is its top folder's layer
    expect(layerViolations('path', 'path/engine/x.ts', "import { RULES } from '../../rules/index.js';")).toEqual(['path/engine/x.ts -> ../../rules/index.js']);
    expect(layerViolations('path', 'path/engine/x.ts', "import type { Event } from '../../ir/types.js';")).toEqual([]);
    expect(layerViolations('path', 'path/engine/x.ts', "import { LockChecker } from '../checkers/locks.js';")).toEqual([]);
    // the path engine walks lowered functions: neither the parser nor tree-sitter
    expect(layerViolations('path', 'path/engine/x.ts', "import { textOf } from '../../parser/syntax.js';")).toEqual(['path/engine/x.ts -> ../../parser/syntax.js']);
    expect(layerViolations('path', 'path/checkers/x.ts', "import type { Node } from 'web-tree-sitter';")).toHaveLength(1);
    expect(layerViolations('parser', 'parser/extract.ts', "import { walkFunction } from '../path/engine/walk.js';")).toEqual([]);
  });
});
