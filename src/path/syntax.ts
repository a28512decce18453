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

/** `&svmm->mutex` and `svmm->mutex` are the same lock. */
export function normalizeLock(text: string): string {
  return text
    .replace(/\s+/g, '')
    .replace(/^&/, '')
    .replace(/^\((.*)\)$/, '$1');
}

/** The sub-expressions a walk looking for calls descends into. */
export function childrenOf(e: LExpr): readonly LExpr[] {
  return 'children' in e ? e.children : [];
}
