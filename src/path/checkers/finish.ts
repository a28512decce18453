// The two-pass finish object: what `*finish = ...` hands out (an object just
// allocated, one embedded in the notifier's state, a global, or something
// not followed), and writes to finish->notifier, which the core owns.
import type { LAssign, LExpr } from '../../ir/lowered.js';
import type { FinishOrigin } from '../../ir/types.js';
import { heldValue, type State } from '../engine/state.js';
import { unwrapParens, varKey } from '../syntax.js';
import type { Checker, Engine } from './checker.js';

export class FinishChecker implements Checker {
  constructor(private readonly eng: Engine) {}

  onAssign(left: LExpr, _op: string | undefined, right: LExpr | null, node: LAssign, s: State): void {
    // the core owns finish->notifier: a driver writing it is a bug
    if (left.kind === 'field' && left.field === 'notifier' && /finish/.test(left.arg?.text ?? '')) {
      this.eng.record(s, { kind: 'finish_notifier_write', name: left.norm, value: (right ?? node).norm }, node);
    }
    if (left.kind === 'unary' && left.op === '*') {
      const target = left.arg;
      if (target?.kind === 'ident' && this.eng.isParam(varKey(target)) && /finish/.test(target.text)) {
        this.eng.record(s, { kind: 'finish_write', name: target.text, value: (right ?? node).norm, origin: right ? this.origin(right, s) : 'unknown' }, node);
      }
    }
  }

  /**
   * Where a finish object handed out comes from: `&job->finish` of an object
   * just allocated, or of the notifier's own state (`container_of(mni, ...)`),
   * or something mnlint does not follow (a pool, a helper).
   */
  private origin(value: LExpr, s: State): FinishOrigin {
    let base: LExpr | null = unwrapParens(value);
    if (base.kind === 'unary' && base.op === '&') base = base.arg;
    while (base && base.kind === 'field') base = base.arg;
    if (base?.kind !== 'ident') return 'unknown';
    // one object for every caller: a global or a function-static (`static struct f fin;`)
    if (value.text.trim().startsWith('&') && this.eng.sharedBase(base.text)) return 'global';
    const v = s.vars[varKey(base)];
    if (v?.k === 'alloc') return 'allocated';
    const held = heldValue(v);
    if (held?.k === 'call' && held.callee === 'container_of' && this.eng.isParam((held.args[0] ?? '').replace(/^&/, ''))) return 'embedded';
    return 'unknown';
  }
}
