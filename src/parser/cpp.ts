// The build's configuration applied to a file's conditionals: with kbuild's
// -D/-U flags and include/generated/autoconf.h, each #if/#ifdef/#elif whose
// value is certain keeps its live branch and blanks the others (directives
// too), so the pre-pass sees the code the compiler sees. A condition that
// names something the flags and autoconf.h do not define (a macro of a
// header mnlint does not read) is left as written: the pre-pass keeps one
// branch of it as it does without a configuration. Blanking keeps every
// newline and column, so findings point at the file's own lines.
import type { MacroEnv } from '../ir/kernel-api/macros.js';
import { directiveRanges } from './lexical-mask.js';

export type { MacroEnv };

class Undecidable extends Error {}

type Tok = { t: 'num'; v: number } | { t: 'id'; v: string } | { t: 'op'; v: string };

const OPS = ['<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '(', ')', '!', '~', '-', '+', '*', '/', '%', '<', '>', '&', '^', '|', '?', ':', ','];

function tokens(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^(0[xX][0-9a-fA-F]+|\d+)[uUlL]*/.exec(text.slice(i));
    if (num) {
      out.push({ t: 'num', v: Number(num[1]!.startsWith('0') && !/^0[xX]/.test(num[1]!) && num[1]!.length > 1 ? Number.parseInt(num[1]!, 8) : Number(num[1])) });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_]\w*/.exec(text.slice(i));
    if (id) {
      out.push({ t: 'id', v: id[0] });
      i += id[0].length;
      continue;
    }
    const op = OPS.find((o) => text.startsWith(o, i));
    if (!op) throw new Undecidable(`cannot read ${text.slice(i)}`);
    out.push({ t: 'op', v: op });
    i += op.length;
  }
  return out;
}

// binary operators by precedence, loosest first (C11 6.5)
const LEVELS: readonly (readonly string[])[] = [['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%']];

/** Evaluates a #if expression; throws Undecidable when it names what is not known. */
function evaluate(expr: string, env: Env, depth = 0): number {
  if (depth > 16) throw new Undecidable('macro nesting');
  const toks = tokens(expr);
  let k = 0;
  const peek = (): Tok | undefined => toks[k];
  const isOp = (v: string): boolean => peek()?.t === 'op' && peek()!.v === v;
  const expect = (v: string): void => {
    if (!isOp(v)) throw new Undecidable(`expected ${v}`);
    k++;
  };
  const name = (): string => {
    const t = toks[k++];
    if (t?.t !== 'id') throw new Undecidable('expected a name');
    return t.v;
  };
  const defined = (n: string): boolean => {
    const d = env.isDefined(n);
    if (d === undefined) throw new Undecidable(`${n} is not known`);
    return d;
  };
  const value = (n: string): number => {
    const v = env.valueOf(n);
    if (v === null) return 0;
    if (v === undefined || v.trim() === '') throw new Undecidable(`${n} has no known value`);
    return evaluate(v, env, depth + 1);
  };
  const primary = (): number => {
    const t = toks[k++];
    if (!t) throw new Undecidable('end of expression');
    if (t.t === 'num') return t.v;
    if (t.t === 'op') {
      if (t.v === '(') {
        const v = ternary();
        expect(')');
        return v;
      }
      if (t.v === '!') return primary() ? 0 : 1;
      if (t.v === '~') return ~primary();
      if (t.v === '-') return -primary();
      if (t.v === '+') return primary();
      throw new Undecidable(`unexpected ${t.v}`);
    }
    if (t.v === 'defined') {
      if (isOp('(')) {
        k++;
        const n = name();
        expect(')');
        return defined(n) ? 1 : 0;
      }
      return defined(name()) ? 1 : 0;
    }
    // include/linux/kconfig.h: y is CONFIG_X defined as 1, m is CONFIG_X_MODULE
    if (['IS_ENABLED', 'IS_BUILTIN', 'IS_MODULE', 'IS_REACHABLE'].includes(t.v) && isOp('(')) {
      k++;
      const n = name();
      expect(')');
      const builtin = env.valueOf(n) === '1';
      const module = defined(`${n}_MODULE`);
      if (!builtin && env.valueOf(n) === undefined) throw new Undecidable(`${n} is not known`);
      if (t.v === 'IS_BUILTIN') return builtin ? 1 : 0;
      if (t.v === 'IS_MODULE') return module ? 1 : 0;
      if (t.v === 'IS_REACHABLE') return builtin || (module && defined('MODULE')) ? 1 : 0;
      return builtin || module ? 1 : 0;
    }
    if (isOp('(')) throw new Undecidable(`function-like macro ${t.v}`);
    return value(t.v);
  };
  const binary = (level: number): number => {
    if (level === LEVELS.length) return primary();
    let left = binary(level + 1);
    for (let t = peek(); t?.t === 'op' && LEVELS[level]!.includes(t.v); t = peek()) {
      const op = t.v;
      k++;
      // both sides are evaluated: an unknown name on either side leaves the whole undecided
      const right = binary(level + 1);
      left = apply(op, left, right);
    }
    return left;
  };
  const ternary = (): number => {
    const c = binary(0);
    if (!isOp('?')) return c;
    k++;
    const a = ternary();
    expect(':');
    const b = ternary();
    return c ? a : b;
  };
  const v = ternary();
  if (k !== toks.length) throw new Undecidable('trailing tokens');
  return v;
}

