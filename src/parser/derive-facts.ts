// Facts derived from the kernel's own code: which functions sleep, and which
// enter reclaim when their GFP argument allows it. A text pre-scan, not a
// parse: each function body of kernel/, mm/, lib/, drivers/base/ and each
// static inline of include/ is read once (comments, literals, directives and
// dropped #if branches blanked as the parser's pre-pass does), its calls noted
// with whether every path through the body reaches them, then a fixpoint over
// the call graph:
//   - a function sleeps when its body reaches, on every path into the
//     statement, a sleeping primitive (might_sleep(), cond_resched(), a
//     sleeping lock, a wait; see kernel-api/sleep.ts), a sleeping guard
//     (`guard(mutex)`), an allocation whose GFP mask allows reclaim, or a
//     function that sleeps;
//   - a function whose only such call is an allocation (or might_alloc(),
//     might_sleep_if(gfpflags_allow_blocking())) with one of its own
//     parameters as the mask reclaims "as its gfp argument allows": the
//     caller's mask decides, as for kmalloc() (kernel-api/memory.ts).
// A call under an `if`, a loop, a `switch`, `?:`, `&&` or `||` depends on data
// the scan does not track, and counts for nothing (precision first).
// A function-like macro of include/ (`#define cond_resched_lock(lock) ({
// __might_resched(...); __cond_resched_lock(lock); })`) is read as a static
// inline whose body is the macro's (a `do { } while (0)` wrapper runs once),
// so a macro that expands to a sleeping call sleeps too.
import { ALLOC_GFP_ARG, classifyGfp } from '../ir/kernel-api/memory.js';
import { SLEEP_CHECKS, SLEEPING_PRIMITIVES, isSleepingCall } from '../ir/kernel-api/sleep.js';
import type { DerivedTable } from '../ir/facts-db.js';
import { blankOut } from './code-units.js';
import { conditionalRegions, maskLexical } from './lexical-mask.js';
import { NOT_CALLS, argumentsAt } from './slice.js';

/** The derivation's version: a table cached by an older one is derived again (2: function-like macros). */
export const DERIVATION = 2;

/** The directories whose functions are derived (and include/'s static inlines). */
export const DERIVED_AREAS = ['kernel/', 'mm/', 'lib/', 'drivers/base/', 'include/'] as const;

interface CallSite {
  name: string;
  /** every path into the statement reaches it */
  always: boolean;
  args: string[];
  line: number;
}

interface Definition {
  name: string;
  file: string;
  line: number;
  isStatic: boolean;
  params: string[];
  /** the index of its first `gfp_t` parameter, or -1: its caller's mask decides whether it may reclaim */
  gfpParam: number;
  calls: CallSite[];
  /** a function-like macro of a header, not a function */
  macro?: true;
}

/** Calls that are transparent to the scan: their arguments are evaluated, nothing else. */
const TRANSPARENT = new Set(['likely', 'unlikely', '__builtin_expect', 'WARN_ON', 'WARN_ON_ONCE', 'READ_ONCE', 'WRITE_ONCE']);
const SLEEPING_GUARDS = /^(?:mutex|mutex_intr|rwsem_read|rwsem_write|rwsem_read_intr|rwsem_read_try|rwsem_write_kill)$/;
const utf16 = new TextDecoder('utf-16le');
/** A function's own statement that it may sleep: it counts wherever the body says it. */
const ANNOTATIONS = new Set(['might_sleep', '__might_sleep', 'might_alloc', 'might_sleep_if']);

/** The masked text of a source: comments, literals, directives and dropped #if branches blanked (offsets kept). */
export function maskForScan(src: string): string {
  const { masked, directives } = maskLexical(src);
  for (const [from, to] of [...conditionalRegions(src, directives), ...directives]) blankOut(masked, from, to);
  return utf16.decode(masked);
}

