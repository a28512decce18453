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
  /** the source with comments, literal bodies, directives and dropped #if branches blanked: for text searches */
  masked: string;
  /** statement macros rewritten to `while`, so facts can name the real macro */
  loops: MacroLoop[];
}

const ATTRIBUTE_WORDS = new Set([
  '__must_check',
  '__rcu',
  '__iomem',
  '__user',
  '__kernel',
  '__force',
  '__bitwise',
  '__percpu',
  '__init',
  '__exit',
  '__initdata',
  '__exitdata',
  '__initconst',
  '__always_inline',
  'noinline',
  '__noinline',
  '__maybe_unused',
  '__always_unused',
  '__used',
  '__cold',
  '__hot',
  '__read_mostly',
  '__ro_after_init',
  '__packed',
  '__weak',
  '__visible',
  'notrace',
  'asmlinkage',
  '__latent_entropy',
  '__pure',
  '__malloc',
  '__nocfi',
  '__no_kcsan',
  '__noreturn',
  '__flatten',
  '__noclone',
  '__cacheline_aligned',
  '__cacheline_aligned_in_smp',
  '____cacheline_aligned',
  '____cacheline_aligned_in_smp',
  '__randomize_layout',
  '__no_randomize_layout',
  '__designated_init',
  '__safe',
  '__private',
  '__nocast',
  '__attribute_const__',
  '__deprecated',
  'fallthrough',
  '__fallthrough',
  '__ref',
  '__refdata',
  '__meminit',
  '__cpuinit',
  '__devinit',
  '__sched',
  '__noinstr',
  'noinstr',
  '__kprobes',
  'nokprobe_inline',
  '__no_sanitize_address',
  '__always_used',
  '__nonstring',
  '__aligned_largest',
  '__section_unused',
  '__init_or_module',
  '__initdata_or_module',
  '__nosavedata',
  '__page_aligned_data',
  '__page_aligned_bss',
  '__lockfunc',
  '__irq_entry',
  '__softirq_entry',
  '__acquire_ret',
  '__counted_by_le',
  'EXPORT_SYMBOL_NS',
]);

/** attribute macros that take an argument list: the whole `name(...)` is blanked */
const ATTRIBUTE_CALLS = new Set([
  '__acquires',
  '__releases',
  '__must_hold',
  '__cond_acquires',
  '__cond_releases',
  '__acquire',
  '__release',
  '__aligned',
  '__section',
  '__printf',
  '__scanf',
  '__counted_by',
  '__free',
  '__alloc_size',
  '__assume_aligned',
  '__diagnose_as',
  '__guarded_by',
  '__pt_guarded_by',
  '__cleanup',
  '__no_sanitize_or_inline',
  '__cond_lock',
  '__attribute_used__',
  '__alias',
  '__realloc_size',
  '__nonstring_array',
  '__counted_by_be',
  '__sized_by',
]);

const C_KEYWORDS = new Set([
  'auto',
  'break',
  'case',
  'char',
  'const',
  'continue',
  'default',
  'do',
  'double',
  'else',
  'enum',
  'extern',
  'float',
  'for',
  'goto',
  'if',
  'inline',
  'int',
  'long',
  'register',
  'restrict',
  'return',
  'short',
  'signed',
  'sizeof',
  'static',
  'struct',
  'switch',
  'typedef',
  'union',
  'unsigned',
  'void',
  'volatile',
  'while',
  'bool',
  '_Bool',
  'true',
  'false',
]);

/** names followed by `(` that are C syntax, not macros */
const NOT_MACROS = new Set([
  'if',
  'while',
  'for',
  'switch',
  'return',
  'sizeof',
  'typeof',
  '__typeof__',
  '__typeof',
  '_Alignof',
  'alignof',
  '__alignof__',
  'offsetof',
  '__builtin_offsetof',
  'defined',
  'asm',
  '__asm__',
  '__asm',
  'volatile',
  '__volatile__',
  '__attribute__',
  '__attribute',
  '_Static_assert',
  'static_assert',
  '_Generic',
  'do',
  'else',
  'case',
  'goto',
  'va_arg',
  '__builtin_va_arg',
  '__builtin_types_compatible_p',
]);

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

/** The parse text is UTF-16 code units: writes are cheap and decoding is one call. */
type Out = Uint16Array;
const SPACE = 32;

function codeUnits(text: string): Out {
  // the native encoder, not a loop; a pooled Buffer may be oddly aligned
  const bytes = Buffer.from(text, 'utf16le');
  if (bytes.byteOffset % 2 === 0) return new Uint16Array(bytes.buffer, bytes.byteOffset, text.length);
  return new Uint16Array(new Uint8Array(bytes).buffer);
}

