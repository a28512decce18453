// Finding what the analysis needs in a file's text. A notifier file is mostly
// code the rules never look at (kvm_main.c is 170 KB for a handful of
// callbacks), so the parser parses only the file-scope items found here: the
// ops tables, the functions binding them, the callbacks and what they call.
// All searches run on the masked text (comments, literals and directives
// blanked; the same length as the source).

import { API_FUNCTIONS } from '../ir/kernel-api/notifier.js';
import type { FieldBinding, ParamBinding, QueuedWork, WorkBinding } from '../ir/types.js';
import { FUNCTION_ARG } from '../ir/facts-db.js';
import { WORK_INITS, WORK_QUEUES } from '../ir/kernel-api/work.js';
import { memberPath } from '../ir/work-items.js';
import { blankOut } from './code-units.js';
import { conditionalRegions, maskLexical } from './lexical-mask.js';
export type Range = [number, number];

const TABLE = /\bstruct\s+mmu_(?:interval_)?notifier_ops\s+\w+\s*(?:__\w+\s*)*=\s*\{/g;
/** `name(` at a line start, as /^...$/m would find it; tried only where a line starts with a letter */
const LINE_HEAD = /(?:[A-Za-z_][\w \t*]*[ \t*])?([A-Za-z_]\w*)[ \t]*\(/y;

/**
 * Each line-start match of LINE_HEAD: the same as a /^.../gm scan (a match
 * never crosses a line), about twice as fast, since only lines starting with
 * a letter or `_` are tried. Lines end at \n or \r, as `^` sees them.
 */
function lineHeads(text: string, each: (name: string, index: number, paren: number) => void): void {
  const cr = text.includes('\r');
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) {
      LINE_HEAD.lastIndex = i;
      const m = LINE_HEAD.exec(text);
      if (m) each(m[1]!, i, i + m[0].length - 1);
    }
    let nl = text.indexOf('\n', i);
    if (cr) {
      const r = text.indexOf('\r', i);
      if (r >= 0 && (nl < 0 || r < nl)) nl = r;
    }
    if (nl < 0) break;
    i = nl + 1;
  }
}

/**
 * File-scope items: a function definition ends at its closing brace, any other
 * item (declaration, initializer, struct) at its `;` at depth 0.
 */
export function topLevelItems(masked: string): Range[] {
  const items: Range[] = [];
  let depth = 0;
  let start = 0;
  let functionBody = false;
  const punct = /[{};]/g;
  for (let m = punct.exec(masked); m; m = punct.exec(masked)) {
    const i = m.index;
    const c = masked.charCodeAt(i);
    if (c === 123 /* { */) {
      if (depth === 0) {
        let p = i - 1;
        while (p >= 0 && masked.charCodeAt(p) <= 32) p--;
        functionBody = masked[p] === ')';
      }
      depth++;
    } else if (c === 125 /* } */) {
      depth = Math.max(0, depth - 1);
      if (depth === 0 && functionBody) {
        items.push([start, i + 1]);
        start = i + 1;
        functionBody = false;
      }
    } else if (depth === 0) {
      items.push([start, i + 1]);
      start = i + 1;
    }
  }
  if (start < masked.length) items.push([start, masked.length]);
  return items;
}

/** Every `name(` starting a line: candidate definitions, found once per file. */
export interface LineStartCall {
  name: string;
  index: number;
  /** offset of the `(` */
  paren: number;
}

export function lineStartCalls(masked: string): LineStartCall[] {
  const out: LineStartCall[] = [];
  lineHeads(masked, (name, index, paren) => out.push({ name, index, paren }));
  return out;
}

function itemAt(items: readonly Range[], offset: number): Range | undefined {
  let lo = 0;
  let hi = items.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [a, b] = items[mid]!;
    if (offset < a) hi = mid - 1;
    else if (offset >= b) lo = mid + 1;
    else return items[mid];
  }
  return undefined;
}