/** The functions a file defines, with their calls; in include/, only the static inline ones. */
export function definitionsOf(file: string, src: string): Definition[] {
  const header = file.endsWith('.h');
  if (header && !src.includes('inline') && !src.includes('define')) return [];
  const { masked, directives } = maskLexical(src);
  const dropped = conditionalRegions(src, directives);
  // the macros of the branches kept, read before the directives are blanked
  const defines = header ? directives.filter(([from]) => !dropped.some(([a, b]) => from >= a && from < b)).map(([from, to]) => [from, to, utf16.decode(masked.subarray(from, to))] as const) : [];
  for (const [from, to] of [...dropped, ...directives]) blankOut(masked, from, to);
  const text = utf16.decode(masked);
  const out: Definition[] = [];
  const lineStarts: number[] = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const lineOf = (offset: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  let depth = 0;
  let itemStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 59 /* ; */ && depth === 0) itemStart = i + 1;
    else if (c === 125 /* } */) {
      depth = Math.max(0, depth - 1);
      if (depth === 0) itemStart = i + 1;
    } else if (c === 123 /* { */) {
      if (depth === 0) {
        const end = matching(text, i);
        const head = text.slice(itemStart, i);
        const def = headOf(head);
        if (def && (!header || (/\bstatic\b/.test(head) && /\binline\b/.test(head)))) {
          const body = text.slice(i + 1, end);
          // the arguments matter only where they may be a mask: keep no others (a tree's worth of them is large)
          const mask = def.gfpParam >= 0 ? def.params[def.gfpParam] : undefined;
          const calls = callsOf(body, i + 1, lineOf).map((c) => (c.args.some((a) => (mask !== undefined && a.includes(mask)) || a.includes('GFP')) ? c : { ...c, args: [] }));
          out.push({ name: def.name, file, line: lineOf(itemStart + def.at), isStatic: /\bstatic\b/.test(head), params: def.params, gfpParam: def.gfpParam, calls });
        }
        i = end;
        itemStart = end + 1;
        continue;
      }
      depth++;
    }
  }
  for (const [from, , directive] of defines) {
    const m = FUNCTION_MACRO.exec(directive);
    if (!m) continue;
    const open = m[0].length - 1;
    const close = closeParen(directive, open);
    if (close < 0) continue;
    // comments and literals blanked, continuations joined (offsets kept: the lines stay the file's)
    const body =
      ' '.repeat(close + 1) +
      runsOnce(
        directive
          .slice(close + 1)
          .replace(/\\(?=\r?\n)/g, ' ')
          .replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, (x) => x.replace(/[^\n]/g, ' ')),
      );
    const params = argumentsAt(directive, open).map((p) => p.replace(/\.\.\.$/, '').trim());
    out.push({ name: m[1]!, file, line: lineOf(from), isStatic: true, params, gfpParam: -1, calls: callsOf(body, from, lineOf), macro: true });
  }
  return out;
}

/** `#define name(`: a function-like macro (no space before its parenthesis). */
const FUNCTION_MACRO = /^#\s*define\s+([A-Za-z_]\w*)\(/;

/** A macro body wrapped in `do { ... } while (0)`: its block runs once, the wrapper blanked. */
function runsOnce(body: string): string {
  const m = /^(\s*)do(\s*\{[\s\S]*\})(\s*)while\s*\(\s*0\s*\)(\s*)$/.exec(body);
  return m ? `${m[1]}  ${m[2]}${m[3]}${' '.repeat(body.length - m[1]!.length - 2 - m[2]!.length - m[3]!.length)}` : body;
}

/** The `}` matching the `{` at `open` (the text's end when unbalanced). */
function matching(text: string, open: number): number {
  let d = 0;
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 123) d++;
    else if (c === 125 && --d === 0) return i;
  }
  return text.length - 1;
}