function apply(op: string, a: number, b: number): number {
  switch (op) {
    case '||':
      return a || b ? 1 : 0;
    case '&&':
      return a && b ? 1 : 0;
    case '|':
      return a | b;
    case '^':
      return a ^ b;
    case '&':
      return a & b;
    case '==':
      return a === b ? 1 : 0;
    case '!=':
      return a !== b ? 1 : 0;
    case '<':
      return a < b ? 1 : 0;
    case '>':
      return a > b ? 1 : 0;
    case '<=':
      return a <= b ? 1 : 0;
    case '>=':
      return a >= b ? 1 : 0;
    case '<<':
      return a << b;
    case '>>':
      return a >> b;
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
    case '%':
      if (b === 0) throw new Undecidable('division by zero');
      return op === '/' ? Math.trunc(a / b) : a % b;
  }
  throw new Undecidable(op);
}

/** The macros as the file's own #define/#undef change them, over the build's. */
class Env {
  private readonly defines: Map<string, string>;
  private readonly undef: Set<string>;
  /** names a #define or #undef in an undecided branch made uncertain */
  private readonly unsure = new Set<string>();

  constructor(private readonly base: MacroEnv) {
    this.defines = new Map(base.defines);
    this.undef = new Set(base.undefined);
  }

  /** true, false, or undefined when not known */
  isDefined(n: string): boolean | undefined {
    if (this.unsure.has(n)) return undefined;
    if (this.defines.has(n)) return true;
    if (this.undef.has(n)) return false;
    if (this.base.configComplete && (n.startsWith('CONFIG_') || n === 'MODULE')) return false;
    return undefined;
  }

  /** the value text; null when known undefined (0 in #if); undefined when not known */
  valueOf(n: string): string | null | undefined {
    const d = this.isDefined(n);
    if (d === undefined) return undefined;
    return d ? (this.defines.get(n) ?? undefined) : null;
  }

  define(n: string, value: string | undefined, sure: boolean): void {
    if (!sure) {
      this.unsure.add(n);
      return;
    }
    this.unsure.delete(n);
    this.undef.delete(n);
    // a function-like macro is defined, with no value #if can use
    this.defines.set(n, value ?? '');
  }

  undefine(n: string, sure: boolean): void {
    if (!sure) {
      this.unsure.add(n);
      return;
    }
    this.unsure.delete(n);
    this.defines.delete(n);
    this.undef.add(n);
  }
}

type Live = 'live' | 'maybe' | 'dead';

interface Frame {
  /** the region around the chain */
  parent: Live;
  /** the branch being read */
  branch: Live;
  /** none: every branch so far is false; taken: one is true; undecided: one is not known; closed: a true one came after an undecided one */
  state: 'none' | 'taken' | 'undecided' | 'closed';
  /** a directive of the chain was left for the pre-pass: its #endif stays */
  kept: boolean;
}

export interface Configured {
  text: string;
  /** conditionals decided by the configuration */
  decided: number;
  /** conditionals left to the pre-pass (they name macros the configuration does not know) */
  undecided: number;
}

const blank = (s: string): string => s.replace(/[^\r\n]/g, ' ');

/**
 * A directive rewritten in place, padded to its length: `#elif X` as `#if X`
 * (the expression kept), or as `#else` (the expression blanked).
 */