/** Items defining a notifier ops table. */
export function tableItems(masked: string, items: readonly Range[]): Range[] {
  const out: Range[] = [];
  for (const m of masked.matchAll(TABLE)) {
    const item = itemAt(items, m.index);
    if (item && !out.includes(item)) out.push(item);
  }
  return out;
}

/** Items that bind one of `tables` at run time (`x->ops = &t`, `.ops = &t`). */
export function bindingItems(masked: string, items: readonly Range[], tables: ReadonlySet<string>): Range[] {
  const out: Range[] = [];
  if (tables.size === 0) return out;
  // a literal start lets V8 scan fast; the word boundary is checked by hand
  for (const m of masked.matchAll(/ops\s*=\s*&\s*(\w+)/g)) {
    if (!tables.has(m[1]!) || /\w/.test(masked[m.index - 1] ?? ' ')) continue;
    const item = itemAt(items, m.index);
    if (item && !out.includes(item)) out.push(item);
  }
  return out;
}

/** Items defining one of `names` (a function definition: `name(...) {` starting a line). */
export function definitionItems(masked: string, items: readonly Range[], calls: readonly LineStartCall[], names: ReadonlySet<string>): Range[] {
  const out: Range[] = [];
  for (const c of calls) {
    if (!names.has(c.name)) continue;
    const item = itemAt(items, c.paren);
    if (item && !out.includes(item) && endsWithBody(masked, item)) out.push(item);
  }
  return out;
}

/** Function definitions of the text (a line-start `name(` whose item ends with a body). */
export function definedFunctions(masked: string, items: readonly Range[], calls: readonly LineStartCall[]): Array<{ name: string; isStatic: boolean; line: number }> {
  const out: Array<{ name: string; isStatic: boolean; line: number }> = [];
  const seen = new Set<string>();
  let line = 1;
  let counted = 0;
  for (const c of calls) {
    if (seen.has(c.name)) continue;
    const item = itemAt(items, c.paren);
    if (!item || !endsWithBody(masked, item)) continue;
    const head = masked.slice(item[0], c.paren + 1);
    if (head.includes('=')) continue;
    seen.add(c.name);
    for (let i = masked.indexOf('\n', counted); i >= 0 && i < c.index; i = masked.indexOf('\n', i + 1)) {
      line++;
      counted = i + 1;
    }
    out.push({ name: c.name, isStatic: /\bstatic\b/.test(head), line });
  }
  return out;
}

/** How the text uses one of its functions: the functions whose bodies call it, and whether its name appears other than called (its address taken). */
export interface SameFileCallers {
  readonly callers: string[];
  readonly addressTaken: boolean;
}

/**
 * The callers of `name` in the text: each function whose body has a call
 * `name(`. Any other use of the name (`INIT_WORK(&w, name)`, `.f = name`,
 * `p = name`) takes its address: it may then be called from anywhere. A
 * prototype is neither. A call of itself is not a caller; a call in a body
 * whose function the text does not name counts as an unknown use too.
 */
export function sameFileCallers(masked: string, items: readonly Range[], calls: readonly LineStartCall[], name: string): SameFileCallers {
  const owners = new Map<number, LineStartCall>();
  for (const c of calls) {
    const item = itemAt(items, c.paren);
    if (!item || owners.has(item[0]) || !endsWithBody(masked, item) || masked.slice(item[0], c.paren + 1).includes('=')) continue;
    owners.set(item[0], c);
  }
  const callers: string[] = [];
  let addressTaken = false;
  const word = new RegExp(`\\b${name}\\b`, 'g');
  for (const m of masked.matchAll(word)) {
    const item = itemAt(items, m.index);
    const owner = item ? owners.get(item[0]) : undefined;
    // its own definition's head; a struct member of the same name (`x->name`, `x.name`)
    if (owner && owner.name === name && m.index >= owner.index && m.index < owner.paren) continue;
    let b = m.index - 1;
    while (b >= 0 && /\s/.test(masked[b]!)) b--;
    if (masked[b] === '.' || (masked[b] === '>' && masked[b - 1] === '-')) continue;
    let i = m.index + name.length;
    while (i < masked.length && /\s/.test(masked[i]!)) i++;
    if (masked[i] !== '(') addressTaken = true;
    else if (!item || !endsWithBody(masked, item))
      continue; // a prototype
    else if (!owner)
      addressTaken = true; // called from a body the text does not name: a caller unknown
    else if (owner.name !== name && !callers.includes(owner.name)) callers.push(owner.name);
  }
  return { callers, addressTaken };
}