/** A function definition's head: `... name(params) [attributes]`, its name and parameter names. */
function headOf(head: string): { name: string; params: string[]; gfpParam: number; at: number } | null {
  if (head.includes('=')) return null;
  // attributes after the parameter list (`__acquires(x)`, `__must_hold(x)`) end with `)` too: take the first
  // `name(` whose parenthesis closes and is followed only by attribute-like calls
  const m = /([A-Za-z_]\w*)\s*\(/g;
  for (let x = m.exec(head); x; x = m.exec(head)) {
    const name = x[1]!;
    if (NOT_CALLS.has(name) || name.startsWith('__attribute')) continue;
    const open = x.index + x[0].length - 1;
    const close = closeParen(head, open);
    if (close < 0) return null;
    const rest = head.slice(close + 1).trim();
    if (!attributesOnly(rest)) continue;
    if (/\b(?:struct|union|enum)\s*$/.test(head.slice(0, x.index))) return null;
    const params = argumentsAt(head, open);
    return { name, params: paramNames(params), gfpParam: params.findIndex((p) => /\bgfp_t\b/.test(p)), at: x.index };
  }
  return null;
}

/** Whether a text is only attribute-like words and calls (`__acquires(x) __must_hold(y)`). */
function attributesOnly(rest: string): boolean {
  const word = /\s*[A-Za-z_]\w*\s*/y;
  let i = 0;
  while (i < rest.length) {
    word.lastIndex = i;
    const m = word.exec(rest);
    if (!m) return false;
    i = word.lastIndex;
    if (rest[i] === '(') {
      const close = closeParen(rest, i);
      if (close < 0) return false;
      i = close + 1;
      while (i < rest.length && /\s/.test(rest[i]!)) i++;
    }
  }
  return true;
}

function closeParen(text: string, open: number): number {
  let d = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '(') d++;
    else if (c === ')' && --d === 0) return i;
  }
  return -1;
}

/** The names of a parameter list split at its commas. */
function paramNames(parts: readonly string[]): string[] {
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'void')) return [];
  return parts.map((p) => {
    // `void (*fn)(int)`: the name inside the first parentheses
    const fp = /\(\s*\*\s*([A-Za-z_]\w*)\s*\)/.exec(p);
    if (fp) return fp[1]!;
    const ids = p.replace(/\[[^\]]*\]/g, '').match(/[A-Za-z_]\w*/g);
    return ids?.[ids.length - 1] ?? '';
  });
}

/**
 * The calls of a body, each with whether every path into its statement
 * reaches it: not under a condition, a loop, a switch, `?:`, `&&` or `||`,
 * nor in the body of a statement macro (`list_for_each_entry(...) {`).
 */
function callsOf(body: string, base: number, lineOf: (offset: number) => number): CallSite[] {
  const out: CallSite[] = [];
  // [start, end) of the body's conditional regions
  const regions: Array<[number, number]> = [];
  const inRegion = (i: number): boolean => regions.some(([a, b]) => i >= a && i < b);
  // [start, end) of the loops and switches: what a `break` leaves
  const loops: Array<[number, number]> = [];
  const inLoop = (i: number): boolean => loops.some(([a, b]) => i >= a && i < b);
  /** the end of the statement starting at `from` (its `;` at depth 0, or its closing brace) */
  const statementEnd = (from: number): number => {
    let i = from;
    while (i < body.length && /\s/.test(body[i]!)) i++;
    if (body[i] === '{') return matching(body, i) + 1;
    let d = 0;
    for (; i < body.length; i++) {
      const c = body[i];
      if (c === '(' || c === '[') d++;
      else if (c === ')' || c === ']') d--;
      else if (c === '{' && d === 0) return matching(body, i) + 1;
      else if (c === ';' && d === 0) return i + 1;
    }
    return body.length;
  };
  // paren levels since the statement's start at which `&&`, `||` or `?` was seen
  const condAt: boolean[] = [false];
  // a return or goto seen: what follows it is not on every path (the annotations aside)
  let exited = false;
  let exiting = false;
  const ident = /[A-Za-z_]\w*|&&|\|\||[?;(){}]/g;
  for (let m = ident.exec(body); m; m = ident.exec(body)) {
    const tok = m[0];
    const at = m.index;
    if (tok === '(') {
      condAt.push(false);
      continue;
    }
    if (tok === ')') {
      if (condAt.length > 1) condAt.pop();
      continue;
    }
    if (tok === ';' || tok === '{' || tok === '}') {
      if (exiting) exited = true;
      condAt.length = 1;
      condAt[0] = false;
      continue;
    }
    if (tok === '&&' || tok === '||' || tok === '?') {
      condAt[condAt.length - 1] = true;
      continue;
    }
    // a `break` outside any loop or switch of the body leaves a macro's `do { } while (0)`
    if (tok === 'return' || tok === 'goto' || ((tok === 'break' || tok === 'continue') && !inLoop(at))) {
      exiting = true;
      continue;
    }
    if (tok === 'else' || tok === 'do') {
      regions.push([at + tok.length, statementEnd(at + tok.length)]);
      if (tok === 'do') loops.push(regions[regions.length - 1]!);
      continue;
    }
    let p = ident.lastIndex;
    while (p < body.length && /\s/.test(body[p]!)) p++;
    if (body[p] !== '(') continue;
    const close = closeParen(body, p);
    if (close < 0) continue;
    if (tok === 'if' || tok === 'switch' || tok === 'while') {
      // the condition runs; the statement it controls may not
      regions.push([close + 1, statementEnd(close + 1)]);
      if (tok !== 'if') loops.push(regions[regions.length - 1]!);
      continue;
    }
    if (tok === 'for') {
      regions.push([p, statementEnd(close + 1)]);
      loops.push(regions[regions.length - 1]!);
      continue;
    }
    if (NOT_CALLS.has(tok) && !TRANSPARENT.has(tok)) continue;
    // a statement macro: `name(...) {` or `name(...) stmt;` (loops, scoped guards)
    let q = close + 1;
    while (q < body.length && /\s/.test(body[q]!)) q++;
    const statementMacro = body[q] === '{' || (/[A-Za-z_]/.test(body[q] ?? '') && !/^(?:const|volatile)\b/.test(body.slice(q, q + 8)));
    const always = !inRegion(at) && !condAt.some(Boolean) && (!exited || ANNOTATIONS.has(tok));
    const args = argumentsAt(body, p);
    if (statementMacro) {
      const guard = /^scoped_(?:cond_)?guard$/.test(tok) && SLEEPING_GUARDS.test(args[0] ?? '');
      if (guard) out.push({ name: `guard(${args[0]})`, always, args, line: lineOf(base + at) });
      // the scoped guard's body runs once; a loop's may not
      if (!/^scoped_guard$/.test(tok)) {
        regions.push([q, statementEnd(q)]);
        loops.push(regions[regions.length - 1]!);
      }
      continue;
    }
    if (tok === 'guard' && SLEEPING_GUARDS.test(args[0] ?? '')) {
      out.push({ name: `guard(${args[0]})`, always, args, line: lineOf(base + at) });
      continue;
    }
    out.push({ name: tok, always, args: args.length === 1 && args[0] === '' ? [] : args, line: lineOf(base + at) });
  }
  return out;
}

