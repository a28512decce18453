// Kernel-C pre-pass: rewrites what tree-sitter-c reads wrongly in kernel code
// without changing the length of anything, so byte offsets, lines and columns
// of the parse tree are those of the original file.
//
// - preprocessor directives are blanked; of an #if/#else chain only one branch
//   is kept (the positive one; the #else of an #ifndef / #if !X), #if 0 dropped;
// - attribute macros (`__must_check`, `__rcu`, `__acquires(x)`, ...) blanked;
// - statement-position macro calls followed by a body (`list_for_each_entry(...) {`,
//   `scoped_guard(...) {`, `xa_for_each(...) stmt`) become `while (...)`;
// - type arguments of macros (`container_of(p, struct foo, m)`,
//   `min_t(unsigned long, a, b)`) become one identifier (`struct_foo`).

export interface MacroLoop {
  /** byte offset of the rewritten `while` keyword (the macro name's start) */
  offset: number;
  /** the original macro name, e.g. `scoped_guard` */
  macro: string;
}

export interface PrepassResult {
  text: string;
  /** statement macros rewritten to `while`, so facts can name the real macro */
  loops: MacroLoop[];
}

const ATTRIBUTE_WORDS = new Set([
  '__must_check', '__rcu', '__iomem', '__user', '__kernel', '__force', '__bitwise',
  '__percpu', '__init', '__exit', '__initdata', '__exitdata', '__initconst',
  '__always_inline', 'noinline', '__noinline', '__maybe_unused', '__always_unused',
  '__used', '__cold', '__hot', '__read_mostly', '__ro_after_init', '__packed',
  '__weak', '__visible', 'notrace', 'asmlinkage', '__latent_entropy', '__pure',
  '__malloc', '__nocfi', '__no_kcsan', '__noreturn', '__flatten', '__noclone',
  '__cacheline_aligned', '__cacheline_aligned_in_smp', '____cacheline_aligned',
  '____cacheline_aligned_in_smp', '__randomize_layout', '__no_randomize_layout',
  '__designated_init', '__safe', '__private', '__nocast',
  '__attribute_const__', '__deprecated', 'fallthrough', '__fallthrough',
  '__ref', '__refdata', '__meminit', '__cpuinit', '__devinit', '__sched',
  '__noinstr', 'noinstr', '__kprobes', 'nokprobe_inline', '__no_sanitize_address',
  '__always_used', '__nonstring', '__aligned_largest', '__section_unused',
  '__init_or_module', '__initdata_or_module', '__nosavedata', '__page_aligned_data',
  '__page_aligned_bss', '__lockfunc', '__irq_entry', '__softirq_entry', '__acquire_ret',
  '__counted_by_le', 'EXPORT_SYMBOL_NS',
]);

/** attribute macros that take an argument list: the whole `name(...)` is blanked */
const ATTRIBUTE_CALLS = new Set([
  '__acquires', '__releases', '__must_hold', '__cond_acquires', '__cond_releases',
  '__acquire', '__release', '__aligned', '__section', '__printf', '__scanf',
  '__counted_by', '__free', '__alloc_size', '__assume_aligned', '__diagnose_as',
  '__guarded_by', '__pt_guarded_by', '__cleanup', '__no_sanitize_or_inline',
  '__cond_lock', '__attribute_used__', '__alias', '__realloc_size', '__nonstring_array',
  '__counted_by_be', '__sized_by',
]);

const C_KEYWORDS = new Set([
  'auto', 'break', 'case', 'char', 'const', 'continue', 'default', 'do', 'double',
  'else', 'enum', 'extern', 'float', 'for', 'goto', 'if', 'inline', 'int', 'long',
  'register', 'restrict', 'return', 'short', 'signed', 'sizeof', 'static', 'struct',
  'switch', 'typedef', 'union', 'unsigned', 'void', 'volatile', 'while', 'bool',
  '_Bool', 'true', 'false',
]);

/** names followed by `(` that are C syntax, not macros */
const NOT_MACROS = new Set([
  'if', 'while', 'for', 'switch', 'return', 'sizeof', 'typeof', '__typeof__', '__typeof',
  '_Alignof', 'alignof', '__alignof__', 'offsetof', '__builtin_offsetof', 'defined',
  'asm', '__asm__', '__asm', 'volatile', '__volatile__', '__attribute__', '__attribute',
  '_Static_assert', 'static_assert', '_Generic', 'do', 'else', 'case', 'goto',
  'va_arg', '__builtin_va_arg', '__builtin_types_compatible_p',
]);


function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