/** Whether the item's last non-blank character closes a body. */
function endsWithBody(masked: string, [a, b]: Range): boolean {
  let i = b - 1;
  while (i > a && /\s/.test(masked[i]!)) i--;
  return masked[i] === '}';
}

/** Names that may be defined in the text: identifiers before `(` on a line starting in column 0. */
export function lineStartNames(masked: string): Set<string> {
  const names = new Set<string>();
  lineHeads(masked, (name) => names.add(name));
  return names;
}

const API_CALL = new RegExp(`\\b(${API_FUNCTIONS.join('|')})\\s*\\(`, 'g');

/** Calls of API_FUNCTIONS in the text, with line and enclosing function. */
export function apiCallsOf(masked: string, items: readonly Range[], calls: readonly LineStartCall[]): Array<{ name: string; args: string[]; line: number; function: string | null }> {
  const out: Array<{ name: string; args: string[]; line: number; function: string | null }> = [];
  let line = 1;
  let counted = 0;
  for (const m of masked.matchAll(API_CALL)) {
    for (let i = masked.indexOf('\n', counted); i >= 0 && i < m.index; i = masked.indexOf('\n', i + 1)) {
      line++;
      counted = i + 1;
    }
    const item = itemAt(items, m.index);
    const owner = item ? calls.find((c) => c.index >= item[0] && c.paren < item[1] && c.paren < m.index) : undefined;
    // a definition's own name is not a call of itself
    if (owner && owner.paren === m.index + m[0].length - 1) continue;
    out.push({ name: m[1]!, args: argumentsAt(masked, m.index + m[0].length - 1), line, function: owner && endsWithBody(masked, item!) ? owner.name : null });
  }
  return out;
}

/**
 * Function pointers set in the text: `.field = fn` in an initializer and
 * `x->field = fn;` or `x.field = fn;` in code, where fn is a function the
 * file defines (`&fn` and a cast before it too). Read from the text, as the
 * API calls are, so a file parsed in parts has them all.
 */
export function fieldBindingsOf(file: string, masked: string, defined: ReadonlySet<string>): FieldBinding[] {
  const out: FieldBinding[] = [];
  let line = 1;
  let counted = 0;
  const typed = initializerTypes(masked);
  for (const m of masked.matchAll(FIELD_BINDING)) {
    const fn = m[3]!;
    if (!defined.has(fn)) continue;
    for (let i = masked.indexOf('\n', counted); i >= 0 && i < m.index; i = masked.indexOf('\n', i + 1)) {
      line++;
      counted = i + 1;
    }
    const struct = m[1] === '.' ? typed(m.index) : undefined;
    out.push({ field: m[2]!, function: fn, file, line, ...(struct ? { struct } : {}) });
  }
  return out;
}

/**
 * The struct type of the designated initializer a member sits in directly:
 * `struct T name = { .m = fn }`, or an element of `struct T name[] = { { .m
 * = fn }, ... }`; undefined elsewhere (a nested member, code). Asked in the
 * order of the text: one pass over the braces.
 */
function initializerTypes(masked: string): (at: number) => string | undefined {
  const inits: Array<{ type: string; open: number; close: number; array: boolean }> = [];
  for (const m of masked.matchAll(STRUCT_INITIALIZER)) {
    const open = m.index + m[0].length - 1;
    inits.push({ type: m[1]!, open, close: closingBrace(masked, open), array: m[2]!.includes('[') });
  }
  let k = 0;
  return (at) => {
    while (k < inits.length && inits[k]!.close < at) k++;
    const init = inits[k];
    if (!init || init.open > at) return undefined;
    // the braces open between the initializer's and the member
    let depth = 0;
    for (let i = init.open; i < at; i++) {
      const c = masked.charCodeAt(i);
      if (c === 123) depth++;
      else if (c === 125) depth--;
    }
    return depth === (init.array ? 2 : 1) ? init.type : undefined;
  };
}

