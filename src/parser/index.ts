// The parser layer's entry: C text in, IR out. Nothing else imports tree-sitter.
import type { Parser } from 'web-tree-sitter';
import type { Draft, EntryCallers, FileIR } from '../ir/types.js';
import { createCParser } from './load.js';
import { KernelSource, prepass } from './prepass.js';
import { extractFile, includesOf, passedFunctions } from './extract.js';
import type { WalkProbe } from '../path/engine/walk.js';

import { CALL_DEPTH } from '../ir/summary.js';
import { CORE_FUNCTIONS, CORE_MARKERS, HMM_RANGE_FAULT, RETRY_CALLS, WALKED_API_USERS } from '../ir/kernel-api/notifier.js';
import { lockClassIn } from '../ir/lock-class.js';
import { LOCK_CALLS } from '../ir/kernel-api/locks.js';
import {
  apiCallsOf,
  lockTakersOf,
  fieldBindingsOf,
  paramBindingsOf,
  workFactsOf,
  bindingItems,
  calledNamesOf,
  definedFunctions,
  definitionItems,
  lineStartCalls,
  opsStructsOf,
  sameFileCallers,
  tableArgCallsOf,
  tableItems,
  topLevelItems,
  type Range,
} from './slice.js';

export { prepass } from './prepass.js';
export type { StateSnapshot, WalkProbe } from '../path/engine/walk.js';

let shared: Promise<Parser> | undefined;

function parser(): Promise<Parser> {
  shared ??= createCParser();
  return shared;
}

export class ParseFailure extends Error {}

/** Parses one file's text into its IR; `file` is the name used in findings. */
export async function parseToIR(file: string, source: string, wanted: readonly string[] = []): Promise<FileIR> {
  return parseWhole(file, source, wanted);
}

/**
 * parseToIR, also recording the walk's live states at each `// walk: ...`
 * comment of the walked functions: the engine's own tests read them.
 */
export async function inspectWalk(file: string, source: string, wanted: readonly string[] = []): Promise<{ ir: FileIR; probes: WalkProbe[] }> {
  const probes: WalkProbe[] = [];
  const ir = await parseWhole(file, source, wanted, probes);
  return { ir, probes };
}

async function parseWhole(file: string, source: string, wanted: readonly string[], probes?: WalkProbe[]): Promise<FileIR> {
  const p = await parser();
  const pre = prepass(source);
  const tree = p.parse(pre.text);
  if (!tree) throw new ParseFailure('tree-sitter returned no tree');
  try {
    const ir = extractFile({ file, source, root: tree.rootNode, loops: pre.loops, wanted, probes });
    const items = topLevelItems(pre.masked);
    const defined = new Set(ir.defined.map((d) => d.name));
    const fieldBindings = fieldBindingsOf(file, pre.masked, defined);
    const paramBindings = paramBindingsOf(file, pre.masked, defined);
    return {
      ...ir,
      apiCalls: apiCallsOf(pre.masked, items, lineStartCalls(pre.masked)),
      ...(fieldBindings.length ? { fieldBindings } : {}),
      ...(paramBindings.length ? { paramBindings } : {}),
      ...workFacts(file, pre.masked),
    };
  } finally {
    tree.delete();
  }
}

/**
 * Parses what the analysis needs of a file: its ops tables, the functions
 * binding them, the callbacks they name and the `wanted` functions, then the
 * same-file functions those call, one call level at a time (CALL_DEPTH).
 * tree-sitter reads only those ranges (`includedRanges`), so a 200 KB file
 * costs what its few relevant functions cost; offsets stay the file's own.
 */