function rewrite(lines: string, word: 'if' | 'else'): string {
  const m = /^(#\s*)elif/.exec(lines)!;
  const tail = lines.slice(m[0].length);
  return word === 'if' ? `${m[1]}if  ${tail}` : `${m[1]}else${blank(tail)}`;
}

/** Applies the configuration to the file's #if chains (see the top of this file). */
export function configure(text: string, base: MacroEnv): Configured {
  const env = new Env(base);
  const stack: Frame[] = [];
  // what replaces each directive ([start, end) -> text of the same length), and the dead code between directives
  const replaced: Array<[number, number, string]> = [];
  const dead: Array<[number, number]> = [];
  let deadFrom = -1;
  let decided = 0;
  let undecided = 0;
  const region = (): Live => {
    let l: Live = 'live';
    for (const f of stack) {
      if (f.branch === 'dead') return 'dead';
      if (f.branch === 'maybe') l = 'maybe';
    }
    return l;
  };
  const test = (expr: string): 0 | 1 | null => {
    try {
      return evaluate(expr, env) ? 1 : 0;
    } catch (e) {
      if (e instanceof Undecidable) return null;
      throw e;
    }
  };
  // the pre-pass's own directive ranges: line starts outside comments, continuations followed
  for (const [start, end] of directiveRanges(text)) {
    const lines = text.slice(start, end);
    const m = /^#\s*(\w+)\s*([\s\S]*)$/.exec(lines);
    const word = m?.[1] ?? '';
    const rest = (m?.[2] ?? '')
      .replace(/\\\r?\n/g, ' ')
      .replace(/\/\*[\s\S]*?(\*\/|$)/g, ' ')
      .replace(/\/\/.*$/, '')
      .trim();
    const outer = region();
    const show = (t: string): void => {
      replaced.push([start, end, t]);
    };
    if (word === 'if' || word === 'ifdef' || word === 'ifndef') {
      const expr = word === 'if' ? rest : `${word === 'ifndef' ? '!' : ''}defined(${rest.split(/\s/)[0]})`;
      const f: Frame = { parent: outer, branch: 'dead', state: 'none', kept: false };
      const v = outer === 'dead' ? 0 : test(expr);
      if (outer !== 'dead' && v === null) {
        f.branch = outer === 'live' ? 'maybe' : outer;
        f.state = 'undecided';
        f.kept = true;
        undecided++;
      } else {
        if (outer !== 'dead') decided++;
        f.branch = v ? outer : 'dead';
        f.state = v ? 'taken' : 'none';
        show(blank(lines));
      }
      stack.push(f);
    } else if ((word === 'elif' || word === 'else') && stack.length) {
      const f = stack[stack.length - 1]!;
      if (f.parent === 'dead' || f.state === 'taken' || f.state === 'closed') {
        f.branch = 'dead';
        show(blank(lines));
      } else {
        const v = word === 'else' ? 1 : test(rest);
        if (f.state === 'none') {
          if (v === null) {
            // the first undecided branch opens the chain the pre-pass sees
            show(rewrite(lines, 'if'));
            f.branch = 'maybe';
            f.state = 'undecided';
            f.kept = true;
            undecided++;
          } else {
            f.branch = v ? f.parent : 'dead';
            f.state = v ? 'taken' : 'none';
            show(blank(lines));
          }
        } else if (v === null) {
          // after an undecided branch: another one stays
          f.branch = 'maybe';
          undecided++;
        } else if (v) {
          // a true one is the chain's last (#else)
          if (word === 'elif') show(rewrite(lines, 'else'));
          f.branch = 'maybe';
          f.state = 'closed';
        } else {
          f.branch = 'dead';
          show(blank(lines));
        }
      }
    } else if (word === 'endif' && stack.length) {
      if (!stack.pop()!.kept) show(blank(lines));
    } else if (outer === 'dead') {
      show(blank(lines));
    } else if (word === 'define' || word === 'undef') {
      const d = /^(\w+)(\()?\s*([\s\S]*)$/.exec(rest);
      if (d) {
        const sure = outer === 'live';
        if (word === 'undef') env.undefine(d[1]!, sure);
        else env.define(d[1]!, d[2] ? undefined : d[3]!.trim(), sure);
      }
    }
    const now = region();
    if (outer !== 'dead' && now === 'dead') deadFrom = end;
    if (outer === 'dead' && now !== 'dead') dead.push([deadFrom, start]);
  }
  if (region() === 'dead') dead.push([deadFrom, text.length]);
  // directives inside dead code are blanked with it
  const out: string[] = [];
  let at = 0;
  const pieces = [...dead.map(([a, b]): [number, number, string] => [a, b, blank(text.slice(a, b))]), ...replaced.filter(([a]) => !dead.some(([x, y]) => x <= a && a < y))].sort((x, y) => x[0] - y[0]);
  for (const [a, b, t] of pieces) {
    out.push(text.slice(at, a), t);
    at = b;
  }
  out.push(text.slice(at));
  return { text: out.join(''), decided, undecided };
}