/** The index of the `}` closing the `{` at `open` (the text's end when none does). */
function closingBrace(masked: string, open: number): number {
  let depth = 0;
  for (let i = open; i < masked.length; i++) {
    const c = masked.charCodeAt(i);
    if (c === 123) depth++;
    else if (c === 125 && --depth === 0) return i;
  }
  return masked.length;
}

/**
 * The designated initializers of a C text's struct variables, with their
 * struct types: what a call through `->member` of that type may run. Read from
 * the text alone (comments and strings blanked), for a file the scan does not
 * parse.
 */
export function designatedBindingsOf(file: string, text: string): FieldBinding[] {
  const { masked: units, directives } = maskLexical(text);
  for (const [from, to] of [...conditionalRegions(text, directives), ...directives]) blankOut(units, from, to);
  const masked = UTF16.decode(units);
  return fieldBindingsOf(file, masked, lineStartNames(masked)).filter((b) => b.struct !== undefined);
}

/**
 * Functions passed as call arguments: `walk(kvm, start, end, &fn, data)`,
 * where fn is a function the file defines (`&fn` and a cast before it too),
 * bound to that argument of the callee. Read from the text, as the field
 * bindings are, so a file parsed in parts has every call site.
 */
export function paramBindingsOf(file: string, masked: string, defined: ReadonlySet<string>): ParamBinding[] {
  const out: ParamBinding[] = [];
  if (defined.size === 0) return out;
  let line = 1;
  let counted = 0;
  for (const m of masked.matchAll(CALL_OPEN)) {
    const callee = m[1]!;
    if (NOT_CALLS.has(callee)) continue;
    const open = m.index + m[0].length - 1;
    const args = argumentsAt(masked, open);
    let at = -1;
    for (let i = 0; i < args.length; i++) {
      const fn = FUNCTION_ARG.exec(args[i]!)?.[1];
      if (!fn || fn === callee || !defined.has(fn)) continue;
      if (at < 0) {
        for (let j = masked.indexOf('\n', counted); j >= 0 && j < m.index; j = masked.indexOf('\n', j + 1)) {
          line++;
          counted = j + 1;
        }
        at = line;
      }
      out.push({ callee, index: i, function: fn, file, line: at });
    }
  }
  return out;
}

const CALL_OPEN = /\b([A-Za-z_]\w*)\s*\(/g;
// `.f = fn,` `.f = fn }` `->f = fn;` `.f = &fn;` `.f = (cast)fn,`: the member, then a function name alone
const UTF16 = new TextDecoder('utf-16le');
// `struct T name = {`, `struct T name[] = {`, qualifiers and attributes between (not a compound literal, a cast or a
// parameter); each word matched whole (`\b`), so a line of words with no `=` after them is given up in linear time
const STRUCT_INITIALIZER = /\bstruct\s+([A-Za-z_]\w*)\s+((?:[A-Za-z_]\w*\b\s*|\[[^\]\n;{}]*\]\s*)+)=\s*\{/g;
const FIELD_BINDING = /(\.|->)\s*([A-Za-z_]\w*)\s*=(?!=)\s*(?:\([^()]*\)\s*)?&?\s*([A-Za-z_]\w*)\s*([,;}])/g;

/**
 * Work items in the text: each bound to its function (`INIT_WORK(&x->f, fn)`,
 * `DECLARE_WORK(name, fn)`...) and each queued on a workqueue
 * (`queue_work(wq, &x->f)`, `schedule_work(&x->f)` on the system workqueue),
 * with their member paths. Read from the text, as the field bindings are.
 */
