// Allocations and sleeps: the GFP mask of each allocation (judged on the
// branch in force when it depends on the blockable flag) and the calls that
// may sleep.
import type { Node } from 'web-tree-sitter';
import { atom as atoms } from '../../ir/atoms.js';
import { curatedFacts } from '../../ir/facts-db.js';
import { classifyGfp } from '../../ir/kernel-api/memory.js';
import type { AbstractValue, GfpMask } from '../../ir/types.js';
import type { State } from '../engine/state.js';
import { textOf, unwrapParens } from '../syntax.js';
import type { CallSite, Checker, Classified, Engine } from './checker.js';

export class MemoryChecker implements Checker {
  constructor(private readonly eng: Engine) {}

  classify(call: CallSite, s: State): Classified | null {
    const known = curatedFacts(call.name);
    if (known.allocates) {
      const maskNode = call.argNodes[known.allocates.gfpArg];
      // an allocator called without its mask argument (a macro's odd form) is a plain call
      return maskNode ? { kind: 'alloc', facts: { gfp: this.gfpOf(maskNode, s) } } : { kind: 'call', facts: {} };
    }
    if (known.sleeps) return { kind: 'sleep', facts: {} };
    return null;
  }

  /** A GFP mask chosen by the blockable flag is judged by the branch in force. */
  private gfpOf(mask: Node, s: State): GfpMask {
    const ctx = this.eng.ctx;
    let m = mask;
    while (m.type === 'parenthesized_expression' && m.namedChildren[0]) m = m.namedChildren[0];
    if (m.type === 'conditional_expression') {
      const atom = this.eng.atomOf(m.childForFieldName('condition')!, s);
      if (atom && atom.atom === atoms.blockable) {
        const blockable = s.when.blockable;
        const chosen = (blockable === undefined ? false : blockable) !== atom.negated ? m.childForFieldName('consequence') : m.childForFieldName('alternative');
        if (chosen) return { mask: textOf(ctx, mask), class: classifyGfp(textOf(ctx, chosen)) };
      }
    }
    if (m.type === 'identifier' && s.vars[m.text]?.k === 'value') {
      const v = s.vars[m.text] as { k: 'value'; value: AbstractValue };
      if (v.value.k === 'unknown') return { mask: textOf(ctx, mask), class: classifyGfp(v.value.text) };
    }
    return { mask: textOf(ctx, mask), class: classifyGfp(textOf(ctx, mask)) };
  }
}

/** Whether an expression is an allocation call (its result is NULL on failure). */
export function isAllocCall(node: Node): boolean {
  const n = unwrapParens(node);
  if (n.type === 'cast_expression') return isAllocCall(n.childForFieldName('value')!);
  return n.type === 'call_expression' && !!curatedFacts(n.childForFieldName('function')?.text ?? '').allocates;
}