export async function parseNeededToIR(file: string, source: string, wanted: readonly string[] = []): Promise<FileIR> {
  const p = await parser();
  const ks = new KernelSource(source);
  const masked = ks.masked;
  const items = topLevelItems(masked);
  const lines = lineStartOffsets(source);
  // names at line starts followed by `(`: the file's definitions (and a few calls)
  const calls = lineStartCalls(masked);
  const defined = new Set(calls.map((c) => c.name));
  const extract = (ranges: Range[], walk: readonly string[], bindings = false): Draft<FileIR> => {
    const merged = mergeRanges(ranges);
    ks.rewrite(merged);
    const included = merged.map(([a, b]) => ({ startIndex: a, endIndex: b, startPosition: point(lines, a), endPosition: point(lines, b) }));
    const tree = included.length ? p.parse(ks.text(), null, { includedRanges: included }) : null;
    if (included.length && !tree) throw new ParseFailure('tree-sitter returned no tree');
    try {
      if (!tree) return { file, tables: [], bindings: [], functions: [], defined: [], parseErrorCount: 0, includes: [], apiCalls: [] };
      return extractFile({ file, source, root: tree.rootNode, loops: ks.loops, wanted: walk, includes: false, bindings, defined });
    } finally {
      tree?.delete();
    }
  };
  const tables = tableItems(masked, items);
  // the read side's functions are walked too: the rules ask which lock they hold
  // the read side's functions and the core's invalidation walk are walked too,
  // without their callees: the rules only ask what happens inside them
  const shallow = new Set([...readSideFunctions(masked, items, calls), ...coreFunctionsIn(calls)]);
  const names = new Set([...wanted, ...shallow]);
  const definitions = definedFunctions(masked, items, calls);
  const entryCallers = entryCallersOf(masked, items, calls, definitions);
  // the callers of a static retrying function are walked too: the locks they hold at the call are its entry locks
  for (const e of entryCallers) {
    if (e.addressTaken) continue;
    for (const c of e.callers) {
      shallow.add(c);
      names.add(c);
    }
  }
  const ir = extract(tables, []);
  for (const t of ir.tables) for (const f of t.fields) if (f.function) names.add(f.function);
  // a read section that faults pages in is walked with its callees: what they do to the pages matters
  const faulting = apiCallsOf(masked, items, calls)
    .filter((c) => c.name === HMM_RANGE_FAULT && c.function && shallow.has(c.function))
    .map((c) => c.function!);
  const deep = new Set([...wanted, ...faulting, ...ir.tables.flatMap((t) => t.fields.map((f) => f.function).filter((f): f is string => !!f))]);
  const parsed = new Set<number>(tables.map((r) => r[0]));
  // the classes of the sleeping locks the walked functions take: the file's other takers of them are walked too
  const chains = new Set<string>();
  let pending = [...bindingItems(masked, items, new Set(ir.tables.map((t) => t.name)))];
  // each level parses only the items it adds and walks only the new functions
  for (let level = 0; level <= CALL_DEPTH + 1; level++) {
    const withBindings = pending.length > 0;
    const fresh = [...pending, ...definitionItems(masked, items, calls, names)].filter((r) => !parsed.has(r[0]));
    pending = [];
    if (fresh.length === 0) break;
    for (const r of fresh) parsed.add(r[0]);
    const walked = new Set(ir.functions.map((f) => f.name));
    const part = extract(
      fresh,
      [...names].filter((n) => !walked.has(n)),
      withBindings,
    );
    for (const fn of part.functions) if (!walked.has(fn.name)) ir.functions.push(fn);
    ir.bindings.push(...part.bindings);
    ir.parseErrorCount += part.parseErrorCount;
    for (const fn of part.functions) {
      if (shallow.has(fn.name) && !deep.has(fn.name)) {
        // the helpers a core wait's condition calls are walked too: what they read, under which lock
        for (const e of fn.events) {
          if (e.kind !== 'sleep' || !/^wait_event/.test(e.name)) continue;
          const cond = e.args.slice(1).join(',');
          for (const c of fn.callees) if (defined.has(c) && new RegExp(`\\b${c}\\s*\\(`).test(cond)) names.add(c);
        }
        continue;
      }
      for (const c of [...fn.callees, ...passedFunctions(fn, defined)]) {
        if (!defined.has(c)) continue;
        names.add(c);
        deep.add(c);
      }
    }
    // where this file holds those locks, it may hold them around reclaim (ir/reclaim-locks.ts)
    const newChains = new Set<string>();
    for (const fn of part.functions) {
      for (const e of fn.events) {
        if (e.kind !== 'lock' || !e.sleeps) continue;
        const cls = lockClassIn(e.args[0] ?? '', fn);
        if (cls && (cls.global || cls.chain.includes('.')) && !chains.has(cls.chain)) newChains.add(cls.chain);
      }
    }
    for (const c of newChains) chains.add(c);
    for (const taker of lockTakersOf(masked, items, calls, SLEEPING_LOCK_CALLS, newChains)) {
      names.add(taker);
      deep.add(taker);
    }
  }
  ir.functions.sort((a, b) => a.loc.line - b.loc.line);
  ir.bindings.sort((a, b) => a.loc.line - b.loc.line || a.loc.column - b.loc.column);
  // every definition of the file, not only the parsed ones, for callers elsewhere
  const opsStructs = opsStructsOf(source, masked);
  const tableArgCalls = tableArgCallsOf(
    masked,
    items,
    calls,
    ir.tables.map((t) => t.name),
  ).map((c) => ({ name: c.name, args: [c.table, String(c.arg)], line: c.line, function: c.function }));
  const definedNames = new Set(definitions.map((d) => d.name));
  const fieldBindings = fieldBindingsOf(file, masked, definedNames);
  const paramBindings = paramBindingsOf(file, masked, definedNames);
  return {
    ...ir,
    defined: definitions,
    includes: includesOf(source),
    apiCalls: apiCallsOf(masked, items, calls),
    calledNames: calledNamesOf(masked),
    ...(tableArgCalls.length ? { tableArgCalls } : {}),
    ...(entryCallers.length ? { entryCallers } : {}),
    ...(opsStructs.length ? { opsStructs } : {}),
    ...(fieldBindings.length ? { fieldBindings } : {}),
    ...(paramBindings.length ? { paramBindings } : {}),
    ...workFacts(file, masked),
  };
}