/** Replaces [from, to) with spaces, keeping newlines. */
function blank(out: string[], from: number, to: number): void {
  for (let i = from; i < to; i++) if (out[i] !== '\n' && out[i] !== '\r') out[i] = ' ';
}

/**
 * First pass: a copy where comments, strings and char literals are blanked, so
 * later scans never look inside them. Returns the directive line ranges too.
 */
function maskLexical(src: string): { masked: string[]; directives: Array<[number, number]> } {
  const masked = src.split('');
  const directives: Array<[number, number]> = [];
  const n = src.length;
  let i = 0;
  let lineStart = true;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 10) { lineStart = true; i++; continue; }
    if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) { i++; continue; }
    if (lineStart && c === 35 /* # */) {
      // directive: up to the end of line, following backslash continuations
      const start = i;
      let j = i;
      while (j < n) {
        const d = src.charCodeAt(j);
        if (d === 10) {
          let k = j - 1;
          while (k > start && (src.charCodeAt(k) === 13)) k--;
          if (src.charCodeAt(k) === 92 /* \ */) { j++; continue; }
          break;
        }
        if (d === 47 && src.charCodeAt(j + 1) === 42) {
          // a block comment inside a directive may span lines
          const end = src.indexOf('*/', j + 2);
          j = end < 0 ? n : end + 2;
          continue;
        }
        j++;
      }
      directives.push([start, j]);
      i = j;
      continue;
    }
    lineStart = false;
    if (c === 47 && src.charCodeAt(i + 1) === 47) {
      const end = src.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      blank(masked, i, stop);
      i = stop;
      continue;
    }
    if (c === 47 && src.charCodeAt(i + 1) === 42) {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      blank(masked, i, stop);
      i = stop;
      continue;
    }
    if (c === 34 || c === 39) {
      let j = i + 1;
      while (j < n) {
        const d = src.charCodeAt(j);
        if (d === 92) { j += 2; continue; }
        if (d === c || d === 10) break;
        j++;
      }
      // keep the quotes so the token stays a literal for the scanner
      blank(masked, i + 1, Math.min(j, n));
      i = j + 1;
      continue;
    }
    i++;
  }
  return { masked, directives };
}

interface CondFrame {
  /** whether the text of the branch being read is kept */
  keeping: boolean;
  /** whether some earlier branch of this chain was kept */
  taken: boolean;
  /** whether the enclosing region is kept */
  parentKeeping: boolean;
  /** the chain began with a negative test: its #else branch is the one kept */
  negative: boolean;
  /** where the first branch's text begins */
  branchStart?: number;
}

