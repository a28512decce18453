// Small readers of lowered expressions shared by the path engine and its
// checkers: parentheses and the calls that do not change what they wrap,
// constants, lock names, field keys.
import type { LExpr } from '../ir/lowered.js';

/** Branch hints and parentheses do not change what a condition tests. */
const TRANSPARENT_CALLS = new Set(['likely', 'unlikely', 'READ_ONCE', 'data_race']);

export function unwrapParens(e: LExpr): LExpr {
  let n = e;
  for (;;) {
    if (n.kind === 'paren' && n.children.length === 1) {
      n = n.children[0]!;
    } else if (n.kind === 'call' && TRANSPARENT_CALLS.has(n.fn?.text ?? '')) {
      if (n.argNodes.length !== 1) return n;
      n = n.argNodes[0]!;
    } else {
      return n;
    }
  }
}

export function isZero(e: LExpr): boolean {
  const t = unwrapParens(e).text;
  return t === '0' || t === 'NULL' || t === 'false';
}

export { normalizeLock } from '../ir/queries.js';

/** The sub-expressions a walk looking for calls descends into. */
export function childrenOf(e: LExpr): readonly LExpr[] {
  return 'children' in e ? e.children : [];
}

/**
 * The identity of the variable an identifier names: its declaration's
 * (LIdent.local: an inner `ret` that shadows the outer one is `ret#2`), else
 * its name (a global, a macro).
 */
export function varKey(n: Extract<LExpr, { kind: 'ident' }>): string {
  return n.local ?? n.text;
}

/** The variable an identity or a field key starts from: `ret#2` of `ret#2.field`, `update` of `update.blockable`. */
export function varBase(key: string): string {
  return /^[A-Za-z_]\w*(?:#\d+)?/.exec(key)?.[0] ?? key;
}

/**
 * `a->b.c` as the key of a tracked field, its base by identity (`u#2.flag`
 * for a field of an inner `u`), or null for a computed base (`f()->x`, `a[i].x`).
 */
export function fieldKey(node: LExpr): string | null {
  const text = node.text.replace(/\s+/g, '');
  if (!/^[A-Za-z_]\w*((\.|->)[A-Za-z_]\w*)+$/.test(text)) return null;
  let base = node;
  while (base.kind === 'field' && base.arg) base = base.arg;
  return base.kind === 'ident' && text.startsWith(base.text) ? varKey(base) + text.slice(base.text.length) : text;
}

/** The identifier an lvalue starts from: `x` of `x`, `x.f`, `x->f`, `x[i]`, `(x)`. */
export function baseIdentOf(node: LExpr): Extract<LExpr, { kind: 'ident' }> | null {
  let n: LExpr | null = node;
  while (n) {
    if (n.kind === 'ident') return n;
    if (n.kind === 'field') n = n.arg;
    else if (n.kind === 'paren' && n.children.length === 1) n = n.children[0]!;
    else if (n.kind === 'other' && n.type === 'subscript_expression') n = n.children[0] ?? null;
    else return null;
  }
  return null;
}