export function workFactsOf(file: string, masked: string): { workBindings: WorkBinding[]; queuedWork: QueuedWork[] } {
  const workBindings: WorkBinding[] = [];
  const queuedWork: QueuedWork[] = [];
  let line = 1;
  let counted = 0;
  for (const m of masked.matchAll(WORK_CALL)) {
    const name = m[1]!;
    for (let i = masked.indexOf('\n', counted); i >= 0 && i < m.index; i = masked.indexOf('\n', i + 1)) {
      line++;
      counted = i + 1;
    }
    const args = argumentsAt(masked, m.index + m[0].length - 1);
    const init = Object.hasOwn(WORK_INITS, name) ? WORK_INITS[name] : undefined;
    if (init) {
      const work = memberPath(args[init.work] ?? '');
      const fn = /^(?:\([^()]*\)\s*)?&?\s*([A-Za-z_]\w*)$/.exec(args[init.fn] ?? '');
      if (work && fn) workBindings.push({ work: work.parts, function: fn[1]!, by: name, file, line });
      continue;
    }
    const q = WORK_QUEUES[name]!;
    const queue = typeof q.queue === 'string' ? { parts: [q.queue] } : memberPath(args[q.queue] ?? '');
    const work = memberPath(args[q.work] ?? '');
    if (queue && work) queuedWork.push({ queue: queue.parts, work: work.parts, by: name, file, line });
  }
  return { workBindings, queuedWork };
}

const WORK_CALL = new RegExp(`\\b(${[...Object.keys(WORK_INITS), ...Object.keys(WORK_QUEUES)].join('|')})\\s*\\(`, 'g');

/** The arguments of the call whose `(` is at `open`, split at top-level commas. */
export function argumentsAt(masked: string, open: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let from = open + 1;
  for (let i = open; i < masked.length; i++) {
    const c = masked[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      depth--;
      if (depth === 0) {
        args.push(masked.slice(from, i));
        break;
      }
    } else if (c === ',' && depth === 1) {
      args.push(masked.slice(from, i));
      from = i + 1;
    } else if (c === ';') break;
  }
  const out = args.map((a) => a.replace(/\s+/g, ' ').trim());
  // `f()` has no argument, not one empty one
  return out.length === 1 && out[0] === '' ? [] : out;
}