/** Decides which #if branches to keep; returns ranges of code to blank. */
function conditionalRegions(src: string, directives: Array<[number, number]>): Array<[number, number]> {
  const drop: Array<[number, number]> = [];
  const stack: CondFrame[] = [];
  let dropFrom = -1;
  const keepingNow = (): boolean => stack.length === 0 || stack[stack.length - 1]!.keeping;
  for (const [start, end] of directives) {
    const text = src.slice(start + 1, end).replace(/\\\r?\n/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ').trim();
    const m = /^(\w+)\s*(.*)$/s.exec(text);
    const word = m?.[1] ?? '';
    const rest = (m?.[2] ?? '').trim();
    const before = keepingNow();
    if (word === 'if' || word === 'ifdef' || word === 'ifndef') {
      const zero = word === 'if' && /^0\b/.test(rest);
      const negative = word === 'ifndef' || (word === 'if' && /^!/.test(rest));
      // an #ifndef include guard or a negative test keeps its first branch
      // unless an #else comes; decided at #else
      const keeping = before && !zero;
      stack.push({ keeping, taken: !zero, parentKeeping: before, negative });
    } else if (word === 'elif' || word === 'else') {
      const top = stack[stack.length - 1];
      if (top) {
        let keepThis: boolean;
        if (word === 'else' && top.negative && top.taken) {
          // `#ifndef X / stub / #else / real`: prefer the real branch
          keepThis = true;
          if (top.keeping && top.parentKeeping) {
            // drop the first branch retroactively: it was kept up to here
            drop.push([top.branchStart ?? start, start]);
          }
        } else {
          keepThis = !top.taken;
        }
        top.keeping = top.parentKeeping && keepThis;
        top.taken = top.taken || keepThis;
      }
    } else if (word === 'endif') {
      stack.pop();
    }
    const after = keepingNow();
    if (before && !after) dropFrom = end;
    if (!before && after && dropFrom >= 0) { drop.push([dropFrom, start]); dropFrom = -1; }
    const top = stack[stack.length - 1];
    if (top && (word === 'if' || word === 'ifdef' || word === 'ifndef')) top.branchStart = end;
  }
  if (dropFrom >= 0) drop.push([dropFrom, src.length]);
  return drop;
}

/** Index of the `)` matching the `(` at `open` in the masked text, or -1. */
function matchParen(m: string[], open: number): number {
  let depth = 0;
  for (let i = open; i < m.length; i++) {
    const c = m[i];
    if (c === '(') depth++;
    else if (c === ')') { depth--; if (depth === 0) return i; }
    else if (c === ';' && depth <= 1) return -1;
    else if (c === '{' || c === '}') return -1;
  }
  return -1;
}

function skipSpace(m: string[], i: number): number {
  while (i < m.length && (m[i] === ' ' || m[i] === '\t' || m[i] === '\n' || m[i] === '\r' || m[i] === '\f')) i++;
  return i;
}

function prevNonSpace(m: string[], i: number): number {
  while (i >= 0 && (m[i] === ' ' || m[i] === '\t' || m[i] === '\n' || m[i] === '\r' || m[i] === '\f')) i--;
  return i;
}

/** Splits the argument list (open, close) at top-level commas. */
function splitArgs(m: string[], open: number, close: number): Array<[number, number]> {
  const args: Array<[number, number]> = [];
  let depth = 0;
  let from = open + 1;
  for (let i = open + 1; i < close; i++) {
    const c = m[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) { args.push([from, i]); from = i + 1; }
  }
  args.push([from, close]);
  return args;
}

const TYPE_ARG = /^(?:(?:const|volatile)\s+)*(?:(?:struct|union|enum)\s+[A-Za-z_]\w*|(?:unsigned|signed|long|short|int|char|void|float|double|bool|_Bool)(?:\s+(?:unsigned|signed|long|short|int|char))*)(?:\s*\*)*(?:\s*const)?$/;

/** Rewrites a type used as a macro argument into one identifier of equal length. */
function rewriteTypeArg(out: string[], m: string[], from: number, to: number): void {
  let a = from;
  let b = to;
  while (a < b && /\s/.test(m[a]!)) a++;
  while (b > a && /\s/.test(m[b - 1]!)) b--;
  if (a >= b) return;
  const text = m.slice(a, b).join('');
  if (text.includes('\n') || !TYPE_ARG.test(text)) return;
  const ident = text.replace(/[\s*]/g, '_');
  const chars = C_KEYWORDS.has(ident) ? '_' + ident.slice(1) : ident;
  for (let i = 0; i < chars.length; i++) out[a + i] = chars[i]!;
}

export function prepass(src: string): PrepassResult {
  const { masked, directives } = maskLexical(src);
  const out = src.split('');
  const loops: MacroLoop[] = [];

  for (const [from, to] of conditionalRegions(src, directives)) {
    blank(out, from, to);
    blank(masked, from, to);
  }
  for (const [from, to] of directives) {
    blank(out, from, to);
    blank(masked, from, to);
  }

  // Token scan over the masked text with brace depth, to find macro uses.
  const n = masked.length;
  let depth = 0;
  let i = 0;
  while (i < n) {
    const ch = masked[i]!;
    const c = ch.charCodeAt(0);
    if (ch === '{') { depth++; i++; continue; }
    if (ch === '}') { depth = Math.max(0, depth - 1); i++; continue; }
    if (ch === '"' || ch === "'") {
      // skip a (masked) literal body up to its closing quote
      let j = i + 1;
      while (j < n && masked[j] !== ch && masked[j] !== '\n') j++;
      i = j + 1;
      continue;
    }
    if (!isIdentStart(c) || (i > 0 && isIdentChar(masked[i - 1]!.charCodeAt(0)))) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && isIdentChar(masked[j]!.charCodeAt(0))) j++;
    const word = masked.slice(i, j).join('');
    if (ATTRIBUTE_WORDS.has(word)) {
      blank(out, i, j);
      i = j;
      continue;
    }
    const k = skipSpace(masked, j);
    if (masked[k] !== '(' && /^[A-Z][A-Z0-9_]+$/.test(word) && depth === 0 && declarationItemStart(masked, i)) {
      // storage-class macro before a declaration: `STATIC_NOPV void f(...)`
      let e = k;
      while (e < n && isIdentChar(masked[e]!.charCodeAt(0))) e++;
      if (DECL_START_WORDS.has(masked.slice(k, e).join(''))) blank(out, i, j);
      i = j;
      continue;
    }
    if (masked[k] !== '(' || NOT_MACROS.has(word)) { i = j; continue; }
    const close = matchParen(masked, k);
    if (close < 0) { i = j; continue; }
    if (ATTRIBUTE_CALLS.has(word) || word === '__attribute__') {
      if (word !== '__attribute__') blank(out, i, close + 1);
      i = close + 1;
      continue;
    }
    // a type used as a macro argument
    for (const [a, b] of splitArgs(masked, k, close)) rewriteTypeArg(out, masked, a, b);

    // file-scope declaration macro: `[static] DEFINE_PER_CPU(struct x, y);` reads
    // as `[static] DEFINE_PER_CPU y;` (the macro name stands for the type)
    const item = declarationItemStart(masked, i);
    if (item === 'storage' || (depth === 0 && item === 'bare')) {
      const after = masked[skipSpace(masked, close + 1)];
      if (after === ';' || after === '=') {
        rewriteDeclarationMacro(out, k, close);
        i = close + 1;
        continue;
      }
    }

    // statement macro with a body: `name(...) {` or `name(...) stmt` inside a function
    if (depth > 0 && word.length >= 5) {
      const prev = prevNonSpace(masked, i - 1);
      const p = prev >= 0 ? masked[prev] : ';';
      const atStatement = p === ';' || p === '{' || p === '}' || p === ')' || p === ':' || (prev >= 3 && masked.slice(prev - 3, prev + 1).join('') === 'else');
      const next = skipSpace(masked, close + 1);
      const nc = masked[next];
      const bodyFollows = nc === '{' || (nc !== undefined && isIdentStart(nc.charCodeAt(0)));
      if (atStatement && bodyFollows && !(p === ')' && isCallTail(masked, prev))) {
        out[i] = 'w'; out[i + 1] = 'h'; out[i + 2] = 'i'; out[i + 3] = 'l'; out[i + 4] = 'e';
        for (let q = i + 5; q < j; q++) out[q] = ' ';
        loops.push({ offset: i, macro: word });
      }
    }
    // continue inside the argument list: nested macros matter too
    i = j;
  }
  return { text: out.join(''), loops };
}