/** Replaces [from, to) with spaces, keeping newlines. */
function blankOut(out: Out, from: number, to: number): void {
  for (let i = from; i < to; i++) if (out[i] !== 10 && out[i] !== 13) out[i] = SPACE;
}

function put(out: Out, at: number, text: string): void {
  for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
}

const utf16 = new TextDecoder('utf-16le');

/**
 * First pass: a copy where comments, strings and char literals are blanked, so
 * later scans never look inside them. Returns the directive line ranges too.
 */
/** Characters the lexical mask must look at: newlines (for `#` at line start), comments, literals. */
const interesting = /[\n/"']/g;

/** The preprocessor directives of a text: [start, end) from the `#` to the line end, continuations and comments followed. */
export function directiveRanges(src: string): Array<[number, number]> {
  return maskLexical(src).directives;
}

function maskLexical(src: string): { masked: Out; directives: Array<[number, number]> } {
  const masked = codeUnits(src);
  const directives: Array<[number, number]> = [];
  const n = src.length;
  let i = 0;
  let lineStart = true;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 10) {
      lineStart = true;
      i++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) {
      i++;
      continue;
    }
    if (lineStart && c === 35 /* # */) {
      // directive: up to the end of line, following backslash continuations
      const start = i;
      let j = i;
      while (j < n) {
        const d = src.charCodeAt(j);
        if (d === 10) {
          let k = j - 1;
          while (k > start && src.charCodeAt(k) === 13) k--;
          if (src.charCodeAt(k) === 92 /* \ */) {
            j++;
            continue;
          }
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
    if (c !== 47 && c !== 34 && c !== 39) {
      // ordinary code: jump to the next character that can start something
      interesting.lastIndex = i + 1;
      const next = interesting.exec(src);
      i = next ? next.index : n;
      continue;
    }
    if (c === 47 && src.charCodeAt(i + 1) === 47) {
      const end = src.indexOf('\n', i);
      const stop = end < 0 ? n : end;
      blankOut(masked, i, stop);
      i = stop;
      continue;
    }
    if (c === 47 && src.charCodeAt(i + 1) === 42) {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      blankOut(masked, i, stop);
      i = stop;
      continue;
    }
    if (c === 34 || c === 39) {
      let j = i + 1;
      while (j < n) {
        const d = src.charCodeAt(j);
        if (d === 92) {
          j += 2;
          continue;
        }
        if (d === c || d === 10) break;
        j++;
      }
      // keep the quotes so the token stays a literal for the scanner
      blankOut(masked, i + 1, Math.min(j, n));
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
    const text = src
      .slice(start + 1, end)
      .replace(/\\\r?\n/g, ' ')
      .replace(/\/\*[\s\S]*?\*\//g, ' ')
      .trim();
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
    if (!before && after && dropFrom >= 0) {
      drop.push([dropFrom, start]);
      dropFrom = -1;
    }
    const top = stack[stack.length - 1];
    if (top && (word === 'if' || word === 'ifdef' || word === 'ifndef')) top.branchStart = end;
  }
  if (dropFrom >= 0) drop.push([dropFrom, src.length]);
  return drop;
}

/** Index of the `)` matching the `(` at `open` in the masked text, or -1. */
function matchParen(m: string, open: number): number {
  let depth = 0;
  for (let i = open; i < m.length; i++) {
    const c = m[i];
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) return i;
    } else if (c === ';' && depth <= 1) return -1;
    else if (c === '{' || c === '}') return -1;
  }
  return -1;
}

function skipSpace(m: string, i: number): number {
  while (i < m.length && (m[i] === ' ' || m[i] === '\t' || m[i] === '\n' || m[i] === '\r' || m[i] === '\f')) i++;
  return i;
}

function prevNonSpace(m: string, i: number): number {
  while (i >= 0 && (m[i] === ' ' || m[i] === '\t' || m[i] === '\n' || m[i] === '\r' || m[i] === '\f')) i--;
  return i;
}

/** Splits the argument list (open, close) at top-level commas. */
function splitArgs(m: string, open: number, close: number): Array<[number, number]> {
  const args: Array<[number, number]> = [];
  let depth = 0;
  let from = open + 1;
  for (let i = open + 1; i < close; i++) {
    const c = m[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      args.push([from, i]);
      from = i + 1;
    }
  }
  args.push([from, close]);
  return args;
}

/** A type word starting an argument (after `(` or `,`): the only place a type argument can be. */
const TYPE_WORD = /(?:^|,)\s*(?:(?:const|volatile)\s+)*(?:struct|union|enum|unsigned|signed|long|short|int|char|void|float|double|bool|_Bool)\b/;
const TYPE_ARG =
  /^(?:(?:const|volatile)\s+)*(?:(?:struct|union|enum)\s+[A-Za-z_]\w*|(?:unsigned|signed|long|short|int|char|void|float|double|bool|_Bool)(?:\s+(?:unsigned|signed|long|short|int|char))*)(?:\s*\*)*(?:\s*const)?$/;

/** Rewrites a type used as a macro argument into one identifier of equal length. */
function rewriteTypeArg(out: Out, m: string, from: number, to: number): void {
  let a = from;
  let b = to;
  while (a < b && /\s/.test(m[a]!)) a++;
  while (b > a && /\s/.test(m[b - 1]!)) b--;
  if (a >= b) return;
  const text = m.slice(a, b);
  if (text.includes('\n') || !TYPE_ARG.test(text)) return;
  const ident = text.replace(/[\s*]/g, '_');
  const chars = C_KEYWORDS.has(ident) ? `_${ident.slice(1)}` : ident;
  put(out, a, chars);
}

/**
 * A file on its way to the parser: masked once (comments, literals,
 * directives, dropped #if branches), then its macros rewritten range by range,
 * only where tree-sitter will read.
 */
export class KernelSource {
  /** comments, literal bodies, directives and dropped #if branches blanked */
  readonly masked: string;
  readonly loops: MacroLoop[] = [];
  private readonly out: Out;
  private readonly scanned: Array<[number, number]> = [];

  constructor(src: string) {
    const { masked, directives } = maskLexical(src);
    this.out = codeUnits(src);
    for (const [from, to] of [...conditionalRegions(src, directives), ...directives]) {
      blankOut(this.out, from, to);
      blankOut(masked, from, to);
    }
    this.masked = utf16.decode(masked);
  }

  /** Rewrites the macros of these ranges (each starting at file scope), once. */
  rewrite(ranges: ReadonlyArray<readonly [number, number]>): void {
    for (const [from, to] of ranges) {
      if (this.scanned.some(([a, b]) => a <= from && to <= b)) continue;
      scanMacros(this.masked, this.out, this.loops, from, to);
      this.scanned.push([from, to]);
      this.decoded = undefined;
    }
  }

  /** The text to parse: the source with every rewrite so far (decoded again only after a rewrite). */
  text(): string {
    this.decoded ??= utf16.decode(this.out);
    return this.decoded;
  }

  private decoded: string | undefined;
}

export function prepass(src: string): PrepassResult {
  const ks = new KernelSource(src);
  ks.rewrite([[0, src.length]]);
  return { text: ks.text(), masked: ks.masked, loops: ks.loops };
}

/** Token scan of [from, to) with brace depth, to find and rewrite macro uses. */
function scanMacros(m: string, out: Out, loops: MacroLoop[], from: number, to: number): void {
  const n = to;
  let depth = 0;
  let i = from;
  while (i < n) {
    const ch = m[i]!;
    const c = ch.charCodeAt(0);
    if (ch === '{') {
      depth++;
      i++;
      continue;
    }
    if (ch === '}') {
      depth = Math.max(0, depth - 1);
      i++;
      continue;
    }
    if (ch === '"' || ch === "'") {
      // skip a (masked) literal body up to its closing quote
      let j = i + 1;
      while (j < n && m[j] !== ch && m[j] !== '\n') j++;
      i = j + 1;
      continue;
    }
    if (!isIdentStart(c) || (i > 0 && isIdentChar(m.charCodeAt(i - 1)))) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && isIdentChar(m.charCodeAt(j))) j++;
    const word = m.slice(i, j);
    if (ATTRIBUTE_WORDS.has(word)) {
      blankOut(out, i, j);
      i = j;
      continue;
    }
    const k = skipSpace(m, j);
    if (m[k] !== '(' && /^[A-Z][A-Z0-9_]+$/.test(word) && depth === 0 && declarationItemStart(m, i)) {
      // storage-class macro before a declaration: `STATIC_NOPV void f(...)`
      let e = k;
      while (e < n && isIdentChar(m.charCodeAt(e))) e++;
      if (DECL_START_WORDS.has(m.slice(k, e))) blankOut(out, i, j);
      i = j;
      continue;
    }
    if (m[k] !== '(' || NOT_MACROS.has(word)) {
      i = j;
      continue;
    }
    const close = matchParen(m, k);
    if (close < 0) {
      i = j;
      continue;
    }
    if (ATTRIBUTE_CALLS.has(word) || word === '__attribute__') {
      if (word !== '__attribute__') blankOut(out, i, close + 1);
      i = close + 1;
      continue;
    }
    // a type used as a macro argument (most calls have none: test first)
    if (TYPE_WORD.test(m.slice(k + 1, close))) for (const [a, b] of splitArgs(m, k, close)) rewriteTypeArg(out, m, a, b);

    // file-scope declaration macro: `[static] DEFINE_PER_CPU(struct x, y);` reads
    // as `[static] DEFINE_PER_CPU y;` (the macro name stands for the type)
    const item = declarationItemStart(m, i);
    if (item === 'storage' || (depth === 0 && item === 'bare')) {
      const after = m[skipSpace(m, close + 1)];
      if (after === ';' || after === '=') {
        rewriteDeclarationMacro(out, k, close);
        i = close + 1;
        continue;
      }
    }

    // statement macro with a body: `name(...) {` or `name(...) stmt` inside a function
    if (depth > 0 && word.length >= 5) {
      const prev = prevNonSpace(m, i - 1);
      const p = prev >= 0 ? m[prev] : ';';
      const atStatement = p === ';' || p === '{' || p === '}' || p === ')' || p === ':' || (prev >= 3 && m.slice(prev - 3, prev + 1) === 'else');
      const next = skipSpace(m, close + 1);
      const nc = m[next];
      const bodyFollows = nc === '{' || (nc !== undefined && isIdentStart(nc.charCodeAt(0)));
      if (atStatement && bodyFollows && !(p === ')' && isCallTail(m, prev))) {
        put(out, i, 'while');
        out.fill(SPACE, i + 5, j);
        loops.push({ offset: i, macro: word });
      }
    }
    // continue inside the argument list: nested macros matter too
    i = j;
  }
}

const STORAGE_WORDS = new Set(['static', 'extern', 'const', 'inline']);
const DECL_START_WORDS = new Set(['static', 'extern', 'inline', 'const', 'void', 'int', 'long', 'unsigned', 'signed', 'char', 'short', 'bool', 'struct', 'union', 'enum', 'u8', 'u16', 'u32', 'u64', 's32', 's64']);

/**
 * Whether the identifier at `at` begins a declaration item: 'storage' when
 * storage words (`static`...) precede it, 'bare' when nothing does.
 */
function declarationItemStart(m: string, at: number): 'storage' | 'bare' | false {
  let i = prevNonSpace(m, at - 1);
  let sawStorage = false;
  for (;;) {
    if (i < 0) return sawStorage ? 'storage' : 'bare';
    const c = m[i]!;
    if (c === ';' || c === '}' || c === '{') return sawStorage ? 'storage' : 'bare';
    if (!isIdentChar(c.charCodeAt(0))) return false;
    let s = i;
    while (s >= 0 && isIdentChar(m.charCodeAt(s))) s--;
    if (!STORAGE_WORDS.has(m.slice(s + 1, i + 1))) return false;
    sawStorage = true;
    i = prevNonSpace(m, s);
  }
}

/** Keeps the first identifier inside the parentheses as the declarator; blanks the rest. */
function rewriteDeclarationMacro(out: Out, open: number, close: number): void {
  out[open] = SPACE;
  out[close] = SPACE;
  let kept = false;
  let inIdent = false;
  for (let q = open + 1; q < close; q++) {
    const code = out[q]!;
    const digit = code >= 48 && code <= 57;
    const identChar = isIdentChar(code) && !(digit && !inIdent);
    if (identChar && !kept) {
      inIdent = true;
      continue;
    }
    if (inIdent) {
      kept = true;
      inIdent = false;
    }
    if (code !== 10 && code !== 13) out[q] = SPACE;
  }
}

/**
 * A `)` before the macro name that closes a cast or a call, rather than an
 * `if (...)`/`while (...)` header, means the name is not at statement start.
 */
function isCallTail(m: string, closeParen: number): boolean {
  let depth = 0;
  let i = closeParen;
  for (; i >= 0; i--) {
    if (m[i] === ')') depth++;
    else if (m[i] === '(') {
      depth--;
      if (depth === 0) break;
    }
  }
  const before = prevNonSpace(m, i - 1);
  let s = before;
  while (s >= 0 && isIdentChar(m.charCodeAt(s))) s--;
  const word = m.slice(s + 1, before + 1);
  return !(word === 'if' || word === 'while' || word === 'for' || isLoopWord(word));
}

function isLoopWord(word: string): boolean {
  return word.includes('for_each') || word.endsWith('_guard');
}
