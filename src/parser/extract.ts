// Turns one parsed C file into the IR: ops tables, run-time table bindings and
// per-function facts from a path-sensitive walk (src/path: the engine walks the
// function lowered by lower.ts). With syntax.ts, tables.ts and lower.ts, the
// only modules that read tree-sitter nodes.
import type { Node } from 'web-tree-sitter';
import type { Draft, FileIR, FunctionIR } from '../ir/types.js';
import { CALL_DEPTH } from '../ir/summary.js';
import type { MacroLoop } from './macro-scan.js';
import { countErrors, declaratorName, declaratorNameNode, errorLines, functionDeclarator, hasKeyword, lineStarts, locOf, position, textOf, type FileCtx } from './syntax.js';
import { collectBindings, extractTable } from './tables.js';
import { walkFunction, type WalkProbe } from '../path/engine/walk.js';
import { lowerFunction } from './lower.js';
import { blockableArgumentOf } from '../ir/kernel-api/notifier.js';
import { FUNCTION_ARG } from '../ir/facts-db.js';
export interface ExtractInput {
  file: string;
  /** the original text (for slices shown to users) */
  source: string;
  root: Node;
  loops: MacroLoop[];
  /**
   * Functions to walk besides the callbacks the file's own tables name; their
   * same-file callees follow, CALL_DEPTH levels down. Other functions are only
   * listed in `defined` (walking all of mm/memory.c to check one driver is waste).
   */
  wanted?: readonly string[];
  /** collect `#include` lines (default true; a caller parsing a file in parts does it once) */
  includes?: boolean;
  /** every function the whole file defines (a caller parsing in parts knows them all) */
  defined?: Iterable<string>;
  /** look for run-time table bindings (default true; a caller parsing in parts knows where they are) */
  bindings?: boolean;
  /** engine tests only: filled with the states at `// walk:` comments (path/engine/walk.ts) */
  probes?: WalkProbe[];
}

export function extractFile(input: ExtractInput): Draft<FileIR> {
  const lines = lineStarts(input.source);
  const ctx: FileCtx = {
    file: input.file,
    source: input.source,
    lineStarts: lines,
    loops: new Map(input.loops.map((l) => [l.offset, l.macro])),
    defined: new Set(input.defined ?? []),
  };
  const ir: Draft<FileIR> = {
    file: input.file,
    tables: [],
    bindings: [],
    functions: [],
    defined: [],
    apiCalls: [],
    parseErrorCount: 0,
    includes: [],
  };
  const definitions = new Map<string, Node>();
  for (const child of input.root.namedChildren) {
    if (child.type === 'function_definition') {
      const name = declaratorName(child.childForFieldName('declarator'));
      if (name && child.childForFieldName('body') && !definitions.has(name)) {
        definitions.set(name, child);
        ctx.defined.add(name);
        ir.defined.push({ name, isStatic: hasKeyword(child, 'storage_class_specifier', 'static'), line: position(ctx, child.startIndex).line });
      }
    } else if (child.type === 'declaration') {
      const table = extractTable(ctx, child);
      if (table) ir.tables.push(table);
    }
  }
  // walk the wanted functions and the callbacks named here, then their callees
  let frontier = [...(input.wanted ?? []), ...ir.tables.flatMap((t) => t.fields.map((f) => f.function).filter((f): f is string => !!f))];
  const walked = new Set<string>();
  for (let level = 0; level <= CALL_DEPTH && frontier.length; level++) {
    const next: string[] = [];
    for (const name of frontier) {
      const def = definitions.get(name);
      if (!def || walked.has(name)) continue;
      walked.add(name);
      const fn = walkOrBound(ctx, def, name, input.probes);
      if (!fn) continue;
      ir.functions.push(fn);
      next.push(...fn.callees, ...passedFunctions(fn, ctx.defined));
    }
    frontier = next;
  }
  ir.functions.sort((a, b) => a.loc.line - b.loc.line);
  if (input.bindings !== false) collectBindings(ctx, input.root, ir.bindings);
  ir.parseErrorCount = countErrors(input.root);
  if (input.includes !== false) ir.includes = includesOf(input.source);
  return ir;
}

/**
 * The functions of the file a walked function passes to another of the file
 * (`walk(kvm, start, end, &handler_fn, data)`): the callee may call them
 * through its parameter, so they are walked as callees are.
 */