const STORAGE_WORDS = new Set(['static', 'extern', 'const', 'inline']);
const DECL_START_WORDS = new Set([
  'static', 'extern', 'inline', 'const', 'void', 'int', 'long', 'unsigned', 'signed', 'char',
  'short', 'bool', 'struct', 'union', 'enum', 'u8', 'u16', 'u32', 'u64', 's32', 's64',
]);

/**
 * Whether the identifier at `at` begins a declaration item: 'storage' when
 * storage words (`static`...) precede it, 'bare' when nothing does.
 */
function declarationItemStart(m: string[], at: number): 'storage' | 'bare' | false {
  let i = prevNonSpace(m, at - 1);
  let sawStorage = false;
  for (;;) {
    if (i < 0) return sawStorage ? 'storage' : 'bare';
    const c = m[i]!;
    if (c === ';' || c === '}' || c === '{') return sawStorage ? 'storage' : 'bare';
    if (!isIdentChar(c.charCodeAt(0))) return false;
    let s = i;
    while (s >= 0 && isIdentChar(m[s]!.charCodeAt(0))) s--;
    if (!STORAGE_WORDS.has(m.slice(s + 1, i + 1).join(''))) return false;
    sawStorage = true;
    i = prevNonSpace(m, s);
  }
}

/** Keeps the first identifier inside the parentheses as the declarator; blanks the rest. */
function rewriteDeclarationMacro(out: string[], open: number, close: number): void {
  out[open] = ' ';
  out[close] = ' ';
  let kept = false;
  let inIdent = false;
  for (let q = open + 1; q < close; q++) {
    const ch = out[q]!;
    const identChar = isIdentChar(ch.charCodeAt(0)) && !(ch >= '0' && ch <= '9' && !inIdent);
    if (identChar && !kept) { inIdent = true; continue; }
    if (inIdent) { kept = true; inIdent = false; }
    if (ch !== '\n' && ch !== '\r') out[q] = ' ';
  }
}

/**
 * A `)` before the macro name that closes a cast or a call, rather than an
 * `if (...)`/`while (...)` header, means the name is not at statement start.
 */
function isCallTail(m: string[], closeParen: number): boolean {
  let depth = 0;
  let i = closeParen;
  for (; i >= 0; i--) {
    if (m[i] === ')') depth++;
    else if (m[i] === '(') { depth--; if (depth === 0) break; }
  }
  const before = prevNonSpace(m, i - 1);
  let s = before;
  while (s >= 0 && isIdentChar(m[s]!.charCodeAt(0))) s--;
  const word = m.slice(s + 1, before + 1).join('');
  return !(word === 'if' || word === 'while' || word === 'for' || isLoopWord(word));
}

function isLoopWord(word: string): boolean {
  return word.includes('for_each') || word.endsWith('_guard');
}
