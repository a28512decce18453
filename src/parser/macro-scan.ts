// The pre-pass's macro scan: a token scan of the masked text with brace depth
// that rewrites macro uses tree-sitter-c misreads (attribute macros blanked,
// statement macros with a body turned into `while`, types as macro arguments
// turned into one identifier, file-scope declaration macros), each in place.
import { SPACE, blankOut, isIdentChar, isIdentStart, put, type Out } from './code-units.js';
import { ATTRIBUTE_CALLS, ATTRIBUTE_WORDS, C_KEYWORDS, DECL_START_WORDS, NOT_MACROS, STORAGE_WORDS, TYPE_ARG, TYPE_WORD } from './macro-words.js';

export interface MacroLoop {
  /** byte offset of the rewritten `while` keyword (the macro name's start) */
  offset: number;
  /** the original macro name, e.g. `scoped_guard` */
  macro: string;
}

/** Token scan of [from, to) with brace depth, to find and rewrite macro uses. */
export function scanMacros(m: string, out: Out, loops: MacroLoop[], from: number, to: number): void {
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