export function passedFunctions(fn: FunctionIR, defined: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const e of fn.events) {
    if (e.kind !== 'call' || e.field !== undefined || !defined.has(e.name)) continue;
    for (const a of e.args) {
      const name = FUNCTION_ARG.exec(a)?.[1];
      if (name && name !== e.name && defined.has(name) && !out.includes(name)) out.push(name);
    }
  }
  return out;
}

/** One function definition: its signature read here, its body lowered and walked by the path engine. */
export function extractFunction(ctx: FileCtx, def: Node, probes?: WalkProbe[]): FunctionIR | null {
  const declarator = def.childForFieldName('declarator');
  const name = declaratorName(declarator);
  const body = def.childForFieldName('body');
  if (!name || !body) return null;
  const params: Array<{ name: string; type: string }> = [];
  const paramList = functionDeclarator(declarator)?.childForFieldName('parameters');
  for (const p of paramList?.namedChildren ?? []) {
    if (p.type !== 'parameter_declaration') continue;
    const pname = declaratorName(p.childForFieldName('declarator'));
    params.push({ name: pname ?? '', type: textOf(ctx, p.childForFieldName('type') ?? p) });
  }
  const returnType = textOf(ctx, def.childForFieldName('type') ?? def) + (declarator?.type === 'pointer_declarator' ? ' *' : '');
  const lowered = lowerFunction(
    ctx,
    name,
    params.map((p) => p.name),
    params.filter((p) => /\bmmu_notifier_range\b/.test(p.type)).map((p) => p.name),
    body,
    [blockableArgumentOf(params)].filter((p): p is string => !!p),
  );
  const walked = walkFunction(lowered, ctx.defined, probes);
  const parseErrors: number[] = [];
  errorLines(ctx, body, parseErrors);
  return {
    name,
    file: ctx.file,
    loc: locOf(ctx, declaratorNameNode(declarator) ?? def),
    isStatic: hasKeyword(def, 'storage_class_specifier', 'static'),
    returnType,
    params,
    events: walked.events,
    returns: walked.returns,
    callees: walked.callees,
    truncated: walked.truncated,
    parseErrors,
    ...walked.facts,
    ...(walked.stores.length ? { failureStores: walked.stores } : {}),
    ...localsOf(ctx, body, walked.events),
  };
}

/**
 * The declared types of the locals a lock argument starts from
 * (`struct drv *d = container_of(...); mutex_lock(&d->lock)`): a lock's class
 * names its base's struct type, whether a parameter or a local declares it.
 * A name declared twice with two types (in two blocks) is left out.
 */
function localsOf(ctx: FileCtx, body: Node, events: FunctionIR['events']): Pick<FunctionIR, 'locals'> {
  const bases = new Set<string>();
  for (const e of events) if (e.kind === 'lock' || e.kind === 'unlock') bases.add(/^\s*&?\s*\(?\s*([A-Za-z_]\w*)/.exec(e.args[0] ?? '')?.[1] ?? '');
  bases.delete('');
  if (!bases.size) return {};
  const found = new Map<string, string | null>();
  for (const decl of body.descendantsOfType('declaration')) {
    const type = decl.childForFieldName('type');
    if (!type) continue;
    for (const d of decl.childrenForFieldName('declarator')) {
      const name = declaratorName(d.type === 'init_declarator' ? d.childForFieldName('declarator') : d);
      if (!name || !bases.has(name)) continue;
      const text = textOf(ctx, type);
      const prev = found.get(name);
      found.set(name, prev === undefined || prev === text ? text : null);
    }
  }
  const locals = [...found].filter((x): x is [string, string] => x[1] !== null).map(([name, type]) => ({ name, type }));
  return locals.length ? { locals } : {};
}

/**
 * A function nested deeper than the walk's stack allows (thousands of
 * braces or parentheses) is kept with no facts and marked truncated, so no
 * rule proves an absence from it; the scan names it in a note.
 */
function walkOrBound(ctx: FileCtx, def: Node, name: string, probes?: WalkProbe[]): FunctionIR | null {
  try {
    return extractFunction(ctx, def, probes);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const loc = locOf(ctx, def);
    return { name, file: ctx.file, loc, isStatic: hasKeyword(def, 'storage_class_specifier', 'static'), returnType: '', params: [], events: [], returns: [], callees: [], truncated: true, parseErrors: [], tooDeep: true };
  }
}

export function includesOf(source: string): string[] {
  return [...source.matchAll(/^[ \t]*#[ \t]*include[ \t]*[<"]([^>"]+)[>"]/gm)].map((m) => m[1]!);
}