/** Why a function sleeps: the call that makes it, and where. */
type Why = { call: string; file: string; line: number };

/**
 * The fixpoint over the definitions of a tree: the functions that sleep and
 * those that reclaim as their GFP argument allows. Static functions count
 * inside their file only and are left out of the table; a name defined
 * several times outside include/ (weak and arch variants) sleeps only when
 * every definition does.
 */
export function deriveFacts(defs: readonly Definition[], source: string): DerivedTable {
  const globals = new Map<string, Definition[]>();
  const statics = new Map<string, Definition>();
  for (const d of defs) {
    if (d.isStatic) statics.set(`${d.file}\0${d.name}`, d);
    else globals.set(d.name, [...(globals.get(d.name) ?? []), d]);
  }
  // static inlines of headers: one per name (a header's config variants; the first that sleeps wins)
  const inlines = new Map<string, Definition[]>();
  for (const d of defs) if (d.isStatic && d.file.endsWith('.h')) inlines.set(d.name, [...(inlines.get(d.name) ?? []), d]);
  const sleeps = new Map<Definition, Why>();
  const reclaims = new Map<Definition, { arg: number; why: Why }>();
  const primitive = new Set(SLEEPING_PRIMITIVES);
  const targets = (c: CallSite, from: Definition): Definition[] => {
    const own = statics.get(`${from.file}\0${c.name}`);
    if (own) return [own];
    return globals.get(c.name) ?? inlines.get(c.name) ?? [];
  };
  const allSleep = (list: Definition[]): boolean => list.length > 0 && (list[0]!.file.endsWith('.h') ? list.some((d) => sleeps.has(d)) : list.every((d) => sleeps.has(d)));
  const gfpArgOf = (name: string, list: Definition[]): number | undefined => {
    if (Object.hasOwn(ALLOC_GFP_ARG, name)) return ALLOC_GFP_ARG[name];
    const r = list.map((d) => reclaims.get(d)?.arg);
    return r.length > 0 && r.every((x) => x !== undefined && x === r[0]) ? r[0] : undefined;
  };
  // each function's calls that every path reaches, with the definitions they may reach
  const edges = new Map<Definition, Array<{ c: CallSite; list: Definition[] }>>();
  const callers = new Map<Definition, Definition[]>();
  for (const d of defs) {
    const out: Array<{ c: CallSite; list: Definition[] }> = [];
    for (const c of d.calls) {
      if (!c.always) continue;
      const list = targets(c, d);
      out.push({ c, list });
      for (const t of list) {
        const l = callers.get(t);
        if (l) {
          if (l[l.length - 1] !== d) l.push(d);
        } else callers.set(t, [d]);
      }
    }
    edges.set(d, out);
  }
  /** Decides a function from what is known of its callees; true when that changed. */
  const evaluate = (d: Definition): boolean => {
    if (sleeps.has(d)) return false;
    let changed = false;
    for (const { c, list } of edges.get(d)!) {
      const why: Why = { call: c.name, file: d.file, line: c.line };
      // the hand facts hold where the tree has no body for them (a macro is none), and a sleep check says it sleeps
      const bodiless = list.every((t) => t.macro);
      const known = SLEEP_CHECKS.has(c.name) || (bodiless && (primitive.has(c.name) || isSleepingCall(c.name) || c.name.startsWith('guard(')));
      const gfp = gfpArgOf(c.name, list);
      const mask = gfp === undefined ? undefined : c.args[gfp];
      const annotated = c.name === 'might_sleep' || c.name === '__might_sleep';
      if (known || allSleep(list) || (mask !== undefined && classifyGfp(mask) === 'sleeping')) {
        // a function taking a GFP mask may sleep as its caller's mask allows (an allocator's fast
        // path returns before its slow path): it reclaims by that argument, unless it says it sleeps
        if (d.gfpParam >= 0 && !annotated) {
          if (reclaims.has(d)) continue;
          reclaims.set(d, { arg: d.gfpParam, why });
          changed = true;
          continue;
        }
        sleeps.set(d, why);
        reclaims.delete(d);
        return true;
      }
      let param = -1;
      if (mask !== undefined) param = d.params.indexOf(mask);
      else if (c.name === 'might_alloc') param = d.params.indexOf(c.args[0] ?? '');
      else if (c.name === 'might_sleep_if') {
        const g = /^gfpflags_allow_blocking\s*\(\s*([A-Za-z_]\w*)\s*\)$/.exec(c.args[0] ?? '');
        if (g) param = d.params.indexOf(g[1]!);
      }
      if (param >= 0 && !reclaims.has(d)) {
        reclaims.set(d, { arg: param, why });
        changed = true;
      }
    }
    return changed;
  };
  // a worklist: a function is decided again when one of its callees changed
  const queue: Definition[] = [...defs];
  const queued = new Set<Definition>(defs);
  while (queue.length) {
    const d = queue.pop()!;
    queued.delete(d);
    if (!evaluate(d)) continue;
    for (const caller of callers.get(d) ?? []) {
      if (!queued.has(caller)) {
        queued.add(caller);
        queue.push(caller);
      }
    }
  }
  const sleepTable: Record<string, string> = {};
  const reclaimTable: Record<string, readonly [number, string]> = {};
  const names = new Set<string>([...globals.keys(), ...inlines.keys()]);
  for (const name of [...names].sort()) {
    const list = globals.get(name) ?? inlines.get(name)!;
    if (allSleep(list)) {
      const why = list.map((d) => sleeps.get(d)).find(Boolean)!;
      sleepTable[name] = `${why.call} ${why.file}:${why.line}`;
      continue;
    }
    const gfp = gfpArgOf(name, list);
    if (gfp !== undefined && !Object.hasOwn(ALLOC_GFP_ARG, name)) {
      const why = reclaims.get(list[0]!)!.why;
      reclaimTable[name] = [gfp, `${why.call} ${why.file}:${why.line}`];
    }
  }
  return { source, sleeps: sleepTable, reclaims: reclaimTable };
}

/** Whether a tree-relative file name lies in the derived areas. */
export function inDerivedArea(file: string): boolean {
  return DERIVED_AREAS.some((a) => file.startsWith(a)) && (file.endsWith('.c') || (file.startsWith('include/') && file.endsWith('.h')));
}