const OPS_STRUCT = /\bstruct\s+(mmu_(?:interval_)?notifier_ops)\s*\{/g;

/**
 * The ops struct definitions of a header, from the text: each function-pointer
 * member (`(*name)(`), and the `@name:` lines of the kernel-doc comment ending
 * right above the struct. `source` is the raw text (the comment), `masked` the
 * same with comments blanked (the members).
 */
export function opsStructsOf(source: string, masked: string): Array<{ kind: 'mmu_notifier_ops' | 'mmu_interval_notifier_ops'; line: number; members: Array<{ name: string; line: number }>; documented: string[] }> {
  const out: Array<{ kind: 'mmu_notifier_ops' | 'mmu_interval_notifier_ops'; line: number; members: Array<{ name: string; line: number }>; documented: string[] }> = [];
  const lineAt = (offset: number): number => {
    let n = 1;
    for (let i = masked.indexOf('\n'); i >= 0 && i < offset; i = masked.indexOf('\n', i + 1)) n++;
    return n;
  };
  for (const m of masked.matchAll(OPS_STRUCT)) {
    const open = m.index + m[0].length - 1;
    let depth = 0;
    let close = -1;
    for (let i = open; i < masked.length; i++) {
      if (masked[i] === '{') depth++;
      else if (masked[i] === '}' && --depth === 0) {
        close = i;
        break;
      }
    }
    if (close < 0) continue;
    const body = masked.slice(open, close);
    const members = [...body.matchAll(/\(\s*\*\s*(\w+)\s*\)\s*\(/g)].map((x) => ({ name: x[1]!, line: lineAt(open + x.index) }));
    // the kernel-doc block ends just before `struct ... {`
    const before = source.slice(0, m.index);
    const end = before.lastIndexOf('*/');
    const start = before.lastIndexOf('/**', end);
    const doc = end >= 0 && start >= 0 && !before.slice(end + 2).trim() ? before.slice(start, end) : '';
    const documented = [...doc.matchAll(/@(\w+)\s*:/g)].map((x) => x[1]!);
    out.push({ kind: m[1] as 'mmu_notifier_ops' | 'mmu_interval_notifier_ops', line: lineAt(m.index), members, documented });
  }
  return out;
}

/** Names followed by `(` that are C syntax, not calls. */
export const NOT_CALLS: ReadonlySet<string> = new Set([
  'if',
  'for',
  'while',
  'switch',
  'return',
  'sizeof',
  'typeof',
  '__typeof__',
  '__typeof',
  'defined',
  'do',
  'case',
  'goto',
  'else',
  '__attribute__',
  'alignof',
  '_Alignof',
  'offsetof',
]);

/** Every name the text calls (`name(`), keywords aside, sorted: which helpers a driver file uses. */
export function calledNamesOf(masked: string): string[] {
  const names = new Set<string>();
  for (const m of masked.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)) if (!NOT_CALLS.has(m[1]!)) names.add(m[1]!);
  return [...names].sort();
}

/**
 * Calls passing `&TABLE` for one of the file's tables (`ib_umem_odp_get(...,
 * &mlx5_mn_ops)`): the ops pointer is handed to a helper that may insert it.
 */
export function tableArgCallsOf(
  masked: string,
  items: readonly Range[],
  calls: readonly LineStartCall[],
  tables: readonly string[],
): Array<{ name: string; table: string; arg: number; line: number; function: string | null }> {
  const out: Array<{ name: string; table: string; arg: number; line: number; function: string | null }> = [];
  for (const table of tables) {
    for (const m of masked.matchAll(new RegExp(`&\\s*${table}\\b`, 'g'))) {
      // back to the unmatched `(` of the call this argument is in
      let depth = 0;
      let commas = 0;
      let open = -1;
      for (let i = m.index - 1; i >= 0; i--) {
        const c = masked[i]!;
        if (c === ')' || c === ']') depth++;
        else if (c === '[') depth--;
        else if (c === '(') {
          if (depth === 0) {
            open = i;
            break;
          }
          depth--;
        } else if (depth === 0 && c === ',') commas++;
        else if (c === ';' || c === '{' || c === '}') break;
      }
      if (open < 0) continue;
      const callee = /([A-Za-z_]\w*)\s*$/.exec(masked.slice(Math.max(0, open - 80), open))?.[1];
      if (!callee || NOT_CALLS.has(callee)) continue;
      const line = masked.slice(0, m.index).split('\n').length;
      const item = itemAt(items, m.index);
      const owner = item ? calls.find((c) => c.index >= item[0] && c.paren < item[1] && c.paren < m.index) : undefined;
      out.push({ name: callee, table, arg: commas, line, function: owner && endsWithBody(masked, item!) ? owner.name : null });
    }
  }
  return out;
}

/**
 * The definitions whose body takes a sleeping lock (a `LOCK_CALLS` name that
 * sleeps) on `&...X`, X one of the member chains given (`mm.lock`): where the
 * file may hold a lock of a class the walked functions take (ir/lock-class.ts).
 */
export function lockTakersOf(masked: string, items: readonly Range[], calls: readonly LineStartCall[], lockCalls: readonly string[], chains: ReadonlySet<string>): string[] {
  if (!chains.size || !lockCalls.length) return [];
  // `&x->mm.lock` for a chain, `&name` for a global
  const lockOf = (c: string): string =>
    c.includes('.')
      ? `&[^;]*?${c
          .split('.')
          .map((m) => `\\s*(?:->|\\.)\\s*${m}`)
          .join('')}`
      : `&\\s*${c}`;
  const re = new RegExp(`\\b(?:${lockCalls.join('|')})\\s*\\(\\s*(?:${[...chains].map(lockOf).join('|')})\\s*[,)]`);
  const out: string[] = [];
  for (const c of calls) {
    if (out.includes(c.name)) continue;
    const item = itemAt(items, c.paren);
    if (!item || !endsWithBody(masked, item)) continue;
    if (re.test(masked.slice(c.paren, item[1]))) out.push(c.name);
  }
  return out;
}
