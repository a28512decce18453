// The pre-pass's first pass: a copy of the source where comments, strings and
// char literals are blanked, so later scans never look inside them; the
// preprocessor directives' ranges; and which branch of each #if/#else chain
// is kept. Apart from the macro scan (macro-scan.ts), which works on this mask.
import { blankOut, codeUnits, type Out } from './code-units.js';

/** Characters the lexical mask must look at: newlines (for `#` at line start), comments, literals. */
const interesting = /[\n/"']/g;

/** The preprocessor directives of a text: [start, end) from the `#` to the line end, continuations and comments followed. */
export function directiveRanges(src: string): Array<[number, number]> {
  return maskLexical(src).directives;
}

/**
 * First pass: a copy where comments, strings and char literals are blanked, so
 * later scans never look inside them. Returns the directive line ranges too.
 */
export function maskLexical(src: string): { masked: Out; directives: Array<[number, number]> } {
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
export function conditionalRegions(src: string, directives: Array<[number, number]>): Array<[number, number]> {
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