/** The work facts of a text, absent when it has none (the IR of most files stays as it was). */
function workFacts(file: string, masked: string): Pick<FileIR, 'workBindings' | 'queuedWork'> {
  const { workBindings, queuedWork } = workFactsOf(file, masked);
  return { ...(workBindings.length ? { workBindings } : {}), ...(queuedWork.length ? { queuedWork } : {}) };
}

/** The acquires that sleep: a lock held over an allocation that may reclaim is one of them. */
const SLEEPING_LOCK_CALLS = Object.keys(LOCK_CALLS).filter((n) => LOCK_CALLS[n]!.sleeps);

function lineStartOffsets(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function point(lines: number[], index: number): { row: number; column: number } {
  let lo = 0;
  let hi = lines.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lines[mid]! <= index) lo = mid;
    else hi = mid - 1;
  }
  return { row: lo, column: index - lines[lo]! };
}

function mergeRanges(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

/**
 * What the text alone tells of a file that uses the API without defining a
 * table: its function definitions and its API calls. No tree-sitter; a wanted
 * callee found here gets a real parse later.
 */
export function textFactsOf(file: string, source: string): FileIR {
  const masked = new KernelSource(source).masked;
  const items = topLevelItems(masked);
  const calls = lineStartCalls(masked);
  return {
    file,
    textOnly: true,
    tables: [],
    bindings: [],
    functions: [],
    parseErrorCount: 0,
    includes: includesOf(source),
    defined: definedFunctions(masked, items, calls),
    apiCalls: apiCallsOf(masked, items, calls),
    calledNames: calledNamesOf(masked),
    ...workFacts(file, masked),
  };
}

/**
 * The static functions of the text that retry a read section, with their
 * callers here (all their callers, unless the address is taken), and the
 * static callers' callers in turn, CALL_DEPTH levels up.
 */
function entryCallersOf(masked: string, items: Range[], calls: ReturnType<typeof lineStartCalls>, definitions: ReadonlyArray<{ name: string; isStatic: boolean }>): EntryCallers[] {
  const isStatic = new Map(definitions.map((d) => [d.name, d.isStatic]));
  let frontier = [
    ...new Set(
      apiCallsOf(masked, items, calls)
        .filter((c) => RETRY_CALLS.has(c.name) && c.function && isStatic.get(c.function))
        .map((c) => c.function!),
    ),
  ];
  const seen = new Set(frontier);
  const out: EntryCallers[] = [];
  for (let level = 0; level <= CALL_DEPTH && frontier.length; level++) {
    const next: string[] = [];
    for (const name of frontier) {
      const found = sameFileCallers(masked, items, calls, name);
      out.push({ name, callers: found.callers, addressTaken: found.addressTaken });
      if (found.addressTaken) continue;
      for (const c of found.callers) {
        if (!isStatic.get(c) || seen.has(c)) continue;
        seen.add(c);
        next.push(c);
      }
    }
    frontier = next;
  }
  return out;
}

/** Functions of the text on the read side, or inserting under the caller's mmap lock. */
function readSideFunctions(masked: string, items: Range[], calls: ReturnType<typeof lineStartCalls>): string[] {
  return apiCallsOf(masked, items, calls)
    .filter((c) => WALKED_API_USERS.has(c.name) && c.function)
    .map((c) => c.function!);
}

/** A file defining the core's invalidation walk (mm/mmu_notifier.c, or a patch to it): its core functions. */
function coreFunctionsIn(calls: ReturnType<typeof lineStartCalls>): string[] {
  const names = new Set(calls.map((c) => c.name));
  // the state machine's own functions mark the core too (a patch may touch only mn_itree_inv_end)
  if (!CORE_MARKERS.some((n) => names.has(n))) return [];
  return CORE_FUNCTIONS.filter((n) => names.has(n));
}
