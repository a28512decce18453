// Allocations and sleeps: the GFP mask of each allocation (judged on the
// branch in force when it depends on the blockable flag) and the calls that
// may sleep.
import type { LExpr } from '../../ir/lowered.js';
import { atom as atoms } from '../../ir/atoms.js';
import { curatedFacts } from '../../ir/facts-db.js';
import { classifyGfp } from '../../ir/kernel-api/memory.js';
import type { AbstractValue, GfpMask } from '../../ir/types.js';
import type { State } from '../engine/state.js';
import { unwrapParens, varKey } from '../syntax.js';
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
  private gfpOf(mask: LExpr, s: State): GfpMask {
    let m = mask;
    while (m.kind === 'paren' && m.children[0]) m = m.children[0];
    if (m.kind === 'conditional') {
      const atom = this.eng.atomOf(m.cond!, s);
      if (atom && atom.atom === atoms.blockable) {
        const blockable = s.when.blockable;
        const chosen = (blockable === undefined ? false : blockable) !== atom.negated ? m.consequence : m.alternative;
        if (chosen) return { mask: mask.norm, class: classifyGfp(chosen.norm) };
      }
    }
    if (m.kind === 'ident' && s.vars[varKey(m)]?.k === 'value') {
      const v = s.vars[varKey(m)] as { k: 'value'; value: AbstractValue };
      if (v.value.k === 'unknown') return { mask: mask.norm, class: classifyGfp(v.value.text) };
    }
    return { mask: mask.norm, class: classifyGfp(mask.norm) };
  }
}

/** Whether an expression is an allocation call (its result is NULL on failure). */
export function isAllocCall(node: LExpr): boolean {
  const n = unwrapParens(node);
  if (n.kind === 'cast') return isAllocCall(n.value!);
  return n.kind === 'call' && !!curatedFacts(n.fn?.text ?? '').allocates;
}
